// What a configuration will install, in one plain object: platform, bootloader, ESP, root filesystem, swap,
// who can log in, stateVersion, and what nixkit could not read. "NixOS: Show Configuration" displays it
// (through the nixkit/configurations request). The facts come from configuration-facts.ts (the rules and the
// install read the same ones); this only shapes them, with locations produced by the caller's `locate`, so the
// facts stay free of LSP types.
import type { NixosConfiguration, Resolved } from '../model/configuration';
import { swapDevices, type MountedFs } from '../model/filesystems';
import type { Definition } from '../model/modules';
import type { Source, Thunk, Value } from '../model/value';
import { configurationFacts, valueText, type BootloaderKind, type LoginMethod } from './configuration-facts';

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

export type SummaryLogin = LoginMethod;

export interface InstallSummary<L> {
  platform: SummaryValue<L>;
  bootloader: {
    kind: BootloaderKind;
    /** The loader's name, for `other`. */
    name?: string;
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

export function summarize<L>(
  config: NixosConfiguration,
  force: (t: Thunk) => Value,
  locate: (src: Source | undefined) => L | undefined,
): InstallSummary<L> {
  const facts = configurationFacts(config, force);
  const at = (d: Definition | undefined) => locate(d?.valueAt ?? d?.at);
  const resolved = (r: Resolved, from: string, unsetValue?: string): SummaryValue<L> => {
    if (r.state === 'unset') return { state: 'unset', value: unsetValue, from };
    if (r.state === 'unknown') return { state: 'unknown', from };
    const t = valueText(r.value);
    return t === undefined
      ? { state: 'unknown', from, location: at(r.def) }
      : { state: 'known', value: t, from, location: at(r.def) };
  };
  const fsOf = (f: MountedFs): SummaryFs<L> => ({
    mountPoint: f.mountPoint,
    device: f.device.value,
    fsType: f.fsType.value,
    origin: f.origin,
    conditional: f.conditional,
    location: locate(f.at),
  });
  const { platform, bootloader, esp, rootFileSystem } = facts;
  const { def: loaderDef, ...loader } = bootloader;
  return {
    platform: {
      state: platform.state,
      ...(platform.value !== undefined ? { value: platform.value } : {}),
      ...(platform.from !== undefined ? { from: platform.from } : {}),
      ...(platform.at ? { location: locate(platform.at) } : {}),
    },
    bootloader: { ...loader, ...(loaderDef ? { location: at(loaderDef) } : {}) },
    efiSysMountPoint: resolved(facts.efiSysMountPoint, 'boot.loader.efi.efiSysMountPoint', '/boot'),
    esp: esp && fsOf(esp),
    rootFileSystem: rootFileSystem && fsOf(rootFileSystem),
    fileSystems: facts.mountedFileSystems.map(fsOf).sort((a, b) => a.mountPoint.localeCompare(b.mountPoint)),
    swap: swapDevices(config, force).map((s) => ({
      device: s.device.value,
      location: locate(s.device.at ?? s.at),
    })),
    users: facts.users.map((u) => ({
      name: u.name,
      methods: u.methods,
      admin: u.name === 'root' || u.wheel === 'yes',
      location: locate(u.at),
    })),
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

/** One line for a resolved value, for hovers: `` `true` ``, "not set", "not known statically". */
export function summarizeValue(r: Resolved): string {
  if (r.state === 'unset') return 'not set (the default applies)';
  if (r.state === 'unknown') return 'not known statically';
  const t = valueText(r.value);
  if (t === undefined) return 'not known statically';
  return r.value.t === 'str' ? `\`${JSON.stringify(t)}\`` : `\`${t}\``;
}
