// Inputs are known by where they come from, never by their name.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { kindOfUrl, lockedInputs } from '../../../server/model/flake-inputs';
import { tempDir } from '../../helpers';

test('flake references name the libraries nixkit models, look-alikes do not', () => {
  const cases: [string, string | undefined][] = [
    ['github:NixOS/nixpkgs/nixos-24.11', 'nixpkgs'],
    ['github:nixos/nixpkgs?ref=nixos-unstable', 'nixpkgs'],
    ['https://github.com/NixOS/nixpkgs/archive/nixos-24.05.tar.gz', 'nixpkgs'],
    ['https://channels.nixos.org/nixos-24.11/nixexprs.tar.xz', 'nixpkgs'],
    ['nixpkgs/nixos-22.05', 'nixpkgs'],
    ['fleet/main', undefined],
    ['flake:nixpkgs', 'nixpkgs'],
    ['github:hercules-ci/flake-parts', 'flake-parts'],
    ['github:numtide/flake-utils', 'flake-utils'],
    ['github:LnL7/nix-darwin/nix-darwin-24.11', 'nix-darwin'],
    ['github:nix-darwin/nix-darwin', 'nix-darwin'],
    ['github:nix-community/home-manager/release-24.11', 'home-manager'],
    ['git+https://github.com/nix-community/disko', 'disko'],
    ['github:NixOS/nixos-hardware', 'nixos-hardware'],
    ['github:Mic92/sops-nix', 'sops-nix'],
    ['github:ryantm/agenix', 'agenix'],
    ['github:zhaofengli/colmena', 'colmena'],
    ['github:serokell/deploy-rs', 'deploy-rs'],
    // FlakeHub names the same repositories; import-tree moved to another owner.
    ['https://flakehub.com/f/hercules-ci/flake-parts/*', 'flake-parts'],
    ['https://flakehub.com/f/NixOS/nixpkgs/0.2411.*', 'nixpkgs'],
    ['https://flakehub.com/f/someone/fleet/0.1', undefined],
    ['github:denful/import-tree', 'import-tree'],
    // A repository or checkout named nixpkgs elsewhere is a fork or a mirror of it; a look-alike name is not.
    ['github:someone/nixpkgs', 'nixpkgs'],
    ['github:someone/nixpkgs/nixos-24.11-patched', 'nixpkgs'],
    ['git+file:///home/me/src/nixpkgs', 'nixpkgs'],
    ['git+https://git.example.com/infra/nixpkgs.git?ref=main', 'nixpkgs'],
    ['path:/home/me/nixpkgs', 'nixpkgs'],
    ['github:someone/nixpkgs-wayland', undefined],
    ['git+file:///home/me/nixpkgs-wip', undefined],
    ['github:example-corp/fleet', undefined],
    ['path:/srv/fake-nixpkgs', undefined],
  ];
  for (const [url, kind] of cases) assert.equal(kindOfUrl(url), kind, url);
});

test('flake.lock gives an input its original and locked reference, following `follows` paths', () => {
  const dir = tempDir('lock');
  fs.writeFileSync(
    path.join(dir, 'flake.lock'),
    JSON.stringify({
      nodes: {
        root: { inputs: { disko: 'disko', pkgs: ['disko', 'nixpkgs'] } },
        disko: {
          inputs: { nixpkgs: 'nixpkgs_2' },
          original: { type: 'indirect', id: 'disko' },
          locked: { type: 'github', owner: 'nix-community', repo: 'disko', rev: 'abc' },
        },
        nixpkgs_2: { original: { type: 'github', owner: 'NixOS', repo: 'nixpkgs', ref: 'nixos-unstable' } },
      },
      root: 'root',
      version: 7,
    }),
  );
  const locked = lockedInputs(path.join(dir, 'flake.nix'));
  assert.deepEqual(locked.get('disko'), ['flake:disko', 'github:nix-community/disko']);
  assert.deepEqual(locked.get('pkgs'), ['github:NixOS/nixpkgs']);
  fs.writeFileSync(path.join(dir, 'flake.lock'), '{ not json');
  assert.deepEqual([...lockedInputs(path.join(dir, 'flake.nix'))], []);
});
