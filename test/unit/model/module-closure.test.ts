// A fleet's hosts import the same tree of modules; from the second host on, collectModules adds that tree as one
// list (modules.ts: closures) and NixosConfiguration answers from per-list indexes (definition-index.ts). These
// tests hold that the shortcut changes nothing a rule can see: the same modules, each file once, the same
// definitions and the same answers, and no shortcut where a module depends on its host.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { WorkspaceSources } from '../../../server/analysis/workspace-sources';
import { NixosConfiguration } from '../../../server/model/configuration';
import { Evaluator } from '../../../server/model/evaluator';
import { collectModules, type CollectedModules } from '../../../server/model/modules';
import { known, type Value } from '../../../server/model/value';
import { parser, tempDir } from '../../helpers';

const root = tempDir('module-closure');
let count = 0;

async function fleet(files: Record<string, string>) {
  const dir = path.join(root, String(count++));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  const ev = new Evaluator(new WorkspaceSources(await parser(), 64 * 1024 * 1024));
  const collect = (roots: string[], specialArgs?: Record<string, string>): CollectedModules =>
    collectModules(
      ev,
      roots.map((r) => known({ t: 'path', v: path.join(dir, r) })),
      specialArgs && {
        t: 'attrs',
        attrs: new Map(Object.entries(specialArgs).map(([k, v]) => [k, known({ t: 'str', v } as Value)])),
        dynamic: false,
      },
    );
  return { dir, collect };
}

const names = (c: CollectedModules, dir: string) =>
  c.modules.map((m) =>
    m.kind === 'file' || m.kind === 'missing' ? `${m.kind}:${path.relative(dir, m.file)}` : m.kind,
  );
const defined = (c: CollectedModules) =>
  c.definitions.map((d) => `${d.path.join('.')}@${path.basename(d.at?.file ?? '')}`).sort();

const SHARED = {
  'modules/default.nix': '{ imports = [ ./a.nix ./b.nix ]; }',
  'modules/a.nix': '{ lib, ... }: { imports = [ ./c.nix ]; services.a.enable = lib.mkDefault true; }',
  'modules/b.nix': '{ config, ... }: { imports = [ ./c.nix ./gone.nix ]; services.b.port = 1; }',
  'modules/c.nix': '{ networking.firewall.allowedTCPPorts = [ 22 ]; services.c.enable = true; }',
};

test('the second host gets the shared tree as one list, with the same modules and definitions', async () => {
  const { dir, collect } = await fleet({
    ...SHARED,
    'hosts/one.nix': '{ networking.hostName = "one"; }',
    'hosts/two.nix': '{ networking.hostName = "two"; }',
  });
  const one = collect(['hosts/one.nix', 'modules/default.nix']);
  const two = collect(['hosts/two.nix', 'modules/default.nix']);
  const shared = (c: CollectedModules) => names(c, dir).filter((n) => n.includes('modules/'));
  assert.deepEqual(new Set(shared(two)), new Set(shared(one)));
  assert.equal(shared(two).length, 5, 'each file once, the missing one named');
  assert.ok(shared(two).includes('missing:modules/gone.nix'));
  assert.deepEqual(
    defined(two).filter((d) => !d.startsWith('networking.hostName')),
    defined(one).filter((d) => !d.startsWith('networking.hostName')),
  );
  // The shortcut was taken: the host file's list and one list for the whole tree.
  assert.ok(one.chunks.length >= 4, `first host: a list per module (${one.chunks.length})`);
  assert.equal(two.chunks.length, 2);
});

test('a host that imports a file of the shared tree itself still reads every file once', async () => {
  const { dir, collect } = await fleet({
    ...SHARED,
    'hosts/one.nix': '{ networking.hostName = "one"; }',
    'hosts/three.nix': '{ imports = [ ../modules/c.nix ]; }',
  });
  collect(['hosts/one.nix', 'modules/default.nix']);
  // The tree first, then a host file that imports one of its files again.
  const four = collect(['modules/default.nix', 'hosts/three.nix']);
  assert.equal(names(four, dir).filter((n) => n === 'file:modules/c.nix').length, 1);
  assert.equal(defined(four).filter((d) => d.startsWith('services.c.enable')).length, 1);
  const three = collect(['hosts/three.nix', 'modules/default.nix']);
  const files = names(three, dir);
  assert.equal(files.filter((n) => n === 'file:modules/c.nix').length, 1);
  assert.equal(defined(three).filter((d) => d.startsWith('services.c.enable')).length, 1);
  assert.deepEqual(
    defined(three).filter((d) => d.startsWith('services.')),
    ['services.a.enable@a.nix', 'services.b.port@b.nix', 'services.c.enable@c.nix'],
  );
});

test('a module of the tree that reads its host (specialArgs) is evaluated for each host', async () => {
  const { collect } = await fleet({
    'modules/default.nix': '{ imports = [ ./named.nix ./c.nix ]; }',
    'modules/named.nix': '{ hostName, ... }: { networking.hostName = hostName; }',
    'modules/c.nix': SHARED['modules/c.nix'],
  });
  const host = (name: string) => {
    const c = collect(['modules/default.nix'], { hostName: name });
    const d = c.definitions.find((x) => x.path.join('.') === 'networking.hostName');
    return d?.value.t === 'str' ? d.value.v : undefined;
  };
  assert.equal(host('alpha'), 'alpha');
  assert.equal(host('beta'), 'beta');
});

test("a host's answers are the same from per-list indexes as from one flat list", async () => {
  const modules = Array.from({ length: 12 }, (_, i) => `./m${i}.nix`).join(' ');
  const files: Record<string, string> = {
    ...SHARED,
    'modules/default.nix': `{ imports = [ ./a.nix ./b.nix ${modules} ]; }`,
    'hosts/one.nix': '{ fileSystems."/".device = "/dev/sda1"; users.users.root.initialPassword = "x"; }',
    'hosts/two.nix':
      '{ lib, ... }: { fileSystems."/".fsType = "ext4"; users.users = lib.mkIf true { bob = { }; }; }',
  };
  for (let i = 0; i < 12; i++)
    files[`modules/m${i}.nix`] =
      `{ config, lib, ... }: { fileSystems."/m${i}".device = "d${i}"; users.users.u${i}.uid = ${i}; ` +
      `systemd.services.s${i} = lib.mkIf config.x { enable = true; }; }`;
  const { collect } = await fleet(files);
  const queries = [
    'fileSystems',
    'fileSystems./',
    'users.users',
    'systemd.services',
    'services',
    'networking',
  ];
  for (const host of ['hosts/one.nix', 'hosts/two.nix']) {
    const collected = collect([host, 'modules/default.nix']);
    const indexed = new NixosConfiguration({ name: 'h', file: host, kind: 'flake' }, collected, new Set());
    const flat = new NixosConfiguration(
      { name: 'h', file: host, kind: 'flake' },
      { ...collected, chunks: [collected.definitions] },
      new Set(),
    );
    for (const q of queries) {
      assert.deepEqual(indexed.defsUnder(q), flat.defsUnder(q), `${host} defsUnder ${q}`);
      assert.deepEqual(indexed.children(q), flat.children(q), `${host} children ${q}`);
      assert.equal(indexed.isUncertainUnder(q), flat.isUncertainUnder(q), `${host} uncertain ${q}`);
      assert.deepEqual(indexed.value(q), flat.value(q), `${host} value ${q}`);
    }
    assert.deepEqual(indexed.defs('fileSystems./.device'), flat.defs('fileSystems./.device'));
    assert.equal(indexed.children('users.users').names.length, 13, 'root or bob, and u0 … u11');
  }
});
