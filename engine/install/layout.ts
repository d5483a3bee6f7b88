// A DiskLayout turned into facts every step shares: the partitions in order (ESP, optional swap, root last so it
// takes the rest of the disk), the sfdisk script, the partition device paths, and where each filesystem is
// mounted. Names that reach sfdisk's script are checked here (its format has no escapes); names that reach a
// command line are argv elements, quoted by the session, so any byte but NUL is safe there.
import { EngineError } from '../errors';
import type { DiskLayout } from '../../protocol/install-state';

export class LayoutError extends EngineError {
  constructor(detail: string) {
    super('bad-layout', `The disk layout cannot be used: ${detail}`);
  }
}

export const DEFAULT_LAYOUT: DiskLayout = { espSizeMiB: 512, rootFs: 'ext4' };
export const DEFAULT_LABELS = { esp: 'ESP', root: 'nixos', swap: 'swap' } as const;

export type PartitionRole = 'esp' | 'swap' | 'root';

export interface PlannedPartition {
  number: number;
  role: PartitionRole;
  /** Size in MiB; undefined for the last partition (the rest of the disk). */
  sizeMiB?: number;
  /** sfdisk's type alias. */
  type: 'uefi' | 'swap' | 'linux';
  /** GPT partition name (also the filesystem label). */
  name: string;
}

/** Every check on a layout; returns the problems (empty when it is usable). */
export function layoutProblems(layout: DiskLayout): string[] {
  const problems: string[] = [];
  const labels = labelsOf(layout);
  if (!Number.isInteger(layout.espSizeMiB) || layout.espSizeMiB < 64 || layout.espSizeMiB > 65536)
    problems.push(`the ESP size must be a whole number of MiB from 64 to 65536 (got ${layout.espSizeMiB})`);
  if (!['ext4', 'btrfs', 'xfs'].includes(layout.rootFs))
    problems.push(`the root filesystem must be ext4, btrfs or xfs (got ${String(layout.rootFs)})`);
  if (layout.swapSizeMiB !== undefined && (!Number.isInteger(layout.swapSizeMiB) || layout.swapSizeMiB < 1))
    problems.push(`the swap size must be a positive whole number of MiB (got ${layout.swapSizeMiB})`);
  if (layout.subvolumes !== undefined) {
    if (layout.rootFs !== 'btrfs') problems.push('subvolumes need the btrfs root filesystem');
    const entries = Object.entries(layout.subvolumes);
    if (entries.length === 0) problems.push('give at least one subvolume, or none at all');
    for (const [name, mp] of entries) {
      if (!/^[A-Za-z0-9@_+.-]{1,200}$/.test(name) || name === '.' || name === '..')
        problems.push(`subvolume name ${JSON.stringify(name)}: use letters, digits and @ _ + . - only`);
      if (!isMountPoint(mp))
        problems.push(
          `subvolume ${JSON.stringify(name)}: mount point ${JSON.stringify(mp)} must be absolute`,
        );
    }
    if (entries.length > 0 && !entries.some(([, mp]) => mp === '/'))
      problems.push('one subvolume must be mounted at /');
    const mps = entries.map(([, mp]) => mp);
    if (new Set(mps).size !== mps.length) problems.push('two subvolumes share a mount point');
  }
  if (layout.luks !== undefined && !/^[A-Za-z0-9_.+-]{1,64}$/.test(layout.luks.name))
    problems.push(
      `the LUKS mapping name ${JSON.stringify(layout.luks.name)} may only use letters, digits and _ . + -`,
    );
  for (const [role, name] of Object.entries(labels)) {
    // GPT names go into sfdisk's script, whose quoted strings have no escapes: no double quote, no control chars.
    // eslint-disable-next-line no-control-regex
    if (name === '' || /["\\\x00-\x1f\x7f]/.test(name) || name.length > 36)
      problems.push(
        `the ${role} name ${JSON.stringify(name)} must be 1 to 36 characters without double quotes, backslashes or control characters (it is the GPT partition name)`,
      );
  }
  // Filesystem label limits of each mkfs.
  if (!/^[A-Z0-9 _!#$%&'()@^`{}~-]{1,11}$/.test(labels.esp))
    problems.push(
      `the ESP label ${JSON.stringify(labels.esp)} must be 1 to 11 upper-case letters, digits or FAT-safe signs`,
    );
  const rootMax = { ext4: 16, btrfs: 255, xfs: 12 }[layout.rootFs] ?? 16;
  if (Buffer.byteLength(labels.root) > rootMax)
    problems.push(`the root label is longer than ${layout.rootFs} allows (${rootMax} bytes)`);
  if (Buffer.byteLength(labels.swap) > 15) problems.push('the swap label is longer than 15 bytes');
  return problems;
}

export function checkLayout(layout: DiskLayout): void {
  const problems = layoutProblems(layout);
  if (problems.length > 0) throw new LayoutError(problems.join('; '));
}

function isMountPoint(p: string): boolean {
  // eslint-disable-next-line no-control-regex
  return p.startsWith('/') && !/[\x00-\x1f]/.test(p) && !p.split('/').some((s) => s === '..' || s === '.');
}

export function labelsOf(layout: DiskLayout): { esp: string; root: string; swap: string } {
  return { ...DEFAULT_LABELS, ...(layout.labels ?? {}) };
}

/** The partitions in disk order: ESP 1, swap 2 (if any), root last (the rest of the disk). */
export function plannedPartitions(layout: DiskLayout): PlannedPartition[] {
  const labels = labelsOf(layout);
  const parts: PlannedPartition[] = [
    { number: 1, role: 'esp', sizeMiB: layout.espSizeMiB, type: 'uefi', name: labels.esp },
  ];
  if (layout.swapSizeMiB)
    parts.push({ number: 2, role: 'swap', sizeMiB: layout.swapSizeMiB, type: 'swap', name: labels.swap });
  parts.push({ number: parts.length + 1, role: 'root', type: 'linux', name: labels.root });
  return parts;
}

/** The script fed to `sfdisk` on standard input. */
export function sfdiskScript(layout: DiskLayout): string {
  checkLayout(layout);
  const lines = ['label: gpt'];
  for (const p of plannedPartitions(layout)) {
    const fields = [p.sizeMiB !== undefined ? `size=${p.sizeMiB}MiB` : undefined, `type=${p.type}`];
    fields.push(`name="${p.name}"`);
    lines.push(fields.filter((f) => f !== undefined).join(', '));
  }
  return lines.join('\n') + '\n';
}

/**
 * The device node of partition `n` on a normal kernel: udev's `-partN` link for /dev/disk/by-* paths, `pN` after
 * a name ending in a digit (nvme0n1p1, mmcblk0p1, loop0p1), else the number appended (sda1, vda1).
 */
export function partitionPath(disk: string, n: number): string {
  if (/^\/dev\/disk\/by-[a-z]+\//.test(disk)) return `${disk}-part${n}`;
  return /\d$/.test(disk) ? `${disk}p${n}` : `${disk}${n}`;
}

/** Partition devices by role, as predicted from the disk path (the step records the real ones it used). */
export function predictedDevices(
  disk: string,
  layout: DiskLayout,
): Record<PartitionRole, string | undefined> {
  const out: Record<PartitionRole, string | undefined> = { esp: undefined, swap: undefined, root: undefined };
  for (const p of plannedPartitions(layout)) out[p.role] = partitionPath(disk, p.number);
  return out;
}

/** Where the root filesystem lives: the LUKS mapping when encrypted, else the root partition. */
export function rootFsDevice(layout: DiskLayout, rootPartition: string): string {
  return layout.luks ? `/dev/mapper/${layout.luks.name}` : rootPartition;
}

export interface PlannedMount {
  device: string;
  /** Absolute path on the target (under the install root). */
  target: string;
  /** The mount point inside the installed system. */
  mountPoint: string;
  fsType: string;
  options: string[];
}

/** Joins the install root and a mount point of the new system ("/mnt" + "/boot" → "/mnt/boot"). */
export function underRoot(root: string, mountPoint: string): string {
  const r = root.replace(/\/+$/, '');
  if (mountPoint === '/') return r || '/';
  return `${r}${mountPoint}`;
}

/** The mounts in order (parents first): root (or its subvolumes), the ESP at efiSysMountPoint. */
export function plannedMounts(
  layout: DiskLayout,
  devices: { esp: string; root: string },
  root: string,
  efiSysMountPoint: string,
): PlannedMount[] {
  const fsDev = rootFsDevice(layout, devices.root);
  const mounts: PlannedMount[] = [];
  if (layout.rootFs === 'btrfs' && layout.subvolumes && Object.keys(layout.subvolumes).length > 0) {
    for (const [name, mp] of Object.entries(layout.subvolumes)) {
      mounts.push({
        device: fsDev,
        target: underRoot(root, mp),
        mountPoint: mp,
        fsType: 'btrfs',
        options: [`subvol=${name}`],
      });
    }
  } else {
    mounts.push({
      device: fsDev,
      target: underRoot(root, '/'),
      mountPoint: '/',
      fsType: layout.rootFs,
      options: [],
    });
  }
  mounts.push({
    device: devices.esp,
    target: underRoot(root, efiSysMountPoint),
    mountPoint: efiSysMountPoint,
    fsType: 'vfat',
    options: ['umask=0077'],
  });
  return sortMounts(mounts);
}

/** Parents before children ("/" before "/home" before "/home/x"), otherwise stable. */
export function sortMounts<T extends { mountPoint: string }>(mounts: T[]): T[] {
  const depth = (p: string) => (p === '/' ? 0 : p.split('/').length - 1);
  return [...mounts].sort((a, b) => depth(a.mountPoint) - depth(b.mountPoint));
}

/** The mkfs argv for the root filesystem. */
export function rootMkfs(layout: DiskLayout, device: string): string[] {
  const label = labelsOf(layout).root;
  switch (layout.rootFs) {
    case 'ext4':
      return ['mkfs.ext4', '-F', '-L', label, device];
    case 'btrfs':
      return ['mkfs.btrfs', '-f', '-L', label, device];
    case 'xfs':
      return ['mkfs.xfs', '-f', '-L', label, device];
  }
}
