import { mountedFileSystems } from '../model/filesystems';
import { nixString } from '../rule-api/edits';
import {
  NOT_MOUNTABLE,
  comparableFsType,
  describeBlock,
  emptyProbe,
  exampleDisk,
  fsKnown,
  fsTypeAccepts,
  probeName,
  resolveDevice,
} from '../facts/probe';
import type { Rule, RuleFix } from '../rule-api/rule';

const PROBE = emptyProbe({
  disks: [
    exampleDisk('nvme0n1', [
      { type: 'vfat', uuid: '5A1B-2C3D', label: 'ESP' },
      { type: 'btrfs', uuid: '0f3c9d2e-6b1a-4c7e-9f10-2a3b4c5d6e7f', label: 'nixos' },
    ]),
  ],
});

const CONFIG = (rootType: string) => `{ ... }:
{
  boot.loader.systemd-boot.enable = true;
  fileSystems."/" = {
    device = "/dev/disk/by-uuid/0f3c9d2e-6b1a-4c7e-9f10-2a3b4c5d6e7f";
    fsType = "${rootType}";
  };
  fileSystems."/boot" = { device = "/dev/disk/by-uuid/5A1B-2C3D"; fsType = "vfat"; };
  system.stateVersion = "24.11";
}
`;

export const fsTypeMismatch: Rule = {
  code: 'fs-type-mismatch',
  severity: 'error',
  title: "A filesystem's fsType is not the format the probed target has on that device",
  explanation:
    'The initrd mounts each filesystem with the driver `fsType` names and includes only the drivers of the types ' +
    'the configuration lists. When the device really holds another format (the root was made btrfs but the ' +
    'configuration still says ext4, or `fsType` points at a LUKS container or a swap partition instead of what is ' +
    'inside), the mount fails and the boot stops in an emergency shell. With a probe of the target attached, ' +
    'nixkit compares `fsType` with what blkid found on that device (`ext4` also mounts ext2 and ext3, and every ' +
    'FAT spelling counts as vfat).',
  bad: { files: { 'configuration.nix': CONFIG('ext4') }, probe: PROBE, expect: ['configuration.nix:6'] },
  good: { files: { 'configuration.nix': CONFIG('btrfs') }, probe: PROBE },
  checkConfiguration(ctx) {
    const r = ctx.probe;
    if (!r || !fsKnown(r)) return;
    for (const f of mountedFileSystems(ctx.config, ctx.force)) {
      if (f.conditional || f.origin !== 'fileSystems') continue;
      const configured = f.fsType.value;
      if (!configured || !f.fsType.at || !f.device.value || !comparableFsType(configured)) continue;
      const res = resolveDevice(r, f.device.value);
      if (res.state !== 'found') continue;
      const actual = res.block.fs?.type;
      if (!actual || fsTypeAccepts(configured, actual)) continue;
      const at = f.fsType.at;
      const text = ctx.sources.parsed(at.file)?.lines.text.slice(at.span.start, at.span.end);
      const container = NOT_MOUNTABLE[actual];
      const fixes: RuleFix[] = [];
      if (!container && text === nixString(configured))
        fixes.push({
          title: `Set fsType = "${actual}"`,
          edits: [{ at, newText: nixString(actual) }],
          preferred: true,
        });
      ctx.report({
        at,
        message:
          `fileSystems."${f.mountPoint}" has fsType "${configured}", but ${f.device.value} on the target is ` +
          `${container ? container : actual} (${describeBlock(res.block)}, ${probeName(r)}): ` +
          `mounting it as ${configured} fails and the boot stops`,
        fixes,
      });
    }
  },
};
