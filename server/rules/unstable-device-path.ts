import type { Definition } from '../model/modules';
import { mountedFileSystems } from '../model/filesystems';
import { PRIORITY } from '../model/evaluator';
import type { Source, Value } from '../model/value';
import { nixString } from '../rule-api/edits';
import type { ConfigurationContext, Rule, RuleFix } from '../rule-api/rule';
import { stableNameFor } from '../facts/stable-names';

/**
 * Kernel names given in the order disks are found: they can change between boots. Xen's `/dev/xvdX` are not among
 * them: the guest's disk numbers in the domain's configuration name them.
 */
const UNSTABLE = /^\/dev\/(?:(?:sd|vd|hd)[a-z]{1,3}\d*|nvme\d+n\d+(?:p\d+)?|mmcblk\d+(?:p\d+)?)$/;

export function isUnstableDevicePath(device: string): boolean {
  return UNSTABLE.test(device);
}

export const unstableDevicePath: Rule = {
  code: 'unstable-device-path',
  severity: 'warning',
  title: 'A filesystem or swap device is named by its kernel name (/dev/sdX), which can change between boots',
  explanation:
    'Names like `/dev/sda2`, `/dev/vdb`, `/dev/nvme0n1p2` or `/dev/mmcblk0p2` are handed out in the order the ' +
    'kernel finds the disks, and that order is not fixed: a USB stick left plugged in, a second NVMe drive, a ' +
    'controller that answers faster, or a new kernel can swap them. The initrd then waits for a root or LUKS ' +
    'device that is now another disk, or mounts the wrong one, and the machine drops to an emergency shell. ' +
    'Name filesystems, swap and LUKS devices by something stored on the disk itself: `/dev/disk/by-uuid/…`, ' +
    "`/dev/disk/by-label/…` or `/dev/disk/by-partlabel/…` (GRUB's `boot.loader.grub.device` is fine: it is used " +
    "once, at install time, and is not reported; nor are containers and WSL, whose disks are not NixOS's to mount, " +
    "nor Xen's `/dev/xvdX`, which the domain's configuration numbers). " +
    'What is made at boot has no UUID or label before: a filesystem with `autoFormat` is named by the disk ' +
    '(`/dev/disk/by-id/…`, `/dev/disk/by-path/…`), a swap with `randomEncryption` by `/dev/disk/by-partuuid/…`.',
  bad: {
    files: {
      'configuration.nix': `{ config, pkgs, ... }:
{
  imports = [ ./hardware-configuration.nix ];
  boot.loader.grub.enable = true;
  boot.loader.grub.device = "/dev/sda";
  system.stateVersion = "24.11";
}
`,
      'hardware-configuration.nix': `{ config, lib, pkgs, modulesPath, ... }:
{
  # /dev/sda1: UUID="3e6f1c2a-9b8d-4e7f-a1b2-c3d4e5f60718" BLOCK_SIZE="4096" TYPE="ext4" PARTUUID="5d1e6f7a-01"
  fileSystems."/" = {
    device = "/dev/sda1";
    fsType = "ext4";
  };
  swapDevices = [ { device = "/dev/sda2"; } ];
}
`,
    },
    expect: ['hardware-configuration.nix:5', 'hardware-configuration.nix:8'],
  },
  good: {
    files: {
      'configuration.nix': `{ config, pkgs, ... }:
{
  imports = [ ./hardware-configuration.nix ];
  boot.loader.grub.enable = true;
  boot.loader.grub.device = "/dev/sda";
  system.stateVersion = "24.11";
}
`,
      'hardware-configuration.nix': `{ config, lib, pkgs, modulesPath, ... }:
{
  fileSystems."/" = {
    device = "/dev/disk/by-uuid/3e6f1c2a-9b8d-4e7f-a1b2-c3d4e5f60718";
    fsType = "ext4";
  };
  swapDevices = [ { device = "/dev/disk/by-label/swap"; } ];
}
`,
    },
  },
  checkConfiguration(ctx) {
    const { config } = ctx;
    // A container's `/` is the host's to give, and under WSL Windows mounts the disk before NixOS starts: no
    // device name of these is looked up at boot.
    if (
      config.bool('boot.isContainer') === true ||
      config.bool('boot.isNspawnContainer') === true ||
      config.bool('wsl.enable') === true
    )
      return;
    // disko turns `disko.devices` into fileSystems at normal priority: a placeholder written with mkDefault
    // (`fileSystems."/" = lib.mkDefault { device = "/dev/sda2"; … }`) is not what the machine mounts.
    const usesDisko = config.modules.some((m) => m.kind === 'external' && /disko/.test(m.name));
    const disko = new Set(
      usesDisko
        ? mountedFileSystems(config, (t) => ctx.unit.evaluator.force(t))
            .filter((f) => f.origin === 'disko' && !f.conditional)
            .map((f) => f.mountPoint)
        : [],
    );
    for (const mp of config.children('fileSystems').names) {
      const r = config.value(['fileSystems', mp, 'device']);
      if (r.state !== 'known') continue;
      if (disko.has(mountPointOf(ctx, mp)) && r.def.priority > PRIORITY.normal) continue;
      // `autoFormat = true` makes the filesystem at boot: no UUID or label names it before that.
      const formatted = config.bool(['fileSystems', mp, 'autoFormat']) === true;
      // udev names a bcachefs filesystem by its UUID only with util-linux 2.39 (NixOS 23.11): advise names of
      // the disk or partition, which exist whatever is on it.
      const fsType = config.string(['fileSystems', mp, 'fsType']);
      const bcachefs = typeof fsType === 'object' && fsType.value === 'bcachefs';
      checkDef(
        ctx,
        r.def,
        `the filesystem at ${mountPointOf(ctx, mp)}`,
        formatted ? 'formatted' : bcachefs ? 'bcachefs' : undefined,
      );
    }
    for (const name of config.children('boot.initrd.luks.devices').names) {
      const r = config.value(['boot', 'initrd', 'luks', 'devices', name, 'device']);
      if (r.state === 'known') checkDef(ctx, r.def, `the LUKS device "${name}"`);
    }
    const resume = config.value('boot.resumeDevice');
    if (resume.state === 'known') checkDef(ctx, resume.def, 'the resume (hibernation) device');
    // swapDevices is a list: every definition adds to it.
    for (const d of config.defs('swapDevices')) {
      if (d.conditional || d.value.t !== 'list') continue;
      for (const item of d.value.items) {
        const v = ctx.force(item);
        if (v.t !== 'attrs') continue;
        const dev = v.attrs.get('device');
        const dv = dev ? ctx.force(dev) : undefined;
        if (dv?.t === 'str' && dv.src)
          check(ctx, dv.v, dv.src, 'the swap device', randomlyEncrypted(ctx, v) ? 'random' : undefined);
      }
    }
  },
};

function mountPointOf(ctx: ConfigurationContext, name: string): string {
  const mp = ctx.config.string(['fileSystems', name, 'mountPoint']);
  return typeof mp === 'object' ? mp.value : name;
}

/** Why names from the filesystem (UUID, label) would not do: it is made at boot, or udev may not read it. */
type NoFsNames = 'formatted' | 'random' | 'bcachefs' | undefined;

function checkDef(ctx: ConfigurationContext, def: Definition, what: string, why?: NoFsNames): void {
  if (def.conditional || def.value.t !== 'str') return;
  const at = def.value.src ?? def.valueAt;
  if (at) check(ctx, def.value.v, at, what, why);
}

/**
 * `randomEncryption = true` (or `.enable`): the swap partition is overwritten with a new key at every boot, so
 * no UUID or label stays on it (NixOS' manual says so; older nixpkgs refuse them with an assertion).
 */
function randomlyEncrypted(ctx: ConfigurationContext, swap: Value & { t: 'attrs' }): boolean {
  const r = swap.attrs.get('randomEncryption');
  const v = r ? ctx.force(r) : undefined;
  if (v?.t === 'bool') return v.v;
  const enable = v?.t === 'attrs' ? v.attrs.get('enable') : undefined;
  const e = enable ? ctx.force(enable) : undefined;
  return e?.t === 'bool' && e.v;
}

/** Names of the disk or partition itself (serial, port, partition table), which nothing written to it changes. */
const DISK_NAME = /^\/dev\/disk\/by-(?:id|path|partuuid)\//;

/**
 * `why`: names from the filesystem (UUID, label) would not do (made at boot, or not read by udev): then only
 * names of the disk or partition are offered.
 */
function check(ctx: ConfigurationContext, device: string, at: Source, what: string, why?: NoFsNames): void {
  const formatted = why !== undefined;
  if (!isUnstableDevicePath(device)) return;
  // Only a plain string literal can be rewritten in place.
  const text = ctx.sources.parsed(at.file)?.lines.text.slice(at.span.start, at.span.end);
  const stable = stableNameFor(ctx.config, device, ctx.sources);
  const fixes: RuleFix[] = [];
  if (stable && text === nixString(device) && (!formatted || DISK_NAME.test(stable.path)))
    fixes.push({
      title: `Use ${stable.path} (from ${stable.from})`,
      edits: [{ at, newText: nixString(stable.path) }],
      preferred: true,
    });
  ctx.report({
    at,
    message:
      `${what} is named ${device}, a kernel name that can point at another disk after a reboot: ` +
      (why === undefined
        ? `use /dev/disk/by-uuid/… or /dev/disk/by-label/…`
        : why === 'random'
          ? 'use /dev/disk/by-partuuid/… or /dev/disk/by-id/… (randomEncryption overwrites it at every boot: no UUID or label stays on it)'
          : why === 'bcachefs'
            ? "use /dev/disk/by-partuuid/… or /dev/disk/by-id/… (udev names bcachefs by UUID only from NixOS 23.11's util-linux on)"
            : 'use /dev/disk/by-id/… or /dev/disk/by-path/… (autoFormat makes the filesystem at boot: no UUID or label names it before)'),
    fixes,
  });
}
