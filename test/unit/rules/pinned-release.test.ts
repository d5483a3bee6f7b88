// Repositories without flakes pin nixpkgs with niv (nix/sources.json), npins (npins/sources.json) or a release
// tarball in a file of their own: a colmena hive's `meta.nixpkgs` and a configuration.nix that makes the pin
// the system's NIX_PATH are built with it, so removed-option judges them by that release.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { checkPaths } from '../../../server/analysis/check-files';
import { tempDir } from '../../helpers';

const NIV_NIX = `let
  spec = (builtins.fromJSON (builtins.readFile ./sources.json)).nixpkgs;
in
{ nixpkgs = builtins.fetchTarball { inherit (spec) url sha256; }; }
`;
const niv = (branch: string) =>
  JSON.stringify({
    nixpkgs: {
      branch,
      owner: 'NixOS',
      repo: 'nixpkgs',
      type: 'tarball',
      url: 'https://example.invalid/x.tar.gz',
    },
  });
const npins = (name: string) =>
  JSON.stringify({
    pins: { nixpkgs: { type: 'Channel', name, url: 'https://example.invalid/x.tar.xz' } },
    version: 3,
  });

const NODE = `{ ... }: {
    boot.loader.grub.device = "/dev/sda";
    fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
    sound.enable = true;
    system.stateVersion = "21.05";
  }`;

async function soundFindings(files: Record<string, string>): Promise<string[]> {
  const dir = tempDir('pinned-release');
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), text);
  }
  const r = await checkPaths([dir]);
  return r.findings.filter((f) => f.code === 'removed-option').map((f) => f.severity);
}

test('a colmena hive pinned with niv, npins or a tarball file is judged by that release', async () => {
  const hive = (pin: string) =>
    `let sources = import ./nix/sources.nix; pins = import ./npins; in {\n  meta.nixpkgs = ${pin};\n  web = ${NODE};\n}\n`;
  const nivHive = (branch: string) => ({
    'hive.nix': hive('import sources.nixpkgs { }'),
    'nix/sources.nix': NIV_NIX,
    'nix/sources.json': niv(branch),
  });
  // sound.enable is still there in 21.05; it is gone (an error) in 24.11
  assert.deepEqual(await soundFindings(nivHive('nixos-21.05')), []);
  assert.deepEqual(await soundFindings(nivHive('nixos-24.11')), ['error']);
  assert.deepEqual(
    await soundFindings({
      'hive.nix': hive('import pins.nixpkgs { }'),
      'npins/default.nix': '{ nixpkgs = builtins.fetchTarball "https://example.invalid/x.tar.xz"; }\n',
      'npins/sources.json': npins('nixos-21.05'),
    }),
    [],
  );
  assert.deepEqual(
    await soundFindings({
      'hive.nix': `{\n  meta.nixpkgs = import ./nixpkgs.nix { };\n  web = ${NODE};\n}\n`,
      'nixpkgs.nix':
        'import (builtins.fetchTarball "https://github.com/NixOS/nixpkgs/archive/nixos-21.05.tar.gz")\n',
    }),
    [],
  );
});

test('a configuration.nix is judged by a niv pin only when it makes it the system’s nixpkgs', async () => {
  const config = (nixPath: string) => `let sources = import ./nix/sources.nix; in
${NODE.replace('{ ... }: {', `{ ... }: {\n    ${nixPath}`)}
`;
  const files = (nixPath: string) => ({
    'configuration.nix': config(nixPath),
    'nix/sources.nix': NIV_NIX,
    'nix/sources.json': niv('nixos-21.05'),
  });
  assert.deepEqual(await soundFindings(files('nix.nixPath = [ "nixpkgs=${sources.nixpkgs}" ];')), []);
  // fetched for something else: the system's nixpkgs is not known, so a possible removal is a warning
  assert.deepEqual(await soundFindings(files('environment.etc.src.source = sources.nixpkgs;')), ['warning']);
});

test('a pivot that builds the system with eval-config.nix from an npins pin is judged by that pin', async () => {
  const pivot = (name: string) => ({
    'pivot.nix': `let
  sources = import ./npins;
in
import "\${sources.nixos}/nixos/lib/eval-config.nix" { system = "x86_64-linux"; modules = [ ./node.nix ]; }
`,
    'npins/default.nix': `builtins.mapAttrs (n: p: { outPath = builtins.fetchTarball p.url; }) (builtins.fromJSON (builtins.readFile ./sources.json)).pins
`,
    'npins/sources.json': npins(name).replace('"nixpkgs"', '"nixos"'),
    'node.nix': `${NODE}\n`,
  });
  assert.deepEqual(await soundFindings(pivot('nixos-21.05')), []);
  assert.deepEqual(await soundFindings(pivot('nixos-24.11')), ['error']);
});

test('a flake pinned to a release tag, a development tag, a channel tarball or a dated lock is judged by it', async () => {
  const flake = (url: string) => `{
  inputs.nixpkgs.url = "${url}";
  outputs = { nixpkgs, ... }: {
    nixosConfigurations.web = nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./web.nix ]; };
  };
}
`;
  const web = NODE.replace('"21.05"', '"22.05"') + '\n';
  const files = (url: string, lock?: object) => ({
    'flake.nix': flake(url),
    'web.nix': web,
    ...(lock ? { 'flake.lock': JSON.stringify(lock) } : {}),
  });
  // sound.enable went away in 24.11: none of these can hold that change
  for (const url of [
    'github:nixos/nixpkgs/22.05',
    'github:nixos/nixpkgs/22.05-pre',
    'github:nixos/nixpkgs/22.05-beta',
    'git+https://github.com/NixOS/nixpkgs?ref=refs/tags/22.05',
    'https://channels.nixos.org/nixos-21.11/nixexprs.tar.xz',
  ])
    assert.deepEqual(await soundFindings(files(url)), [], url);
  // a commit (no branch) locked in May 2022: a commit of that date holds no change of 2024
  const locked = (lastModified: number) => ({
    nodes: {
      nixpkgs: {
        locked: { type: 'github', owner: 'NixOS', repo: 'nixpkgs', rev: 'a'.repeat(40), lastModified },
        original: { type: 'github', owner: 'NixOS', repo: 'nixpkgs', rev: 'a'.repeat(40) },
      },
      root: { inputs: { nixpkgs: 'nixpkgs' } },
    },
    root: 'root',
    version: 7,
  });
  const rev = `github:NixOS/nixpkgs/${'a'.repeat(40)}`;
  assert.deepEqual(await soundFindings(files(rev, locked(Date.UTC(2022, 4, 20) / 1000))), []);
  // locked in May 2025: every release maintained then (24.11 and newer) has the change
  assert.deepEqual(await soundFindings(files(rev, locked(Date.UTC(2025, 4, 20) / 1000))), ['error']);
});

test('a standalone configuration.nix whose install script adds the nixos channel of a release is judged by it', async () => {
  const files = (channel: string) => ({
    '.git/HEAD': 'ref: refs/heads/main\n',
    'configuration.nix': NODE.replace('"21.05"', '"22.05"') + '\n',
    'install.sh': `#!/bin/sh\nnix-channel --add ${channel} nixos\nnix-channel --update\nnixos-install\n`,
  });
  // sound.enable is fine on 22.05, gone on 24.11
  assert.deepEqual(await soundFindings(files('https://nixos.org/channels/nixos-22.05')), []);
  assert.deepEqual(await soundFindings(files('https://nixos.org/channels/nixos-24.11')), ['error']);
  // an unstable channel says nothing of what it holds today: stateVersion's lower bound, hedged
  assert.deepEqual(await soundFindings(files('https://nixos.org/channels/nixos-unstable')), ['warning']);
});
