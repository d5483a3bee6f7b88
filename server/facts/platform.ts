// Where a configuration says which platform it is for: `nixpkgs.hostPlatform` (a string or `{ system = …; }`),
// the older `nixpkgs.system` / `nixpkgs.localSystem.system`, and `system = …` given to nixosSystem.
import type { NixosConfiguration } from '../model/configuration';
import type { Definition } from '../model/modules';
import type { Source, Thunk, Value } from '../model/value';

export interface PlatformSetting {
  /** How the configuration says it, for messages. */
  option: string;
  value: string;
  /** The string literal (for replacing it) and where to point. */
  valueAt?: Source;
  def?: Definition;
}

const MODULE_OPTIONS = [
  ['nixpkgs', 'hostPlatform'],
  ['nixpkgs', 'hostPlatform', 'system'],
  ['nixpkgs', 'system'],
  ['nixpkgs', 'localSystem', 'system'],
];

/** Every static platform string the modules set (one per definition), whatever their priority. */
export function modulePlatforms(config: NixosConfiguration): PlatformSetting[] {
  const out: PlatformSetting[] = [];
  for (const p of MODULE_OPTIONS) {
    for (const def of config.defs(p)) {
      if (def.value.t !== 'str') continue;
      out.push({ option: p.join('.'), value: def.value.v, valueAt: def.value.src ?? def.valueAt, def });
    }
  }
  return out;
}

/** The host platform the modules decide on, when nixkit can be sure of it. */
export function hostPlatformOf(
  config: NixosConfiguration,
  force?: (t: Thunk) => Value,
): PlatformSetting | undefined {
  const r = resolveHostPlatform(config, force);
  return r.state === 'known' ? r.setting : undefined;
}

export type HostPlatform =
  | { state: 'unset' }
  | { state: 'unknown'; option: string }
  | { state: 'known'; setting: PlatformSetting };

/** Plain definitions' priority: anything weaker (`mkDefault`) can be overridden by a module nixkit cannot see. */
const PLAIN_PRIORITY = 100;

/**
 * `nixpkgs.hostPlatform` as the module system merges it: a string (`"aarch64-linux"`) and a set (`{ system = …;
 * }`, also written `nixpkgs.hostPlatform.system = …`) are definitions of one option, and the highest priority
 * wins (a board module's plain `.system` beats a fleet's `mkDefault "x86_64-linux"`). A machine built by an
 * unknown input's own nixosSystem (which may add a board module) keeps a `mkDefault` platform only where the
 * `system` it is given agrees.
 */
export function resolveHostPlatform(config: NixosConfiguration, force?: (t: Thunk) => Value): HostPlatform {
  const [wholeOption, systemOption] = [MODULE_OPTIONS[0], MODULE_OPTIONS[1]].map((p) => p.join('.'));
  const whole = config.value(MODULE_OPTIONS[0]);
  // (`.system` counts only where something defines it: an unknown `nixpkgs = …` set says nothing against a
  // hostPlatform written out)
  const sub = config.defs(MODULE_OPTIONS[1]).length
    ? config.value(MODULE_OPTIONS[1])
    : whole.state === 'unset'
      ? config.value(MODULE_OPTIONS[1])
      : ({ state: 'unset' } as const);
  if (whole.state === 'unknown') return { state: 'unknown', option: wholeOption };
  if (sub.state === 'unknown') return { state: 'unknown', option: systemOption };
  const fromWhole = (): HostPlatform => {
    if (whole.state !== 'known') return { state: 'unset' };
    const v = whole.value;
    if (v.t === 'str')
      return {
        state: 'known',
        setting: { option: wholeOption, value: v.v, valueAt: v.src ?? whole.def.valueAt, def: whole.def },
      };
    const inner = v.t === 'attrs' ? v.attrs.get('system') : undefined;
    const sys = inner && force ? force(inner) : undefined;
    return sys?.t === 'str'
      ? { state: 'known', setting: { option: wholeOption, value: sys.v, valueAt: sys.src, def: whole.def } }
      : { state: 'unknown', option: wholeOption };
  };
  const fromSub = (): HostPlatform =>
    sub.state !== 'known'
      ? { state: 'unset' }
      : sub.value.t === 'str'
        ? {
            state: 'known',
            setting: {
              option: systemOption,
              value: sub.value.v,
              valueAt: sub.value.src ?? sub.def.valueAt,
              def: sub.def,
            },
          }
        : { state: 'unknown', option: systemOption };
  let r: HostPlatform;
  if (whole.state !== 'known') r = fromSub();
  else if (sub.state !== 'known') r = fromWhole();
  else if (sub.def.priority !== whole.def.priority)
    r = sub.def.priority < whole.def.priority ? fromSub() : fromWhole();
  else {
    // Both at one priority: a set and its `system` merge, a string and a set do not (Nix fails); agreeing is sure.
    const [a, b] = [fromWhole(), fromSub()];
    r =
      a.state === 'known' && b.state === 'known' && a.setting.value === b.setting.value
        ? a
        : { state: 'unknown', option: wholeOption };
  }
  const wrapped = config.entry.wrappedBy;
  if (r.state === 'known' && wrapped && (r.setting.def?.priority ?? PLAIN_PRIORITY) > PLAIN_PRIORITY) {
    const given = config.entry.system;
    if (given?.t !== 'str' || given.v !== r.setting.value)
      return { state: 'unknown', option: r.setting.option };
  }
  return r;
}

/** `system = "…"` given to nixosSystem, when static. */
export function flakeSystemOf(config: NixosConfiguration): PlatformSetting | undefined {
  // (a colmena node's system is its package set's, `meta.nixpkgs`: a fallback for its platform, not an argument)
  if (config.entry.kind === 'colmena') return undefined;
  const v = config.entry.system;
  if (v?.t !== 'str') return undefined;
  return { option: 'system', value: v.v, valueAt: v.src };
}
