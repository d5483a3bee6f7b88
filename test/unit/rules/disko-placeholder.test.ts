// A hardware configuration kept as a placeholder next to disko (`fileSystems."/" = lib.mkDefault { device =
// "/dev/sda2"; … }`): disko's own fileSystems."/" (normal priority) wins, so the kernel name is never mounted and
// unstable-device-path stays quiet; without disko's mount there, or without mkDefault, it still warns.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { checkPaths } from '../../../server/analysis/check-files';
import { tempDir } from '../../helpers';

async function devicePathFindings(placeholder: string, diskoMount: string): Promise<string[]> {
  const dir = tempDir('disko-placeholder');
  const files: Record<string, string> = {
    'flake.nix': `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
  inputs.disko.url = "github:nix-community/disko";
  outputs = { nixpkgs, disko, ... }: {
    nixosConfigurations.vps = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ disko.nixosModules.disko ./hardware.nix ./disk.nix ];
    };
  };
}
`,
    'hardware.nix': `{ lib, ... }:\n{\n  fileSystems."/" = ${placeholder};\n}\n`,
    'disk.nix': `{
  disko.devices.disk.main = {
    type = "disk";
    device = "/dev/sda";
    content.type = "gpt";
    content.partitions.root = {
      size = "100%";
      content = { type = "filesystem"; format = "ext4"; mountpoint = "${diskoMount}"; };
    };
  };
}
`,
  };
  for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), text);
  const r = await checkPaths([dir]);
  return r.findings
    .filter((f) => f.code === 'unstable-device-path')
    .map((f) => `${path.basename(f.file)}:${f.range.start.line + 1}`);
}

test('unstable-device-path: a mkDefault placeholder disko overrides is quiet; otherwise it warns', async () => {
  const mkDefault = 'lib.mkDefault { device = "/dev/sda2"; fsType = "ext4"; }';
  assert.deepEqual(await devicePathFindings(mkDefault, '/'), []);
  assert.deepEqual(await devicePathFindings(mkDefault, '/data'), ['hardware.nix:3']);
  assert.deepEqual(await devicePathFindings('{ device = "/dev/sda2"; fsType = "ext4"; }', '/'), [
    'hardware.nix:3',
  ]);
});
