import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MarkupContent } from 'vscode-languageserver/node';
import { hover } from '../../../server/lsp/features/hover';
import { memoryWorkspace, type MemoryWorkspace } from './setup';

const text = (ws: MemoryWorkspace, rel: string, needle: string, delta = 0, n = 1) => {
  const h = hover(ws.state, { textDocument: { uri: ws.uri(rel) }, position: ws.at(rel, needle, delta, n) });
  return h ? (h.contents as MarkupContent).value : undefined;
};

const MODULE = `{ config, lib, pkgs, ... }:
let
  disk = "/dev/disk/by-label/nixos";
in
with lib;
{
  imports = [ ./hardware.nix { networking.hostName = "inline"; } ];
  boot.loader.systemd-boot.enable = true;
  boot.initrd = {
    luks.devices.cryptroot.device = "/dev/disk/by-uuid/1";
  };
  fileSystems."/".fsType = "ext4";
  swapDevices = [ { device = "/dev/disk/by-label/swap"; } ];
  users.users.alice.hashedPassword = "!";
  services.openssh = mkIf true { enable = true; };
  networking = mkMerge [ { useDHCP = false; } ];
  system.stateVersion = "24.05";
}
`;

test('hover: a dotted option path explains the option under the cursor', async () => {
  const ws = await memoryWorkspace({ 'configuration.nix': MODULE, 'hardware.nix': '{ }\n' });
  const h = text(ws, 'configuration.nix', 'systemd-boot.enable', 14)!;
  assert.match(h, /\*\*boot\.loader\.systemd-boot\.enable\*\*/);
  assert.match(h, /Type: `boolean`/);
  assert.match(h, /Default: `false`/);
  assert.match(h, /systemd-boot/);
  // The value in the configuration that reads the file.
  assert.match(h, /`ws`: `true`/);
});

test('hover: nested sets, attrsOf names, lists of submodules, mkIf and mkMerge, inline modules', async () => {
  const ws = await memoryWorkspace({
    'configuration.nix': MODULE,
    'hardware.nix':
      '{ lib, ... }:\n{\n  boot = {\n    loader = {\n      grub.device = "nodev";\n    };\n  };\n}\n',
  });
  assert.match(text(ws, 'hardware.nix', 'grub.device', 6)!, /\*\*boot\.loader\.grub\.device\*\*/);
  const cases: [string, number, number, RegExp][] = [
    ['device = "/dev/disk/by-uuid/1"', 1, 1, /boot\.initrd\.luks\.devices\.cryptroot\.device/],
    ['fsType', 1, 1, /fileSystems\."\/"\.fsType/],
    ['device = "/dev/disk/by-label/swap"', 1, 1, /swapDevices\.\*\.device/],
    ['hashedPassword', 1, 1, /users\.users\.alice\.hashedPassword/],
    ['enable = true; }', 1, 1, /services\.openssh\.enable/],
    ['useDHCP', 1, 1, /networking\.useDHCP/],
    ['hostName', 1, 1, /networking\.hostName/],
    ['stateVersion', 1, 1, /system\.stateVersion/],
  ];
  for (const [needle, delta, n, re] of cases)
    assert.match(text(ws, 'configuration.nix', needle, delta, n) ?? '(no hover)', re, needle);
});

test('hover: nothing on values, let bindings, unknown options, or `config = { }` with options beside it', async () => {
  const ws = await memoryWorkspace({
    'configuration.nix': MODULE,
    'hardware.nix': '{ ... }: { options.foo = 1; config = { networking.hostName = "x"; }; }\n',
  });
  assert.equal(text(ws, 'configuration.nix', '"/dev/disk/by-uuid/1"', 2), undefined);
  assert.equal(text(ws, 'configuration.nix', 'disk =', 1), undefined);
  assert.equal(text(ws, 'configuration.nix', 'imports', 1), undefined);
  assert.match(text(ws, 'hardware.nix', 'hostName', 1)!, /\*\*networking\.hostName\*\*/);
});

test("hover: inline modules in a flake's modules list; not the flake's own keys", async () => {
  const ws = await memoryWorkspace({
    'flake.nix': `{
  outputs = { nixpkgs, ... }: {
    nixosConfigurations.a = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ { boot.loader.grub.enable = false; } ];
    };
  };
}
`,
  });
  assert.match(text(ws, 'flake.nix', 'grub.enable', 6)!, /boot\.loader\.grub\.enable/);
  assert.equal(text(ws, 'flake.nix', 'outputs', 1), undefined);
});

test('hover: on a finding, its explanation and a link to its documentation page', async () => {
  const ws = await memoryWorkspace({
    'configuration.nix': `{ ... }:
{
  boot.loader.systemd-boot.enable = true;
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
  fileSystems."/boot/efi" = { device = "/dev/disk/by-label/ESP"; fsType = "vfat"; };
}
`,
  });
  const h = text(ws, 'configuration.nix', '"/boot/efi"', 3)!;
  assert.match(h, /\*\*esp-mount-mismatch\*\*: The EFI System Partition/);
  assert.match(h, /efiSysMountPoint/);
  assert.match(
    h,
    /\[Documentation\]\(https:\/\/github\.com\/nixkit\/nixkit\/blob\/main\/docs\/rules\/esp-mount-mismatch\.md\)/,
  );
});
