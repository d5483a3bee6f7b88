import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderConfigurations } from '../../../extension/commands/configuration-markdown';
import { configurations } from '../../../server/lsp/features/configurations';
import { memoryWorkspace } from './setup';

const FLAKE = `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.05";
  outputs = { self, nixpkgs, disko, ... }: {
    nixosConfigurations.web = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./web.nix ./hardware.nix disko.nixosModules.disko ];
    };
    nixosConfigurations.pi = nixpkgs.lib.nixosSystem {
      modules = [ { nixpkgs.hostPlatform = "aarch64-linux"; boot.loader.grub.enable = false; boot.loader.generic-extlinux-compatible.enable = true; } ];
    };
  };
}
`;
const WEB = `{ lib, ... }:
{
  boot.loader.grub = { enable = true; efiSupport = true; device = "nodev"; };
  boot.loader.efi.efiSysMountPoint = "/boot/efi";
  users.users.root.hashedPassword = "!";
  users.users.alice = {
    isNormalUser = true;
    extraGroups = [ "wheel" ];
    openssh.authorizedKeys.keys = [ "ssh-ed25519 AAAA alice" ];
  };
  users.users.bob = { isNormalUser = true; hashedPassword = "$y$j9T$abc$def"; };
  system.stateVersion = "24.05";
}
`;
const HARDWARE = `{ ... }:
{
  fileSystems."/" = { device = "/dev/disk/by-uuid/1111"; fsType = "btrfs"; };
  fileSystems."/boot/efi" = { device = "/dev/disk/by-uuid/2222"; fsType = "vfat"; };
  swapDevices = [ { device = "/dev/disk/by-label/swap"; } ];
}
`;

test('nixkit/configurations: each flake entry with what it installs', async () => {
  const ws = await memoryWorkspace({ 'flake.nix': FLAKE, 'web.nix': WEB, 'hardware.nix': HARDWARE });
  const { configurations: list } = configurations(ws.state);
  assert.deepEqual(
    list.map((c) => c.name),
    ['pi', 'web'],
  );
  const web = list.find((c) => c.name === 'web')!;
  assert.equal(web.kind, 'flake');
  assert.equal(web.location.uri, ws.uri('flake.nix'));
  assert.equal(web.location.range.start.line, 3);
  assert.deepEqual(web.files, [ws.uri('flake.nix'), ws.uri('hardware.nix'), ws.uri('web.nix')]);
  assert.deepEqual(
    [web.platform.state, web.platform.value, web.platform.from],
    ['known', 'x86_64-linux', 'system'],
  );
  assert.deepEqual(
    [web.bootloader.kind, web.bootloader.efi, web.bootloader.grubDevices],
    ['grub', true, ['nodev']],
  );
  assert.deepEqual([web.efiSysMountPoint.state, web.efiSysMountPoint.value], ['known', '/boot/efi']);
  assert.deepEqual(
    [web.esp?.mountPoint, web.esp?.device, web.esp?.fsType],
    ['/boot/efi', '/dev/disk/by-uuid/2222', 'vfat'],
  );
  assert.deepEqual(
    [web.rootFileSystem?.device, web.rootFileSystem?.fsType],
    ['/dev/disk/by-uuid/1111', 'btrfs'],
  );
  assert.equal(web.rootFileSystem?.location?.uri, ws.uri('hardware.nix'));
  assert.deepEqual(
    web.swap.map((s) => s.device),
    ['/dev/disk/by-label/swap'],
  );
  assert.deepEqual(
    web.users.map((u) => [u.name, u.methods, u.admin]),
    [
      ['root', [], true],
      ['alice', ['sshKey'], true],
      ['bob', ['hashedPassword'], false],
    ],
  );
  assert.deepEqual([web.stateVersion.state, web.stateVersion.value], ['known', '24.05']);
  assert.deepEqual(web.externalModules, ['disko.nixosModules.disko']);
  const pi = list.find((c) => c.name === 'pi')!;
  assert.deepEqual([pi.platform.value, pi.platform.from], ['aarch64-linux', 'nixpkgs.hostPlatform']);
  assert.equal(pi.bootloader.kind, 'extlinux');
  assert.deepEqual([pi.stateVersion.state, pi.rootFileSystem], ['unset', undefined]);
});

test('nixkit/configurations: a standalone configuration.nix; `uri` limits the answer', async () => {
  const ws = await memoryWorkspace({
    'configuration.nix': `{ modulesPath, ... }:\n{\n  imports = [ (modulesPath + "/profiles/qemu-guest.nix") ./missing.nix ];\n  boot.loader.systemd-boot.enable = true;\n}\n`,
  });
  const [c] = configurations(ws.state).configurations;
  assert.equal(c.kind, 'configuration.nix');
  assert.equal(c.bootloader.kind, 'systemd-boot');
  assert.deepEqual([c.efiSysMountPoint.state, c.efiSysMountPoint.value], ['unset', '/boot']);
  assert.deepEqual(c.externalModules, ['<nixpkgs/nixos/modules>/profiles/qemu-guest.nix']);
  assert.match(c.unreadableModules[0].description, /missing\.nix does not exist/);
  assert.equal(configurations(ws.state, { uri: 'file:///elsewhere.nix' }).configurations.length, 0);
});

test('Show Configuration renders a readable document', async () => {
  const ws = await memoryWorkspace({ 'flake.nix': FLAKE, 'web.nix': WEB, 'hardware.nix': HARDWARE });
  const md = renderConfigurations(configurations(ws.state), 'file:///mem/ws');
  assert.match(md, /^# NixOS configurations/);
  assert.match(md, /## web/);
  // Links relative to the workspace folder: the Markdown preview refuses file: links and shows them raw.
  assert.match(md, /\| Platform \| \[x86_64-linux\]\(\/flake\.nix#L5\) \(`system`\) \|/);
  assert.doesNotMatch(md, /\]\(file:/);
  assert.match(md, /\| Bootloader \| .*GRUB with EFI support.*device `nodev` \|/);
  assert.match(md, /\| EFI System Partition \| .*\/boot\/efi.*vfat/);
  assert.match(md, /alice.*\(wheel: may use sudo\): SSH key/);
  assert.match(md, /- root: no password or key \(root cannot log in\)/);
  assert.match(md, /`disko\.nixosModules\.disko`/);
  assert.match(md, /- \[hardware\.nix\]\(\/hardware\.nix\)/);
  // Outside the workspace folder: named, not linked.
  const outside = renderConfigurations(configurations(ws.state), 'file:///elsewhere');
  assert.match(outside, /- \/mem\/ws\/hardware\.nix$/m);
  assert.doesNotMatch(outside, /\]\(\//);
  // `disko` is not declared: Nix would look it up in the flake registry, which does not know it.
  assert.match(md, /^2 machines: 1 read, 1 partly read\.$/m);
  assert.match(
    renderConfigurations({ configurations: [], nixFiles: 3 }),
    /found no NixOS machine in 3 \.nix files: .*\n.*nixkit\.toml/,
  );
  // What could not be followed, and a partly read machine, are said with why.
  const partial = {
    ...configurations(ws.state).configurations[0],
    status: 'partial' as const,
    reasons: ['the module `fleet.nixosModules.base` comes from input `fleet`, which nixkit does not know'],
  };
  const shown = renderConfigurations(
    {
      configurations: [partial],
      notFollowed: [
        {
          name: 'edge',
          location: {
            uri: 'file:///mem/ws/flake.nix',
            range: { start: { line: 8, character: 4 }, end: { line: 8, character: 8 } },
          },
          reasons: ['`mkEdgeHost` comes from input `fleet`, which nixkit does not know'],
        },
      ],
    },
    'file:///mem/ws',
  );
  assert.match(shown, /^2 machines: 0 read, 1 partly read, 1 not followed\.$/m);
  assert.match(
    shown,
    /- \*\*edge\*\* \(\[where\]\(\/flake\.nix#L9\)\) could not be followed: `mkEdgeHost` comes from input `fleet`/,
  );
  assert.match(
    shown,
    /\*\*Partly read:\*\* the module `fleet\.nixosModules\.base` comes from input `fleet`.*not run on it/,
  );
});

test('nixkit/configurations: the bootloader as the rules decide it (other loaders named; unknown stays unknown)', async () => {
  const show = async (boot: string) => {
    const ws = await memoryWorkspace({ 'configuration.nix': `{ ... }:\n{\n  ${boot}\n}\n` });
    return configurations(ws.state).configurations[0].bootloader;
  };
  const refind = await show('boot.loader.refind.enable = true;');
  assert.deepEqual([refind.kind, refind.name], ['other', 'rEFInd']);
  // GRUB on by default with any GRUB setting counts as chosen; with none, nothing is chosen.
  assert.equal((await show('boot.loader.grub.useOSProber = true;')).kind, 'grub');
  assert.equal((await show('')).kind, 'none');
  assert.equal((await show('boot.loader.systemd-boot.enable = import ./x.nix;')).kind, 'unknown');
});

test('nixkit/configurations: files not checked (nix-darwin, mentions of NixOS builders nixkit does not follow)', async () => {
  const ws = await memoryWorkspace({
    'mac/configuration.nix': '{ ... }: { homebrew.enable = true; }\n',
    'hosts/box/default.nix': '{ config }:\n{\n  config.systems.nixos.box.modules = [ ./machine.nix ];\n}\n',
  });
  const result = configurations(ws.state);
  assert.deepEqual(result.configurations, []);
  assert.deepEqual(
    result.notChecked?.map((n) => [
      n.location.uri.replace(/^.*\/ws\//, ''),
      n.location.range.start.line,
      n.why,
    ]),
    [
      ['mac/configuration.nix', 0, 'it is a nix-darwin configuration (it sets homebrew), not NixOS'],
      [
        'hosts/box/default.nix',
        2,
        'it mentions systems.nixos, but no machine nixkit found is built from it: nixkit does not follow how it builds NixOS machines',
      ],
    ],
  );
  const md = renderConfigurations(result, 'file:///mem/ws');
  assert.match(md, /found no NixOS machine in 2 \.nix files/);
  assert.match(
    md,
    /^- \[mac\/configuration\.nix\]\(\/mac\/configuration\.nix#L1\) is not checked: it is a nix-darwin configuration/m,
  );
  // `uri` limits the answer to that file
  const only = configurations(ws.state, { uri: result.notChecked![1].location.uri });
  assert.deepEqual(
    only.notChecked?.map((n) => n.location.range.start.line),
    [2],
  );
});
