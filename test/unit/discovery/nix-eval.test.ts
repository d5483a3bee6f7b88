// Asking Nix for the machine names (`check --eval`, `nixkit.evaluate`), with Debian's Nix on flakes whose inputs
// are local `path:` flakes: a machine Nix lists that nixkit could not follow is configuration-not-followed, no
// flake.lock is written, and a Nix that is missing or too slow is a note, never a failure.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { checkPaths } from '../../../server/analysis/check-files';
import { nixConfigurationNames } from '../../../server/analysis/nix-eval';
import { tempDir } from '../../helpers';

const hasNix = spawnSync('nix', ['--version'], { encoding: 'utf8' }).status === 0;

function write(dir: string, files: Record<string, string>) {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
}

/** A stand-in nixpkgs whose lib.nixosSystem returns a plain set (no module system: Nix only lists names). */
function fakeInputs(dir: string) {
  write(dir, {
    'fakepkgs/flake.nix': `{
  outputs = { self }: {
    lib.nixosSystem = args: { _type = "configuration"; inherit args; };
  };
}
`,
    'fleet/flake.nix': `{
  outputs = { self }: {
    lib.mkFleet = { nixosSystem, hosts }:
      builtins.listToAttrs (map (h: { name = h; value = nixosSystem { modules = [ ]; }; }) hosts);
  };
}
`,
  });
}

const env = (dir: string) => ({
  ...process.env,
  HOME: path.join(dir, 'home'),
  XDG_CACHE_HOME: path.join(dir, 'cache'),
});

test(
  'machines Nix lists that nixkit could not follow are each configuration-not-followed',
  { skip: !hasNix && 'nix is not installed' },
  async () => {
    const dir = tempDir('nixeval');
    fakeInputs(dir);
    write(dir, {
      'app/flake.nix': `{
  inputs.nixpkgs.url = "path:${dir}/fakepkgs";
  inputs.fleet.url = "path:${dir}/fleet";
  outputs = { self, nixpkgs, fleet }: {
    nixosConfigurations = fleet.lib.mkFleet { inherit (nixpkgs.lib) nixosSystem; hosts = [ "edge1" "edge2" ]; };
  };
}
`,
    });
    const app = path.join(dir, 'app');
    const alone = await checkPaths([app]);
    assert.deepEqual(
      alone.configurations.map((c) => [c.name, c.status]),
      [['nixosConfigurations', 'not-followed']],
    );
    const asked = await checkPaths([app], { evaluate: { env: env(dir) } });
    assert.deepEqual(asked.notes, []);
    assert.deepEqual(
      asked.configurations.map((c) => [c.name, c.status]),
      [
        ['edge1', 'not-followed'],
        ['edge2', 'not-followed'],
      ],
    );
    assert.deepEqual(
      asked.findings.map((f) => `${f.code} ${f.range.start.line + 1} ${/"(\w+)"/.exec(f.message)?.[1]}`),
      ['configuration-not-followed 5 edge1', 'configuration-not-followed 5 edge2'],
    );
    assert.match(asked.findings[0].message, /Nix lists it.*`mkFleet` comes from input `fleet`/);
    assert.equal(fs.existsSync(path.join(app, 'flake.lock')), false, 'flake.lock is never written');
  },
);

test(
  'where nixkit follows every machine Nix lists, asking Nix changes nothing',
  { skip: !hasNix && 'nix is not installed' },
  async () => {
    const dir = tempDir('nixeval');
    fakeInputs(dir);
    write(dir, {
      'app/flake.nix': `{
  inputs.nixpkgs.url = "path:${dir}/fakepkgs";
  outputs = { self, nixpkgs }: {
    nixosConfigurations.a = nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./a.nix ]; };
  };
}
`,
      'app/a.nix': '{ ... }: { networking.hostName = "a"; }\n',
    });
    const asked = await checkPaths([path.join(dir, 'app')], { evaluate: { env: env(dir) } });
    assert.deepEqual(asked.notes, []);
    assert.deepEqual(
      asked.configurations.map((c) => [c.name, c.status, c.platform]),
      [['a', 'read', 'x86_64-linux']],
    );
    assert.deepEqual(
      asked.findings.filter((f) => f.code === 'configuration-not-followed'),
      [],
    );
  },
);

test('a Nix that cannot be run or runs too long is a note; the static result stands', async () => {
  const dir = tempDir('nixeval');
  write(dir, { 'flake.nix': '{ outputs = { self }: { }; }\n' });
  const missing = await nixConfigurationNames(path.join(dir, 'flake.nix'), { nix: path.join(dir, 'no-nix') });
  assert.equal(missing.ok, false);
  assert.match(!missing.ok ? missing.message : '', /nix could not be run/);
  const slow = path.join(dir, 'slow-nix');
  fs.writeFileSync(slow, '#!/bin/sh\nsleep 30\n', { mode: 0o755 });
  const t0 = Date.now();
  const timedOut = await nixConfigurationNames(path.join(dir, 'flake.nix'), { nix: slow, timeoutMs: 300 });
  assert.equal(timedOut.ok, false);
  assert.match(!timedOut.ok ? timedOut.message : '', /took longer than/);
  assert.ok(Date.now() - t0 < 10_000, 'the slow nix was killed');
  const r = await checkPaths([dir], { evaluate: { nix: slow, timeoutMs: 300 } });
  assert.equal(r.notes.length, 1);
  assert.match(r.notes[0], /took longer than .*the machines are those nixkit found alone/);
});

test('compared with what Nix lists: a missed machine is not-followed, an invented one is a note', async () => {
  const dir = tempDir('nixeval');
  write(dir, {
    'flake.nix': `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = { self, nixpkgs }: {
    nixosConfigurations.box = nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./box.nix ]; };
  };
}
`,
    'box.nix': '{ ... }: { networking.hostName = "box"; }\n',
  });
  const fakeNix = (json: string) => {
    const f = path.join(dir, `nix-${json.length}`);
    fs.writeFileSync(f, `#!/bin/sh\necho '${json}'\n`, { mode: 0o755 });
    return f;
  };
  const more = await checkPaths([dir], { evaluate: { nix: fakeNix('["box","ghost"]') } });
  assert.deepEqual(more.notes, []);
  assert.deepEqual(
    more.configurations.map((c) => [c.name, c.status]),
    [
      ['box', 'read'],
      ['ghost', 'not-followed'],
    ],
  );
  assert.deepEqual(
    more.findings.filter((f) => f.code === 'configuration-not-followed').map((f) => f.range.start.line + 1),
    [3],
  );
  const fewer = await checkPaths([dir], { evaluate: { nix: fakeNix('[]') } });
  assert.equal(fewer.notes.length, 1);
  assert.match(fewer.notes[0], /nixkit found machine "box" but Nix does not list it/);
});

test(
  '`outputs = { nixpkgs }:` without self: nixkit says the flake fails as Nix does, and no machine is made up',
  { skip: !hasNix && 'nix is not installed' },
  async () => {
    const dir = tempDir('nixeval');
    fakeInputs(dir);
    write(dir, {
      'app/flake.nix': `{
  inputs.nixpkgs.url = "path:${dir}/fakepkgs";
  outputs = { nixpkgs }: {
    nixosConfigurations.a = nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ]; };
  };
}
`,
    });
    const flake = path.join(dir, 'app', 'flake.nix');
    const nix = await nixConfigurationNames(flake, { env: env(dir) });
    assert.equal(nix.ok, false);
    assert.match(!nix.ok ? nix.message : '', /unexpected argument 'self'/);
    const ours = await checkPaths([path.join(dir, 'app')]);
    assert.deepEqual(
      ours.configurations.map((c) => [c.name, c.status]),
      [['nixosConfigurations', 'not-followed']],
    );
    assert.match(
      ours.configurations[0].reasons[0],
      /evaluating the flake fails: 'outputs' is called with unexpected argument 'self'/,
    );
  },
);
