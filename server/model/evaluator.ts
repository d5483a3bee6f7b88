// A lazy, static evaluator of the whole Nix language with an explicit *unknown* value: what nixkit can know about
// an expression without running Nix. let/rec/with scopes, functions with formals, defaults and `@` patterns,
// imports of files and folders, every operator, strings and paths with interpolation, and every builtin that
// needs no store (builtins.ts). Whatever it cannot know (the store, the network, the environment, a value it was
// not given) is `unknown`; a `throw` or failed `assert` is an unknown that says so (`tryEval` can catch it).
//
// It never fails and never runs away. The bounds, chosen so that no file takes more than a few hundred
// milliseconds and no input exhausts the JavaScript stack:
// - fuel: DEFAULT_FUEL (250,000) steps to find a unit's machines, and again for each machine's modules, up to
//   8 × DEFAULT_FUEL per analysis unit (a flake with all its configurations, or one configuration.nix; see
//   project.ts). A step is one `eval` or function application; builtins charge
//   for the work they do (a list of n elements costs about n). Out of fuel, everything left is unknown. A step
//   takes 1-2 microseconds at worst (hostile input), so an evaluator stops within about half a second.
// - depth: MAX_DEPTH (900) nested evaluations (eval, force, application). Tail positions (parentheses, `let`,
//   `with`, `assert`, `if` branches and the body of a function call) continue in a loop and do not nest, so
//   tail-recursive Nix functions run within the fuel, not the depth. Deeper is unknown.
// - sizes: lists of at most MAX_LIST elements and strings of at most MAX_STRING characters; larger is unknown.
import * as path from 'node:path';
import type { AttrKey, AttrsExpr, Binding, Expr, Inherit, LambdaExpr, StringPart } from '../syntax/ast';
import { BUILTIN_GLOBALS, callPrimop, makeBuiltins, primopArity } from './builtins';
import { buildNixpkgsLib } from './nixpkgs-lib';
import { resolveImportPath, type SourceProvider } from './sources';
import { known, UNKNOWN, type Env, type Source, type Thunk, type Value } from './value';

export const DEFAULT_FUEL = 250_000;
export const MAX_DEPTH = Number(process.env.NIXKIT_MAX_DEPTH ?? 900);
export const MAX_LIST = 1_000_000;
export const MAX_STRING = 16 * 1024 * 1024;

/** Module-system priorities (lower wins), as lib/modules.nix defines them. */
export const PRIORITY = {
  force: 50,
  vmOverride: 10,
  normal: 100,
  default: 1000,
  optionDefault: 1500,
} as const;

/**
 * Library functions recognised by name when applied through something nixkit cannot see (`nixpkgs.lib.mkIf`
 * with `nixpkgs` an input, `mkIf` under `with lib;` with `lib` a module argument).
 */
const BY_NAME = new Set([
  'mkIf',
  'mkDefault',
  'mkForce',
  'mkOverride',
  'mkOptionDefault',
  'mkVMOverride',
  'mkImageMediaOverride',
  'mkMerge',
  'mkBefore',
  'mkAfter',
  'mkOrder',
  'nixosSystem',
  'genAttrs',
  'mapAttrs',
  'nameValuePair',
  'listToAttrs',
  'optional',
  'optionals',
  'optionalAttrs',
  'optionalString',
  'attrNames',
  'recursiveUpdate',
]);

/**
 * A function implemented outside the evaluator (the models of flake libraries: flake-parts' mkFlake,
 * flake-utils, nix-darwin's darwinSystem, ...), reached as a `fn` value with its name.
 */
export interface NativeFunction {
  arity: number;
  call(args: Thunk[], src?: Source): Value;
}

export interface EvalOptions {
  /** Maximum evaluation steps for one evaluator (keeps pathological files from stalling the editor). */
  fuel?: number;
  /**
   * Apply library functions reached through unknown values by their name (`x.lib.genAttrs`, `mkIf` under an
   * unknown `with lib;`). On by default; discovery that knows the inputs can turn it off.
   */
  libByName?: boolean;
}

type Attrs = Extract<Value, { t: 'attrs' }>;

import { isVirtualFile } from './virtual-files';
export { isVirtualFile, VIRTUAL_PREFIX } from './virtual-files';

/** What `nixosSystem` returns that a set joined to it with `//` would replace (eval-config.nix's result). */
const SYSTEM_ATTRS = new Set(['config', 'options', 'extendModules', 'type', '_module', 'class', 'pkgs']);

export class Evaluator {
  fuel: number;
  depth = 0;
  readonly libByName: boolean;
  /** Every file this evaluator read, so an edit to one of them re-analyses what depends on it. */
  readonly filesRead = new Set<string>();
  private readonly importCache = new Map<string, Thunk>();
  private readonly trackers: Set<string>[] = [];
  /** Functions modelled outside the evaluator (flake libraries), by the name their `fn` values carry. */
  readonly natives = new Map<string, NativeFunction>();
  /** Told of every call of a function nixkit does not know (to say why a result is unknown). */
  onOpaqueCall?: (fn: Value, src?: Source) => void;
  /**
   * Flake inputs nixkit does not know, by name. Their `lib.nixosSystem` is not nixpkgs' own but a wrapper
   * (nixos-raspberrypi's adds its board module): a machine whose modules are partly unknown.
   */
  readonly unknownInputs = new Set<string>();
  /** Paths `builtins.pathExists` found missing that git ignores (or a submodule not checked out holds). */
  readonly ignoredProbes = new Set<string>();
  private builtinsValue?: Attrs;
  /** The nixpkgs `lib` value, built on first use. */
  private libValue?: Value;

  constructor(
    readonly sources: SourceProvider,
    options: EvalOptions = {},
  ) {
    this.fuel = options.fuel ?? DEFAULT_FUEL;
    this.libByName = options.libByName ?? true;
  }

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

  /** Records a file (or folder) an evaluation depended on. */
  noteRead(file: string): void {
    for (const t of this.trackers) t.add(file);
    this.filesRead.add(file);
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

  /** `builtins`: one attribute set per evaluator. */
  builtins(): Attrs {
    return (this.builtinsValue ??= makeBuiltins(this));
  }

  /** The nixpkgs `lib` (its natives only when the prelude cannot be built: the grammar is not loaded). */
  lib(): Value {
    if (!this.libValue) {
      this.libValue = UNKNOWN; // while it is built: a prelude that reached for lib itself gets unknown
      this.libValue = buildNixpkgsLib(this);
    }
    return this.libValue;
  }

  /** Takes `n` steps of fuel for work a builtin does; false when the fuel has run out. */
  charge(n: number): boolean {
    this.fuel -= n;
    return this.fuel >= 0;
  }

  force(t: Thunk): Value {
    const v = t.value;
    if (v) return v;
    if (this.depth > 0) return this.forceThunk(t);
    // The outermost call: a last guard, should a bound be missed (a stack overflow, a string too long).
    try {
      return this.forceThunk(t);
    } catch (e) {
      if (e instanceof RangeError) return UNKNOWN;
      throw e;
    }
  }

  private forceThunk(t: Thunk): Value {
    if (t.forcing) return UNKNOWN; // infinite recursion
    if (this.depth >= MAX_DEPTH) return UNKNOWN;
    const fn = t.fn;
    if (!fn && (!t.expr || !t.env || !t.file)) return UNKNOWN;
    t.forcing = true;
    this.depth++;
    try {
      const v = fn ? fn() : this.eval(t.expr as Expr, t.env as Env, t.file as string);
      t.value = v;
      t.fn = undefined;
      return v;
    } finally {
      this.depth--;
      t.forcing = false;
    }
  }

  /** A thunk computed by native code on first use. */
  lazy(fn: () => Value): Thunk {
    return { fn };
  }

  eval(e: Expr, env: Env, file: string): Value {
    if (this.depth >= MAX_DEPTH) return UNKNOWN;
    this.depth++;
    try {
      return this.evalLoop(e, env, file);
    } finally {
      this.depth--;
    }
  }

  /** Evaluates `e`; expressions in tail position continue the loop instead of nesting. */
  private evalLoop(e: Expr, env: Env, file: string): Value {
    for (;;) {
      if (--this.fuel < 0) return UNKNOWN;
      switch (e.kind) {
        case 'paren':
          e = e.expr;
          continue;
        case 'let': {
          const inner: Env = { vars: new Map(), withs: [], parent: env };
          this.bindInto(inner.vars, e.bindings, e.inherits, inner, env, file, { dynamic: false });
          env = inner;
          e = e.body;
          continue;
        }
        case 'with':
          env = { vars: new Map(), withs: [{ expr: e.env, env, file }], parent: env };
          e = e.body;
          continue;
        case 'assert': {
          const c = this.eval(e.cond, env, file);
          if (c.t === 'bool' && !c.v) return this.fail('assertion failed', e.span, file);
          if (c.t === 'unknown' && c.error) return c;
          // An unknown condition: the value, should evaluation succeed, is the body's.
          e = e.body;
          continue;
        }
        case 'if': {
          const c = this.eval(e.cond, env, file);
          if (c.t === 'bool') {
            e = c.v ? e.then : e.else;
            continue;
          }
          return this.unknownFrom(c, src(e, file));
        }
        case 'apply': {
          const fn = this.eval(e.fn, env, file);
          const arg: Thunk = { expr: e.arg, env, file };
          if (fn.t === 'lambda') {
            if (--this.fuel < 0) return UNKNOWN;
            const bound = this.bindLambda(fn.expr, fn.env, fn.file, arg);
            if (!('vars' in bound)) return bound;
            env = bound;
            file = fn.file;
            e = fn.expr.body;
            continue;
          }
          return this.apply(fn, arg, src(e, file));
        }
        case 'int':
        case 'float':
          return { t: e.kind, v: e.value, src: src(e, file) };
        case 'uri':
          return { t: 'str', v: e.value, src: src(e, file) };
        case 'string':
          return this.stringValue(e.parts, env, file, src(e, file));
        case 'path':
          return this.pathValue(e.pathKind, e.parts, env, file, src(e, file));
        case 'list': {
          const items = new Array<Thunk>(e.items.length);
          for (let i = 0; i < items.length; i++) items[i] = { expr: e.items[i], env, file };
          return { t: 'list', items, src: src(e, file) };
        }
        case 'attrs':
          return this.attrsValue(e, env, file);
        case 'lambda':
          return { t: 'lambda', expr: e, env, file, src: src(e, file) };
        case 'var':
          // Nix's parser makes `__curPos` the position it is written at, whatever is in scope.
          if (e.name === '__curPos') return this.curPos(e.span.start, file, src(e, file));
          return this.lookup(e.name, env, src(e, file));
        case 'select':
          return this.selectExpr(e.target, e.path, e.default, env, file, src(e, file));
        case 'hasAttr':
          return this.hasAttrExpr(e.target, e.path, env, file, src(e, file));
        case 'binary':
          return this.binary(e.op, e.left, e.right, env, file, src(e, file));
        case 'unary': {
          const v = this.eval(e.arg, env, file);
          const s = src(e, file);
          if (e.op === '!') return v.t === 'bool' ? { t: 'bool', v: !v.v, src: s } : this.unknownFrom(v, s);
          if (e.op === '-') return this.arith('-', { t: 'int', v: 0 }, v, s);
          return { t: 'unknown', src: s };
        }
        default:
          return { t: 'unknown', src: src(e, file) };
      }
    }
  }

  /** An evaluation that surely fails (`throw`, a failed `assert`): unknown, but `tryEval` may catch it. */
  fail(message: string, span?: Expr['span'], file?: string): Value {
    return { t: 'unknown', error: message, src: span && file ? { file, span } : undefined };
  }

  /** The unknown an operation on `v` gives: a failure stays a failure, anything else loses its name. */
  unknownFrom(v: Value, s?: Source): Value {
    return v.t === 'unknown' && v.error ? v : { t: 'unknown', src: s };
  }

  // ---- scopes ----------------------------------------------------------------------------------------

  /** A variable bound by `let`, a function argument or `rec` around here (not `with`, not a builtin). */
  private lexical(name: string, env: Env): Thunk | undefined {
    for (let sc: Env | undefined = env; sc; sc = sc.parent) {
      const t = sc.vars.get(name);
      if (t) return t;
    }
    return undefined;
  }

  lookup(name: string, env: Env, s?: Source): Value {
    let hasWith = false;
    for (let sc: Env | undefined = env; sc; sc = sc.parent) {
      const t = sc.vars.get(name);
      if (t) return this.force(t);
      if (sc.withs.length) hasWith = true;
    }
    // Builtins (`true`, `import`, ...) are bound in Nix's outermost lexical scope: `with lib;` cannot shadow them.
    switch (name) {
      case 'true':
        return { t: 'bool', v: true, src: s };
      case 'false':
        return { t: 'bool', v: false, src: s };
      case 'null':
        return { t: 'null', src: s };
      case 'builtins':
        return this.builtins();
    }
    const global = BUILTIN_GLOBALS.get(name);
    if (global !== undefined) {
      const t = this.builtins().attrs.get(global);
      if (t) return this.force(t);
    }
    if (name.startsWith('__')) {
      const t = this.builtins().attrs.get(name.slice(2));
      if (t) return this.force(t);
    }
    // Lexical bindings win over `with`; the innermost `with` wins among them.
    if (hasWith) {
      const withs: Thunk[] = [];
      for (let sc: Env | undefined = env; sc; sc = sc.parent) withs.push(...sc.withs);
      for (let i = 0; i < withs.length; i++) {
        const v = this.force(withs[i]);
        if (v.t === 'attrs') {
          const t = v.attrs.get(name);
          if (t) return this.force(t);
          if (v.dynamic) return { t: 'unknown', path: [name], src: s };
          continue;
        }
        // `with inputs.fleet.nixosModules; [ gnome ]`: with no `with` around it, a name that exists at all is
        // this set's, and is named for it (the coverage then says which input it comes from).
        const last = i === withs.length - 1;
        if (last && v.t === 'external') return { t: 'external', name: `${v.name}.${name}`, src: s };
        const inner = last && v.t === 'unknown' && !v.error && v.path ? [...v.path, name] : [name];
        return { t: 'unknown', path: inner, src: s };
      }
    }
    return { t: 'unknown', path: [name], src: s };
  }

  private bindInto(
    target: Map<string, Thunk>,
    bindings: Binding[],
    inherits: Inherit[],
    valueEnv: Env,
    outerEnv: Env,
    file: string,
    owner: { dynamic: boolean },
  ): void {
    const located = !isVirtualFile(file);
    for (const inh of inherits) {
      const from = inh.from;
      // `inherit (src) a b;` shares one evaluation of src.
      const fromThunk: Thunk | undefined = from ? { expr: from, env: valueEnv, file } : undefined;
      for (const k of inh.names) {
        if (k.name === undefined) continue;
        const name = k.name;
        const s: Source | undefined = located ? { file, span: k.span } : undefined;
        const thunk: Thunk = {
          fn: fromThunk
            ? () => this.selectValue(this.force(fromThunk), name, s)
            : () => this.lookup(name, outerEnv, s),
        };
        if (located) {
          thunk.keySpan = k.span;
          thunk.bindingSpan = inh.span;
        }
        target.set(name, thunk);
      }
    }
    for (const b of bindings) this.bindPath(target, b, valueEnv, file, owner);
  }

  /** `a.b.c = v;` creates (or extends) nested sets `a` and `b`, as Nix does. Iterative: paths can be long. */
  private bindPath(
    target: Map<string, Thunk>,
    b: Binding,
    env: Env,
    file: string,
    owner: { dynamic: boolean },
  ): void {
    const located = !isVirtualFile(file);
    const last = b.path.length - 1;
    for (let i = 0; i <= last; i++) {
      const key = b.path[i];
      const name = key.name ?? this.keyName(key.dynamic, env, file);
      if (name === null) return; // `${null} = …` binds nothing
      if (name === undefined) {
        owner.dynamic = true;
        return;
      }
      if (i === last) {
        const existing = target.get(name);
        const thunk: Thunk = { expr: b.value, env, file };
        if (located) {
          thunk.keySpan = key.span;
          thunk.bindingSpan = b.span;
          thunk.bindingKeys = b.path.length;
        }
        if (existing?.value?.t === 'attrs' && b.value.kind === 'attrs') {
          // `a.x = 1; a = { y = 2; };` merge into the set already built.
          const v = this.force(thunk);
          if (v.t === 'attrs') {
            for (const [k, t] of v.attrs) existing.value.attrs.set(k, t);
            if (v.dynamic) existing.value.dynamic = true;
          }
          return;
        }
        target.set(name, thunk);
        return;
      }
      let next = target.get(name);
      if (!next || next.value?.t !== 'attrs') {
        const merged: Attrs = {
          t: 'attrs',
          attrs: new Map(),
          dynamic: false,
          src: located ? { file, span: b.span } : undefined,
        };
        if (next) {
          const v = this.force(next);
          if (v.t === 'attrs') {
            for (const [k, t] of v.attrs) merged.attrs.set(k, t);
            merged.dynamic = v.dynamic;
          }
        }
        next = { value: merged };
        if (located) {
          next.keySpan = key.span;
          next.bindingSpan = b.span;
          next.file = file;
        }
        target.set(name, next);
      }
      const nested = next.value as Attrs;
      target = nested.attrs;
      owner = nested;
    }
  }

  /** A dynamic key's name: a string, null (no binding), or undefined when unknown. */
  private keyName(dynamic: Expr | undefined, env: Env, file: string): string | null | undefined {
    if (!dynamic) return undefined;
    const v = this.eval(dynamic, env, file);
    if (v.t === 'str' && !v.ctx) return v.v;
    if (v.t === 'null') return null;
    return undefined;
  }

  private attrsValue(e: AttrsExpr, env: Env, file: string): Value {
    const attrs = new Map<string, Thunk>();
    const out: Attrs = { t: 'attrs', attrs, dynamic: false, src: src(e, file) };
    const inner: Env = e.rec ? { vars: attrs, withs: [], parent: env } : env;
    this.bindInto(attrs, e.bindings, e.inherits, inner, env, file, out);
    return out;
  }

  // ---- selection ---------------------------------------------------------------------------------------

  private selectExpr(
    target: Expr,
    keys: AttrKey[],
    def: Expr | undefined,
    env: Env,
    file: string,
    s?: Source,
  ): Value {
    let v = this.eval(target, env, file);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      const name = k.name ?? this.keyName(k.dynamic, env, file);
      if (typeof name !== 'string') return this.unknownFrom(v, s);
      if (def) {
        if (v.t === 'unknown' || v.t === 'external') {
          const rest = keys.slice(i).map((x) => x.name);
          if (rest.some((x) => x === undefined)) return this.unknownFrom(v, s);
          // A known library's module with a fallback (`inputs.disko.nixosModules.disko or { }`) is that module;
          // where the name is missing, the fallback is an empty module or null, which change nothing.
          if (v.t === 'external') return { t: 'external', name: [v.name, ...rest].join('.'), src: s };
          if (!v.error && v.path) return { t: 'unknown', orPath: [...v.path, ...(rest as string[])], src: s };
          return this.unknownFrom(v, s);
        }
        if (v.t === 'attrs') {
          if (!v.attrs.has(name))
            return v.dynamic || v.openValues ? { t: 'unknown', src: s } : this.eval(def, env, file);
        } else if (v.t !== 'mk' && v.t !== 'nixosSystem') return this.eval(def, env, file);
      }
      v = this.selectValue(v, name, s);
    }
    return v;
  }

  selectValue(v: Value, name: string, s?: Source): Value {
    switch (v.t) {
      case 'attrs': {
        const t = v.attrs.get(name);
        if (t) return this.force(t);
        if (v.missingPath) return { t: 'unknown', path: [...v.missingPath, name], src: s };
        return v.dynamic || v.openValues
          ? { t: 'unknown', src: s }
          : { t: 'unknown', missingAttr: name, src: s };
      }
      case 'unknown':
        if (v.error) return v;
        return { t: 'unknown', path: v.path ? [...v.path, name] : undefined, src: s };
      case 'external':
        return { t: 'external', name: `${v.name}.${name}`, src: s };
      default:
        return { t: 'unknown', src: s };
    }
  }

  private hasAttrExpr(target: Expr, keys: AttrKey[], env: Env, file: string, s?: Source): Value {
    let v = this.eval(target, env, file);
    for (const k of keys) {
      const name = k.name ?? this.keyName(k.dynamic, env, file);
      if (v.t === 'unknown' || v.t === 'external' || v.t === 'mk' || v.t === 'nixosSystem')
        return this.unknownFrom(v, s);
      if (v.t !== 'attrs') return { t: 'bool', v: false, src: s };
      if (typeof name !== 'string') return { t: 'unknown', src: s };
      const next = v.attrs.get(name);
      if (!next)
        return v.dynamic || v.openValues ? { t: 'unknown', src: s } : { t: 'bool', v: false, src: s };
      v = this.force(next);
    }
    return { t: 'bool', v: true, src: s };
  }

  // ---- application -------------------------------------------------------------------------------------

  apply(fn: Value, arg: Thunk, s?: Source): Value {
    if (--this.fuel < 0) return UNKNOWN;
    if (this.depth >= MAX_DEPTH) return UNKNOWN;
    this.depth++;
    try {
      switch (fn.t) {
        case 'lambda':
          return this.callLambda(fn.expr, fn.env, fn.file, arg);
        case 'fn': {
          const native = this.natives.get(fn.name);
          const arity = primopArity(fn.name) ?? native?.arity;
          if (arity === undefined) return { t: 'unknown', src: s };
          const args = fn.args.length ? [...fn.args, arg] : [arg];
          if (args.length < arity) return { t: 'fn', name: fn.name, args, src: fn.src };
          return native && primopArity(fn.name) === undefined
            ? native.call(args, s)
            : callPrimop(this, fn.name, args, s);
        }
        case 'attrs': {
          // A set with `__functor` is callable: `f x` is `f.__functor f x`.
          const functor = fn.attrs.get('__functor');
          if (!functor) return { t: 'unknown', src: s };
          return this.apply(this.apply(this.force(functor), known(fn), s), arg, s);
        }
        case 'unknown': {
          if (fn.error) return fn;
          const wrapper = fn.path && wrappingInput(fn.path, this.unknownInputs);
          if (wrapper) return { t: 'nixosSystem', args: arg, src: s, wrappedBy: wrapper };
          const byName = fn.path && this.libByName ? this.libFunctionByName(fn.path) : undefined;
          if (byName) return this.apply(byName, arg, s);
          this.onOpaqueCall?.(fn, s);
          return { t: 'unknown', src: s };
        }
        default:
          return { t: 'unknown', src: s };
      }
    } finally {
      this.depth--;
    }
  }

  /** `nixpkgs.lib.genAttrs`, `lib.strings.hasPrefix`, `mkIf` (under `with lib;`): the lib function it names. */
  private libFunctionByName(p: string[]): Value | undefined {
    const at = p.lastIndexOf('lib');
    let names: string[];
    if (at >= 0 && at < p.length - 1) names = p.slice(at + 1);
    else if (BY_NAME.has(p[p.length - 1]) && p.length > 1) names = [p[p.length - 1]];
    else if (p.length === 1 && BY_NAME.has(p[0]) && p[0] !== 'attrNames' && p[0] !== 'listToAttrs')
      names = [p[0]];
    else return undefined;
    let v = this.lib();
    for (const n of names) {
      if (v.t !== 'attrs') return undefined;
      const t = v.attrs.get(n);
      if (!t) return undefined;
      v = this.force(t);
    }
    return v.t === 'lambda' || v.t === 'fn' ? v : undefined;
  }

  /** Binds a function's parameters to an argument and evaluates its body. */
  callLambda(
    expr: LambdaExpr,
    closure: Env,
    file: string,
    arg: Thunk,
    argNames?: (name: string) => Thunk | undefined,
  ): Value {
    const bound = this.bindLambda(expr, closure, file, arg, argNames);
    if (!('vars' in bound)) return bound;
    return this.eval(expr.body, bound, file);
  }

  /** The scope of a function's body for an argument, or the failure of the call. */
  private bindLambda(
    expr: LambdaExpr,
    closure: Env,
    file: string,
    arg: Thunk,
    argNames?: (name: string) => Thunk | undefined,
  ): Env | Value {
    const vars = new Map<string, Thunk>();
    const env: Env = { vars, withs: [], parent: closure };
    if (expr.param) vars.set(expr.param.name, arg);
    const formals = expr.formals;
    if (!formals) return env;
    // A pattern is strict in its argument, as in Nix.
    const a = this.force(arg);
    if (a.t === 'unknown' && a.error) return a;
    const attrs = a.t === 'attrs' ? a : undefined;
    if (a.t !== 'attrs' && a.t !== 'unknown' && a.t !== 'external' && !argNames)
      return { t: 'unknown', src: { file, span: expr.span } };
    if (attrs && !attrs.dynamic && !expr.ellipsis && !argNames) {
      // An argument the function does not take: Nix refuses the call.
      for (const k of attrs.attrs.keys()) if (!formals.some((f) => f.name.name === k)) return UNKNOWN;
    }
    for (const f of formals) {
      const name = f.name.name;
      const provided = argNames?.(name) ?? attrs?.attrs.get(name);
      if (provided) {
        vars.set(name, provided);
        continue;
      }
      if (f.default && attrs && !attrs.dynamic) vars.set(name, { expr: f.default, env, file });
      else vars.set(name, known({ t: 'unknown', path: [name] }));
    }
    return env;
  }

  // ---- operators ---------------------------------------------------------------------------------------

  private binary(op: string, l: Expr, r: Expr, env: Env, file: string, s?: Source): Value {
    switch (op) {
      case '&&':
      case '||':
      case '->': {
        const a = this.eval(l, env, file);
        if (a.t === 'unknown' && a.error) return a;
        // `a && b`: false when a is false; `a || b` and `a -> b`: true when a is true / false.
        const shortOn = op === '&&' ? false : op === '||';
        if (a.t === 'bool' && a.v === shortOn) return { t: 'bool', v: op === '->' ? true : a.v, src: s };
        if (op === '->' && a.t === 'bool' && !a.v) return { t: 'bool', v: true, src: s };
        if (a.t !== 'bool' && a.t !== 'unknown') return { t: 'unknown', src: s };
        const b = this.eval(r, env, file);
        if (a.t === 'bool' && b.t === 'bool') return { t: 'bool', v: b.v, src: s };
        // An unknown left side: a right side that decides the result anyway.
        if (b.t === 'bool' && (op === '&&' ? !b.v : b.v)) return { t: 'bool', v: b.v, src: s };
        return this.unknownFrom(b.t === 'unknown' ? b : a, s);
      }
      case '//':
        return this.update(this.eval(l, env, file), this.eval(r, env, file), s);
      case '++':
        return this.concatLists(this.eval(l, env, file), this.eval(r, env, file), s);
      case '==':
      case '!=': {
        const eq = this.equals(this.eval(l, env, file), this.eval(r, env, file), 0);
        if (typeof eq !== 'boolean') return eq ?? { t: 'unknown', src: s };
        return { t: 'bool', v: op === '==' ? eq : !eq, src: s };
      }
      case '<':
      case '>':
      case '<=':
      case '>=': {
        const a = this.eval(l, env, file);
        const b = this.eval(r, env, file);
        // a > b is b < a; a <= b is !(b < a); a >= b is !(a < b)
        const lt = op === '<' || op === '>=' ? this.lessThan(a, b, 0) : this.lessThan(b, a, 0);
        if (typeof lt !== 'boolean') return lt ?? { t: 'unknown', src: s };
        return { t: 'bool', v: op === '<' || op === '>' ? lt : !lt, src: s };
      }
      case '+':
      case '-':
      case '*':
      case '/':
        return this.arith(op, this.eval(l, env, file), this.eval(r, env, file), s);
      default:
        return { t: 'unknown', src: s };
    }
  }

  /** `+ - * /` on known numbers; `+` also joins strings and paths. */
  arith(op: string, a: Value, b: Value, s?: Source): Value {
    if (a.t === 'unknown' && a.error) return a;
    if (b.t === 'unknown' && b.error) return b;
    const num = (v: Value) => v.t === 'int' || v.t === 'float';
    if (num(a) && num(b)) {
      const x = (a as { v: number }).v;
      const y = (b as { v: number }).v;
      const float = a.t === 'float' || b.t === 'float';
      let r: number;
      if (op === '+') r = x + y;
      else if (op === '-') r = x - y;
      else if (op === '*') r = x * y;
      else if (op === '/') {
        if (y === 0) return { t: 'unknown', src: s }; // division by zero: an evaluation error
        r = float ? x / y : Math.trunc(x / y);
      } else return { t: 'unknown', src: s };
      if (!float && !Number.isSafeInteger(r)) return { t: 'unknown', src: s }; // beyond what a double holds
      return { t: float ? 'float' : 'int', v: r, src: s };
    }
    if (op !== '+') return { t: 'unknown', src: s };
    if (a.t === 'path') {
      const text = b.t === 'path' ? b.v : b.t === 'str' && !b.ctx ? b.v : undefined;
      if (text === undefined) return { t: 'unknown', src: s };
      return { t: 'path', v: canonPath(a.v + text), src: s };
    }
    if (a.t === 'str') {
      // `"x" + ./p` copies p to the store: a string Nix knows, nixkit only as the local path.
      if (b.t === 'path') return this.str(a.v + b.v, s, true);
      if (b.t === 'str') return this.str(a.v + b.v, s, a.ctx || b.ctx);
      if (b.t === 'attrs') {
        const c = this.coerceToString(b, false, true, 0);
        return c.t === 'str' ? this.str(a.v + c.v, s, a.ctx || c.ctx) : this.unknownFrom(c, s);
      }
    }
    // `nixpkgs + "/nixos/modules/…"`: as `"${nixpkgs}/nixos/modules/…"`.
    if (a.t === 'attrs' && a.sourceName && b.t === 'str') return inputSourceFile(a.sourceName, b.v, s);
    if (a.t === 'attrs' && (b.t === 'str' || b.t === 'path' || b.t === 'attrs')) {
      const c = this.coerceToString(a, false, true, 0);
      return c.t === 'str' ? this.arith('+', c, b, s) : this.unknownFrom(c, s);
    }
    if (a.t === 'external' && b.t === 'str') return { t: 'external', name: `${a.name}${b.v}`, src: s };
    // `modulesPath + "/profiles/qemu-guest.nix"`: a NixOS module known by name.
    if (a.t === 'unknown' && a.path?.length === 1 && a.path[0] === 'modulesPath' && b.t === 'str')
      return { t: 'external', name: `<nixpkgs/nixos/modules>${b.v}`, src: s };
    return this.unknownFrom(a.t === 'unknown' ? a : b, s);
  }

  /** A string value, or unknown when it would be too long. */
  str(v: string, s?: Source, ctx?: boolean): Value {
    if (v.length > MAX_STRING) return { t: 'unknown', src: s };
    return ctx ? { t: 'str', v, src: s, ctx: true } : { t: 'str', v, src: s };
  }

  update(a: Value, b: Value, s?: Source): Value {
    // `nixpkgs.lib // home-manager.lib`: another flake's library adds names nixkit cannot see, but keeps lib's.
    if (a.t === 'attrs' && b.t === 'unknown' && !b.error && b.path && b.path[b.path.length - 1] === 'lib')
      return { t: 'attrs', attrs: a.attrs, dynamic: true, src: s };
    // `unknown // { … }`: the right side's names are known to win.
    if (a.t === 'unknown' && !a.error && b.t === 'attrs')
      return { t: 'attrs', attrs: b.attrs, dynamic: true, src: s };
    // A system with attributes of the repository's own beside it (`sys // { tag = name; }`, also through
    // recursiveUpdate) is still that system: `config`, `options` and the rest are its own.
    if (b.t === 'nixosSystem' && (a.t === 'attrs' || a.t === 'nixosSystem')) return b;
    if (a.t === 'nixosSystem' && b.t === 'attrs' && ![...b.attrs.keys()].some((k) => SYSTEM_ATTRS.has(k)))
      return a;
    if (a.t === 'attrs' && b.t === 'attrs') {
      if (!this.charge(1 + (b.attrs.size >> 4))) return UNKNOWN;
      // An empty side adds nothing, unless it may hold names nixkit cannot see (`{ ${unknown} = …; }`).
      if (b.attrs.size === 0 && !b.dynamic) return a;
      if (a.attrs.size === 0 && !a.dynamic) return b;
      const attrs = new Map(a.attrs);
      for (const [k, t] of b.attrs) attrs.set(k, t);
      return { t: 'attrs', attrs, dynamic: a.dynamic || b.dynamic, src: s };
    }
    return this.unknownFrom(a.t === 'attrs' ? b : a, s);
  }

  concatLists(a: Value, b: Value, s?: Source): Value {
    if (a.t === 'list' && b.t === 'list') {
      const n = a.items.length + b.items.length;
      if (n > MAX_LIST || !this.charge(1 + (n >> 6))) return { t: 'unknown', src: s };
      return { t: 'list', items: a.items.concat(b.items), src: s };
    }
    const u = this.unknownFrom(a.t === 'list' ? b : a, s);
    if (u.t !== 'unknown' || u.error) return u;
    // `[ ./hardware-configuration.nix ] ++ lib.optional x y`: the known items are surely in the list.
    const part = (v: Value): Thunk[] =>
      v.t === 'list' ? v.items : v.t === 'unknown' && v.atLeast ? v.atLeast : [];
    const items = [...part(a), ...part(b)];
    return items.length && items.length <= MAX_LIST ? { ...u, atLeast: items } : u;
  }

  /**
   * Nix's `==`: deep on lists and sets, numbers by value, functions never equal. A boolean, or the unknown it
   * depends on (undefined: unknown without a failure).
   */
  equals(a: Value, b: Value, depth: number): boolean | Value | undefined {
    // The same value: equal, as Nix finds by pointer (even functions, except the two operands of `==` itself).
    if (a === b && a.t !== 'unknown' && (depth > 0 || (a.t !== 'lambda' && a.t !== 'fn'))) return true;
    if (a.t === 'unknown' || b.t === 'unknown') {
      const u = (a.t === 'unknown' ? a : b) as Extract<Value, { t: 'unknown' }>;
      return u.error ? u : undefined;
    }
    if (depth > 200 || !this.charge(1)) return undefined;
    // A system (`nixosSystem { … }`) and an `mkIf`/`mkMerge` are sets, whatever nixkit keeps of them; a module from
    // outside is a set, a function, a path or a string: against anything of another type, not equal
    // (`v != null` over a set of hosts).
    const opaque = (v: Value) => v.t === 'external' || v.t === 'mk' || v.t === 'nixosSystem';
    if (opaque(a) || opaque(b)) {
      const [o, other] = opaque(a) ? [a, b] : [b, a];
      const setLike = o.t !== 'external';
      if (!opaque(other) && other.t !== 'attrs') {
        const couldBe = setLike ? [] : ['lambda', 'fn', 'path', 'str'];
        if (!couldBe.includes(other.t)) return false;
      }
      return undefined;
    }
    if ((a.t === 'int' || a.t === 'float') && (b.t === 'int' || b.t === 'float')) return a.v === b.v;
    if (a.t !== b.t) return false;
    switch (a.t) {
      case 'str':
        if (a.ctx || (b as typeof a).ctx) return undefined;
        return a.v === (b as typeof a).v;
      case 'path':
        return a.v === (b as typeof a).v;
      case 'bool':
        return a.v === (b as typeof a).v;
      case 'null':
        return true;
      case 'lambda':
      case 'fn':
        return false;
      case 'list': {
        const y = (b as typeof a).items;
        if (a.items.length !== y.length) return false;
        let sure = true;
        for (let i = 0; i < y.length; i++) {
          const r = this.equals(this.force(a.items[i]), this.force(y[i]), depth + 1);
          if (r === false) return false;
          if (r !== true) {
            if (r) return r;
            sure = false;
          }
        }
        return sure ? true : undefined;
      }
      case 'attrs': {
        const y = b as typeof a;
        if (a.dynamic || y.dynamic) return undefined;
        if (a.attrs.size !== y.attrs.size) return false;
        for (const k of a.attrs.keys()) if (!y.attrs.has(k)) return false;
        // Derivations compare by their outPath.
        const pa = a.attrs.get('type');
        if (pa && a.attrs.has('outPath') && y.attrs.has('outPath')) {
          const ta = this.force(pa);
          if (ta.t !== 'str' || ta.v === 'derivation') return undefined;
        }
        let sure = true;
        for (const k of [...a.attrs.keys()].sort()) {
          const r = this.equals(
            this.force(a.attrs.get(k) as Thunk),
            this.force(y.attrs.get(k) as Thunk),
            depth + 1,
          );
          if (r === false) return false;
          if (r !== true) {
            if (r) return r;
            sure = false;
          }
        }
        return sure ? true : undefined;
      }
    }
    return undefined;
  }

  /** Nix's `<`: numbers, strings, paths, and lists element by element. */
  lessThan(a: Value, b: Value, depth: number): boolean | Value | undefined {
    if (a.t === 'unknown' && a.error) return a;
    if (b.t === 'unknown' && b.error) return b;
    if ((a.t === 'int' || a.t === 'float') && (b.t === 'int' || b.t === 'float')) return a.v < b.v;
    if (a.t === 'str' && b.t === 'str') return a.ctx || b.ctx ? undefined : compareBytes(a.v, b.v) < 0;
    if (a.t === 'path' && b.t === 'path') return compareBytes(a.v, b.v) < 0;
    if (a.t === 'list' && b.t === 'list' && depth < 200) {
      for (let i = 0; ; i++) {
        if (i === b.items.length) return false;
        if (i === a.items.length) return true;
        const x = this.force(a.items[i]);
        const y = this.force(b.items[i]);
        const eq = this.equals(x, y, depth + 1);
        if (eq === true) continue;
        if (eq !== false) return eq;
        return this.lessThan(x, y, depth + 1);
      }
    }
    return undefined;
  }

  // ---- strings and paths -------------------------------------------------------------------------------

  /**
   * Nix's string coercion. `more` (toString) also takes numbers, booleans, null and lists; `copy` says a path
   * becomes a store path (interpolation), which nixkit knows only as the local path (`ctx`).
   */
  coerceToString(v: Value, more: boolean, copy: boolean, depth: number): Value {
    switch (v.t) {
      case 'str':
        return v;
      case 'path':
        return copy ? { t: 'str', v: v.v, ctx: true, src: v.src } : { t: 'str', v: v.v, src: v.src };
      case 'attrs': {
        if (depth > 100) return UNKNOWN;
        const f = v.attrs.get('__toString');
        if (f) return this.coerceToString(this.apply(this.force(f), known(v)), more, copy, depth + 1);
        const o = v.attrs.get('outPath');
        if (o) return this.coerceToString(this.force(o), more, copy, depth + 1);
        return UNKNOWN;
      }
      case 'unknown':
        return this.unknownFrom(v);
    }
    if (!more) return UNKNOWN;
    switch (v.t) {
      case 'int':
        return { t: 'str', v: String(v.v) };
      case 'float':
        return { t: 'str', v: v.v.toFixed(6) };
      case 'bool':
        return { t: 'str', v: v.v ? '1' : '' };
      case 'null':
        return { t: 'str', v: '' };
      case 'list': {
        if (depth > 100 || !this.charge(v.items.length)) return UNKNOWN;
        let out = '';
        let ctx = false;
        for (let i = 0; i < v.items.length; i++) {
          const item = this.force(v.items[i]);
          const c = this.coerceToString(item, more, copy, depth + 1);
          if (c.t !== 'str') return c;
          if (c.ctx) ctx = true;
          // Nix joins with a space, but not after an empty list.
          if (i > 0 && !(i - 1 < v.items.length && isEmptyList(this.force(v.items[i - 1])))) out += ' ';
          out += c.v;
          if (out.length > MAX_STRING) return UNKNOWN;
        }
        return ctx ? { t: 'str', v: out, ctx: true } : { t: 'str', v: out };
      }
    }
    return UNKNOWN;
  }

  private stringValue(parts: StringPart[], env: Env, file: string, s?: Source): Value {
    let out = '';
    let ctx = false;
    // `"${modulesPath}/profiles/qemu-guest.nix"`: a NixOS module known by name, as `modulesPath + "/…"` is.
    if (
      parts.length >= 2 &&
      typeof parts[0] !== 'string' &&
      parts.slice(1).every((p) => typeof p === 'string')
    ) {
      const first = this.eval(parts[0], env, file);
      const rest = parts.slice(1).join('');
      if (first.t === 'unknown' && first.path?.length === 1 && first.path[0] === 'modulesPath')
        return { t: 'external', name: `<nixpkgs/nixos/modules>${rest}`, src: s };
      // `"${inputs.nixpkgs}/nixos/modules/installer/scan/not-detected.nix"`: the same module, by the input's source.
      if (first.t === 'attrs' && first.sourceName) return inputSourceFile(first.sourceName, rest, s);
      // `"${inputs.nixos-hardware}/common/gpu/amd"`: a file of a module-only input, known by name as its modules are.
      if (first.t === 'external' && rest.startsWith('/'))
        return { t: 'external', name: `${first.name}${rest}`, src: s };
      // `"${pkgs}/nixos/lib/eval-config.nix"` with nixpkgs' source from npins, niv or fetchTarball: nixpkgs is the
      // only source that has this file, and importing it is what `lib.nixosSystem` does.
      if (
        rest === '/nixos/lib/eval-config.nix' &&
        (first.t === 'unknown' || (first.t === 'attrs' && !first.sourceName))
      )
        return { t: 'external', name: '<nixpkgs>/nixos/lib/eval-config.nix', src: s };
      // `"${inputs.foo}/nixos-module.nix"` of an input nixkit does not know: unknown, but named, so a reason can
      // say which input it comes from.
      if (first.t === 'unknown' && !first.error && first.path?.length === 1 && rest.startsWith('/'))
        return { t: 'unknown', path: [`${first.path[0]}${rest}`], src: s };
    }
    for (const p of parts) {
      if (typeof p === 'string') out += p;
      else {
        const v = this.coerceToString(this.eval(p, env, file), false, true, 0);
        if (v.t !== 'str') return this.unknownFrom(v, s);
        if (v.ctx) ctx = true;
        out += v.v;
      }
      if (out.length > MAX_STRING) return { t: 'unknown', src: s };
    }
    return ctx ? { t: 'str', v: out, src: s, ctx: true } : { t: 'str', v: out, src: s };
  }

  private pathValue(kind: string, parts: StringPart[], env: Env, file: string, s?: Source): Value {
    let text = '';
    for (const p of parts) {
      if (typeof p === 'string') text += p;
      else {
        const v = this.coerceToString(this.eval(p, env, file), false, false, 0);
        if (v.t !== 'str' || v.ctx) return this.unknownFrom(v, s);
        text += v.v;
      }
    }
    if (kind === 'search') {
      // `<x>` is `__findFile __nixPath "x"` in Nix: a `__findFile` of the file's own (`let __findFile =
      // prelude.__findFile; in`) answers it, not NIX_PATH.
      const findFile = this.lexical('__findFile', env);
      if (findFile) {
        const nixPath = this.lexical('__nixPath', env) ?? known({ t: 'unknown', path: ['__nixPath'] });
        return this.apply(this.apply(this.force(findFile), nixPath, s), known({ t: 'str', v: text }), s);
      }
      return { t: 'external', name: `<${text}>`, src: s };
    }
    if (kind === 'home') return { t: 'unknown', src: s };
    if (isVirtualFile(file) && kind !== 'absolute') return { t: 'unknown', src: s };
    const resolved = kind === 'absolute' ? canonPath(text) : canonPath(path.dirname(file) + '/' + text);
    return { t: 'path', v: resolved, src: s };
  }

  /**
   * A file named by a path, or by a string holding an absolute path; undefined when not known. Files of the
   * machine that evaluates (`/sys/firmware/efi`, `/proc`, `/dev`, the store, `/etc` outside `/etc/nixos`) say
   * nothing about the machine being configured: unknown.
   */
  fileOf(v: Value): string | undefined {
    let file: string | undefined;
    if (v.t === 'path') file = v.v;
    else if (v.t === 'str' && v.v.startsWith('/')) file = canonPath(v.v);
    else if (v.t === 'attrs') {
      const c = this.coerceToString(v, false, false, 0);
      if (c.t === 'str' && c.v.startsWith('/')) file = canonPath(c.v);
    }
    return file === undefined || HOST_PATH.test(file) ? undefined : file;
  }

  /** `__curPos`: `{ file; line; column; }`, 1-based, the column in bytes as Nix counts it. */
  private curPos(offset: number, file: string, s?: Source): Value {
    if (isVirtualFile(file)) return { t: 'unknown', src: s };
    const lines = this.sources.parsed(file)?.lines;
    if (!lines) return { t: 'unknown', src: s };
    const at = lines.positionAt(offset);
    const before = lines.text.slice(offset - at.character, offset);
    const entries: [string, Value][] = [
      ['file', { t: 'str', v: file }],
      ['line', { t: 'int', v: at.line + 1 }],
      ['column', { t: 'int', v: Buffer.byteLength(before, 'utf8') + 1 }],
    ];
    return { t: 'attrs', attrs: new Map(entries.map(([k, v]) => [k, known(v)])), dynamic: false, src: s };
  }

  /** `import p`: the file's value (a folder means its default.nix). */
  importValue(p: Value, s?: Source): Value {
    if (p.t === 'external')
      // nixpkgs' eval-config.nix is what `lib.nixosSystem` calls, with the same arguments.
      return EVAL_CONFIG.has(p.name) ? { t: 'fn', name: 'lib.nixosSystem', args: [], src: s } : p;
    if (p.t === 'attrs' && p.imports) return p.imports();
    const file = this.fileOf(p);
    if (file === undefined) {
      // `import nixpkgs { … }`: an input's source, which nixkit does not have; named, so that what cannot be
      // followed because of it can say so.
      const out = p.t === 'attrs' ? p.attrs.get('outPath') : undefined;
      const o = out && this.force(out);
      if (o?.t === 'unknown' && !o.error && o.path?.length === 2 && o.path[1] === 'outPath')
        return { t: 'unknown', path: [o.path[0], IMPORTED], src: s };
      // An input nixkit does not know (`import fleet { … }`, `import inputs.fleet`): named the same way.
      const named = p.t === 'unknown' && !p.error ? p.path : undefined;
      if (named && (named.length === 1 || (named.length === 2 && named[0] === 'inputs')))
        return { t: 'unknown', path: [...named, IMPORTED], src: s };
      return this.unknownFrom(p, s);
    }
    return this.force(this.fileThunk(resolveImportPath(file, this.sources)));
  }
}

/** The unknown input whose `lib.nixosSystem` a path names (`rpi.lib.nixosSystem`, `inputs.rpi.lib.nixosSystem`). */
function wrappingInput(p: string[], unknownInputs: ReadonlySet<string>): string | undefined {
  if (!unknownInputs.size || p.length < 3 || p[p.length - 1] !== 'nixosSystem' || p[p.length - 2] !== 'lib')
    return undefined;
  const input = p[0] === 'inputs' ? p[1] : p[0];
  return p.length === (p[0] === 'inputs' ? 4 : 3) && unknownInputs.has(input) ? input : undefined;
}

/** nixpkgs' nixos/lib/eval-config.nix, as nixkit names it through an input's source or the search path. */
const EVAL_CONFIG = new Set(['<nixpkgs>/nixos/lib/eval-config.nix', '<nixpkgs/nixos/lib/eval-config.nix>']);

/** A file in the source of an input nixkit names but does not have: nixpkgs' own modules by their usual name. */
function inputSourceFile(sourceName: string, rest: string, s?: Source): Value {
  const modules = '/nixos/modules';
  return rest.startsWith(`${modules}/`) && sourceName === '<nixpkgs>'
    ? { t: 'external', name: `<nixpkgs/nixos/modules>${rest.slice(modules.length)}`, src: s }
    : { t: 'external', name: `${sourceName}${rest}`, src: s };
}

/** The last key of an unknown value's path that stands for `import <input>`. */
export const IMPORTED = '(import)';

const HOST_PATH = /^\/(?:sys|proc|dev|run|nix|var|boot|mnt|media)(?:\/|$)|^\/etc(?:\/(?!nixos(?:\/|$))|$)/;

function src(e: Expr, file: string): Source | undefined {
  return isVirtualFile(file) ? undefined : { file, span: e.span };
}

function isEmptyList(v: Value): boolean {
  return v.t === 'list' && v.items.length === 0;
}

/** Nix's canonPath: absolute, no `.`/`..`, no doubled or trailing slash. */
export function canonPath(p: string): string {
  const n = path.posix.normalize(p.startsWith('/') ? p : '/' + p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

/** Byte order of the UTF-8 encodings (Nix compares strings as bytes), by code point. */
export function compareBytes(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      // Surrogates (astral code points) sort after the rest of the BMP in UTF-8.
      const sx = x >= 0xd800 && x <= 0xdfff;
      const sy = y >= 0xd800 && y <= 0xdfff;
      if (sx !== sy) return sx ? 1 : -1;
      return x - y;
    }
  }
  return a.length - b.length;
}

export function rootEnv(): Env {
  return { vars: new Map(), withs: [] };
}
