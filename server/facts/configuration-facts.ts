// The facts about one configuration that the rules, the install's preflight and "Show Configuration" all need:
// its platform, its bootloader, the ESP and its mount point, the root filesystem, who can log in, and where its
// hardware-configuration.nix is. Worked out here once, lazily and cached per configuration, so the three readers
// cannot disagree. An evaluated configuration never changes (an edit makes a new NixosConfiguration), so the cache
// is keyed on the object and needs no invalidation. Every "cannot tell" stays unknown: callers decide what an
// unknown means for them (a rule stays quiet, the install takes the NixOS default).
import * as path from 'node:path';
import type { NixosConfiguration, Resolved } from '../model/configuration';
import { mountedFileSystems, samePlace, type MountedFs } from '../model/filesystems';
import type { Definition } from '../model/modules';
import type { Source, Thunk, Value } from '../model/value';
import type { BootloaderSummary, LoginMethod } from '../../protocol/lsp-ext';
import { resolveHostPlatform } from './platform';
import { allFileSystems, diskoSetsGrubDevices, loaderFacts, rootFileSystem, type LoaderFacts } from './boot';

/** Where the configuration says which platform it is for. */
export interface PlatformFact {
  /** `unset`: nothing says; `unknown`: something says, but not statically. */
  state: 'known' | 'unknown' | 'unset';
  value?: string;
  /** The option or argument that says it (`nixpkgs.hostPlatform`, `system`, …). */
  from?: string;
  at?: Source;
  def?: Definition;
}

/** The bootloader kinds Show Configuration names (the protocol's list). */
export type BootloaderKind = BootloaderSummary['kind'];

/** The bootloader the configuration installs, as the bootloader rules decide it. */
export interface BootloaderFact {
  kind: BootloaderKind;
  /** The loader's name for `other` (rEFInd, lanzaboote, …). */
  name?: string;
  /** GRUB: `device` and `devices` ("nodev" for EFI-only). */
  grubDevices?: string[];
  /** Installs through UEFI (systemd-boot, GRUB with efiSupport); undefined when that is not known. */
  efi?: boolean;
  /** The definition that chooses it. */
  def?: Definition;
}

/** The bootloader that installs to the ESP, when one certainly is enabled. */
export interface EnabledLoader {
  name: 'systemd-boot' | 'GRUB';
  /** The definition that enables it (for pointing at it and placing fixes beside it). */
  def: Definition;
}

/** How a user can log in (the Show Configuration contract's names). */
export type { LoginMethod };

/** Certainly, certainly not, or maybe. */
export type Access = 'yes' | 'no' | 'unsure';

export interface UserFact {
  name: string;
  /** The ways in nixkit sees (for display); `unknown` when a credential is set but not statically known. */
  methods: LoginMethod[];
  /** Whether the user can log in at all, counting every definition (conditional ones make it unsure). */
  access: Access;
  /** Member of `wheel` (by `group` or `extraGroups`). */
  wheel: Access;
  /** Where the user is declared. */
  at?: Source;
}

/** The password options of a user, and the login method each stands for. */
export const PASSWORD_OPTIONS: [string, LoginMethod][] = [
  ['hashedPassword', 'hashedPassword'],
  ['initialHashedPassword', 'initialHashedPassword'],
  ['password', 'password'],
  ['initialPassword', 'initialPassword'],
  ['hashedPasswordFile', 'hashedPasswordFile'],
  ['passwordFile', 'hashedPasswordFile'],
];
/** Key options under `users.users.<name>`. */
export const KEY_OPTIONS = [
  ['openssh', 'authorizedKeys', 'keys'],
  ['openssh', 'authorizedKeys', 'keyFiles'],
];

/** Whether one value of a login option certainly gives, certainly does not give, or may give a login. */
export function valueGivesAccess(v: Value, option: string): Access {
  switch (v.t) {
    case 'null':
      return 'no';
    case 'str':
      // "!" and "*" (and hashes behind them) lock an account; "" logs in without a password.
      if ((option === 'hashedPassword' || option === 'initialHashedPassword') && /^[!*]/.test(v.v))
        return 'no';
      return 'yes';
    case 'path':
      return 'yes';
    case 'list':
      return v.items.length ? 'yes' : 'no';
    case 'attrs':
      return v.attrs.size ? 'unsure' : 'no';
    default:
      return 'unsure';
  }
}

const cache = new WeakMap<NixosConfiguration, ConfigFacts>();

/** The facts of a configuration, computed on first use and kept as long as the configuration is. */
export function configurationFacts(config: NixosConfiguration, force: (t: Thunk) => Value): ConfigFacts {
  let f = cache.get(config);
  if (!f) cache.set(config, (f = new ConfigFacts(config, force)));
  return f;
}

/** One memoised fact. */
function once<T>(compute: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = compute();
      done = true;
    }
    return value;
  };
}

/**
 * Everything below is computed on first use. (protocol/install-state.ts's ConfigurationFacts is the subset an
 * install saves; preflight fills it from this.)
 */
export class ConfigFacts {
  constructor(
    readonly config: NixosConfiguration,
    private readonly force: (t: Thunk) => Value,
  ) {}

  private readonly _loaders = once(() => loaderFacts(this.config));
  private readonly _bootloader = once(() => bootloaderOf(this.config, this.force, this.loaders));
  private readonly _efiLoader = once(() => efiLoaderOf(this.config, this.loaders));
  private readonly _platform = once(() => platformOf(this.config, this.force));
  private readonly _mounted = once(() => mountedFileSystems(this.config, this.force));
  private readonly _complete = once(() => allFileSystems(this.config, this.force));
  private readonly _users = once(() => usersOf(this.config, this.force));
  private readonly _esp = once(() => {
    const vfat = this.mountedFileSystems.filter((f) => f.fsType.value === 'vfat');
    const mp = this.efiSysMountPoint;
    const at = mp.state === 'unset' ? '/boot' : mp.state === 'known' ? valueText(mp.value) : undefined;
    return (
      vfat.find((f) => at !== undefined && samePlace(f.mountPoint, at)) ??
      vfat.find((f) => /^\/(boot|efi)/.test(f.mountPoint)) ??
      vfat[0]
    );
  });

  /** Which bootloaders are on, as the rules read them (GRUB by default, other loaders, what is unsure). */
  get loaders(): LoaderFacts {
    return this._loaders();
  }

  /** The one bootloader the configuration installs, or `none`/`unknown`. */
  get bootloader(): BootloaderFact {
    return this._bootloader();
  }

  /** The bootloader that writes to the ESP, when one is certainly on. */
  get efiLoader(): EnabledLoader | undefined {
    return this._efiLoader();
  }

  get platform(): PlatformFact {
    return this._platform();
  }

  /** `boot.loader.efi.efiSysMountPoint` as resolved. */
  get efiSysMountPoint(): Resolved {
    return this.config.value('boot.loader.efi.efiSysMountPoint');
  }

  /** Where the ESP is mounted: the configured absolute path, else the NixOS default `/boot`. */
  get espMountPoint(): string {
    const esp = this.config.string('boot.loader.efi.efiSysMountPoint');
    return esp && esp !== 'unset' && esp.value.startsWith('/') ? esp.value : '/boot';
  }

  /** Every filesystem nixkit sees (conditional ones included), for display. */
  get mountedFileSystems(): MountedFs[] {
    return this._mounted();
  }

  /** The filesystems, or undefined when nixkit cannot see all of them (what "missing" rules need). */
  get completeFileSystems(): MountedFs[] | undefined {
    return this._complete();
  }

  /** The vfat filesystem at the ESP mount point, else the vfat one under /boot or /efi, else any vfat one. */
  get esp(): MountedFs | undefined {
    return this._esp();
  }

  /** The mount of `/` among the filesystems nixkit sees. */
  get rootFileSystem(): MountedFs | undefined {
    return rootFileSystem(this.mountedFileSystems);
  }

  /** root and every user of `users.users`, root first, with how each can log in. */
  get users(): UserFact[] {
    return this._users();
  }

  /** The hardware-configuration.nix the configuration imports (even one that does not exist yet). */
  get hardwareConfigFile(): string | undefined {
    const hw = this.config.modules.find(
      (m) =>
        (m.kind === 'file' || m.kind === 'missing') && path.basename(m.file) === 'hardware-configuration.nix',
    );
    return hw && (hw.kind === 'file' || hw.kind === 'missing') ? hw.file : undefined;
  }

  /** A boolean option with NixOS's default false: `null` when it is set but not statically known. */
  flag(option: string): boolean | null {
    const b = this.config.bool(option);
    return b === 'unset' ? false : (b ?? null);
  }
}

/** A scalar value as text (strings without quotes); undefined for sets, lists and functions. */
export function valueText(v: Value): string | undefined {
  switch (v.t) {
    case 'str':
    case 'path':
      return v.v;
    case 'bool':
    case 'int':
    case 'float':
      return String(v.v);
    case 'null':
      return 'null';
    default:
      return undefined;
  }
}

function fromResolved(r: Resolved, from: string): PlatformFact {
  if (r.state === 'unset') return { state: 'unset', from };
  if (r.state === 'unknown') return { state: 'unknown', from };
  const t = valueText(r.value);
  return t === undefined
    ? { state: 'unknown', from, at: r.def.valueAt ?? r.def.at, def: r.def }
    : { state: 'known', value: t, from, at: r.def.valueAt ?? r.def.at, def: r.def };
}

function platformOf(config: NixosConfiguration, force: (t: Thunk) => Value): PlatformFact {
  const host = resolveHostPlatform(config, force);
  if (host.state === 'known') {
    const { option, value, valueAt, def } = host.setting;
    return { state: 'known', value, from: option, at: valueAt, def };
  }
  if (host.state === 'unknown') {
    // `config = mkIf cfg.fast { nixpkgs.hostPlatform.system = "x86_64-linux"; }` on a machine built for
    // x86_64-linux: whether or not the condition holds, the platform is the same.
    const sys = config.entry.system;
    const defs = ['nixpkgs.hostPlatform', 'nixpkgs.system', 'nixpkgs.localSystem'].flatMap((o) =>
      config.defsUnder(o),
    );
    const agrees = (d: Definition) =>
      d.value.t === 'str' &&
      d.value.v === (sys?.t === 'str' ? sys.v : undefined) &&
      (d.path.length === 2 || (d.path.length === 3 && d.path[2] === 'system'));
    if (sys?.t === 'str' && defs.length && defs.every(agrees))
      return { state: 'known', value: sys.v, from: 'system', at: sys.src };
    return { state: 'unknown', from: host.option };
  }
  const legacy = config.value('nixpkgs.system');
  if (legacy.state !== 'unset') return fromResolved(legacy, 'nixpkgs.system');
  const sys = config.entry.system;
  if (sys)
    return sys.t === 'str'
      ? { state: 'known', value: sys.v, from: 'system', at: sys.src }
      : { state: 'unknown', from: 'system' };
  return { state: config.hasOpaqueModules ? 'unknown' : 'unset' };
}

/** Non-GRUB loaders the summary names by kind; the rest are `other`. */
const LOADER_KINDS: Record<string, BootloaderKind> = {
  'systemd-boot': 'systemd-boot',
  extlinux: 'extlinux',
  Limine: 'limine',
};

function bootloaderOf(
  config: NixosConfiguration,
  force: (t: Thunk) => Value,
  loaders: LoaderFacts,
): BootloaderFact {
  if (loaders.other) {
    const kind = LOADER_KINDS[loaders.other.name] ?? 'other';
    return {
      kind,
      ...(kind === 'other' ? { name: loaders.other.name } : {}),
      ...(kind === 'systemd-boot' ? { efi: true } : kind === 'extlinux' ? { efi: false } : {}),
      def: loaders.other.def,
    };
  }
  const { grub } = loaders;
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
  // GRUB on only because no other loader is, with no GRUB setting at all, is no choice (bootloader-missing).
  const chosen = !grub.byDefault || loaders.grubSettings.length > 0 || diskoSetsGrubDevices(config);
  if (grub.state === 'on' && chosen) {
    const efi = config.value('boot.loader.grub.efiSupport');
    const efiOn =
      efi.state === 'known'
        ? efi.value.t === 'bool'
          ? efi.value.v
          : undefined
        : efi.state === 'unset'
          ? false
          : undefined;
    return {
      kind: 'grub',
      grubDevices: devices,
      ...(efiOn !== undefined ? { efi: efiOn } : {}),
      def: grub.def ?? deviceDef ?? (efi.state === 'known' ? efi.def : undefined) ?? loaders.grubSettings[0],
    };
  }
  if (grub.state === 'unknown' || loaders.unsure || config.hasOpaqueModules) return { kind: 'unknown' };
  return { kind: 'none' };
}

/** systemd-boot when it is the loader, GRUB when it is on and built for EFI: both read from `loaders`. */
function efiLoaderOf(config: NixosConfiguration, loaders: LoaderFacts): EnabledLoader | undefined {
  if (loaders.other?.name === 'systemd-boot') {
    // GRUB turned on as well (over systemd-boot's mkDefault false): NixOS refuses two loaders ("Only one
    // bootloader can be enabled at a time"), so which one would install where is not a question to answer.
    if (loaders.grub.state === 'on') return undefined;
    return { name: 'systemd-boot', def: loaders.other.def };
  }
  if (loaders.grub.state !== 'on') return undefined;
  const grubEfi = config.value('boot.loader.grub.efiSupport');
  if (grubEfi.state === 'known' && grubEfi.value.t === 'bool' && grubEfi.value.v)
    return { name: 'GRUB', def: grubEfi.def };
  return undefined;
}

/** Whether one option of a user certainly gives, certainly does not give, or may give a login. */
function optionAccess(defs: readonly Definition[], option: string): Access {
  let access: Access = 'no';
  for (const d of defs) {
    if (d.conditional) return 'unsure';
    const gives = valueGivesAccess(d.value, option);
    if (gives === 'unsure') return 'unsure';
    if (gives === 'yes') access = 'yes';
  }
  return access;
}

function userAccess(config: NixosConfiguration, name: string): Access {
  const base = ['users', 'users', name];
  let access: Access = 'no';
  const options = [...PASSWORD_OPTIONS.map(([o]) => [o]), ...KEY_OPTIONS];
  for (const o of options) {
    const p = [...base, ...o];
    if (config.isOpaqueAt(p)) return 'unsure';
    const a = optionAccess(config.defs(p), o[o.length - 1]);
    if (a === 'unsure') return 'unsure';
    if (a === 'yes') access = 'yes';
  }
  // A set of keys or an unknown value where nixkit expected a list (`authorizedKeys = import ./keys.nix`).
  for (const d of config.defsUnder([...base, 'openssh'])) {
    if (!KEY_OPTIONS.some((k) => k.every((x, i) => d.path[3 + i] === x))) {
      if (d.path[4] === 'authorizedKeys' || d.path.length <= 4) return 'unsure';
    }
  }
  return access;
}

function inWheel(config: NixosConfiguration, name: string, force: (t: Thunk) => Value): Access {
  const base = ['users', 'users', name];
  const group = config.value([...base, 'group']);
  if (group.state === 'unknown') return 'unsure';
  if (group.state === 'known' && group.value.t === 'str' && group.value.v === 'wheel') return 'yes';
  if (group.state === 'known' && group.value.t !== 'str') return 'unsure';
  let wheel: Access = 'no';
  for (const d of config.defs([...base, 'extraGroups'])) {
    if (d.conditional || d.value.t !== 'list') return 'unsure';
    for (const item of d.value.items) {
      const v = force(item);
      if (v.t !== 'str') return 'unsure';
      if (v.v === 'wheel') wheel = 'yes';
    }
  }
  return wheel;
}

/** The ways in that the resolved values show, for display. */
function methodsOf(config: NixosConfiguration, name: string): LoginMethod[] {
  const base = ['users', 'users', name];
  const methods = new Set<LoginMethod>();
  for (const [opt, method] of PASSWORD_OPTIONS) {
    const r = config.value([...base, opt]);
    if (r.state === 'unknown') methods.add('unknown');
    if (r.state !== 'known') continue;
    const v = r.value;
    if (v.t === 'str' || v.t === 'path') {
      if (valueGivesAccess(v, opt) === 'yes') methods.add(method);
    } else if (v.t !== 'null') methods.add('unknown');
  }
  for (const [, , opt] of KEY_OPTIONS) {
    const r = config.value([...base, 'openssh', 'authorizedKeys', opt]);
    if (r.state === 'unknown') methods.add('unknown');
    else if (r.state === 'known') {
      if (r.value.t === 'list') {
        if (r.value.items.length) methods.add('sshKey');
      } else methods.add('unknown');
    }
  }
  return [...methods];
}

function usersOf(config: NixosConfiguration, force: (t: Thunk) => Value): UserFact[] {
  const { names } = config.children('users.users');
  return ['root', ...names.filter((n) => n !== 'root')].map((name) => {
    const first = config.defsUnder(['users', 'users', name]).find((d) => d.pathAt[2]);
    return {
      name,
      methods: methodsOf(config, name),
      access: userAccess(config, name),
      wheel: inWheel(config, name, force),
      at: first?.pathAt[2],
    };
  });
}
