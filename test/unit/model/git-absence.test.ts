// A missing import that git ignores, or that lies in a submodule not checked out, is there where the machine is
// built: module-not-found says so as information (a public repository told its users to symlink
// hardware-configuration.nix per machine and kept it out of git; another kept home-manager as a submodule).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { checkPaths } from '../../../server/analysis/check-files';
import { gitAbsence } from '../../../server/model/git-absence';
import { tempDir } from '../../helpers';

function repo(files: Record<string, string>): string {
  const dir = tempDir('git-absence');
  fs.mkdirSync(path.join(dir, '.git'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

test('.gitignore patterns as git reads them: anchored, globbed, folders, negation, nearest file first', () => {
  const dir = repo({
    '.gitignore':
      'hardware-configuration.nix\n/host.nix\nsecrets/\n*.local.nix\n!keep.local.nix\n# host.nix\n',
    'hosts/.gitignore': '!hardware-configuration.nix\n',
  });
  const ignored = (rel: string) => !!gitAbsence(path.join(dir, rel));
  assert.equal(ignored('hardware-configuration.nix'), true);
  assert.equal(ignored('sub/hardware-configuration.nix'), true, 'an unanchored name matches at any depth');
  assert.equal(ignored('host.nix'), true);
  assert.equal(ignored('sub/host.nix'), false, 'a leading slash anchors');
  assert.equal(ignored('secrets/a.nix'), true, 'a folder pattern covers what is below it');
  assert.equal(ignored('box.local.nix'), true);
  assert.equal(ignored('keep.local.nix'), false, 'a later ! takes it back');
  assert.equal(ignored('hosts/hardware-configuration.nix'), false, 'the nearest .gitignore wins');
  assert.equal(ignored('configuration.nix'), false);
  assert.match(gitAbsence(path.join(dir, 'host.nix'))!, /git ignores it \(\.gitignore: \/host\.nix\)/);
});

test('a file in a submodule that is not checked out', () => {
  const dir = repo({
    '.gitmodules':
      '[submodule "modules/home-manager"]\n\tpath = modules/home-manager\n\turl = https://example.invalid/hm.git\n',
  });
  assert.match(
    gitAbsence(path.join(dir, 'modules/home-manager/nixos/default.nix'))!,
    /git submodule modules\/home-manager/,
  );
  assert.equal(gitAbsence(path.join(dir, 'modules/other.nix')), undefined);
  // `imports = [ ./modules/home-manager ]`: the submodule's own folder, absent from a tarball of the repository
  assert.match(gitAbsence(path.join(dir, 'modules/home-manager'))!, /git submodule modules\/home-manager/);
  assert.equal(gitAbsence(path.join(dir, 'modules/home-manager-extra')), undefined);
});

test('module-not-found: information for an ignored file, an error for a typo', async () => {
  const dir = repo({
    '.gitignore': 'hardware-configuration.nix\n',
    'configuration.nix': `{ ... }:
{
  imports = [ ./hardware-configuration.nix ./netwrok.nix ];
  system.stateVersion = "24.11";
}
`,
    'network.nix': '{ }\n',
  });
  const r = await checkPaths([dir]);
  assert.deepEqual(
    r.findings
      .filter((f) => f.code === 'module-not-found')
      .map((f) => `${f.severity} ${f.message.split(' ')[0]}`),
    ['information ./hardware-configuration.nix', 'error ./netwrok.nix'],
  );
});

test('module-not-found: an import that climbs above the checkout reaches the machine’s own files, not an error', async () => {
  // cloned into /etc/nixos/<repo>, with /etc/nixos/configuration.nix a symlink to <repo>/nixos/configuration.nix
  const dir = repo({
    'nixos/configuration.nix': `{ ... }:
{
  imports = [ ../../hardware-configuration.nix ../common.nix ];
  system.stateVersion = "24.11";
}
`,
  });
  const r = await checkPaths([dir]);
  assert.deepEqual(
    r.findings.filter((f) => f.code === 'module-not-found').map((f) => f.message.split(' ')[0]),
    ['../common.nix'],
  );
  assert.match(r.configurations[0].reasons.join('; '), /hardware-configuration\.nix, outside the repository/);
});

test('`if pathExists ./org-config then … else ./ocb-config` with org-config ignored by git: the other import is information', async () => {
  const config = `{ ... }:
{
  imports = [ (if builtins.pathExists ./org-config then ./org-config else ./ocb-config) ];
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
  boot.loader.grub.device = "/dev/disk/by-id/ata-disk";
  system.stateVersion = "24.11";
}
`;
  const ignored = repo({ '.gitignore': 'org-config\n', 'configuration.nix': config });
  const quiet = await checkPaths([ignored]);
  assert.deepEqual(
    quiet.findings.filter((f) => f.code === 'module-not-found').map((f) => f.severity),
    ['information'],
  );
  const typo = repo({ 'configuration.nix': config });
  const loud = await checkPaths([typo]);
  assert.deepEqual(
    loud.findings.filter((f) => f.code === 'module-not-found').map((f) => f.severity),
    ['error'],
  );
});

test('module-not-found: a path a helper builds is reported where it is built, with where it is imported', async () => {
  const dir = tempDir('helper-path');
  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  };
  write(
    'flake.nix',
    `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = { self, nixpkgs, ... }: {
    nixosConfigurations.box = import ./lib/mkHost.nix { inherit self nixpkgs; } "box";
  };
}
`,
  );
  write('lib/hosts.nix', '{ self }: {\n  hostPath = h: r: "${self}/hosts/${h}/${r}";\n}\n');
  write(
    'lib/mkHost.nix',
    `{ self, nixpkgs }:
let inherit (import ./hosts.nix { inherit self; }) hostPath; in
name: nixpkgs.lib.nixosSystem {
  system = "x86_64-linux";
  modules = [
    (hostPath name "default.nix")
    (hostPath name "monitors.nix")
  ];
}
`,
  );
  write('hosts/box/default.nix', '{ ... }: { boot.isContainer = true; system.stateVersion = "24.11"; }\n');
  const r = await checkPaths([dir]);
  const missing = r.findings.filter((f) => f.code === 'module-not-found');
  assert.equal(missing.length, 1, JSON.stringify(r.findings, null, 1));
  assert.equal(path.relative(dir, missing[0].file), 'lib/hosts.nix');
  assert.match(missing[0].message, /monitors\.nix/);
  assert.deepEqual(
    missing[0].related?.map((x) => `${path.relative(dir, x.file)}:${x.range.start.line + 1} ${x.message}`),
    ['lib/mkHost.nix:7 imported here'],
  );
});
