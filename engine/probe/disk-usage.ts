// What keeps a disk busy, followed up through what is built on it: a partition mounted or used as swap, and the
// devices that hold the disk or its partitions (/sys/…/holders) — an LVM volume, an open LUKS mapping, an md array —
// with whatever is mounted or swapped on those in turn. A root on `/dev/mapper/vg-root` backed by `sda2` makes `sda`
// busy even though nothing on `sda` itself is mounted. Each use comes as one chain a person can read:
// "/dev/sda2 holds dm-0 (LVM volume vg-root), mounted at /". Pure: reads a probe report, nothing else.
import type { Disk, ProbeReport } from '../../protocol/probe-report';

/** Mount points that mean "the running live or rescue system": a disk under one of them holds the running system. */
export const LIVE_MOUNTS: readonly string[] = [
  '/',
  '/iso',
  '/run/live/medium',
  '/run/initramfs/live',
  '/cdrom',
  '/run/archiso/bootmnt',
  '/nix/.ro-store',
];

export interface DiskUse {
  /** How the use was reached: the disk or partition first, then each holder (`/dev/sda2`, `dm-0`, `dm-1`). */
  chain: string[];
  kind: 'mounted' | 'swap' | 'luks' | 'lvm' | 'md' | 'dm' | 'holder';
  /** Where it is mounted, for `mounted`. */
  mountpoint?: string;
  /** The whole chain for people, e.g. "/dev/sda2 holds dm-0 (LVM volume vg-root), mounted at /". */
  text: string;
}

/** What a holder is, from its dm uuid prefix or md level. */
function holderKind(d: Disk | undefined): { kind: DiskUse['kind']; what: string } {
  const uuid = d?.dm?.uuid ?? '';
  const name = d?.dm?.name ?? null;
  if (d?.md) return { kind: 'md', what: `md RAID array${d.md.level ? ` ${d.md.level}` : ''}` };
  if (/^CRYPT-/.test(uuid)) return { kind: 'luks', what: `open LUKS mapping${name ? ` ${name}` : ''}` };
  if (/^LVM-/.test(uuid)) return { kind: 'lvm', what: `LVM volume${name ? ` ${name}` : ''}` };
  if (d?.dm) return { kind: 'dm', what: `device-mapper device${name ? ` ${name}` : ''}` };
  return { kind: 'holder', what: 'a device built on it' };
}

/**
 * Every use of the disk, through its holders (recursively). Empty means nothing mounted, swapped or built on it as
 * far as the probe saw. Reports from before holders were probed only give the direct mounts and swaps.
 */
export function diskUsage(report: Pick<ProbeReport, 'disks' | 'swaps'>, disk: Disk): DiskUse[] {
  const byName = new Map<string, Disk>(report.disks.map((d) => [d.name, d]));
  const uses: DiskUse[] = [];
  const swapOf = (name: string, dmName: string | null | undefined) =>
    report.swaps.filter(
      (s) => s.device === `/dev/${name}` || (dmName ? s.device === `/dev/mapper/${dmName}` : false),
    );
  const label = (name: string) =>
    name.startsWith('/dev/') ? name : `${name} (${holderKind(byName.get(name)).what})`;
  const text = (chain: string[], end?: string) =>
    chain.length === 1
      ? `${chain[0]} ${end}`
      : `${chain[0]} holds ${chain.slice(1).map(label).join(' which holds ')}${end ? `, ${end}` : ''}`;

  /** One device (disk, partition or holder) reached through `chain`: its own uses, then what it holds. */
  const visit = (
    chain: string[],
    dev: { name: string | null; mountpoints?: string[]; holders?: string[]; dm?: Disk['dm'] },
    seen: Set<string>,
  ) => {
    for (const mp of dev.mountpoints ?? [])
      uses.push({ chain, kind: 'mounted', mountpoint: mp, text: text(chain, `mounted at ${mp}`) });
    if (dev.name)
      for (const s of swapOf(dev.name, dev.dm?.name))
        uses.push({ chain, kind: 'swap', text: text(chain, `in use as swap (${s.device})`) });
    for (const h of dev.holders ?? []) {
      if (seen.has(h)) continue; // sysfs has no cycles; a hostile report might
      const next = [...chain, h];
      const held = byName.get(h);
      const before = uses.length;
      const seenNext = new Set([...seen, h]);
      if (held) {
        visit(next, held, seenNext);
        // A held device can be partitioned too (md0p1, a partitioned mapping).
        for (const p of held.partitions) if (p.name) visit([...next, `/dev/${p.name}`], p, seenNext);
      }
      // Nothing mounted or swapped above it: the holder itself is the use (an open LUKS mapping, an active volume).
      if (uses.length === before) {
        const k = holderKind(held);
        uses.push({ chain: next, kind: k.kind, text: text(next) });
      }
    }
  };
  visit([disk.path], disk, new Set([disk.name]));
  for (const p of disk.partitions) if (p.name) visit([p.path ?? `/dev/${p.name}`], p, new Set([disk.name]));
  return uses;
}
