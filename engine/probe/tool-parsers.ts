// Parsers for what each tool on the target prints (blkid, lsblk, sfdisk, /proc/self/mountinfo, os-release), each
// on data that can never be executed. Anything odd degrades to null; nothing here throws.
import type { Filesystem, Mount } from '../../protocol/probe-report';
import { decodeUdevEscapes } from '../../protocol/udev-escapes';

const NIX_SYSTEMS: Record<string, string> = {
  x86_64: 'x86_64-linux',
  amd64: 'x86_64-linux',
  aarch64: 'aarch64-linux',
  arm64: 'aarch64-linux',
  i686: 'i686-linux',
  i586: 'i686-linux',
  i386: 'i686-linux',
  armv7l: 'armv7l-linux',
  armv6l: 'armv6l-linux',
  riscv64: 'riscv64-linux',
  ppc64le: 'powerpc64le-linux',
  loongarch64: 'loongarch64-linux',
};

export function nixSystemOf(arch: string | null): string | null {
  return arch ? (NIX_SYSTEMS[arch] ?? null) : null;
}

/** Values of blkid's `-o udev` output (ID_FS_*_ENC are \xNN-escaped exactly; the plain ones are lossy). */
export function parseBlkidUdev(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

export function fsFromBlkid(props: Record<string, string>): Filesystem | null {
  const type = props.ID_FS_TYPE ?? null;
  if (!type) return null;
  const label =
    props.ID_FS_LABEL_ENC !== undefined
      ? decodeUdevEscapes(props.ID_FS_LABEL_ENC)
      : (props.ID_FS_LABEL ?? null);
  const uuid =
    props.ID_FS_UUID_ENC !== undefined ? decodeUdevEscapes(props.ID_FS_UUID_ENC) : (props.ID_FS_UUID ?? null);
  return {
    type,
    uuid: uuid || null,
    label: label === '' ? null : label,
    version: props.ID_FS_VERSION ?? null,
  };
}

/** Busybox `blkid`: /dev/x: LABEL="..." UUID="..." TYPE="...". Best effort (busybox does not escape quotes). */
export function parseBusyboxBlkid(text: string): Map<string, Filesystem> {
  const out = new Map<string, Filesystem>();
  for (const line of text.split('\n')) {
    const m = /^(\/dev\/[^:\s]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const props: Record<string, string> = {};
    for (const kv of m[2].matchAll(/([A-Z_]+)="([^"]*)"/g)) props[kv[1]] = kv[2];
    if (!props.TYPE) continue;
    out.set(m[1].replace('/dev/', ''), {
      type: props.TYPE,
      uuid: props.UUID ?? null,
      label: props.LABEL ?? null,
      version: null,
    });
  }
  return out;
}

/** /proc/self/mountinfo, with the kernel's octal escapes (\040 etc.) decoded. */
export function parseMountinfo(text: string): Mount[] {
  const unescape = (s: string) =>
    s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
  const mounts: Mount[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    const dash = f.indexOf('-', 6);
    if (f.length < 10 || dash < 0 || dash + 2 >= f.length) continue;
    mounts.push({
      majorMinor: f[2],
      root: unescape(f[3]),
      mountPoint: unescape(f[4]),
      options: f[5].split(','),
      fsType: f[dash + 1],
      source: unescape(f[dash + 2]),
      superOptions: (f[dash + 3] ?? '').split(',').filter((o) => o !== ''),
    });
  }
  return mounts;
}

export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (!m) continue;
    let v = m[2];
    if (/^".*"$/.test(v)) v = v.slice(1, -1).replace(/\\(["\\$`])/g, '$1');
    else if (/^'.*'$/.test(v)) v = v.slice(1, -1);
    out[m[1]] = v;
  }
  return out;
}

export interface LsblkDevice {
  name?: string;
  kname?: string;
  path?: string;
  'maj:min'?: string;
  type?: string;
  size?: number | string;
  model?: string | null;
  serial?: string | null;
  vendor?: string | null;
  wwn?: string | null;
  tran?: string | null;
  rota?: boolean | string | null;
  rm?: boolean | string | null;
  ro?: boolean | string | null;
  pttype?: string | null;
  ptuuid?: string | null;
  parttype?: string | null;
  parttypename?: string | null;
  partuuid?: string | null;
  partlabel?: string | null;
  partn?: number | string | null;
  fstype?: string | null;
  fsver?: string | null;
  uuid?: string | null;
  label?: string | null;
  mountpoints?: (string | null)[];
  children?: LsblkDevice[];
}

export interface SfdiskTable {
  partitiontable?: {
    label?: string;
    id?: string;
    sectorsize?: number;
    partitions?: {
      node?: string;
      start?: number;
      size?: number;
      type?: string;
      uuid?: string;
      name?: string;
    }[];
  };
}

export function tryJson<T>(text: string | undefined): T | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

export function trimmed(s: string | null | undefined): string | null {
  if (s === null || s === undefined) return null;
  const t = s.trim();
  return t === '' ? null : t;
}

export function bool(v: boolean | string | null | undefined): boolean | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v;
  return v === '1' || v === 'true';
}

export function num(s: string | undefined | null): number | null {
  if (s === undefined || s === null) return null;
  const t = s.trim();
  if (!/^-?\d+$/.test(t)) return null;
  return Number(t);
}
