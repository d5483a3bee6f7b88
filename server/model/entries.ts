// Finds the NixOS configurations a workspace defines: each `nixosConfigurations.<name>` of a flake.nix
// (direct nixosSystem calls, helpers in a `let` or another file, genAttrs/mapAttrs over host lists), and a
// plain configuration.nix that no flake configuration includes (the /etc/nixos layout).
import { Evaluator } from './evaluator';
import { known, type Source, type Thunk, type Value } from './value';
import type { ConfigurationEntry } from './configuration';

export interface DiscoveredEntry {
  entry: ConfigurationEntry;
  /** The `modules` list (flake) or the configuration file itself. */
  roots: Thunk[];
  specialArgs?: Value;
}

export function flakeEntries(ev: Evaluator, flakeFile: string): DiscoveredEntry[] {
  const top = ev.force(ev.fileThunk(flakeFile));
  if (top.t !== 'attrs') return [];
  const outputs = top.attrs.get('outputs');
  if (!outputs) return [];
  const fn = ev.force(outputs);
  let result: Value;
  if (fn.t === 'lambda') {
    // Inputs are other flakes: known by name only (`nixpkgs.lib.nixosSystem` stays recognisable).
    result = ev.callLambda(fn.expr, fn.env, fn.file, known({ t: 'unknown', path: ['inputs'] }), (name) =>
      known({ t: 'unknown', path: [name] }),
    );
  } else result = fn;
  if (result.t !== 'attrs') return [];
  const configs = result.attrs.get('nixosConfigurations');
  if (!configs) return [];
  const set = ev.force(configs);
  if (set.t !== 'attrs') return [];
  const out: DiscoveredEntry[] = [];
  for (const [name, thunk] of set.attrs) {
    const v = ev.force(thunk);
    const at: Source | undefined =
      thunk.keySpan && thunk.file
        ? { file: thunk.file, span: thunk.keySpan }
        : (v.src ??
          (configs.keySpan && configs.file ? { file: configs.file, span: configs.keySpan } : undefined));
    if (v.t !== 'nixosSystem') {
      out.push({ entry: { name, file: flakeFile, kind: 'flake', at }, roots: [known({ t: 'unknown' })] });
      continue;
    }
    const args = ev.force(v.args);
    const get = (k: string) => (args.t === 'attrs' ? args.attrs.get(k) : undefined);
    const modules = get('modules');
    const system = get('system');
    const specialArgs = get('specialArgs');
    out.push({
      entry: { name, file: flakeFile, kind: 'flake', at, system: system ? ev.force(system) : undefined },
      roots: args.t === 'attrs' ? (modules ? [modules] : []) : [known({ t: 'unknown' })],
      specialArgs: specialArgs ? ev.force(specialArgs) : undefined,
    });
  }
  return out;
}

export function configurationNixEntry(file: string, name: string): DiscoveredEntry {
  return {
    entry: { name, file, kind: 'configuration.nix', at: { file, span: { start: 0, end: 0 } } },
    roots: [known({ t: 'path', v: file })],
  };
}
