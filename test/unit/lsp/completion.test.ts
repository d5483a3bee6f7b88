import assert from 'node:assert/strict';
import { test } from 'node:test';
import { completion } from '../../../server/lsp/features/completion';
import { memoryWorkspace } from './setup';

/** Completion labels with the cursor at `|` in `text`. */
async function labels(text: string, file = 'configuration.nix'): Promise<string[] | undefined> {
  const offset = text.indexOf('|');
  const ws = await memoryWorkspace({ [file]: text.replace('|', '') });
  const list = completion(ws.state, {
    textDocument: { uri: ws.uri(file) },
    position: ws.at(
      file,
      text.slice(0, offset).split('\n').pop()!,
      text.slice(0, offset).split('\n').pop()!.length,
    ),
  });
  return list?.items.map((i) => i.label);
}

test('completion: option keys after a partial dotted path, also while the file does not parse', async () => {
  const a = await labels('{ config, ... }:\n{\n  boot.loader.|\n}\n');
  assert.ok(a?.includes('systemd-boot') && a.includes('grub') && a.includes('efi'), String(a));
  const b = await labels('{\n  boot.loader.systemd-boot.|\n  networking.hostName = "x";\n}\n');
  assert.ok(b?.includes('enable') && b.includes('configurationLimit'), String(b));
  const c = await labels('{\n  boot.loader.gr|\n}\n');
  assert.ok(c?.includes('grub'), String(c));
});

test('completion: in nested sets, under mkIf, in explicit config, at the top of a module', async () => {
  const nested = await labels(
    '{ lib, ... }:\n{\n  boot = {\n    loader = lib.mkIf true {\n      |\n    };\n  };\n}\n',
  );
  assert.ok(nested?.includes('systemd-boot') && nested.includes('efi'), String(nested));
  const config = await labels(
    '{ lib, ... }:\n{\n  options = { };\n  config = {\n    services.openssh.|\n  };\n}\n',
  );
  assert.ok(config?.includes('enable') && config.includes('settings'), String(config));
  const top = await labels('{ pkgs, ... }:\n{\n  |\n}\n');
  assert.ok(top?.includes('boot') && top.includes('fileSystems') && top.includes('users'), String(top));
  const users = await labels('{\n  users.users.alice.|\n}\n');
  assert.ok(users?.includes('hashedPassword') && users.includes('openssh'), String(users));
});

test('completion: known values for fsType, platforms, .enable and GRUB devices', async () => {
  const fs = await labels('{\n  fileSystems."/" = { device = "/dev/x"; fsType = "|"; };\n}\n');
  assert.ok(fs?.includes('ext4') && fs.includes('vfat') && fs.includes('btrfs'), String(fs));
  const host = await labels('{\n  nixpkgs.hostPlatform = "|";\n}\n');
  assert.deepEqual(host?.slice(0, 2), ['x86_64-linux', 'aarch64-linux']);
  const hostBare = await labels('{\n  nixpkgs.hostPlatform = |\n}\n');
  assert.equal(hostBare?.[0], '"x86_64-linux"');
  const sys = await labels(
    '{\n  outputs = { nixpkgs, ... }: {\n    nixosConfigurations.a = nixpkgs.lib.nixosSystem {\n      system = "|";\n    };\n  };\n}\n',
    'flake.nix',
  );
  assert.ok(sys?.includes('aarch64-linux'), String(sys));
  const en = await labels('{\n  services.openssh.enable = |\n}\n');
  assert.deepEqual(en, ['true', 'false']);
  const grub = await labels('{\n  boot.loader.grub.device = "|";\n}\n');
  assert.deepEqual(grub, ['nodev']);
});

test('completion: nothing in comments, in other strings, or outside option positions', async () => {
  assert.equal(await labels('{\n  # boot.loader.|\n}\n'), undefined);
  assert.equal(await labels('{\n  networking.hostName = "boot.|";\n}\n'), undefined);
  assert.equal(await labels("{\n  description = ''\n    boot.|\n  '';\n}\n"), undefined);
  assert.equal(await labels('let\n  x = {\n    boot.|\n  };\nin x\n', 'flake.nix'), undefined);
});
