// What a configuration will install, in one plain object: platform, bootloader, ESP, root filesystem, swap,
// who can log in, stateVersion, and what nixkit could not read. "NixOS: Show Configuration" displays it
// (through the nixkit/configurations request). Locations are produced by the caller's `locate`, so the
// model stays free of LSP types.
import type { NixosConfiguration, Resolved } from './configuration';
import { mountedFileSystems, swapDevices, type MountedFs } from './filesystems';
import type { Definition } from './modules';
import type { Source, Thunk, Value } from './value';

export interface SummaryValue<L> {
  state: 'known' | 'unknown' | 'unset';
  value?: string;
  from?: string;
  location?: L;
}

export interface SummaryFs<L> {
  mountPoint: string;
  device?: string;
  fsType?: string;
  origin: 'fileSystems' | 'disko';
  conditional: boolean;
  location?: L;
}

export type SummaryLogin =
  | 'password'
  | 'hashedPassword'
  | 'initialPassword'
  | 'initialHashedPassword'
  | 'hashedPasswordFile'
  | 'sshKey'
  | 'unknown';

export interface InstallSummary<L> {
  platform: SummaryValue<L>;
  bootloader: {
    kind: 'systemd-boot' | 'grub' | 'extlinux' | 'limine' | 'none' | 'unknown';
    grubDevices?: string[];
    efi?: boolean;
    location?: L;
  };
  efiSysMountPoint: SummaryValue<L>;
  esp?: SummaryFs<L>;
  rootFileSystem?: SummaryFs<L>;
  fileSystems: SummaryFs<L>[];
  swap: { device?: string; location?: L }[];
  users: { name: string; methods: SummaryLogin[]; admin: boolean; location?: L }[];
  stateVersion: SummaryValue<L>;
  externalModules: string[];
  unreadableModules: { description: string; location?: L }[];
}

function text(v: Value): string | undefined {
  switch (v.t) {
    case 'str':
    case 'path':
      return v.v;
    case 'bool':
      return String(v.v);
    case 'int':
    case 'float':
      return String(v.v);
    case 'null':
      return 'null';
    default:
      return undefined;
  }
}

export function summarize<L>(
  config: NixosConfiguration,
  force: (t: Thunk) => Value,
  locate: (src: Source | undefined) => L | undefined,
): InstallSummary<L> {
  const at = (d: Definition | undefined) => locate(d?.valueAt ?? d?.at);
  const resolved = (r: Resolved, from: string, unsetValue?: string): SummaryValue<L> => {
    if (r.state === 'unset') return { state: 'unset', value: unsetValue, from };
    if (r.state === 'unknown') return { state: 'unknown', from };
    const t = text(r.value);
    return t === undefined
      ? { state: 'unknown', from, location: at(r.def) }
      : { state: 'known', value: t, from, location: at(r.def) };
  };

  const fss = mountedFileSystems(config, force);
  const fsOf = (f: MountedFs): SummaryFs<L> => ({
    mountPoint: f.mountPoint,
    device: f.device.value,
    fsType: f.fsType.value,
    origin: f.origin,
    conditional: f.conditional,
    location: locate(f.at),
  });
  const efiSysMountPoint = resolved(
    config.value('boot.loader.efi.efiSysMountPoint'),
    'boot.loader.efi.efiSysMountPoint',
    '/boot',
  );
  const vfat = fss.filter((f) => f.fsType.value === 'vfat');
  const esp =
    vfat.find((f) => f.mountPoint === efiSysMountPoint.value) ??
    vfat.find((f) => /^\/(boot|efi)/.test(f.mountPoint)) ??
    vfat[0];
  const root = fss.find((f) => f.mountPoint === '/');

  return {
    platform: platformOf(config, force, locate, resolved),
    bootloader: bootloaderOf(config, force, at),
    efiSysMountPoint,
    esp: esp && fsOf(esp),
    rootFileSystem: root && fsOf(root),
    fileSystems: fss.map(fsOf).sort((a, b) => a.mountPoint.localeCompare(b.mountPoint)),
    swap: swapDevices(config, force).map((s) => ({
      device: s.device.value,
      location: locate(s.device.at ?? s.at),
    })),
    users: usersOf(config, force, at),
    stateVersion: resolved(config.value('system.stateVersion'), 'system.stateVersion'),
    externalModules: [
      ...new Set(config.modules.flatMap((m) => (m.kind === 'external' ? [m.name] : []))),
    ].sort(),
    unreadableModules: config.modules.flatMap((m) =>
      m.kind === 'unknown'
        ? [{ description: 'a module nixkit cannot evaluate statically', location: locate(m.src) }]
        : m.kind === 'missing'
          ? [{ description: `${m.file} does not exist`, location: locate(m.src) }]
          : [],
    ),
  };
}

/** The platform a configuration is built for (`x86_64-linux`), when nixkit can tell. */
export function platformName(config: NixosConfiguration, force: (t: Thunk) => Value): string | undefined {
  const r = platformOf(
    config,
    force,
    () => undefined,
    (res, from) => {
      if (res.state !== 'known') return { state: res.state, from };
      const t = text(res.value);
      return t === undefined ? { state: 'unknown', from } : { state: 'known', value: t, from };
    },
  );
  return r.state === 'known' ? r.value : undefined;
}

function platformOf<L>(
  config: NixosConfiguration,
  force: (t: Thunk) => Value,
  locate: (src: Source | undefined) => L | undefined,
  resolved: (r: Resolved, from: string) => SummaryValue<L>,
): SummaryValue<L> {
  const host = config.value('nixpkgs.hostPlatform');
  if (host.state === 'known' && host.value.t === 'attrs') {
    const sys = host.value.attrs.get('system');
    const v = sys ? force(sys) : undefined;
    return v?.t === 'str'
      ? { state: 'known', value: v.v, from: 'nixpkgs.hostPlatform', location: locate(v.src) }
      : { state: 'unknown', from: 'nixpkgs.hostPlatform' };
  }
  if (host.state !== 'unset') return resolved(host, 'nixpkgs.hostPlatform');
  const hostSystem = config.value('nixpkgs.hostPlatform.system');
  if (hostSystem.state !== 'unset') return resolved(hostSystem, 'nixpkgs.hostPlatform.system');
  const legacy = config.value('nixpkgs.system');
  if (legacy.state !== 'unset') return resolved(legacy, 'nixpkgs.system');
  const sys = config.entry.system;
  if (sys) {
    return sys.t === 'str'
      ? { state: 'known', value: sys.v, from: 'system', location: locate(sys.src) }
      : { state: 'unknown', from: 'system' };
  }
  return { state: config.hasOpaqueModules ? 'unknown' : 'unset' };
}

function bootloaderOf<L>(
  config: NixosConfiguration,
  force: (t: Thunk) => Value,
  at: (d: Definition | undefined) => L | undefined,
): InstallSummary<L>['bootloader'] {
  const on = (p: string) => {
    const r = config.value(p);
    if (r.state !== 'known') return { on: r.state === 'unknown' ? undefined : false, def: undefined };
    return { on: r.value.t === 'bool' ? r.value.v : undefined, def: r.def };
  };
  const sd = on('boot.loader.systemd-boot.enable');
  if (sd.on) return { kind: 'systemd-boot', efi: true, location: at(sd.def) };
  const extlinux = on('boot.loader.generic-extlinux-compatible.enable');
  if (extlinux.on) return { kind: 'extlinux', efi: false, location: at(extlinux.def) };
  const limine = on('boot.loader.limine.enable');
  if (limine.on) return { kind: 'limine', location: at(limine.def) };
  const grub = config.value('boot.loader.grub.enable');
  const grubOn =
    grub.state === 'known' && grub.value.t === 'bool'
      ? grub.value.v
      : grub.state === 'unset'
        ? 'default'
        : undefined;
  const devices: string[] = [];
  let deviceDef: Definition | undefined;
  const device = config.value('boot.loader.grub.device');
  if (device.state === 'known' && device.value.t === 'str' && device.value.v) {
    devices.push(device.value.v);
    deviceDef = device.def;
  }
  const list = config.value('boot.loader.grub.devices');
  if (list.state === 'known' && list.value.t === 'list') {
    for (const item of list.value.items) {
      const v = force(item);
      if (v.t === 'str') devices.push(v.v);
    }
    deviceDef ??= list.def;
  }
  const mirrored = config.defsUnder('boot.loader.grub.mirroredBoots').length > 0;
  const efi = on('boot.loader.grub.efiSupport');
  if (grubOn === true || (grubOn === 'default' && (devices.length || mirrored || efi.on))) {
    return {
      kind: 'grub',
      grubDevices: devices,
      efi: efi.on,
      location: at(grub.state === 'known' ? grub.def : (deviceDef ?? efi.def)),
    };
  }
  const unsure = [sd, extlinux, limine].some((x) => x.on === undefined) || grubOn === undefined;
  if (unsure || config.hasOpaqueModules) return { kind: 'unknown' };
  return { kind: 'none' };
}

const CREDENTIALS: [string, SummaryLogin][] = [
  ['hashedPassword', 'hashedPassword'],
  ['initialHashedPassword', 'initialHashedPassword'],
  ['password', 'password'],
  ['initialPassword', 'initialPassword'],
  ['hashedPasswordFile', 'hashedPasswordFile'],
  ['passwordFile', 'hashedPasswordFile'],
];

function usersOf<L>(
  config: NixosConfiguration,
  force: (t: Thunk) => Value,
  at: (d: Definition | undefined) => L | undefined,
): InstallSummary<L>['users'] {
  const { names } = config.children('users.users');
  const all = ['root', ...names.filter((n) => n !== 'root')];
  return all.map((name) => {
    const base = ['users', 'users', name];
    const methods = new Set<SummaryLogin>();
    for (const [opt, method] of CREDENTIALS) {
      const r = config.value([...base, opt]);
      if (r.state === 'unknown') methods.add('unknown');
      if (r.state !== 'known') continue;
      const v = r.value;
      if (v.t === 'null') continue;
      // "!" (and "!…") locks password login.
      if (
        v.t === 'str' &&
        (opt === 'hashedPassword' || opt === 'initialHashedPassword') &&
        v.v.startsWith('!')
      )
        continue;
      methods.add(v.t === 'str' || v.t === 'path' ? method : 'unknown');
    }
    for (const opt of ['keys', 'keyFiles']) {
      const r = config.value([...base, 'openssh', 'authorizedKeys', opt]);
      if (r.state === 'unknown') methods.add('unknown');
      else if (r.state === 'known') {
        if (r.value.t === 'list') {
          if (r.value.items.length) methods.add('sshKey');
        } else methods.add('unknown');
      }
    }
    let admin = name === 'root';
    const groups = config.value([...base, 'extraGroups']);
    if (groups.state === 'known' && groups.value.t === 'list')
      admin ||= groups.value.items.some((t) => {
        const v = force(t);
        return v.t === 'str' && v.v === 'wheel';
      });
    const defs = config.defsUnder(base);
    const first = defs.find((d) => d.pathAt[2]);
    return {
      name,
      methods: [...methods],
      admin,
      location: first ? at({ ...first, valueAt: first.pathAt[2] }) : undefined,
    };
  });
}

/** One line for a resolved value, for hovers: `` `true` ``, "not set", "not known statically". */
export function summarizeValue(r: Resolved): string {
  if (r.state === 'unset') return 'not set (the default applies)';
  if (r.state === 'unknown') return 'not known statically';
  const t = text(r.value);
  if (t === undefined) return 'not known statically';
  return r.value.t === 'str' ? `\`${JSON.stringify(t)}\`` : `\`${t}\``;
}
