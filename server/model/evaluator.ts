// A small, lazy, static evaluator for the parts of Nix that shape a NixOS configuration: let/rec/with scopes,
// functions and their application, imports, attribute sets and `//`, lists and `++`, strings, paths and
// interpolation, `if` on known conditions, and the handful of library functions that configurations are built
// from (nixosSystem, mkIf/mkDefault/mkForce/mkMerge, genAttrs, mapAttrs, listToAttrs, map, optional(s)).
// It never fails: whatever it cannot know becomes `unknown`, and it stops after a fixed amount of work.
import * as path from 'node:path';
import type { AttrsExpr, Binding, Expr, Inherit, LambdaExpr, StringPart } from '../syntax/ast';
import { resolveImportPath, type SourceProvider } from './sources';
import { known, UNKNOWN, type Env, type Source, type Thunk, type Value } from './value';

/** Library functions modelled by name, with their arity. Looked up by the last name of a selection. */
const MODELLED: Record<string, number> = {
  mkIf: 2,
  mkDefault: 1,
  mkForce: 1,
  mkOverride: 2,
  mkOptionDefault: 1,
  mkVMOverride: 1,
  mkImageMediaOverride: 1,
  mkMerge: 1,
  mkBefore: 1,
  mkAfter: 1,
  mkOrder: 2,
  nixosSystem: 1,
  genAttrs: 2,
  mapAttrs: 2,
  nameValuePair: 2,
  listToAttrs: 1,
  optional: 2,
  optionals: 2,
  optionalAttrs: 2,
  optionalString: 2,
  attrNames: 1,
  map: 2,
  import: 1,
  toString: 1,
  recursiveUpdate: 2,
};

/** Module-system priorities (lower wins), as lib/modules.nix defines them. */
export const PRIORITY = {
  force: 50,
  vmOverride: 10,
  normal: 100,
  default: 1000,
  optionDefault: 1500,
} as const;

const GLOBAL_FUNCTIONS = new Set(['import', 'map', 'toString']);

/**
 * A function implemented outside the evaluator (the models of flake libraries: flake-parts' mkFlake,
 * flake-utils, nix-darwin's darwinSystem, ...), reached as a `fn` value with its name.
 */
export interface NativeFunction {
  arity: number;
  call(args: Thunk[], src?: Source): Value;
}

export interface EvalOptions {
  /** Maximum evaluation steps for one configuration (keeps pathological files from stalling the editor). */
  fuel?: number;
}

export class Evaluator {
  private fuel: number;
  private depth = 0;
  /** Every file this evaluator read, so an edit to one of them re-analyses what depends on it. */
  readonly filesRead = new Set<string>();
  private readonly importCache = new Map<string, Thunk>();
  private readonly trackers: Set<string>[] = [];
  /** Functions modelled outside the evaluator, by the name their `fn` values carry. */
  readonly natives = new Map<string, NativeFunction>();
  /** Told of every call of a function nixkit does not know (to say why a result is unknown). */
  onOpaqueCall?: (fn: Value, src?: Source) => void;

  /** Runs `fn` and says which files it read (so a result computed from them can be cached until they change). */
  track<T>(fn: () => T): { result: T; files: Set<string> } {
    const files = new Set<string>();
    this.trackers.push(files);
    try {
      return { result: fn(), files };
    } finally {
      this.trackers.splice(this.trackers.indexOf(files), 1);
    }
  }

  constructor(
    readonly sources: SourceProvider,
    options: EvalOptions = {},
  ) {
    this.fuel = options.fuel ?? 200_000;
  }

  /** A thunk for a file's top-level expression (memoised: `import` of the same file shares it). */
  fileThunk(file: string): Thunk {
    for (const t of this.trackers) t.add(file);
    let t = this.importCache.get(file);
    if (t) return t;
    this.filesRead.add(file);
    const parsed = this.sources.parsed(file);
    t = parsed?.ast.expr ? { expr: parsed.ast.expr, env: rootEnv(), file } : known(UNKNOWN);
    this.importCache.set(file, t);
    return t;
  }

  force(t: Thunk): Value {
    if (t.value) return t.value;
    if (t.forcing || !t.expr || !t.env || !t.file) return UNKNOWN; // infinite recursion, or nothing to evaluate
    if (this.depth > 300) return UNKNOWN;
    t.forcing = true;
    this.depth++;
    try {
      t.value = this.eval(t.expr, t.env, t.file);
    } finally {
      this.depth--;
      t.forcing = false;
    }
    return t.value;
  }

  eval(e: Expr, env: Env, file: string): Value {
    if (--this.fuel < 0) return UNKNOWN;
    const src: Source = { file, span: e.span };
    switch (e.kind) {
      case 'paren':
        return this.eval(e.expr, env, file);
      case 'int':
      case 'float':
        return { t: e.kind, v: e.value, src };
      case 'uri':
        return { t: 'str', v: e.value, src };
      case 'string':
        return this.stringValue(e.parts, env, file, src);
      case 'path':
        return this.pathValue(e.pathKind, e.parts, env, file, src);
      case 'list':
        return { t: 'list', items: e.items.map((x) => ({ expr: x, env, file })), src };
      case 'attrs':
        return this.attrsValue(e, env, file);
      case 'let': {
        const inner: Env = { vars: new Map(), withs: [], parent: env };
        this.bindInto(inner.vars, e.bindings, e.inherits, inner, env, file, { dynamic: false });
        return this.eval(e.body, inner, file);
      }
      case 'with':
        return this.eval(e.body, { vars: new Map(), withs: [{ expr: e.env, env, file }], parent: env }, file);
      case 'assert':
        return this.eval(e.body, env, file);
      case 'if': {
        const c = this.eval(e.cond, env, file);
        if (c.t === 'bool') return this.eval(c.v ? e.then : e.else, env, file);
        return { t: 'unknown', src };
      }
      case 'lambda':
        return { t: 'lambda', expr: e, env, file, src };
      case 'var':
        return this.lookup(e.name, env, src);
      case 'select':
        return this.selectExpr(e.target, e.path, e.default, env, file, src);
      case 'hasAttr': {
        let v = this.eval(e.target, env, file);
        for (const k of e.path) {
          const name = k.name ?? this.keyName(k.dynamic, env, file);
          if (name === undefined || v.t !== 'attrs' || v.dynamic) return { t: 'unknown', src };
          const next = v.attrs.get(name);
          if (!next) return { t: 'bool', v: false, src };
          v = this.force(next);
        }
        return { t: 'bool', v: true, src };
      }
      case 'apply':
        return this.apply(this.eval(e.fn, env, file), { expr: e.arg, env, file }, src);
      case 'binary':
        return this.binary(e.op, e.left, e.right, env, file, src);
      case 'unary': {
        const v = this.eval(e.arg, env, file);
        if (e.op === '!' && v.t === 'bool') return { t: 'bool', v: !v.v, src };
        if (e.op === '-' && (v.t === 'int' || v.t === 'float')) return { t: v.t, v: -v.v, src };
        return { t: 'unknown', src };
      }
      default:
        return { t: 'unknown', src };
    }
  }

  // ---- scopes ----------------------------------------------------------------------------------------

  private lookup(name: string, env: Env, src: Source): Value {
    const withs: Thunk[] = [];
    for (let s: Env | undefined = env; s; s = s.parent) {
      const t = s.vars.get(name);
      if (t) return this.force(t);
      withs.push(...s.withs);
    }
    // Builtins (`true`, `import`, ...) are bound in Nix's outermost lexical scope: `with lib;` cannot shadow them.
    switch (name) {
      case 'true':
        return { t: 'bool', v: true, src };
      case 'false':
        return { t: 'bool', v: false, src };
      case 'null':
        return { t: 'null', src };
      case 'builtins':
        return { t: 'unknown', path: ['builtins'], src };
    }
    if (GLOBAL_FUNCTIONS.has(name)) return { t: 'fn', name, args: [], src };
    // Lexical bindings win over `with`; the innermost `with` wins among them.
    for (const w of withs) {
      const v = this.force(w);
      if (v.t === 'attrs') {
        const t = v.attrs.get(name);
        if (t) return this.force(t);
        if (v.dynamic) return { t: 'unknown', path: [name], src };
      } else return { t: 'unknown', path: [name], src };
    }
    return { t: 'unknown', path: [name], src };
  }

  private bindInto(
    target: Map<string, Thunk>,
    bindings: Binding[],
    inherits: Inherit[],
    valueEnv: Env,
    outerEnv: Env,
    file: string,
    flags: { dynamic: boolean },
  ): void {
    for (const inh of inherits) {
      for (const k of inh.names) {
        if (k.name === undefined) continue;
        const name = k.name;
        const thunk: Thunk = inh.from
          ? { value: undefined, keySpan: k.span, bindingSpan: inh.span }
          : { keySpan: k.span, bindingSpan: inh.span };
        // Resolved lazily: `inherit (src) x` selects from src; `inherit x` reads x from the outer scope.
        const from = inh.from;
        Object.defineProperty(thunk, 'value', {
          configurable: true,
          enumerable: true,
          get: () => {
            const v = from
              ? this.selectValue(this.eval(from, valueEnv, file), name, { file, span: k.span })
              : this.lookup(name, outerEnv, { file, span: k.span });
            Object.defineProperty(thunk, 'value', {
              value: v,
              writable: true,
              configurable: true,
              enumerable: true,
            });
            return v;
          },
        });
        target.set(name, thunk);
      }
    }
    for (const b of bindings) this.bindPath(target, b, 0, valueEnv, file, flags);
  }

  /** `a.b.c = v;` creates (or extends) nested sets `a` and `b`, as Nix does. */
  private bindPath(
    target: Map<string, Thunk>,
    b: Binding,
    i: number,
    env: Env,
    file: string,
    flags: { dynamic: boolean },
  ): void {
    const key = b.path[i];
    if (!key) return;
    const name = key.name ?? this.keyName(key.dynamic, env, file);
    if (name === undefined) {
      flags.dynamic = true;
      return;
    }
    if (i === b.path.length - 1) {
      const existing = target.get(name);
      const thunk: Thunk = {
        expr: b.value,
        env,
        file,
        keySpan: key.span,
        bindingSpan: b.span,
        bindingKeys: b.path.length,
      };
      if (existing?.value?.t === 'attrs' && b.value.kind === 'attrs') {
        // `a.x = 1; a = { y = 2; };` merge into the set already built.
        const v = this.force(thunk);
        if (v.t === 'attrs') for (const [k, t] of v.attrs) existing.value.attrs.set(k, t);
        return;
      }
      target.set(name, thunk);
      return;
    }
    let next = target.get(name);
    if (!next || next.value?.t !== 'attrs') {
      const merged: Value = { t: 'attrs', attrs: new Map(), dynamic: false, src: { file, span: b.span } };
      if (next) {
        const v = this.force(next);
        if (v.t === 'attrs') for (const [k, t] of v.attrs) merged.attrs.set(k, t);
      }
      next = { value: merged, keySpan: key.span, bindingSpan: b.span, file };
      target.set(name, next);
    }
    const nested = next.value as Extract<Value, { t: 'attrs' }>;
    const nestedFlags = { dynamic: nested.dynamic };
    this.bindPath(nested.attrs, b, i + 1, env, file, nestedFlags);
    nested.dynamic = nestedFlags.dynamic;
  }

  private keyName(dynamic: Expr | undefined, env: Env, file: string): string | undefined {
    if (!dynamic) return undefined;
    const v = this.eval(dynamic, env, file);
    return v.t === 'str' ? v.v : undefined;
  }

  private attrsValue(e: AttrsExpr, env: Env, file: string): Value {
    const attrs = new Map<string, Thunk>();
    const flags = { dynamic: false };
    const inner: Env = e.rec ? { vars: attrs, withs: [], parent: env } : env;
    this.bindInto(attrs, e.bindings, e.inherits, inner, env, file, flags);
    return { t: 'attrs', attrs, dynamic: flags.dynamic, src: { file, span: e.span } };
  }

  // ---- selection ---------------------------------------------------------------------------------------

  private selectExpr(
    target: Expr,
    keys: { name?: string; dynamic?: Expr }[],
    def: Expr | undefined,
    env: Env,
    file: string,
    src: Source,
  ): Value {
    let v = this.eval(target, env, file);
    for (const k of keys) {
      const name = k.name ?? this.keyName(k.dynamic, env, file);
      if (name === undefined) return { t: 'unknown', src };
      if (v.t === 'attrs' && !v.attrs.has(name) && !v.dynamic && def) return this.eval(def, env, file);
      v = this.selectValue(v, name, src);
    }
    return v;
  }

  selectValue(v: Value, name: string, src?: Source): Value {
    switch (v.t) {
      case 'attrs': {
        const t = v.attrs.get(name);
        return t ? this.force(t) : { t: 'unknown', src };
      }
      case 'unknown':
        return { t: 'unknown', path: v.path ? [...v.path, name] : undefined, src };
      case 'external':
        return { t: 'external', name: `${v.name}.${name}`, src };
      default:
        return { t: 'unknown', src };
    }
  }

  // ---- application -------------------------------------------------------------------------------------

  apply(fn: Value, arg: Thunk, src?: Source): Value {
    if (--this.fuel < 0) return UNKNOWN;
    switch (fn.t) {
      case 'lambda':
        return this.callLambda(fn.expr, fn.env, fn.file, arg);
      case 'fn': {
        const args = [...fn.args, arg];
        if (args.length < (MODELLED[fn.name] ?? this.natives.get(fn.name)?.arity ?? 1))
          return { ...fn, args };
        return this.callModelled(fn.name, args, src);
      }
      case 'unknown': {
        const name = fn.path?.[fn.path.length - 1];
        if (name && name in MODELLED && !(fn.path!.length === 1 && !isLibName(name))) {
          return this.apply({ t: 'fn', name, args: [], src }, arg, src);
        }
        this.onOpaqueCall?.(fn, src);
        return { t: 'unknown', src };
      }
      default:
        return { t: 'unknown', src };
    }
  }

  /** Binds a function's parameters to an argument and evaluates its body. */
  callLambda(
    expr: LambdaExpr,
    closure: Env,
    file: string,
    arg: Thunk,
    argNames?: (name: string) => Thunk | undefined,
  ): Value {
    const vars = new Map<string, Thunk>();
    const env: Env = { vars, withs: [], parent: closure };
    if (expr.param) vars.set(expr.param.name, arg);
    if (expr.formals) {
      let argAttrs: Value | undefined;
      const getArg = () => (argAttrs ??= this.force(arg));
      for (const f of expr.formals) {
        const name = f.name.name;
        const thunk: Thunk = {};
        Object.defineProperty(thunk, 'value', {
          configurable: true,
          enumerable: true,
          get: () => {
            const a = getArg();
            let v: Value;
            const provided = argNames?.(name) ?? (a.t === 'attrs' ? a.attrs.get(name) : undefined);
            if (provided) v = this.force(provided);
            else if (f.default && a.t === 'attrs' && !a.dynamic) v = this.eval(f.default, env, file);
            else v = { t: 'unknown', path: [name] };
            Object.defineProperty(thunk, 'value', {
              value: v,
              writable: true,
              configurable: true,
              enumerable: true,
            });
            return v;
          },
        });
        vars.set(name, thunk);
      }
    }
    return this.eval(expr.body, env, file);
  }

  private callModelled(name: string, args: Thunk[], src?: Source): Value {
    const v = (i: number) => this.force(args[i]);
    switch (name) {
      case 'mkIf':
        return { t: 'mk', kind: 'if', cond: v(0), content: [args[1]], src };
      case 'mkDefault':
        return { t: 'mk', kind: 'priority', priority: PRIORITY.default, content: [args[0]], src };
      case 'mkForce':
        return { t: 'mk', kind: 'priority', priority: PRIORITY.force, content: [args[0]], src };
      case 'mkOptionDefault':
        return { t: 'mk', kind: 'priority', priority: PRIORITY.optionDefault, content: [args[0]], src };
      case 'mkVMOverride':
        return { t: 'mk', kind: 'priority', priority: PRIORITY.vmOverride, content: [args[0]], src };
      case 'mkImageMediaOverride':
        return { t: 'mk', kind: 'priority', priority: 60, content: [args[0]], src };
      case 'mkOverride': {
        const p = v(0);
        return {
          t: 'mk',
          kind: 'priority',
          priority: p.t === 'int' ? p.v : undefined,
          content: [args[1]],
          src,
        };
      }
      case 'mkBefore':
      case 'mkAfter':
        return { t: 'mk', kind: 'order', content: [args[0]], src };
      case 'mkOrder':
        return { t: 'mk', kind: 'order', content: [args[1]], src };
      case 'mkMerge': {
        const list = v(0);
        return list.t === 'list'
          ? { t: 'mk', kind: 'merge', content: list.items, src }
          : { t: 'unknown', src };
      }
      case 'nixosSystem':
        return { t: 'nixosSystem', args: args[0], src };
      case 'import': {
        const p = v(0);
        if (p.t === 'path') return this.force(this.fileThunk(resolveImportPath(p.v, this.sources)));
        return p.t === 'external' ? p : { t: 'unknown', src };
      }
      case 'toString': {
        const s = v(0);
        if (s.t === 'str' || s.t === 'path') return { t: 'str', v: s.v, src };
        if (s.t === 'int') return { t: 'str', v: String(s.v), src };
        return { t: 'unknown', src };
      }
      case 'genAttrs': {
        const names = v(0);
        if (names.t !== 'list') return { t: 'unknown', src };
        const attrs = new Map<string, Thunk>();
        for (const item of names.items) {
          const n = this.force(item);
          if (n.t !== 'str') return { t: 'unknown', src };
          attrs.set(
            n.v,
            this.lazy(() => this.apply(this.force(args[1]), known(n), src)),
          );
        }
        return { t: 'attrs', attrs, dynamic: false, src };
      }
      case 'mapAttrs': {
        const set = v(1);
        if (set.t !== 'attrs') return { t: 'unknown', src };
        const attrs = new Map<string, Thunk>();
        for (const [k, t] of set.attrs) {
          attrs.set(
            k,
            this.lazy(() =>
              this.apply(this.apply(this.force(args[0]), known({ t: 'str', v: k }), src), t, src),
            ),
          );
        }
        return { t: 'attrs', attrs, dynamic: set.dynamic, src };
      }
      case 'nameValuePair':
        return {
          t: 'attrs',
          attrs: new Map([
            ['name', args[0]],
            ['value', args[1]],
          ]),
          dynamic: false,
          src,
        };
      case 'listToAttrs': {
        const list = v(0);
        if (list.t !== 'list') return { t: 'unknown', src };
        const attrs = new Map<string, Thunk>();
        for (const item of list.items) {
          const pair = this.force(item);
          if (pair.t !== 'attrs') return { t: 'unknown', src };
          const n = pair.attrs.get('name');
          const val = pair.attrs.get('value');
          const nv = n && this.force(n);
          if (!nv || nv.t !== 'str' || !val) return { t: 'unknown', src };
          attrs.set(nv.v, val);
        }
        return { t: 'attrs', attrs, dynamic: false, src };
      }
      case 'map': {
        const list = v(1);
        if (list.t !== 'list') return { t: 'unknown', src };
        return {
          t: 'list',
          items: list.items.map((it) => this.lazy(() => this.apply(this.force(args[0]), it, src))),
          src,
        };
      }
      case 'attrNames': {
        const set = v(0);
        if (set.t !== 'attrs' || set.dynamic) return { t: 'unknown', src };
        return { t: 'list', items: [...set.attrs.keys()].sort().map((k) => known({ t: 'str', v: k })), src };
      }
      case 'optional':
      case 'optionals': {
        const c = v(0);
        if (c.t !== 'bool') return { t: 'unknown', src };
        if (!c.v) return { t: 'list', items: [], src };
        return name === 'optional' ? { t: 'list', items: [args[1]], src } : v(1);
      }
      case 'optionalAttrs': {
        const c = v(0);
        if (c.t !== 'bool') return { t: 'mk', kind: 'if', cond: c, content: [args[1]], src };
        return c.v ? v(1) : { t: 'attrs', attrs: new Map(), dynamic: false, src };
      }
      case 'optionalString': {
        const c = v(0);
        if (c.t !== 'bool') return { t: 'unknown', src };
        return c.v ? v(1) : { t: 'str', v: '', src };
      }
      case 'recursiveUpdate':
        return this.update(v(0), v(1), src);
      default: {
        const native = this.natives.get(name);
        return native ? native.call(args, src) : { t: 'unknown', src };
      }
    }
  }

  private lazy(compute: () => Value): Thunk {
    const thunk: Thunk = {};
    Object.defineProperty(thunk, 'value', {
      configurable: true,
      enumerable: true,
      get: () => {
        Object.defineProperty(thunk, 'value', {
          value: UNKNOWN,
          writable: true,
          configurable: true,
          enumerable: true,
        });
        const v = compute();
        thunk.value = v;
        return v;
      },
    });
    return thunk;
  }

  // ---- operators, strings, paths -----------------------------------------------------------------------

  private binary(op: string, l: Expr, r: Expr, env: Env, file: string, src: Source): Value {
    switch (op) {
      case '//':
        return this.update(this.eval(l, env, file), this.eval(r, env, file), src);
      case '++': {
        const a = this.eval(l, env, file);
        const b = this.eval(r, env, file);
        return a.t === 'list' && b.t === 'list'
          ? { t: 'list', items: [...a.items, ...b.items], src }
          : { t: 'unknown', src };
      }
      case '+': {
        const a = this.eval(l, env, file);
        const b = this.eval(r, env, file);
        if (a.t === 'str' && (b.t === 'str' || b.t === 'path')) return { t: 'str', v: a.v + b.v, src };
        if (a.t === 'path' && b.t === 'str') return { t: 'path', v: path.normalize(a.v + b.v), src };
        if (a.t === 'int' && b.t === 'int') return { t: 'int', v: a.v + b.v, src };
        // `modulesPath + "/profiles/qemu-guest.nix"`: a NixOS module known by name.
        if (a.t === 'unknown' && a.path?.length === 1 && a.path[0] === 'modulesPath' && b.t === 'str')
          return { t: 'external', name: `<nixpkgs/nixos/modules>${b.v}`, src };
        return { t: 'unknown', src };
      }
      case '==':
      case '!=': {
        const a = this.eval(l, env, file);
        const b = this.eval(r, env, file);
        const eq = scalarEquals(a, b);
        return eq === undefined ? { t: 'unknown', src } : { t: 'bool', v: op === '==' ? eq : !eq, src };
      }
      case '&&':
      case '||': {
        const a = this.eval(l, env, file);
        if (a.t === 'bool' && (op === '&&' ? !a.v : a.v)) return { t: 'bool', v: a.v, src };
        const b = this.eval(r, env, file);
        if (a.t === 'bool' && b.t === 'bool') return { t: 'bool', v: b.v, src };
        if (b.t === 'bool' && (op === '&&' ? !b.v : b.v)) return { t: 'bool', v: b.v, src };
        return { t: 'unknown', src };
      }
      default:
        return { t: 'unknown', src };
    }
  }

  private update(a: Value, b: Value, src?: Source): Value {
    if (a.t === 'attrs' && b.t === 'attrs') {
      const attrs = new Map(a.attrs);
      for (const [k, t] of b.attrs) attrs.set(k, t);
      return { t: 'attrs', attrs, dynamic: a.dynamic || b.dynamic, src };
    }
    return { t: 'unknown', src };
  }

  private stringValue(parts: StringPart[], env: Env, file: string, src: Source): Value {
    let out = '';
    for (const p of parts) {
      if (typeof p === 'string') out += p;
      else {
        const v = this.eval(p, env, file);
        if (v.t === 'str' || v.t === 'path') out += v.v;
        else if (v.t === 'int') out += String(v.v);
        else return { t: 'unknown', src };
      }
    }
    return { t: 'str', v: out, src };
  }

  private pathValue(kind: string, parts: StringPart[], env: Env, file: string, src: Source): Value {
    const s = this.stringValue(parts, env, file, src);
    if (s.t !== 'str') return { t: 'unknown', src };
    if (kind === 'search') return { t: 'external', name: `<${s.v}>`, src };
    if (kind === 'home') return { t: 'unknown', src };
    const resolved = kind === 'absolute' ? path.normalize(s.v) : path.resolve(path.dirname(file), s.v);
    return { t: 'path', v: resolved, src };
  }
}

/** `lib`-style names that mean the library function even when called unqualified (via `with lib;`). */
function isLibName(name: string): boolean {
  return name !== 'import' && name !== 'map' && name !== 'toString';
}

function scalarEquals(a: Value, b: Value): boolean | undefined {
  const scalar = (v: Value) =>
    v.t === 'str' || v.t === 'int' || v.t === 'bool' || v.t === 'null' || v.t === 'path';
  if (!scalar(a) || !scalar(b)) return undefined;
  if (a.t !== b.t) return false;
  return (a as { v?: unknown }).v === (b as { v?: unknown }).v;
}

export function rootEnv(): Env {
  return { vars: new Map(), withs: [] };
}
