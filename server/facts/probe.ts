// What the probe-aware rules share: which facts a probe report really knows (a rescue system without blkid knows
// no UUIDs; one without udev has no /dev/disk/by-id; a container sees its host's firmware), how a device path of
// the configuration resolves on the target, and short descriptions of what the target has, for messages. A fact
// the probe does not know is `unknown`, and an unknown never produces a finding.
import type { Disk, Filesystem, NetworkInterface, Partition, ProbeReport } from '../../protocol/probe-report';
import { decodeUdevEscapes } from '../../protocol/udev-escapes';
import type { NixosConfiguration } from '../model/configuration';
import { registerDeviceNameSource } from './stable-names';

// --- the probe of each configuration, for helpers that only get the configuration (stable device names)

const attached = new WeakMap<NixosConfiguration, ProbeReport>();

export function attachProbe(config: NixosConfiguration, probe: ProbeReport | undefined): void {
  if (probe) attached.set(config, probe);
  else attached.delete(config);
}

export function probeOf(config: NixosConfiguration): ProbeReport | undefined {
  return attached.get(config);
}

/** How a finding names the probe: "the probe of root@203.0.113.7". */
export function probeName(report: ProbeReport): string {
  const who = report.target ?? report.system.hostname;
  return who ? `the probe of ${who}` : 'the probe';
}

// With a probe, `/dev/sda2` has a stable name: the UUID of the filesystem the target has there.
registerDeviceNameSource((config, device) => {
  const report = probeOf(config);
  if (!report || !fsKnown(report)) return undefined;
  const m = /^\/dev\/([^/]+)$/.exec(device);
  if (!m) return undefined;
  const found = blocks(report).filter((b) => b.name === m[1]);
  if (found.length !== 1) return undefined;
  const uuid = found[0].fs?.uuid;
  if (!uuid || /\s|\//.test(uuid)) return undefined;
  return { path: `/dev/disk/by-uuid/${uuid}`, from: probeName(report) };
});

// --- what a probe knows

/** Filesystem types, UUIDs and labels: blkid or lsblk ran as root. */
export function fsKnown(r: ProbeReport): boolean {
  if (r.user.uid !== 0 || r.disks.length === 0) return false;
  return !(r.missing.includes('blkid') && r.missing.includes('lsblk'));
}

/** Partition UUIDs and names: a partition table reader ran as root. */
export function partitionsKnown(r: ProbeReport): boolean {
  if (r.user.uid !== 0 || r.disks.length === 0) return false;
  return !(r.missing.includes('blkid') && r.missing.includes('lsblk') && r.missing.includes('sfdisk'));
}

/** `/dev/disk/by-id` exists on the target (udev runs) and names some disk. */
export function byIdKnown(r: ProbeReport): boolean {
  return r.disks.some((d) => d.byId.length > 0);
}

const CONTAINERS = new Set([
  'docker',
  'podman',
  'lxc',
  'lxc-libvirt',
  'openvz',
  'systemd-nspawn',
  'rkt',
  'wsl',
  'proot',
  'pouch',
  'container-other',
]);

/**
 * The firmware the target boots with, when the probe can tell: `/sys/firmware/efi` is only meaningful with sysfs
 * mounted, and a container sees its host's.
 */
export function firmwareOf(r: ProbeReport): 'uefi' | 'bios' | undefined {
  if (CONTAINERS.has(r.system.virtualisation.type)) return undefined;
  if (r.firmware.mode === 'uefi') return 'uefi';
  if (!r.mounts.some((m) => m.fsType === 'sysfs' && m.mountPoint === '/sys')) return undefined;
  return 'bios';
}

// --- block devices

export interface Block {
  disk: Disk;
  part?: Partition;
  /** Kernel name (sda2), when the kernel shows it. */
  name: string | null;
  fs: Filesystem | null;
}

export function blocks(r: ProbeReport): Block[] {
  const out: Block[] = [];
  for (const disk of r.disks) {
    out.push({ disk, name: disk.name, fs: disk.fs });
    for (const part of disk.partitions) out.push({ disk, part, name: part.name, fs: part.fs });
  }
  return out;
}

/** Identifies a block device across calls of blocks(). */
export function blockKey(b: Block): string {
  return `${b.disk.name}/${b.part ? (b.part.number ?? b.part.name ?? '?') : ''}`;
}

export type DeviceKind = 'uuid' | 'label' | 'partuuid' | 'partlabel' | 'id' | 'kernel';

export type Resolution =
  | { state: 'found'; block: Block; kind: DeviceKind }
  /** The target has nothing by that name; `exact` is the right spelling when only the case differs. */
  | { state: 'missing'; kind: DeviceKind; key: string; exact?: { block: Block; path: string } }
  | { state: 'unknown' };

const KERNEL_NAME = /^\/dev\/((?:sd|vd|xvd|hd)[a-z]{1,3}\d*|nvme\d+n\d+(?:p\d+)?|mmcblk\d+(?:p\d+)?)$/;

/** How a device path of the configuration resolves on the probed target. */
export function resolveDevice(r: ProbeReport, device: string): Resolution {
  const m = /^\/dev\/disk\/by-(uuid|label|partuuid|partlabel|id)\/(.+)$/.exec(device);
  const all = blocks(r);
  if (m) {
    const kind = m[1] === 'id' ? 'id' : (m[1] as DeviceKind);
    const key = m[2];
    if (key.includes('/')) return { state: 'unknown' };
    switch (kind) {
      case 'uuid':
      case 'label': {
        if (!fsKnown(r)) return { state: 'unknown' };
        const want = kind === 'label' ? decodeUdevEscapes(key) : key;
        const get = (b: Block) => (kind === 'uuid' ? b.fs?.uuid : b.fs?.label) ?? null;
        const hit = all.find((b) => get(b) === want || (kind === 'label' && get(b) === key));
        if (hit) return { state: 'found', block: hit, kind };
        if (kind === 'uuid') {
          const near = all.filter((b) => get(b)?.toLowerCase() === want.toLowerCase());
          if (near.length === 1)
            return {
              state: 'missing',
              kind,
              key,
              exact: { block: near[0], path: `/dev/disk/by-uuid/${get(near[0])}` },
            };
        }
        return { state: 'missing', kind, key: want };
      }
      case 'partuuid':
      case 'partlabel': {
        if (!partitionsKnown(r)) return { state: 'unknown' };
        const get = (b: Block) => (kind === 'partuuid' ? b.part?.partuuid : b.part?.partlabel) ?? null;
        const want = kind === 'partuuid' ? key.toLowerCase() : decodeUdevEscapes(key);
        const hit = all.find((b) => get(b) === want || (kind === 'partlabel' && get(b) === key));
        if (hit) return { state: 'found', block: hit, kind };
        // A partition only on disk (not shown by the kernel) has its name from the table: still known.
        return { state: 'missing', kind, key: want };
      }
      case 'id': {
        if (!byIdKnown(r)) return { state: 'unknown' };
        for (const disk of r.disks) {
          if (disk.byId.includes(key))
            return { state: 'found', block: { disk, name: disk.name, fs: disk.fs }, kind };
          const p = /^(.+)-part(\d+)$/.exec(key);
          if (p && disk.byId.includes(p[1])) {
            const part = disk.partitions.find((x) => x.number === Number(p[2]));
            if (part) return { state: 'found', block: { disk, part, name: part.name, fs: part.fs }, kind };
            if (!partitionsKnown(r)) return { state: 'unknown' };
            return { state: 'missing', kind, key };
          }
        }
        // Disks without by-id names (no serial, loop devices) could still be it under a name nixkit cannot see.
        if (r.disks.some((d) => d.byId.length === 0 && !d.loop && !d.liveSystem)) return { state: 'unknown' };
        return { state: 'missing', kind, key };
      }
    }
  }
  const k = KERNEL_NAME.exec(device);
  if (k) {
    const hit = all.find((b) => b.name === k[1]);
    if (hit) return { state: 'found', block: hit, kind: 'kernel' };
    // A partition the kernel of the probed system does not show, or any disk: the names are the kernel's.
    if (r.disks.length === 0) return { state: 'unknown' };
    return { state: 'missing', kind: 'kernel', key: k[1] };
  }
  return { state: 'unknown' };
}

/** "vda2 (ext4, UUID 0f3c…, label nixos)". */
export function describeBlock(b: Block): string {
  const bits: string[] = [];
  if (b.fs?.type) bits.push(b.fs.type);
  if (b.fs?.uuid) bits.push(`UUID ${b.fs.uuid}`);
  if (b.fs?.label) bits.push(`label ${JSON.stringify(b.fs.label)}`);
  if (b.part?.partlabel) bits.push(`partlabel ${JSON.stringify(b.part.partlabel)}`);
  const name = b.name ?? (b.part ? `${b.disk.name} partition ${b.part.number ?? '?'}` : b.disk.name);
  return bits.length ? `${name} (${bits.join(', ')})` : name;
}

/** What the target has, for "…; its disks have: …" (filesystems first, at most `max`). */
export function describeTarget(r: ProbeReport, kind: DeviceKind, max = 8): string {
  const all = blocks(r).filter((b) => !b.disk.liveSystem || b.fs);
  const relevant = all.filter((b) => {
    switch (kind) {
      case 'uuid':
        return !!b.fs?.uuid;
      case 'label':
        return !!b.fs?.label;
      case 'partuuid':
      case 'partlabel':
        return !!b.part;
      case 'id':
        return !b.part;
      case 'kernel':
        return true;
    }
  });
  if (!relevant.length) return kind === 'label' ? 'no labelled filesystem' : 'nothing of that kind';
  const text = (b: Block) => {
    if (kind === 'partuuid') return `${b.name ?? b.disk.name} (PARTUUID ${b.part?.partuuid ?? 'none'})`;
    if (kind === 'partlabel')
      return `${b.name ?? b.disk.name} (partlabel ${JSON.stringify(b.part?.partlabel ?? '')})`;
    if (kind === 'id') return b.disk.byId.length ? b.disk.byId.join(', ') : `${b.disk.name} (no by-id name)`;
    return describeBlock(b);
  };
  const shown = relevant.slice(0, max).map(text);
  if (relevant.length > max) shown.push(`and ${relevant.length - max} more`);
  return shown.join('; ');
}

/** Disks NixOS could be installed on: not the running live system, not removable, read-only, loop or RAM. */
export function installDisks(r: ProbeReport): Disk[] {
  return r.disks.filter(
    (d) =>
      !d.liveSystem &&
      !d.removable &&
      !d.readOnly &&
      !d.loop &&
      d.sizeBytes > 0 &&
      !/^(loop|ram|zram|sr|fd|md|dm-|nbd)/.test(d.name),
  );
}

// --- network

/** Physical NICs (with a device), and whether the probe knows the NixOS name of every one of them. */
export function physicalNics(r: ProbeReport): { nics: NetworkInterface[]; allPredicted: boolean } {
  const nics = r.network.interfaces.filter((i) => !i.virtual);
  return { nics, allPredicted: nics.every((i) => !!i.predicted.name && i.predicted.source !== 'none') };
}

/** "ID_NET_NAME_PATH, from udevadm" */
export function describePrediction(nic: NetworkInterface): string {
  const how =
    nic.predicted.source === 'udevadm'
      ? 'from udevadm'
      : nic.predicted.source === 'sysfs'
        ? 'from /sys'
        : 'named by the kernel';
  return `${nic.predicted.reason}, ${how}`;
}

// --- file system types

const FAT = /^(vfat|fat|fat12|fat16|fat32|msdos)$/i;

/** Whether a filesystem blkid calls `actual` can be mounted with `fsType = configured`. */
export function fsTypeAccepts(configured: string, actual: string): boolean {
  const c = configured.toLowerCase();
  const a = actual.toLowerCase();
  if (c === a) return true;
  if (FAT.test(c)) return FAT.test(a);
  if (c === 'ext4') return a === 'ext2' || a === 'ext3';
  if (c === 'ntfs3' || c === 'ntfs-3g' || c === 'ntfs') return a === 'ntfs';
  if (c === 'bcachefs') return a === 'bcachefs';
  return false;
}

/** Types given to fsType that do not name an on-disk format nixkit could compare. */
export function comparableFsType(fsType: string): boolean {
  return !/^(auto|none|bind|rbind|tmpfs|ramfs|proc|sysfs|devtmpfs|overlay|nfs4?|cifs|smb3|9p|virtiofs|fuse(\..*)?|fuseblk|zfs|sshfs|glusterfs|ceph)$/i.test(
    fsType,
  );
}

/** Formats that are containers, not mountable filesystems. */
export const NOT_MOUNTABLE: Record<string, string> = {
  crypto_LUKS: 'a LUKS container: open it with boot.initrd.luks.devices and mount /dev/mapper/<name>',
  LVM2_member: 'an LVM physical volume: mount a logical volume (/dev/<vg>/<lv>) instead',
  linux_raid_member: 'a member of an md RAID: mount the array (/dev/md/<name>) instead',
  zfs_member: 'part of a ZFS pool: mount a dataset with fsType = "zfs"',
  swap: 'swap space: list it in swapDevices',
};

// --- examples (the rules' bad and good examples need a probe)

/** A complete report with nothing in it, for rule examples and tests to fill in. */
export function emptyProbe(over: Partial<ProbeReport> = {}): ProbeReport {
  return {
    version: 1,
    probedAt: '2025-01-01T00:00:00.000Z',
    target: 'root@203.0.113.7',
    user: { uid: 0 },
    system: {
      arch: 'x86_64',
      nixSystem: 'x86_64-linux',
      kernel: '6.12.0',
      hostname: 'rescue',
      os: null,
      nixos: false,
      nixosInstaller: false,
      nix: { present: false, version: null },
      memory: { totalBytes: 8 * 2 ** 30, availableBytes: null, kexecFits: true },
      virtualisation: { type: 'none', source: 'systemd-detect-virt' },
      kernelCmdline: null,
    },
    firmware: {
      mode: 'uefi',
      platformBits: 64,
      efivarsMounted: true,
      efivarsWritable: true,
      secureBoot: 'disabled',
    },
    cpu: {
      vendor: 'GenuineIntel',
      model: null,
      cores: 4,
      kvmModule: 'kvm-intel',
      microcode: 'intel',
      hypervisorFlag: false,
      governors: [],
    },
    disks: [],
    controllers: [],
    network: { interfaces: [], defaultRoutes: [], dns: [], searchDomains: [] },
    mounts: [
      {
        mountPoint: '/sys',
        fsType: 'sysfs',
        source: 'sysfs',
        root: '/',
        majorMinor: '0:22',
        options: ['rw'],
        superOptions: ['rw'],
      },
    ],
    swaps: [],
    missing: [],
    warnings: [],
    ...over,
  };
}

/** A disk for examples: `exampleDisk('sda', [['ext4', 'UUID'], …])`, partitions numbered from 1. */
export function exampleDisk(
  name: string,
  parts: { type: string; uuid: string; label?: string; partType?: string }[],
  over: Partial<Disk> = {},
): Disk {
  const sep = /\d$/.test(name) ? 'p' : '';
  return {
    name,
    path: `/dev/${name}`,
    majorMinor: null,
    sizeBytes: 256 * 2 ** 30,
    model: null,
    serial: null,
    vendor: null,
    wwn: null,
    transport: null,
    rotational: false,
    removable: false,
    readOnly: false,
    byId: [],
    partitionTable: { type: 'gpt', uuid: null },
    partitions: parts.map((p, i) => ({
      name: `${name}${sep}${i + 1}`,
      path: `/dev/${name}${sep}${i + 1}`,
      number: i + 1,
      startSector: null,
      sizeBytes: null,
      type: p.partType ?? null,
      typeName: null,
      partuuid: null,
      partlabel: null,
      fs: { type: p.type, uuid: p.uuid, label: p.label ?? null, version: null },
      mountpoints: [],
    })),
    fs: null,
    mountpoints: [],
    liveSystem: false,
    module: null,
    loop: null,
    ...over,
  };
}
