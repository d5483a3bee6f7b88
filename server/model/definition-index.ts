// Lookups over one list of option definitions: a module's, or a whole tree of modules that every host of a fleet
// imports alike (modules.ts: closures). Such a list is shared between the configurations that import it, so its
// answers are computed once for the fleet, not once per host; NixosConfiguration combines the few lists a host
// has into its own answers.
import type { Definition } from './modules';

/** Map key of an option path. */
export const pathKey = (p: readonly string[]) => p.join('\u0000');
/** A definition's key; definitions are shared between a flake's configurations, so it is computed once. */
const defKey = (d: Definition) => (d.pathKey ??= pathKey(d.path));

const startsWith = (q: readonly string[], p: readonly string[]) =>
  q.length >= p.length && p.every((x, i) => q[i] === x);

/** A value nixkit cannot see into: whatever it sets below itself is unknown. */
export const isOpaqueValue = (d: Definition) =>
  d.value.t === 'unknown' || d.value.t === 'external' || d.value.t === 'fn' || d.value.t === 'lambda';

const NONE: readonly Definition[] = Object.freeze([]);

export class DefinitionIndex {
  private firsts?: Map<string, Definition[]>;
  private readonly paths = new Map<string, Map<string, Definition[]>>();
  private readonly below = new Map<string, readonly Definition[]>();
  private readonly uncertain = new Map<string, boolean>();
  private readonly kids = new Map<string, { names: Set<string>; notAttrs: boolean }>();

  constructor(readonly all: readonly Definition[]) {}

  /** The definitions whose path starts with `first`. */
  byFirst(first: string): readonly Definition[] {
    if (!this.firsts) {
      this.firsts = new Map();
      for (const d of this.all) {
        const list = this.firsts.get(d.path[0]);
        if (list) list.push(d);
        else this.firsts.set(d.path[0], [d]);
      }
    }
    return this.firsts.get(first) ?? NONE;
  }

  /** The definitions of exactly `p` (`k` is its pathKey). */
  at(p: readonly string[], k: string): readonly Definition[] {
    let index = this.paths.get(p[0]);
    if (!index) {
      index = new Map();
      for (const d of this.byFirst(p[0])) {
        const dk = defKey(d);
        const list = index.get(dk);
        if (list) list.push(d);
        else index.set(dk, [d]);
      }
      this.paths.set(p[0], index);
    }
    return index.get(k) ?? NONE;
  }

  /** The definitions at or below `p`. */
  under(p: readonly string[], k: string): readonly Definition[] {
    let list = this.below.get(k);
    if (!list) {
      list = this.byFirst(p[0]).filter((d) => startsWith(d.path, p));
      this.below.set(k, list.length ? list : NONE);
    }
    return list;
  }

  /** Whether a definition at or below `p` is conditional or has a value nixkit cannot see into. */
  uncertainUnder(p: readonly string[], k: string): boolean {
    let u = this.uncertain.get(k);
    if (u === undefined) {
      u = this.under(p, k).some((d) => d.conditional || isOpaqueValue(d));
      this.uncertain.set(k, u);
    }
    return u;
  }

  /** The keys defined directly below `p`, and whether `p` itself is given a value other than a set. */
  children(p: readonly string[], k: string): { names: Set<string>; notAttrs: boolean } {
    let c = this.kids.get(k);
    if (!c) {
      c = { names: new Set(), notAttrs: false };
      for (const d of this.under(p, k)) {
        if (d.path.length > p.length) c.names.add(d.path[p.length]);
        else if (d.value.t !== 'attrs') c.notAttrs = true;
      }
      this.kids.set(k, c);
    }
    return c;
  }
}

const indexes = new WeakMap<readonly Definition[], DefinitionIndex>();

/** The index of a shared list of definitions (built once, whichever configuration asks first). */
export function indexOf(defs: readonly Definition[]): DefinitionIndex {
  let index = indexes.get(defs);
  if (!index) indexes.set(defs, (index = new DefinitionIndex(defs)));
  return index;
}
