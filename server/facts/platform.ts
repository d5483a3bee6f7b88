// Where a configuration says which platform it is for: `nixpkgs.hostPlatform` (a string or `{ system = …; }`),
// the older `nixpkgs.system` / `nixpkgs.localSystem.system`, and `system = …` given to nixosSystem.
import type { NixosConfiguration } from '../model/configuration';
import type { Definition } from '../model/modules';
import type { Source } from '../model/value';

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
export function hostPlatformOf(config: NixosConfiguration): PlatformSetting | undefined {
  for (const p of [MODULE_OPTIONS[0], MODULE_OPTIONS[1]]) {
    const r = config.value(p);
    if (r.state === 'unknown') return undefined;
    if (r.state === 'known' && r.value.t === 'str')
      return { option: p.join('.'), value: r.value.v, valueAt: r.value.src ?? r.def.valueAt, def: r.def };
  }
  return undefined;
}

/** `system = "…"` given to nixosSystem, when static. */
export function flakeSystemOf(config: NixosConfiguration): PlatformSetting | undefined {
  const v = config.entry.system;
  if (v?.t !== 'str') return undefined;
  return { option: 'system', value: v.v, valueAt: v.src };
}
