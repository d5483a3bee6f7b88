// Model extensions the bootloader and filesystem rules rely on: builtins under `with lib;`, disko mounts
// (nodev names, ZFS `mountpoint` properties, btrfs subvolume and ZFS dataset types), and
// `isUncertainUnder`.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { WorkspaceAnalysis } from '../../../server/analysis/workspace-analysis';
import { WorkspaceSources } from '../../../server/analysis/workspace-sources';
import type { NixosConfiguration } from '../../../server/model/configuration';
import { mountedFileSystems } from '../../../server/model/filesystems';
import type { Thunk, Value } from '../../../server/model/value';
import { parser, tempDir } from '../../helpers';

async function configurationOf(
  text: string,
): Promise<{ config: NixosConfiguration; force: (t: Thunk) => Value }> {
  const dir = tempDir('model');
  const file = path.join(dir, 'configuration.nix');
  fs.writeFileSync(file, text);
  try {
    const sources = new WorkspaceSources(await parser(), 1_000_000);
    sources.readFindings(file);
    const analysis = new WorkspaceAnalysis(sources, () => [file]);
    analysis.full();
    const unit = analysis.project.analysisUnits[0];
    return { config: unit.configurations[0], force: (t) => unit.evaluator.force(t) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('`with lib;` does not shadow true/false/null: mkDefault true stays a known boolean', async () => {
  const { config } = await configurationOf(`{ config, lib, pkgs, ... }:
with lib;
{
  boot.loader.systemd-boot.enable = mkDefault true;
  boot.loader.grub.enable = false;
  boot.kernelParams = mkIf false [ "quiet" ];
  services.x.value = null;
}
`);
  const sd = config.value('boot.loader.systemd-boot.enable');
  assert.equal(sd.state, 'known');
  assert.deepEqual(sd.state === 'known' && [sd.value.t, sd.def.priority], ['bool', 1000]);
  assert.equal(config.bool('boot.loader.grub.enable'), false);
  assert.equal(config.value('boot.kernelParams').state, 'unset');
  assert.equal(
    config.value('services.x.value').state === 'known' && config.defs('services.x.value')[0].value.t,
    'null',
  );
});

test('names from `with` that are not builtins stay unknown (lib.* is not read)', async () => {
  const { config } = await configurationOf(`{ config, lib, ... }:
with lib;
{
  networking.hostName = someName;
}
`);
  assert.equal(config.value('networking.hostName').state, 'unknown');
});

test('disko: nodev entries mount at their name, ZFS properties are not mounts, types follow btrfs/ZFS', async () => {
  const { config, force } = await configurationOf(`{ lib, ... }:
{
  disko.devices = {
    disk.main = {
      device = "/dev/disk/by-id/ata-x";
      content.type = "gpt";
      content.partitions.ESP = { size = "1G"; type = "EF00"; content = { type = "filesystem"; format = "vfat"; mountpoint = "/boot"; }; };
      content.partitions.crypt = {
        size = "100%";
        content = {
          type = "luks";
          name = "crypted";
          content = {
            type = "btrfs";
            subvolumes."/root" = { mountpoint = "/"; mountOptions = [ "compress=zstd" ]; };
            subvolumes."/nix" = { mountpoint = "/nix"; };
          };
        };
      };
    };
    zpool.tank = {
      type = "zpool";
      rootFsOptions.mountpoint = "none";
      datasets.data = { type = "zfs_fs"; mountpoint = "/data"; options.mountpoint = "legacy"; };
    };
    nodev."/tmp" = { fsType = "tmpfs"; mountOptions = [ "size=2G" ]; };
    nodev.scratch = { fsType = "tmpfs"; mountpoint = "/scratch"; };
  };
}
`);
  const mounts = mountedFileSystems(config, force)
    .map((f) => `${f.mountPoint} ${f.fsType.value ?? (f.fsType.unknown ? '?' : '-')}`)
    .sort();
  assert.deepEqual(mounts, [
    '/ btrfs',
    '/boot vfat',
    '/data zfs',
    '/nix btrfs',
    '/scratch tmpfs',
    '/tmp tmpfs',
  ]);
  assert.equal(config.isUncertainUnder('disko.devices'), false);
});

test('isUncertainUnder: unknown values, conditions and dynamic keys anywhere in the subtree', async () => {
  const { config } = await configurationOf(`{ config, lib, ... }:
{
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
  disko.devices.disk.main.device = config.custom.disk;
  boot.initrd.luks.devices = lib.mkIf config.custom.encrypted { root.device = "/dev/disk/by-label/crypt"; };
  services.foo.settings.\${config.custom.key} = 1;
}
`);
  assert.equal(config.isUncertainUnder('fileSystems'), false);
  assert.equal(config.isUncertainUnder('disko.devices'), true);
  assert.equal(config.isUncertainUnder('boot.initrd.luks'), true);
  assert.equal(config.isUncertainUnder('services.foo'), true);
  assert.equal(config.isUncertainUnder('services.bar'), false);
});
