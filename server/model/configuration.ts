// One NixOS configuration as the rules see it: its modules and files, and queries over its option
// definitions that follow the module system's rules (priorities, conditions) and say "unknown" whenever
// nixkit cannot be sure.
import { DefinitionIndex, indexOf, isOpaqueValue, pathKey } from './definition-index';
import type { CollectedModules, Definition, ModuleRef } from './modules';
import type { Source, Thunk, Value } from './value';

const UNKNOWN_VALUE: Value = { t: 'unknown' };

export type Resolved =
  | { state: 'unset' }
  | { state: 'unknown' }
  | { state: 'known'; value: Value; def: Definition; defs: Definition[] };

/** Modules that are known not to define install-relevant options (so they do not make "absence" rules unsure). */
const HARMLESS_EXTERNAL = [
  /profiles\/qemu-guest\.nix$/,
  /installer\/scan\/not-detected\.nix$/,
  /profiles\/headless\.nix$/,
  /profiles\/minimal\.nix$/,
  /home-manager/,
  /sops-nix|\.sops\b/,
  /agenix|\.age\b/,
  /nix-index/,
  /vscode-server/,
];

export interface ConfigurationEntry {
  name: string;
  /** The file that declares it: a flake.nix, or the configuration.nix itself. */
  file: string;
  /**
   * flake: a `nixosConfigurations` entry (or a colmena node in a flake's outputs); colmena: a node of hive.nix;
   * configuration.nix: a standalone configuration; nixkit.toml: a machine named in `[machines]`.
   */
  kind: 'flake' | 'configuration.nix' | 'colmena' | 'nixkit.toml';
  /** Where the entry is written (the `nixosConfigurations.<name>` key), for findings about the whole configuration. */
  at?: Source;
  /** `system = "…"` given to nixosSystem, if any. */
  system?: Value;
  /** The flake input whose `lib.nixosSystem` builds it (its release is the machine's), where nixkit can tell. */
  nixpkgsInput?: string;
  /** An input nixkit does not know whose own `lib.nixosSystem` builds it (a wrapper adding modules of its own). */
  wrappedBy?: string;
  /** The nixpkgs the script that builds it names (`-I nixpkgs=…/nixos-20.09.tar.gz`), for its release. */
  scriptNixpkgs?: string;
  /** Where its nixosSystem call is written (`file:offset` of the call and of its arguments). */
  builtAt?: string[];
}

/**
 * A host asking about a first key that more lists than this define (a fleet whose shared modules nixkit could
 * not group, modules.ts) gets one index of its own for that key: a lookup then costs one list, not hundreds.
 */
const MAX_SEGMENTS = 8;

export function optionPath(dotted: string): string[] {
  return dotted.split('.');
}

export class NixosConfiguration {
  readonly modules: ModuleRef[];
  readonly definitions: Definition[];
  /** `definitions` per module, in order (modules.ts: CollectedModules.chunks). */
  readonly chunks: Definition[][];
  private readonly dynamicPrefixes: string[][];

  constructor(
    readonly entry: ConfigurationEntry,
    collected: CollectedModules,
    /** Every file the configuration's evaluation read. */
    readonly files: Set<string>,
    /** Some of those files have syntax errors. */
    readonly hasSyntaxErrors = false,
  ) {
    this.modules = collected.modules;
    this.definitions = collected.definitions;
    this.chunks = collected.chunks;
    this.dynamicPrefixes = collected.dynamicPrefixes;
    this.declarations = collected.declarations ?? [];
  }

  /** Its modules' `options`, unforced. */
  private readonly declarations: Thunk[];

  /**
   * Whether a conditional definition applies here: false when an `mkIf` around it reads an option this
   * configuration leaves off, true when every `mkIf` around it reads an option it turns on, else undefined.
   * `force` evaluates (the unit's evaluator): declarations are read only for the options asked about.
   */
  applies(d: Definition, force: (t: Thunk) => Value): boolean | undefined {
    if (!d.conditional) return true;
    const conds = d.conditions ?? [null];
    if (conds.some((o) => o && this.isOff(o, force))) return false;
    return conds.every((o) => o && this.bool([...o]) === true) ? true : undefined;
  }

  /**
   * Whether a boolean option is certainly false: defined false, or declared by its own modules with
   * `default = false` (`mkEnableOption`) and defined nowhere nixkit can see, with no module it cannot read.
   */
  isOff(p: readonly string[], force: (t: Thunk) => Value): boolean {
    const v = this.bool([...p]);
    if (v === false) return true;
    if (v !== 'unset' || this.hasSyntaxErrors || this.modules.some((m) => m.kind === 'unknown')) return false;
    const d = this.declaredDefault(p, force);
    return d?.t === 'bool' && !d.v;
  }

  private readonly defaults = new Map<string, Value | undefined>();

  /** The default of the one declaration of `p` in its modules' `options`, where nixkit can read it. */
  private declaredDefault(p: readonly string[], force: (t: Thunk) => Value): Value | undefined {
    const k = pathKey(p);
    if (this.defaults.has(k)) return this.defaults.get(k);
    let found: Value | undefined;
    let count = 0;
    for (const options of this.declarations) {
      let v = force(options);
      for (const key of p) {
        // (a declaration above `p`, `options.my = mkOption { type = submodule … }`, is not read into)
        const next = v.t === 'attrs' && !v.attrs.has('_type') ? v.attrs.get(key) : undefined;
        v = next ? force(next) : UNKNOWN_VALUE;
        if (v.t !== 'attrs') break;
      }
      const type = v.t === 'attrs' ? v.attrs.get('_type') : undefined;
      const tv = type ? force(type) : undefined;
      if (v.t !== 'attrs' || tv?.t !== 'str' || tv.v !== 'option') continue;
      count++;
      const d = v.attrs.get('default');
      found = d ? force(d) : undefined;
    }
    // Declared twice is an error NixOS reports; declared elsewhere (nixpkgs), its default is not nixkit's to guess.
    const result = count === 1 ? found : undefined;
    this.defaults.set(k, result);
    return result;
  }

  /**
   * Per first key, the indexes of the lists that define something under it: for a fleet's host, its own
   * modules and the shared tree, whose answers every host reuses.
   */
  private readonly segmentsByFirst = new Map<string, DefinitionIndex[]>();

  private segments(first: string): DefinitionIndex[] {
    let segments = this.segmentsByFirst.get(first);
    if (!segments) {
      segments = [];
      for (const chunk of this.chunks) {
        const index = indexOf(chunk);
        if (index.byFirst(first).length) segments.push(index);
      }
      if (segments.length > MAX_SEGMENTS)
        segments = [new DefinitionIndex(segments.flatMap((s) => s.byFirst(first)))];
      this.segmentsByFirst.set(first, segments);
    }
    return segments;
  }

  /** A query's answer joined over the segments (memoised per configuration when it had to be joined). */
  private readonly joined = new Map<string, readonly Definition[]>();

  private join(
    p: readonly string[],
    k: string,
    kind: 'at' | 'under',
    get: (s: DefinitionIndex) => readonly Definition[],
  ): readonly Definition[] {
    const segments = this.segments(p[0]);
    if (segments.length <= 1) return segments.length ? get(segments[0]) : [];
    const memo = `${kind}\u0001${k}`;
    let list = this.joined.get(memo);
    if (!list) {
      list = segments.flatMap(get);
      this.joined.set(memo, list);
    }
    return list;
  }

  /** How much of it nixkit read (`partial`: modules it cannot see take part), and why not all of it. */
  status: 'read' | 'partial' = 'read';
  reasons: string[] = [];

  get name(): string {
    return this.entry.name;
  }

  /**
   * True when modules nixkit cannot read (other flakes' modules, unknown expressions) take part: they may
   * define anything, so a rule about something *missing* must stay quiet.
   */
  get hasOpaqueModules(): boolean {
    // A file with syntax errors is partly unknown: what its broken part defines cannot be seen.
    if (this.hasSyntaxErrors) return true;
    return (this.opaqueModules ??= this.modules.some((m) => m.kind === 'unknown' || this.isOpaqueModule(m)));
  }

  /** An external module nixkit does not know to be harmless for install-relevant options. */
  isOpaqueModule(m: ModuleRef): boolean {
    return m.kind === 'external' && !HARMLESS_EXTERNAL.some((re) => re.test(m.name));
  }

  private opaqueModules?: boolean;

  hasExternalModule(pattern: RegExp): boolean {
    return this.modules.some((m) => m.kind === 'external' && pattern.test(m.name));
  }

  defs(p: readonly string[] | string): readonly Definition[] {
    const path = typeof p === 'string' ? optionPath(p) : p;
    return this.join(path, pathKey(path), 'at', (s) => s.at(path, pathKey(path)));
  }

  /** Whether something nixkit cannot see could define `p` (a dynamic key above it, an unknown set above it). */
  isOpaqueAt(p: string[]): boolean {
    if (this.dynamicPrefixes.some((d) => d.length < p.length && d.every((x, i) => x === p[i]))) return true;
    for (let i = 1; i < p.length; i++) {
      for (const d of this.defs(p.slice(0, i))) if (d.value.t === 'unknown') return true;
    }
    return false;
  }

  /**
   * Whether anything at or below a prefix is beyond nixkit: opaque at the prefix, a dynamic key or a value it
   * cannot know anywhere inside, or a definition under a condition it cannot decide. Absence rules that read
   * a whole subtree (every filesystem, every disko partition) stay quiet when this is true.
   */
  isUncertainUnder(dotted: string | string[]): boolean {
    const p = typeof dotted === 'string' ? optionPath(dotted) : dotted;
    if (this.isOpaqueAt([...p, '*'])) return true;
    const under = (q: string[]) => q.length >= p.length && p.every((x, i) => q[i] === x);
    if (this.dynamicPrefixes.some(under)) return true;
    if (!p.length) return this.definitions.some((d) => d.conditional || isOpaqueValue(d));
    const k = pathKey(p);
    return this.segments(p[0]).some((s) => s.uncertainUnder(p, k));
  }

  /** The value the module system would give an option, as far as nixkit can tell. */
  value(dotted: string | string[]): Resolved {
    const p = typeof dotted === 'string' ? optionPath(dotted) : dotted;
    const defs = this.defs(p);
    if (!defs.length) return this.isOpaqueAt(p) ? { state: 'unknown' } : { state: 'unset' };
    const sure = defs.filter((d) => !d.conditional);
    const best = Math.min(...sure.map((d) => d.priority), Infinity);
    // A conditional definition that could win makes the result unsure.
    if (defs.some((d) => d.conditional && d.priority <= best)) return { state: 'unknown' };
    const winners = sure.filter((d) => d.priority === best);
    if (winners.some(isOpaqueValue)) return { state: 'unknown' };
    return { state: 'known', value: winners[0].value, def: winners[0], defs: winners };
  }

  /** A boolean option: true/false when known, undefined when unsure, `unset` when nothing defines it. */
  bool(dotted: string | string[]): boolean | undefined | 'unset' {
    const r = this.value(dotted);
    if (r.state === 'unset') return 'unset';
    if (r.state === 'unknown') return undefined;
    return r.value.t === 'bool' ? r.value.v : undefined;
  }

  string(dotted: string | string[]): { value: string; def: Definition } | undefined | 'unset' {
    const r = this.value(dotted);
    if (r.state === 'unset') return 'unset';
    if (r.state === 'unknown') return undefined;
    return r.value.t === 'str' || r.value.t === 'path' ? { value: r.value.v, def: r.def } : undefined;
  }

  children(dotted: string | string[]): { names: string[]; complete: boolean } {
    const p = typeof dotted === 'string' ? optionPath(dotted) : dotted;
    const names = new Set<string>();
    let complete = !this.isOpaqueAt([...p, '*']);
    const k = pathKey(p);
    for (const s of this.segments(p[0])) {
      const c = s.children(p, k);
      for (const n of c.names) names.add(n);
      if (c.notAttrs) complete = false;
    }
    return { names: [...names].sort(), complete };
  }

  /** Definitions at or below a prefix. */
  defsUnder(dotted: string | readonly string[]): readonly Definition[] {
    const p = typeof dotted === 'string' ? optionPath(dotted) : dotted;
    if (!p.length) return this.definitions;
    const k = pathKey(p);
    return this.join(p, k, 'under', (s) => s.under(p, k));
  }
}
