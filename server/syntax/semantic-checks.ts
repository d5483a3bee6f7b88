// The errors Nix's parser itself reports after the grammar accepted a file (nix-instantiate --parse fails on
// them): an attribute defined twice, a duplicate formal argument, an undefined variable, a dynamic attribute
// in `inherit`, a path with a trailing slash. Same verdicts as Nix, so `nixkit check` agrees with it.
import type { AttrKey, Binding, Expr, Inherit, LambdaExpr, SourceFile } from './ast';
import type { Span } from './positions';

export interface SemanticProblem {
  span: Span;
  code: 'duplicate-definition' | 'undefined-variable' | 'syntax-error';
  message: string;
  /** For duplicates: where the first definition is. */
  related?: { span: Span; message: string };
}

/** Names Nix 2.x puts in the global scope (builtins without `builtins.`); `__`-prefixed primops are allowed too. */
const GLOBALS = new Set([
  'true', 'false', 'null', 'builtins', 'import', 'abort', 'throw', 'baseNameOf', 'dirOf', 'isNull',
  'removeAttrs', 'toString', 'map', 'derivation', 'derivationStrict', 'placeholder', 'fetchTarball', 'fetchGit',
  'fetchMercurial', 'fetchTree', 'scopedImport', 'fromTOML', '__curPos',
]); // prettier-ignore

/** Every `__name` primop Nix 2.8 defines; newer Nix adds more, so unknown `__` names are not reported. */
const isGlobal = (name: string) => GLOBALS.has(name) || name.startsWith('__');

export function semanticChecks(file: SourceFile): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  if (file.expr) new Checker(problems).expr(file.expr, null);
  // A key repeated inside a merged set is seen both by the merge and by the set's own check.
  const seen = new Set<string>();
  return problems
    .filter((p) => {
      const id = `${p.span.start}:${p.message}`;
      return !seen.has(id) && !!seen.add(id);
    })
    .sort((a, b) => a.span.start - b.span.start);
}

/** A lexical scope: names it binds, or `with` (which may bind anything). */
interface Scope {
  names?: Set<string>;
  isWith?: boolean;
  parent: Scope | null;
}

/** Merge tree of the attribute names defined in one attribute set, used to find duplicates as Nix does. */
interface AttrNode {
  span: Span;
  /** Sub-attributes when the definition is an attribute set Nix can merge into. */
  children?: Map<string, AttrNode>;
}

class Checker {
  constructor(private readonly problems: SemanticProblem[]) {}

  private resolve(name: string, scope: Scope | null): 'bound' | 'with' | 'unbound' {
    let sawWith = false;
    for (let s = scope; s; s = s.parent) {
      if (s.names?.has(name)) return 'bound';
      if (s.isWith) sawWith = true;
    }
    if (isGlobal(name)) return 'bound';
    return sawWith ? 'with' : 'unbound';
  }

  expr(root: Expr, rootScope: Scope | null): void {
    // An explicit stack keeps deeply nested files (long `++` chains, generated code) from overflowing.
    const stack: [Expr, Scope | null][] = [[root, rootScope]];
    while (stack.length) {
      const [e, scope] = stack.pop()!;
      const push = (x: Expr | undefined, s: Scope | null = scope) => {
        if (x) stack.push([x, s]);
      };
      switch (e.kind) {
        case 'var':
          if (this.resolve(e.name, scope) === 'unbound')
            this.problems.push({
              span: e.span,
              code: 'undefined-variable',
              message: `undefined variable '${e.name}'`,
            });
          break;
        case 'attrs': {
          const root = this.hosts(e.bindings, e.inherits, e.rec);
          this.bindHosts(root, scope, push);
          break;
        }
        case 'let': {
          // `let` binds like `rec { … }` whose values and body see its names.
          const root = this.hosts(e.bindings, e.inherits, true);
          push(e.body, this.bindHosts(root, scope, push));
          break;
        }
        case 'with':
          push(e.env);
          push(e.body, { isWith: true, parent: scope });
          break;
        case 'lambda': {
          const inner: Scope = { names: this.lambdaNames(e), parent: scope };
          for (const f of e.formals ?? []) push(f.default, inner);
          push(e.body, inner);
          break;
        }
        case 'path':
          if (e.value !== undefined && e.pathKind !== 'search' && e.value.length > 1 && e.value.endsWith('/'))
            this.problems.push({ span: e.span, code: 'syntax-error', message: 'path has a trailing slash' });
          for (const p of e.parts) if (typeof p !== 'string') push(p);
          break;
        case 'select':
        case 'hasAttr':
          push(e.target);
          for (const k of e.path) push(k.dynamic);
          if (e.kind === 'select') push(e.default);
          break;
        default:
          for (const c of childrenOf(e)) push(c);
      }
    }
  }

  /**
   * The sets of one binding list as Nix's parser leaves them after merging. Nix builds an inner set before the
   * outer one and merges a later definition of the same set *into the earlier one*: in
   * `a.b = 1; a = rec { c = b; }` the set `a` is the plain one `a.b` created (so `b` is undefined in `c`), while
   * in `a = rec { c = b; }; a.b = 1;` it is the `rec` one (and `b` is bound). The `rec` of a merged set and its
   * dynamic attributes (`${x} = …`) are dropped. Iterative: a frame per set being filled, innermost first.
   */
  private hosts(bindings: Binding[], inherits: Inherit[], rec: boolean): Host {
    this.duplicates(bindings, inherits);
    const root = newHost(rec);
    const frames: { host: Host; defs: Def[]; next: number; merged: boolean }[] = [
      { host: root, defs: defsOf(bindings, inherits), next: 0, merged: false },
    ];
    while (frames.length) {
      const frame = frames[frames.length - 1];
      if (frame.next >= frame.defs.length) {
        frames.pop();
        continue;
      }
      const def = frame.defs[frame.next++];
      if (def.inherit) {
        frame.host.inherits.push(def.inherit);
        for (const k of def.inherit.names) if (k.name !== undefined) addName(frame.host, k.name, null);
        continue;
      }
      const keys = def.keys;
      if (frame.merged && keys[0]?.name === undefined) continue; // dropped with the merged set's `rec`
      let h = frame.host;
      let last = keys.length - 1;
      for (let i = 0; i < last && h; i++) {
        const key = keys[i];
        if (key.name === undefined) {
          if (key.dynamic) h.values.push(key.dynamic);
          const c = newHost(false);
          h.nested.push(c);
          h = c;
          continue;
        }
        const existing = h.children.get(key.name);
        if (existing === null)
          last = -1; // a duplicate (reported by `duplicates`)
        else if (existing) h = existing;
        else h = addName(h, key.name, newHost(false))!;
      }
      const value = def.value ? unwrapParens(def.value) : undefined;
      const key = keys[last];
      if (!key) {
        if (def.value) h.values.push(def.value);
        continue;
      }
      let into: Host | undefined;
      let merged = false;
      if (key.name === undefined) {
        if (key.dynamic) h.values.push(key.dynamic);
        if (value?.kind === 'attrs') h.nested.push((into = newHost(value.rec)));
      } else {
        const existing = h.children.get(key.name);
        if (existing === undefined && value?.kind === 'attrs')
          into = addName(h, key.name, newHost(value.rec))!;
        else if (existing && value?.kind === 'attrs') {
          into = existing;
          merged = true;
        } else if (existing === undefined) addName(h, key.name, null);
      }
      if (into && value?.kind === 'attrs') {
        // (its repeats were found by the root's `duplicates`, which walks nested sets too)
        frames.push({ host: into, defs: defsOf(value.bindings, value.inherits), next: 0, merged });
      } else if (def.value) h.values.push(def.value);
    }
    return root;
  }

  /**
   * Queues every expression of the sets for checking in the scope Nix evaluates it in, and reports the
   * `inherit`s; returns the scope the root set's values see (a `let` body sees it too).
   */
  private bindHosts(
    root: Host,
    outer: Scope | null,
    push: (x: Expr | undefined, s?: Scope | null) => void,
  ): Scope | null {
    let rootScope: Scope | null = outer;
    const stack: [Host, Scope | null][] = [[root, outer]];
    while (stack.length) {
      const [h, context] = stack.pop()!;
      // A `${…}` key binds no variable, even in a `rec` set: Nix resolves names before it knows such keys.
      const inner: Scope | null = h.rec ? { names: h.names, parent: context } : context;
      if (h === root) rootScope = inner;
      for (const inh of h.inherits) {
        if (inh.from) push(inh.from, inner);
        for (const k of inh.names) {
          if (k.dynamic) {
            this.problems.push({
              span: k.span,
              code: 'syntax-error',
              message: 'dynamic attributes not allowed in inherit',
            });
          } else if (!inh.from && k.name && this.resolve(k.name, context) === 'unbound') {
            // `inherit x;` reads x from the enclosing scope, even inside `rec` and `let`. Nix reports it at the
            // character just before `inherit`; so do we (the name's own span follows).
            this.problems.push({
              span: { start: Math.max(0, inh.span.start - 1), end: k.span.end },
              code: 'undefined-variable',
              message: `undefined variable '${k.name}'`,
            });
          }
        }
      }
      for (const v of h.values) push(v, inner);
      for (const n of h.nested) stack.push([n, inner]);
    }
    return rootScope;
  }

  private lambdaNames(e: LambdaExpr): Set<string> {
    const names = new Set<string>();
    if (e.param) names.add(e.param.name);
    const seen = new Map<string, Span>();
    for (const f of e.formals ?? []) {
      if (seen.has(f.name.name)) {
        this.problems.push({
          span: f.name.span,
          code: 'syntax-error',
          message: `duplicate formal function argument '${f.name.name}'`,
        });
      } else seen.set(f.name.name, f.name.span);
      names.add(f.name.name);
    }
    const clash = e.param && e.formals?.find((f) => f.name.name === e.param!.name);
    if (e.param && clash) {
      // `a @ { a }: …`: Nix reports it where the function starts; the span covers the pattern up to the formal.
      this.problems.push({
        span: { start: e.span.start, end: Math.max(e.param.span.end, clash.name.span.end) },
        code: 'syntax-error',
        message: `duplicate formal function argument '${e.param.name}' (it is also the name after '@')`,
      });
    }
    return names;
  }

  /**
   * Nix merges `a.b = 1; a.c = 2;` and `a = { b = 1; }; a = { c = 2; };`, and refuses any other repeat.
   * Sets merge recursively (`nix.settings.max-jobs = 4; nix = { settings.cores = 4; };`), as current Nix does
   * (NixOS/nix#11294): Nix 2.8, the test oracle, merged one level only and refused that; reporting it would be
   * false for the Nix people run today.
   * Iterative, depth-first (a nested set is filled before the next definition of its parent, as Nix does):
   * a frame per set being filled.
   */
  private duplicates(bindings: Binding[], inherits: Inherit[]): void {
    const frames: DupFrame[] = [
      { level: new Map(), defs: dupDefs(bindings, inherits), next: 0, report: true, merged: false },
    ];
    while (frames.length) {
      const f = frames[frames.length - 1];
      if (f.next >= f.defs.length) {
        frames.pop();
        continue;
      }
      const d = f.defs[f.next++];
      const nested = this.insert(f, d.keys, d.value);
      if (nested) frames.push(nested);
    }
  }

  /** Inserts one definition into the frame's level; returns the frame that fills a nested set, if any. */
  private insert(frame: DupFrame, keys: AttrKey[], value: Expr | undefined): DupFrame | undefined {
    const { prefix, report, merged } = frame;
    let level = frame.level;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      if (key.name === undefined) return; // dynamic: only known at evaluation time
      const existing = level.get(key.name);
      if (i < keys.length - 1) {
        if (!existing) {
          const node: AttrNode = { span: key.span, children: new Map() };
          level.set(key.name, node);
          level = node.children!;
        } else if (existing.children) level = existing.children;
        else {
          this.reportDuplicate(prefix, keys, i, key, existing, report, merged);
          return;
        }
        continue;
      }
      const v = value ? unwrapParens(value) : undefined;
      const attrs = v?.kind === 'attrs' ? v : undefined;
      const inner: Prefix = { keys, parent: prefix };
      if (!existing) {
        const node: AttrNode = { span: key.span };
        level.set(key.name, node);
        if (attrs) {
          node.children = new Map();
          // A set of its own: its repeats are reported in its own terms (`b`, not `a.b`), as Nix does.
          const defs = dupDefs(attrs.bindings, attrs.inherits);
          return { level: node.children, defs, next: 0, report: true, merged: false };
        }
      } else if (existing.children && attrs) {
        // Merge into the earlier set; a key repeated inside is a duplicate.
        const defs = dupDefs(attrs.bindings, attrs.inherits);
        return { level: existing.children, defs, next: 0, prefix: inner, report, merged: true };
      } else this.reportDuplicate(prefix, keys, i, key, existing, report, merged);
    }
    return undefined;
  }

  private reportDuplicate(
    prefix: Prefix | undefined,
    /** The definition's own attribute path; `index` is where in it the repeat is. */
    own: AttrKey[],
    index: number,
    at: AttrKey,
    first: AttrNode,
    report: boolean,
    /** Found while merging a second set into an earlier one: Nix reports these at the earlier definition. */
    merged: boolean,
  ): void {
    if (!report) return;
    const outer = flattenPrefix(prefix);
    const keys = [...outer, ...own];
    const upto = outer.length + index;
    const firstKey = outer.length;
    const path = keys
      .slice(0, upto + 1)
      .map((k) => k.name ?? '${…}')
      .join('.');
    // Nix reports a duplicate where the binding's attribute path starts (`a` in `a.b.c = …`).
    const start = Math.min(at.span.start, keys[firstKey]?.span.start ?? at.span.start);
    this.problems.push({
      // Within a merged set Nix points one character before the earlier key.
      span: merged
        ? { start: Math.max(0, first.span.start - 1), end: first.span.end }
        : { start, end: at.span.end },
      code: 'duplicate-definition',
      message: `attribute '${path}' is already defined`,
      related: merged
        ? { span: at.span, message: 'defined again here' }
        : { span: first.span, message: 'first defined here' },
    });
  }
}

/**
 * One attribute set after Nix's parse-time merging (see `hosts`): the names it binds, whether it is recursive, and
 * what is evaluated in its scope.
 */
interface Host {
  rec: boolean;
  names: Set<string>;
  /** Its static attributes: a nested set, or null for any other value. */
  children: Map<string, Host | null>;
  /** Values and dynamic keys, evaluated in the set's scope. */
  values: Expr[];
  inherits: Inherit[];
  /** The nested sets, in definition order. */
  nested: Host[];
}

/** The attribute path of the set a duplicate check is filling, innermost last (shared, never copied). */
interface Prefix {
  keys: AttrKey[];
  parent?: Prefix;
}

function flattenPrefix(p: Prefix | undefined): AttrKey[] {
  const parts: AttrKey[][] = [];
  for (let q = p; q; q = q.parent) parts.push(q.keys);
  return parts.reverse().flat();
}

interface DupFrame {
  level: Map<string, AttrNode>;
  defs: { keys: AttrKey[]; value?: Expr }[];
  next: number;
  prefix?: Prefix;
  report: boolean;
  merged: boolean;
}

/** Definitions of a set in source order: its bindings, and each inherited name. */
function dupDefs(bindings: Binding[], inherits: Inherit[]): { keys: AttrKey[]; value?: Expr }[] {
  // Without inherits the bindings are the definitions, already in source order (the common case: no copies).
  if (inherits.length === 0 && inSourceOrder(bindings))
    return bindings.map((b) => ({ keys: b.path, value: b.value }));
  const defs: { start: number; keys: AttrKey[]; value?: Expr }[] = [];
  for (const i of inherits)
    for (const k of i.names) if (k.name !== undefined) defs.push({ start: k.span.start, keys: [k] });
  for (const b of bindings) defs.push({ start: b.span.start, keys: b.path, value: b.value });
  return defs.sort((a, b) => a.start - b.start);
}

/** A binding or an `inherit`, as Nix's grammar reads them: in source order. */
interface Def {
  keys: AttrKey[];
  value?: Expr;
  inherit?: Inherit;
}

function newHost(rec: boolean): Host {
  return { rec, names: new Set(), children: new Map(), values: [], inherits: [], nested: [] };
}

function addName(h: Host, name: string, child: Host | null): Host | null {
  if (!h.children.has(name)) {
    h.children.set(name, child);
    h.names.add(name);
    if (child) h.nested.push(child);
  }
  return child;
}

function defsOf(bindings: Binding[], inherits: Inherit[]): Def[] {
  const defs: Def[] = bindings.map((b) => ({ keys: b.path, value: b.value }));
  if (!inherits.length) return defs;
  for (const i of inherits) defs.push({ keys: [], inherit: i });
  const start = (d: Def) =>
    d.inherit ? d.inherit.span.start : (d.keys[0]?.span.start ?? d.value?.span.start ?? 0);
  return defs.sort((a, b) => start(a) - start(b));
}

function inSourceOrder(bindings: Binding[]): boolean {
  for (let i = 1; i < bindings.length; i++)
    if (bindings[i].span.start < bindings[i - 1].span.start) return false;
  return true;
}

function unwrapParens(e: Expr): Expr {
  while (e.kind === 'paren') e = e.expr;
  return e;
}

function childrenOf(e: Expr): Expr[] {
  switch (e.kind) {
    case 'assert':
      return [e.cond, e.body];
    case 'if':
      return [e.cond, e.then, e.else];
    case 'apply':
      return [e.fn, e.arg];
    case 'binary':
      return [e.left, e.right];
    case 'unary':
      return [e.arg];
    case 'string':
      return e.parts.filter((p): p is Expr => typeof p !== 'string');
    case 'list':
      return e.items;
    case 'paren':
      return [e.expr];
    default:
      return [];
  }
}
