// The filesystems and swap a configuration mounts, from `fileSystems`, `swapDevices` and disko layouts,
// each with where it was written. Rules about the ESP, the root filesystem and device names read this.
import type { NixosConfiguration } from './configuration';
import type { Definition } from './modules';
import type { Source, Thunk, Value } from './value';

export interface FsField {
  value?: string;
  /** Where the value is written, for findings and fixes. */
  at?: Source;
  /** True when the field is set but nixkit cannot know its value. */
  unknown: boolean;
}

export interface MountedFs {
  mountPoint: string;
  device: FsField;
  fsType: FsField;
  /** Where the mount point is declared (the `fileSystems."/boot"` key, or the disko `mountpoint`). */
  at?: Source;
  origin: 'fileSystems' | 'disko';
  /** Defined under a condition nixkit cannot decide. */
  conditional: boolean;
}

export interface Swap {
  device: FsField;
  at?: Source;
}

function field(defs: readonly Definition[]): FsField {
  if (!defs.length) return { unknown: false };
  const d = [...defs].sort((a, b) => a.priority - b.priority)[0];
  if (d.value.t === 'str' || d.value.t === 'path')
    return { value: d.value.v, at: d.value.src ?? d.valueAt, unknown: false };
  return { unknown: true, at: d.valueAt };
}

/** A mount point as the kernel sees it: `/boot/` and `/boot//` are `/boot` (systemd and bootctl agree). */
export function samePlace(a: string, b: string): boolean {
  const norm = (p: string) => p.replace(/\/{2,}/g, '/').replace(/(.)\/+$/, '$1');
  return a === b || norm(a) === norm(b);
}

export function mountedFileSystems(config: NixosConfiguration, force: (t: Thunk) => Value): MountedFs[] {
  const out: MountedFs[] = [];
  const { names } = config.children('fileSystems');
  // The definitions of each filesystem, grouped in one pass (asking defsUnder per filesystem was quadratic:
  // 3,000 filesystems took seconds per rule).
  const byName = new Map<string, Definition[]>();
  for (const d of config.defsUnder('fileSystems')) {
    if (d.path.length < 2) continue;
    const list = byName.get(d.path[1]);
    if (list) list.push(d);
    else byName.set(d.path[1], [d]);
  }
  for (const mp of names) {
    const under = byName.get(mp) ?? [];
    const own = (k: string) => config.defs(['fileSystems', mp, k]);
    // `mountPoint` may differ from the attribute name.
    const mpField = field(own('mountPoint'));
    const first = under[0];
    out.push({
      mountPoint: mpField.value ?? mp,
      device: field(own('device').length ? own('device') : own('label').map((d) => relabel(d))),
      fsType: field(own('fsType')),
      at: under.find((d) => d.pathAt[1])?.pathAt[1] ?? first?.at,
      origin: 'fileSystems',
      conditional: under.every((d) => d.conditional),
    });
  }
  out.push(...diskoFileSystems(config, force));
  return out;
}

function relabel(d: Definition): Definition {
  if (d.value.t === 'str') return { ...d, value: { ...d.value, v: `/dev/disk/by-label/${d.value.v}` } };
  return d;
}

export function swapDevices(config: NixosConfiguration, force: (t: Thunk) => Value): Swap[] {
  const out: Swap[] = [];
  for (const d of config.defs('swapDevices')) {
    if (d.value.t !== 'list') continue;
    for (const item of d.value.items) {
      const v = force(item);
      if (v.t !== 'attrs') continue;
      const dev = v.attrs.get('device') ?? v.attrs.get('label');
      const dv = dev ? force(dev) : undefined;
      const isLabel = !v.attrs.get('device') && !!v.attrs.get('label');
      if (dv?.t === 'str')
        out.push({
          device: { value: isLabel ? `/dev/disk/by-label/${dv.v}` : dv.v, at: dv.src, unknown: false },
          at: v.src,
        });
      else out.push({ device: { unknown: true, at: dv?.src }, at: v.src });
    }
  }
  return out;
}

/**
 * disko: `disko.devices.disk.<d>.content.partitions.<p>.content = { type = "filesystem"; format; mountpoint; }`
 * (also gpt `content.partitions` as a list in old disko, LUKS `content.content`, and `nodev` tmpfs entries).
 */
function diskoFileSystems(config: NixosConfiguration, force: (t: Thunk) => Value): MountedFs[] {
  const out: MountedFs[] = [];
  for (const d of config.defsUnder('disko.devices')) {
    const p = d.path;
    const last = p[p.length - 1];
    if (last !== 'mountpoint' || d.value.t !== 'str') continue;
    // ZFS properties (`options.mountpoint = "legacy"`, `rootFsOptions.mountpoint = "none"`) are not mounts.
    if (NOT_MOUNTS.has(p[p.length - 2]) || !d.value.v.startsWith('/')) continue;
    const base = p.slice(0, -1);
    const sibling = (k: string) => config.defs([...base, k]);
    const format = field(sibling('format'));
    const type = field(sibling('type'));
    const isNodev = p[2] === 'nodev';
    out.push({
      mountPoint: d.value.v,
      device: { value: isNodev ? 'none' : undefined, unknown: !isNodev },
      fsType: format.value
        ? format
        : isNodev
          ? field(sibling('fsType'))
          : (impliedFsType(p, type.value) ?? {
              unknown: type.value !== 'filesystem' && type.value !== undefined,
            }),
      at: d.value.src ?? d.at,
      origin: 'disko',
      conditional: d.conditional,
    });
  }
  // `disko.devices.nodev."/tmp" = { fsType = "tmpfs"; }`: the name is the mount point unless one is given.
  const { names } = config.children('disko.devices.nodev');
  for (const name of names) {
    const base = ['disko', 'devices', 'nodev', name];
    if (config.defs([...base, 'mountpoint']).length || !name.startsWith('/')) continue;
    const defs = config.defsUnder(base);
    out.push({
      mountPoint: name,
      device: { value: 'none', unknown: false },
      fsType: field(config.defs([...base, 'fsType'])),
      at: defs.find((d) => d.pathAt[3])?.pathAt[3] ?? defs[0]?.at,
      origin: 'disko',
      conditional: defs.every((d) => d.conditional),
    });
  }
  void force;
  return out;
}

/** Mounts whose type follows from where they sit: btrfs subvolumes, ZFS datasets and pools. */
function impliedFsType(p: string[], type: string | undefined): FsField | undefined {
  if (p[p.length - 3] === 'subvolumes' || type === 'btrfs') return { value: 'btrfs', unknown: false };
  if (type === 'zfs_fs' || type === 'zpool' || p[2] === 'zpool') return { value: 'zfs', unknown: false };
  return undefined;
}

const NOT_MOUNTS = new Set(['options', 'rootFsOptions', 'mountOptions', 'extraArgs']);
