// One NixOS configuration as the rules see it: its modules and files, and queries over its option
// definitions that follow the module system's rules (priorities, conditions) and say "unknown" whenever
// nixkit cannot be sure.
import type { CollectedModules, Definition, ModuleRef } from './modules';
import type { Source, Value } from './value';

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
}

/** Map key of an option path. */
const key = (p: string[]) => p.join('\u0000');
/** A definition's key; definitions are shared between a flake's configurations, so it is computed once. */
const defKey = (d: Definition) => (d.pathKey ??= key(d.path));

/** A module's definitions grouped by their path's first key; a module's list is shared, so is its index. */
const chunkIndexes = new WeakMap<Definition[], Map<string, Definition[]>>();
function chunkByFirstKey(chunk: Definition[]): Map<string, Definition[]> {
  let index = chunkIndexes.get(chunk);
  if (!index) {
    index = new Map();
    for (const d of chunk) {
      const list = index.get(d.path[0]);
      if (list) list.push(d);
      else index.set(d.path[0], [d]);
    }
    chunkIndexes.set(chunk, index);
  }
  return index;
}

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
  }

  /**
   * Definitions by path, built per first key when a rule first asks there: a fleet's shared modules add
   * thousands of definitions (`my.*`, `systemd.services.*`) that no rule looks up one by one.
   */
  private readonly byPath = new Map<string, Map<string, Definition[]>>();

  private pathIndex(first: string): Map<string, Definition[]> {
    let index = this.byPath.get(first);
    if (!index) {
      index = new Map();
      for (const d of this.bucket(first)) {
        const k = defKey(d);
        const list = index.get(k);
        if (list) list.push(d);
        else index.set(k, [d]);
      }
      this.byPath.set(first, index);
    }
    return index;
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
    return this.modules.some(
      (m) =>
        m.kind === 'unknown' || (m.kind === 'external' && !HARMLESS_EXTERNAL.some((re) => re.test(m.name))),
    );
  }

  hasExternalModule(pattern: RegExp): boolean {
    return this.modules.some((m) => m.kind === 'external' && pattern.test(m.name));
  }

  defs(p: string[] | string): Definition[] {
    const path = typeof p === 'string' ? optionPath(p) : p;
    return this.pathIndex(path[0]).get(key(path)) ?? [];
  }

  /** Whether something nixkit cannot see could define `p` (a dynamic key above it, an unknown set above it). */
  isOpaqueAt(p: string[]): boolean {
    if (this.dynamicPrefixes.some((d) => d.length < p.length && d.every((x, i) => x === p[i]))) return true;
    for (let i = 1; i < p.length; i++) {
      for (const d of this.pathIndex(p[0]).get(key(p.slice(0, i))) ?? [])
        if (d.value.t === 'unknown') return true;
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
    return this.bucket(p[0]).some(
      (d) =>
        under(d.path) &&
        (d.conditional ||
          d.value.t === 'unknown' ||
          d.value.t === 'external' ||
          d.value.t === 'fn' ||
          d.value.t === 'lambda'),
    );
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
    if (
      winners.some(
        (d) =>
          d.value.t === 'unknown' || d.value.t === 'external' || d.value.t === 'fn' || d.value.t === 'lambda',
      )
    )
      return { state: 'unknown' };
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

  /** Names defined directly below a prefix (`users.users` → alice, root), and whether that list may be incomplete. */
  private byFirstKey?: Map<string, Definition[]>;

  /** The definitions whose path starts with the same first key (rules ask about subtrees many times). */
  private bucket(first: string | undefined): Definition[] {
    if (first === undefined) return this.definitions;
    this.byFirstKey ??= new Map();
    let bucket = this.byFirstKey.get(first);
    if (!bucket) {
      // Assembled from the modules' own indexes: a fleet's hosts share most modules, and each module's
      // definitions are grouped once, not once per host.
      bucket = [];
      for (const chunk of this.chunks) {
        const mine = chunkByFirstKey(chunk).get(first);
        if (mine) for (const d of mine) bucket.push(d);
      }
      this.byFirstKey.set(first, bucket);
    }
    return bucket;
  }

  children(dotted: string | string[]): { names: string[]; complete: boolean } {
    const p = typeof dotted === 'string' ? optionPath(dotted) : dotted;
    const names = new Set<string>();
    let complete = !this.isOpaqueAt([...p, '*']);
    for (const d of this.bucket(p[0])) {
      if (d.path.length > p.length && p.every((x, i) => d.path[i] === x)) names.add(d.path[p.length]);
      if (d.path.length === p.length && p.every((x, i) => d.path[i] === x) && d.value.t !== 'attrs')
        complete = false;
    }
    return { names: [...names].sort(), complete };
  }

  /** Definitions at or below a prefix. */
  defsUnder(dotted: string | string[]): Definition[] {
    const p = typeof dotted === 'string' ? optionPath(dotted) : dotted;
    return this.bucket(p[0]).filter((d) => d.path.length >= p.length && p.every((x, i) => d.path[i] === x));
  }
}
