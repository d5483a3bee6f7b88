// A flake with two nixpkgs (stable for the machines, unstable for a few packages, or the reverse): a machine's
// release is that of the input whose lib.nixosSystem builds it, not the range of every nixpkgs in the lock.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { checkPaths } from '../../../server/analysis/check-files';
import { tempDir } from '../../helpers';

const node = (ref: string, lastModified: number) => ({
  locked: { lastModified, owner: 'NixOS', repo: 'nixpkgs', rev: 'a'.repeat(40), type: 'github' },
  original: { owner: 'NixOS', ref, repo: 'nixpkgs', type: 'github' },
});

test('removed-option: each machine is judged by the nixpkgs input that builds it', async () => {
  const dir = tempDir('release-by-input');
  const files: Record<string, string> = {
    'flake.nix': `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  inputs.nixpkgs-stable.url = "github:NixOS/nixpkgs/nixos-24.05";
  outputs = { nixpkgs, nixpkgs-stable, ... }: {
    nixosConfigurations.old = nixpkgs-stable.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./sound.nix ]; };
    nixosConfigurations.new = nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./sound2.nix ]; };
  };
}
`,
    'flake.lock': JSON.stringify({
      nodes: {
        // unstable locked on 2024-10-09: 24.05 shipped, 24.11 in development
        nixpkgs: node('nixos-unstable', 1728492678),
        'nixpkgs-stable': node('nixos-24.05', 1728740863),
        root: { inputs: { nixpkgs: 'nixpkgs', 'nixpkgs-stable': 'nixpkgs-stable' } },
      },
      root: 'root',
      version: 7,
    }),
    'sound.nix': '{ ... }: { sound.enable = true; }\n',
    'sound2.nix': '{ ... }: { sound.enable = true; }\n',
  };
  for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), text);
  const r = await checkPaths([dir]);
  assert.deepEqual(
    r.findings
      .filter((f) => f.code === 'removed-option')
      .map((f) => `${path.basename(f.file)} ${f.severity} ${f.message.split(':')[0]}`),
    // 24.05 still has sound.enable; the unstable machine may have lost it (24.11 was in development)
    ['sound2.nix warning sound.enable was removed in NixOS 24.11'],
  );
});
