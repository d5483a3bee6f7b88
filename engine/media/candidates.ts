// Which whole disks an image may be written to, from one `lsblk --json` tree and the /dev/disk/by-id links. lsblk
// nests what is built on a device under it (partitions, then LUKS mappings, LVM volumes, md arrays on those), so
// walking a disk's subtree finds every use the probe's disk-usage.ts finds through /sys holders — including the
// disk holding `/` through LVM on LUKS — without a full probe. Pure parsing here; `media-script.ts` gathers the text.
import {
  LARGE_DEVICE_BYTES,
  type MediaCandidates,
  type MediaWhere,
  type OverrideKind,
  type Refusal,
  type WriteCandidate,
} from '../../protocol/media';
import { LIVE_MOUNTS } from '../probe/disk-usage';

/** One lsblk node as printed with `-J -b` (util-linux 2.38: numbers and booleans; older: strings). */
export interface LsblkNode {
  name?: string;
  kname?: string;
  path?: string;
  size?: number | string | null;
  type?: string | null;
  rm?: boolean | string | null;
  ro?: boolean | string | null;
  tran?: string | null;
  vendor?: string | null;
  model?: string | null;
  serial?: string | null;
  mountpoints?: (string | null)[] | null;
  /** lsblk before 2.37 has only the first mount point. */
  mountpoint?: string | null;
  fstype?: string | null;
  label?: string | null;
  children?: LsblkNode[];
}

/** The columns asked for, newest lsblk first; an lsblk that lacks a column refuses the list, so there is a fallback. */
export const LSBLK_COLUMNS = [
  'NAME,KNAME,PATH,SIZE,TYPE,RM,RO,TRAN,VENDOR,MODEL,SERIAL,MOUNTPOINTS,FSTYPE,LABEL',
  'NAME,KNAME,PATH,SIZE,TYPE,RM,RO,TRAN,VENDOR,MODEL,SERIAL,MOUNTPOINT,FSTYPE,LABEL',
];

/** Where removable media are mounted: udisks (/media, /run/media/USER), by hand (/mnt). */
const REMOVABLE_MOUNTS = /^\/(media|run\/media|mnt)\//;

const HOLDER_TYPES: Record<string, string> = {
  crypt: 'open LUKS/dm-crypt mapping',
  lvm: 'LVM volume',
  dm: 'device-mapper device',
  mpath: 'multipath device',
};

function flag(v: boolean | string | null | undefined): boolean {
  return v === true || v === '1' || v === 'true';
}

function size(v: number | string | null | undefined): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\d+$/.test(v.trim())) return Number(v.trim());
  return 0;
}

function trimmed(v: string | null | undefined): string | null {
  if (v === null || v === undefined) return null;
  const t = v.trim();
  return t === '' ? null : t;
}

function mountsOf(n: LsblkNode): string[] {
  const list = Array.isArray(n.mountpoints) ? n.mountpoints : [n.mountpoint ?? null];
  return list.filter((m): m is string => typeof m === 'string' && m !== '');
}

function devPath(n: LsblkNode): string {
  return n.path ?? `/dev/${n.name ?? '?'}`;
}

function what(n: LsblkNode): string {
  const type = n.type ?? '';
  if (type.startsWith('raid')) return `md RAID array ${type}`;
  return HOLDER_TYPES[type] ?? type;
}

/**
 * Every use of the disk's subtree, as refusals with a readable chain starting at the partition people know:
 * "/dev/sdb2 holds dm-0 (LVM volume vg-root), mounted at /: the running system".
 */
export function diskRefusals(disk: LsblkNode): Refusal[] {
  const refusals: Refusal[] = [];
  const label = (n: LsblkNode) => {
    const k = n.kname ?? n.name ?? '?';
    const named = n.name && n.name !== k ? ` ${n.name}` : '';
    return `${k} (${what(n)}${named})`;
  };
  const text = (chain: LsblkNode[], end: string) => {
    const [first, ...rest] = chain;
    if (!rest.length) return `${devPath(first)} ${end}`;
    return `${devPath(first)} holds ${rest.map(label).join(' which holds ')}, ${end}`;
  };
  const visit = (chain: LsblkNode[], node: LsblkNode, depth: number) => {
    if (depth > 16) return; // lsblk trees are shallow; a hostile one is not followed forever
    const before = refusals.length;
    for (const mp of mountsOf(node)) {
      if (mp === '[SWAP]') refusals.push({ kind: 'swap', text: text(chain, 'in use as swap') });
      else if (LIVE_MOUNTS.includes(mp))
        refusals.push({ kind: 'live-system', text: text(chain, `mounted at ${mp}: the running system`) });
      else {
        // Only where removable media get mounted (a desktop's automount, a hand mount under /mnt), straight from
        // the disk or a partition: nixkit offers to unmount those, never /boot, /home or a volume on LVM/LUKS.
        const unmountable = chain.length === 1 && REMOVABLE_MOUNTS.test(mp);
        refusals.push({
          kind: 'mounted',
          text: text(chain, `mounted at ${mp}: unmount it first${unmountable ? ' (or --unmount)' : ''}`),
          ...(unmountable ? { unmountable } : {}),
        });
      }
    }
    for (const child of node.children ?? [])
      visit(child.type === 'part' ? [child] : [...chain, child], child, depth + 1);
    // A holder with nothing mounted above it is itself the use (an open LUKS mapping, an active volume).
    const isHolder = node.type !== 'part' && node.type !== 'disk' && depth > 0;
    if (isHolder && refusals.length === before)
      refusals.push({ kind: 'holder', text: text(chain, 'is in use: close or deactivate it first') });
  };
  visit([disk], disk, 0);
  return refusals;
}

/** Parses the by-id lines: `<link>\t<target>` per line (what media-script.ts prints). */
export function parseByIdLines(text: string): Map<string, string[]> {
  const byTarget = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab <= 0) continue;
    const link = line.slice(0, tab);
    const target = line.slice(tab + 1);
    if (!link.startsWith('/dev/disk/by-id/') || !target.startsWith('/dev/')) continue;
    const list = byTarget.get(target) ?? [];
    list.push(link);
    byTarget.set(target, list);
  }
  // usb-/mmc-/ata- names are what people recognise; wwn- and nvme-eui. come last.
  const rank = (l: string) => (/\/(wwn-|nvme-eui\.|dm-|lvm-|md-)/.test(l) ? 1 : 0);
  for (const list of byTarget.values()) list.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return byTarget;
}

/** One whole disk as a candidate: its refusals and the overrides it needs. */
export function candidateOf(disk: LsblkNode, byId: Map<string, string[]>): WriteCandidate {
  const name = disk.kname ?? disk.name ?? '?';
  const path = devPath(disk);
  const sizeBytes = size(disk.size);
  const transport = trimmed(disk.tran);
  const removable = flag(disk.rm) || transport === 'usb' || transport === 'mmc' || /^mmcblk\d+$/.test(name);
  const refusals = diskRefusals(disk);
  if (disk.type !== 'disk')
    refusals.unshift({ kind: 'not-a-disk', text: `${path} is a ${disk.type ?? 'device'}, not a whole disk` });
  if (flag(disk.ro))
    refusals.push({ kind: 'read-only', text: `${path} is read-only (write-protect switch?)` });
  if (sizeBytes === 0) refusals.push({ kind: 'empty', text: `${path} has no medium (size 0)` });
  const overrides: OverrideKind[] = [];
  if (sizeBytes > LARGE_DEVICE_BYTES) overrides.push('large');
  if (!removable) overrides.push('non-removable');
  const labels: string[] = [];
  const collect = (n: LsblkNode, depth: number) => {
    if (depth > 16) return;
    const l = n.label ?? null;
    if (l !== null && l !== '' && !labels.includes(l)) labels.push(l);
    for (const c of n.children ?? []) collect(c, depth + 1);
  };
  collect(disk, 0);
  return {
    name,
    path,
    byId: byId.get(path) ?? [],
    sizeBytes,
    model: trimmed(disk.model),
    vendor: trimmed(disk.vendor),
    serial: trimmed(disk.serial),
    transport,
    removable,
    labels,
    refusals,
    overrides,
    confirmName: name,
  };
}

/** Which lsblk top-level types are shown at all: disks (a USB stick, an SD card). Loop, rom, zram are not media. */
function shown(n: LsblkNode): boolean {
  return n.type === 'disk' && !/^(zram|ram)\d+$/.test(n.name ?? '');
}

/** The candidates from lsblk's JSON and the by-id lines. Malformed input gives a warning, never a throw. */
export function parseCandidates(where: MediaWhere, lsblkJson: string, byIdText: string): MediaCandidates {
  const warnings: string[] = [];
  let root: { blockdevices?: LsblkNode[] } | undefined;
  try {
    root = JSON.parse(lsblkJson) as { blockdevices?: LsblkNode[] };
  } catch {
    warnings.push(
      lsblkJson.trim()
        ? 'lsblk printed something that is not JSON; no devices can be offered'
        : 'lsblk printed nothing (is util-linux installed?); no devices can be offered',
    );
  }
  const nodes = Array.isArray(root?.blockdevices) ? root.blockdevices : [];
  const byId = parseByIdLines(byIdText);
  return { where, devices: nodes.filter(shown).map((d) => candidateOf(d, byId)), warnings };
}

/** Is this candidate writable with these overrides? Returns the reasons it is not (empty: it is). */
export function blockers(
  c: WriteCandidate,
  overrides: readonly OverrideKind[],
  options: { unmount?: boolean } = {},
): string[] {
  const out = c.refusals.filter((r) => !(options.unmount && r.unmountable)).map((r) => r.text);
  for (const o of c.overrides)
    if (!overrides.includes(o))
      out.push(
        o === 'large'
          ? `${c.path} is larger than ${LARGE_DEVICE_BYTES / 1024 ** 3} GiB (more likely a data disk than a stick): --allow-large to write it anyway`
          : `${c.path} is not removable (no removable flag, not USB or SD): --allow-non-removable to write it anyway`,
      );
  return out;
}

/** Finds the candidate an ID names: `/dev/sdb`, `sdb`, a by-id path or its last component. */
export function findCandidate(list: MediaCandidates, id: string): WriteCandidate | undefined {
  const base = id.startsWith('/dev/disk/by-id/') ? id : `/dev/disk/by-id/${id}`;
  return list.devices.find(
    (c) =>
      c.path === id ||
      c.name === id ||
      `/dev/${c.name}` === id ||
      c.byId.includes(id) ||
      c.byId.includes(base),
  );
}
