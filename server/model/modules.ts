// Collects the option definitions of one NixOS configuration from its module tree: follows `modules`
// and `imports`, calls module functions with their arguments, unwraps mkIf/mkDefault/mkForce/mkMerge, and
// records every definition with the file and range it was written at.
import * as path from 'node:path';
import type { Expr, IfExpr } from '../syntax/ast';
import type { Span } from '../syntax/positions';
import { Evaluator, IMPORTED, isVirtualFile, PRIORITY } from './evaluator';
import { nixpkgsLib } from './nixpkgs-lib';
import { resolveImportPath } from './sources';
import { known, type Source, type Thunk, type Value } from './value';

export interface Definition {
  path: string[];
  value: Value;
  /** Module-system priority: lower wins (mkForce 50, plain 100, mkDefault 1000). */
  priority: number;
  /** Defined under an `mkIf` whose condition nixkit cannot decide. */
  conditional: boolean;
  /** The innermost such `mkIf` (its call), for rules that can decide it themselves (a release guard). */
  condition?: Source;
  /**
   * The conditions of the undecided `mkIf`s around it, innermost last: the option each one reads
   * (`mkIf config.my.i3.enable`, also through `cfg`), or null for any other condition. A configuration that
   * knows such an option is false drops the definition; one that knows all are true keeps it for sure.
   */
  conditions?: (string[] | null)[];
  /** Where the option is set: the last key of the binding (`c` in `a.b.c = …`), or the binding. */
  at?: Source;
  /** Where the value expression is. */
  valueAt?: Source;
  /** Where each key of `path` was written, where known (`fileSystems."/boot".device` → three places). */
  pathAt: (Source | undefined)[];
  /** The binding that holds the value, and how many of `path`'s last keys it spells out. */
  binding?: Source;
  bindingKeys?: number;
  /** `path` as one map key, computed once (see NixosConfiguration). */
  pathKey?: string;
}

export type ModuleRef =
  | { kind: 'file'; file: string; src?: Source }
  | { kind: 'inline'; file: string; src?: Source }
  | { kind: 'external'; name: string; src?: Source }
  | {
      kind: 'missing';
      file: string;
      src?: Source;
      /** The item of `imports` or `modules` that names it, where that is not `src` (`(hostPath name "x.nix")`). */
      listedAt?: Source;
    }
  | { kind: 'unknown'; src?: Source };

const SPECIAL_KEYS = new Set([
  'imports',
  'options',
  'config',
  '_file',
  'key',
  'disabledModules',
  'meta',
  'freeformType',
  '_class',
]);
const MAX_OPTION_DEPTH = 16;
const MAX_MK_NESTING = 64;

export interface CollectedModules {
  modules: ModuleRef[];
  definitions: Definition[];
  /**
   * `definitions` in the pieces they were collected in (one per module, shared between the configurations
   * that import it), so per-configuration indexes can be assembled from per-module ones.
   */
  chunks: Definition[][];
  /** Option paths under which some definition has keys nixkit cannot know (`${name} = …`). */
  dynamicPrefixes: string[][];
  /** Options forwarded to others by alias or rename modules: their definitions count for the target too. */
  forwards?: { from: string[]; to: string[] }[];
  /** The modules' `options` (unforced: a rule that needs a declaration's default reads it). */
  declarations?: Thunk[];
}

interface ModuleResult {
  definitions: Definition[];
  dynamicPrefixes: string[][];
  declarations?: Thunk[];
  /** The module's value itself is unknown (`if args ? x then { … } else …` nixkit cannot decide): where. */
  unknownBody?: Source;
  forwards?: { from: string[]; to: string[] }[];
  imports: Thunk[];
}

const resultsByEvaluator = new WeakMap<Evaluator, Map<string, ModuleResult>>();

/** Per evaluation (one flake): what each module file defined, shared by the flake's configurations. */
function moduleResults(ev: Evaluator): Map<string, ModuleResult> {
  let m = resultsByEvaluator.get(ev);
  if (!m) resultsByEvaluator.set(ev, (m = new Map()));
  return m;
}

/**
 * Across analyses (one per edit in the language server): a module's result, valid while its own AST and the
 * ASTs of every file its evaluation read are the same objects (the sources hand out a new AST when a file
 * changes). Keyed by source provider, so the CLI, the server and tests never share entries.
 */
const persistent = new WeakMap<object, Map<string, { deps: Map<string, unknown>; result: ModuleResult }>>();

function astOf(ev: Evaluator, file: string): unknown {
  return ev.sources.parsed(file)?.ast;
}

function persistentResult(ev: Evaluator, file: string): ModuleResult | undefined {
  const entry = persistent.get(ev.sources)?.get(file);
  if (!entry) return undefined;
  for (const [f, ast] of entry.deps) if (astOf(ev, f) !== ast) return undefined;
  // The files it was computed from still belong to this evaluation (an edit to one of them re-analyses it).
  for (const f of entry.deps.keys()) ev.filesRead.add(f);
  return entry.result;
}

function rememberResult(ev: Evaluator, file: string, read: Set<string>, result: ModuleResult): void {
  let byFile = persistent.get(ev.sources);
  if (!byFile) persistent.set(ev.sources, (byFile = new Map()));
  const deps = new Map<string, unknown>();
  for (const f of [file, ...read]) deps.set(f, astOf(ev, f));
  byFile.set(file, { deps, result });
}

export function collectModules(
  ev: Evaluator,
  roots: Thunk[],
  specialArgs: Value | undefined,
): CollectedModules {
  const out: CollectedModules = { modules: [], definitions: [], chunks: [], dynamicPrefixes: [] };
  const seenFiles = new Set<string>();
  const queue: { thunk: Thunk; ref: ModuleRef }[] = [];

  const enqueue = (item: Thunk, importer: string | undefined) =>
    moduleItems(ev, item, importer, (it) => {
      if (it.kind === 'ref') {
        out.modules.push(it.ref);
        return;
      }
      if (it.kind === 'inline') {
        out.modules.push(it.ref);
        queue.push(it);
        return;
      }
      if (seenFiles.has(it.file)) return;
      seenFiles.add(it.file);
      if (!ev.sources.exists(it.file)) {
        out.modules.push({ kind: 'missing', file: it.file, src: it.src, listedAt: it.listedAt });
        return;
      }
      const ref: ModuleRef = { kind: 'file', file: it.file, src: it.src };
      out.modules.push(ref);
      queue.push({ thunk: ev.fileThunk(it.file), ref });
    });

  for (const r of roots) enqueue(r, undefined);
  const specialAttrs = specialArgs?.t === 'attrs' ? specialArgs.attrs : undefined;

  for (let next = 0; next < queue.length; next++) {
    const { thunk, ref } = queue[next];
    const moduleFile = ref.kind === 'file' || ref.kind === 'inline' ? ref.file : undefined;
    const cached =
      ref.kind === 'file' ? (moduleResults(ev).get(ref.file) ?? persistentResult(ev, ref.file)) : undefined;
    const closure = cached && ref.kind === 'file' ? closureOf(ev, ref.file) : null;
    if (closure && !closure.files.some((f, i) => i > 0 && seenFiles.has(f))) {
      // A tree of modules that another host of this flake imported alike: its definitions as one list, whose
      // lookups that host already answered (definition-index.ts).
      for (const f of closure.files) seenFiles.add(f);
      append(out.modules, closure.modules);
      append(out.definitions, closure.definitions);
      out.chunks.push(closure.definitions);
      append(out.dynamicPrefixes, closure.dynamicPrefixes);
      if (closure.forwards) (out.forwards ??= []).push(...closure.forwards);
      if (closure.declarations) append((out.declarations ??= []), closure.declarations);
      continue;
    }
    if (cached) {
      // The same file in another configuration of this flake, or unchanged since the last analysis, and not
      // depending on its configuration's specialArgs.
      append(out.definitions, cached.definitions);
      out.chunks.push(cached.definitions);
      append(out.dynamicPrefixes, cached.dynamicPrefixes);
      if (cached.forwards) (out.forwards ??= []).push(...cached.forwards);
      if (cached.declarations) append((out.declarations ??= []), cached.declarations);
      if (cached.unknownBody) out.modules.push({ kind: 'unknown', src: cached.unknownBody });
      if (ref.kind === 'file') moduleResults(ev).set(ref.file, cached);
      for (const i of cached.imports) enqueue(i, moduleFile);
      continue;
    }
    const local: CollectedModules = { modules: [], definitions: [], chunks: [], dynamicPrefixes: [] };
    const imports: Thunk[] = [];
    let dependsOnArgs = false;
    let unknownBody: Source | undefined;
    const { files: read } = ev.track(() => {
      let v = ev.force(thunk);
      if (v.t === 'lambda') {
        const fn = v;
        // A module that names a specialArg (or takes them all with `args@`) may differ between configurations.
        dependsOnArgs =
          !!fn.expr.param ||
          !!fn.expr.formals?.some((f) => specialAttrs?.has(f.name.name)) ||
          !fn.expr.formals;
        v = ev.callLambda(fn.expr, fn.env, fn.file, known({ t: 'unknown' }), (name) => {
          const special = specialAttrs?.get(name);
          if (special) return special;
          // The module system passes nixpkgs' lib (unless specialArgs give another).
          if (name === 'lib') return { fn: () => nixpkgsLib(ev) };
          // Module arguments the module system provides; nixkit knows them by name only.
          return known({ t: 'unknown', path: [name] });
        });
      }
      // A module whose value nixkit cannot work out: nothing of it is known, and the coverage says so.
      if (v.t === 'unknown' && moduleFile)
        unknownBody = v.src ?? { file: moduleFile, span: { start: 0, end: 0 } };
      unknownBody ??= collectModuleBody(ev, v, moduleFile, local, (item) => imports.push(item));
    });
    if (unknownBody) out.modules.push({ kind: 'unknown', src: unknownBody });
    for (const i of imports) enqueue(i, moduleFile);
    append(out.definitions, local.definitions);
    out.chunks.push(local.definitions);
    append(out.dynamicPrefixes, local.dynamicPrefixes);
    if (local.forwards) (out.forwards ??= []).push(...local.forwards);
    if (local.declarations) append((out.declarations ??= []), local.declarations);
    if (ref.kind === 'file' && !dependsOnArgs) {
      const result: ModuleResult = {
        definitions: local.definitions,
        dynamicPrefixes: local.dynamicPrefixes,
        forwards: local.forwards,
        declarations: local.declarations,
        imports,
        unknownBody,
      };
      moduleResults(ev).set(ref.file, result);
      rememberResult(ev, ref.file, read, result);
    }
  }
  applyForwards(out);
  return out;
}

/** What one item of `modules` or `imports` is: a file to read, a module value, or something nixkit only names. */
type ModuleItem =
  | { kind: 'ref'; ref: ModuleRef }
  | { kind: 'path'; file: string; src?: Source; listedAt?: Source }
  | { kind: 'inline'; ref: ModuleRef; thunk: Thunk };

function moduleItems(
  ev: Evaluator,
  item: Thunk,
  importer: string | undefined,
  emit: (item: ModuleItem) => void,
): void {
  const v = ev.force(item);
  const src = v.src;
  switch (v.t) {
    case 'str':
    case 'path':
      // `"${./hosts}/x.nix"` names the store copy of a local file: the same module.
      if (v.t === 'str' && !v.ctx) emit({ kind: 'ref', ref: { kind: 'unknown', src } });
      else
        emit({ kind: 'path', file: resolveImportPath(v.v, ev.sources), src, listedAt: listedAt(item, src) });
      return;
    case 'attrs':
    case 'lambda': {
      const file = v.t === 'lambda' ? v.file : (src?.file ?? importer ?? '');
      emit({ kind: 'inline', ref: { kind: 'inline', file, src }, thunk: known(v) });
      return;
    }
    case 'external':
      emit({ kind: 'ref', ref: { kind: 'external', name: v.name, src } });
      return;
    case 'unknown':
      // Known items of a list nixkit only partly knows are followed; the rest is one unknown module.
      if (v.atLeast) for (const t of v.atLeast) moduleItems(ev, t, importer, emit);
      emit({
        kind: 'ref',
        // (`inputs.x.nixosModules.y or { }` from an input nixkit does not know: named the same, for its reason)
        ref:
          (v.path ?? v.orPath)
            ? { kind: 'external', name: (v.path ?? v.orPath)!.join('.'), src }
            : { kind: 'unknown', src },
      });
      return;
    case 'list':
      for (const t of v.items) moduleItems(ev, t, importer, emit);
      return;
    default:
      emit({ kind: 'ref', ref: { kind: 'unknown', src } });
  }
}

/** Where a list item is written, when its value was made elsewhere (a helper that builds the path). */
function listedAt(item: Thunk, src: Source | undefined): Source | undefined {
  if (!item.expr || !item.file || isVirtualFile(item.file)) return undefined;
  const at = { file: item.file, span: item.expr.span };
  const inside =
    src && src.file === at.file && src.span.start >= at.span.start && src.span.end <= at.span.end;
  return inside ? undefined : at;
}

/**
 * A module file with every module it imports, when none of them depends on its configuration (specialArgs)
 * and all are files: what a host that imports it gets, in the order collectModules would visit them. A fleet's
 * hosts import the same tree (`./modules` with hundreds of files); each host then adds it as one list.
 */
interface ModuleClosure {
  /** The files it visits (the root first), missing ones included. */
  files: string[];
  /** What it adds to `modules` after the root's own entry. */
  modules: ModuleRef[];
  definitions: Definition[];
  dynamicPrefixes: string[][];
  forwards?: { from: string[]; to: string[] }[];
  declarations?: Thunk[];
}

const closuresByEvaluator = new WeakMap<Evaluator, Map<string, ModuleClosure | null>>();

function closureOf(ev: Evaluator, root: string): ModuleClosure | null {
  let memo = closuresByEvaluator.get(ev);
  if (!memo) closuresByEvaluator.set(ev, (memo = new Map()));
  const known = memo.get(root);
  if (known !== undefined) return known;
  const results = moduleResults(ev);
  const c: ModuleClosure = { files: [root], modules: [], definitions: [], dynamicPrefixes: [] };
  const listed = new Set([root]);
  const readable = new Set([root]);
  let ok = true;
  for (let next = 0; ok && next < c.files.length; next++) {
    const file = c.files[next];
    if (!readable.has(file)) continue; // a missing file: nothing to read
    const r = results.get(file);
    if (!r) {
      ok = false;
      break;
    }
    append(c.definitions, r.definitions);
    append(c.dynamicPrefixes, r.dynamicPrefixes);
    if (r.forwards) (c.forwards ??= []).push(...r.forwards);
    if (r.declarations) append((c.declarations ??= []), r.declarations);
    if (r.unknownBody) c.modules.push({ kind: 'unknown', src: r.unknownBody });
    for (const i of r.imports)
      moduleItems(ev, i, file, (it) => {
        if (it.kind === 'inline') ok = false;
        else if (it.kind === 'ref') c.modules.push(it.ref);
        else if (!listed.has(it.file)) {
          listed.add(it.file);
          c.files.push(it.file);
          if (!ev.sources.exists(it.file))
            c.modules.push({ kind: 'missing', file: it.file, src: it.src, listedAt: it.listedAt });
          else {
            readable.add(it.file);
            c.modules.push({ kind: 'file', file: it.file, src: it.src });
          }
        }
      });
  }
  const result = ok && c.files.length > 1 ? c : null;
  memo.set(root, result);
  return result;
}

/**
 * `lib.mkAliasOptionModule [ "me" ] [ "users" "users" "bob" ]`: every definition under `me` is also one under
 * `users.users.bob`, written where the alias was used. The copies keep where the value is, not the binding's keys
 * (a quick fix must not rewrite `me.…` as if it said `users.users.bob.…`).
 */
function applyForwards(out: CollectedModules): void {
  if (!out.forwards?.length) return;
  const copies: Definition[] = [];
  for (const { from, to } of out.forwards)
    for (const d of out.definitions) {
      if (d.path.length < from.length || !from.every((k, i) => d.path[i] === k)) continue;
      const rest = d.path.slice(from.length);
      copies.push({
        path: [...to, ...rest],
        value: d.value,
        priority: d.priority,
        conditional: d.conditional,
        condition: d.condition,
        conditions: d.conditions,
        at: d.at,
        valueAt: d.valueAt,
        pathAt: [...to.map(() => undefined), ...d.pathAt.slice(from.length)],
      });
    }
  append(out.definitions, copies);
  out.chunks.push(copies);
  for (const { from, to } of out.forwards)
    for (const p of [...out.dynamicPrefixes])
      if (p.length >= from.length && from.every((k, i) => p[i] === k))
        out.dynamicPrefixes.push([...to, ...p.slice(from.length)]);
}

/**
 * The two branches of an `if` (inside parentheses too) that a thunk is, each to be evaluated in its scope; also
 * through `//` (`{ … } // (if options ? sops then { … } else { })` is one of `{ … } // { … }` and `{ … } // { }`).
 */
function branches(ev: Evaluator, t: Thunk): Thunk[] | undefined {
  const { env, file } = t;
  if (!env || !file) return undefined;
  const unwrap = (x: Expr | undefined) => {
    while (x?.kind === 'paren') x = x.expr;
    return x;
  };
  // Only where the condition is what nixkit cannot decide: a known one picks its branch (and the unknown came
  // from there); a failing one fails the module.
  const undecided = (x: IfExpr) => {
    const c = ev.force({ expr: x.cond, env, file });
    return c.t === 'unknown' && !c.error;
  };
  const e = unwrap(t.expr);
  let pair: [Expr, Expr] | undefined;
  if (e?.kind === 'if' && undecided(e)) pair = [e.then, e.else];
  else if (e?.kind === 'binary' && e.op === '//') {
    const l = unwrap(e.left);
    const r = unwrap(e.right);
    const update = (left: Expr, right: Expr): Expr => ({ ...e, left, right });
    if (r?.kind === 'if' && undecided(r)) pair = [update(e.left, r.then), update(e.left, r.else)];
    else if (l?.kind === 'if' && undecided(l)) pair = [update(l.then, e.right), update(l.else, e.right)];
  }
  return pair?.map((expr) => ({ expr, env, file }));
}

/** Collects a module's definitions; returns where its `config` is, when that is unknown. */
function collectModuleBody(
  ev: Evaluator,
  body: Value,
  moduleFile: string | undefined,
  out: CollectedModules,
  addImport: (t: Thunk) => void,
): Source | undefined {
  if (body.t === 'attrs' && body.forwards) (out.forwards ??= []).push(body.forwards);
  if (body.t !== 'attrs') {
    // A module that is an mkIf/mkMerge of sets, or unknown: definitions only.
    collectValue(ev, body, [], TOP, out, undefined);
    return undefined;
  }
  const imports = body.attrs.get('imports');
  if (imports) addImport(imports);
  const explicit = body.attrs.has('config') || body.attrs.has('options');
  if (explicit) {
    const options = body.attrs.get('options');
    if (options) (out.declarations ??= []).push(options);
    const config = body.attrs.get('config');
    const configV = config ? ev.force(config) : undefined;
    // `config = if options ? sops then { … } else { }` with a condition nixkit cannot decide: both branches'
    // definitions, each conditional (as under an mkIf nixkit cannot decide).
    const either = configV?.t === 'unknown' && !configV.error && config ? branches(ev, config) : undefined;
    if (either) {
      const ctx: Ctx = { ...TOP, conditional: true, condition: configV?.src, conditions: [null] };
      for (const b of either) collectValue(ev, ev.force(b), [], ctx, out);
      return undefined;
    }
    if (configV) collectValue(ev, configV, [], TOP, out);
    // What it defines is unknown, and the coverage says where.
    if (configV?.t === 'unknown' && moduleFile)
      return (
        configV.src ??
        (config?.expr && config.file ? { file: config.file, span: config.expr.span } : undefined)
      );
    return undefined;
  }
  for (const [key, t] of body.attrs) {
    if (SPECIAL_KEYS.has(key)) continue;
    collectThunk(ev, t, [key], TOP, out);
  }
  if (body.dynamic) out.dynamicPrefixes.push([]);
  void moduleFile;
  return undefined;
}

interface Ctx {
  priority: number;
  conditional: boolean;
  condition?: Source;
  conditions?: (string[] | null)[];
  pathAt: (Source | undefined)[];
  binding?: Source;
  bindingKeys?: number;
  /** Path length at which the current binding's value expression sits. */
  bindingDepth?: number;
  /** How many mkIf/mkMerge/… wrappers were unwrapped to get here. */
  mkDepth?: number;
  /** The sets being walked above this one: a set that holds itself (`extraSpecialArgs = { inherit self; }`) ends. */
  ancestors?: Ancestor;
  /** What is left of the walk of this top-level option (see MAX_SETS_PER_OPTION). */
  budget?: { left: number };
}

/**
 * Sets one top-level option's definitions are read from, at most. A definition may hold the whole flake
 * (`specialArgs`, `_module.args`, `extraSpecialArgs = { inherit inputs self; }`), whose sets share and refer to
 * each other: walked to MAX_OPTION_DEPTH that grows exponentially. Past it, the rest of that option is unknown;
 * the module's other options are read as usual.
 */
const MAX_SETS_PER_OPTION = 5_000;

/** A set on the path being walked, and the one above it (a list that costs nothing to extend). */
interface Ancestor {
  set: Value;
  up?: Ancestor;
}

function isAncestor(v: Value, a: Ancestor | undefined): boolean {
  for (; a; a = a.up) if (a.set === v) return true;
  return false;
}

const TOP: Ctx = { priority: PRIORITY.normal, conditional: false, pathAt: [] };

function collectThunk(ev: Evaluator, t: Thunk, p: string[], ctx: Ctx, out: CollectedModules): void {
  // A value built inside the lib prelude has no place in the user's files to point at.
  if (isVirtualFile(t.file)) t = { fn: () => ev.force(t) };
  const at: Source | undefined =
    t.file && (t.keySpan ?? t.bindingSpan)
      ? { file: t.file, span: (t.keySpan ?? t.bindingSpan) as Span }
      : undefined;
  const valueAt: Source | undefined = t.file && t.expr ? { file: t.file, span: t.expr.span } : undefined;
  const next: Ctx = {
    ...ctx,
    pathAt: [
      ...ctx.pathAt.slice(0, p.length - 1),
      t.file && t.keySpan ? { file: t.file, span: t.keySpan } : undefined,
    ],
    binding: t.file && t.bindingSpan && t.expr ? { file: t.file, span: t.bindingSpan } : ctx.binding,
    bindingKeys: t.bindingKeys ?? ctx.bindingKeys,
  };
  if (t.expr) next.bindingDepth = p.length;
  const v = ev.force(t);
  // `services.x = if <undecidable> then { … } else { … }`: both ways, each conditional.
  const either = v.t === 'unknown' && !v.error && p.length ? branches(ev, t) : undefined;
  if (either) {
    const cond: Ctx = {
      ...next,
      conditional: true,
      condition: v.src,
      conditions: [...(next.conditions ?? []), null],
    };
    for (const b of either) collectValue(ev, ev.force(b), p, cond, out, at, valueAt);
    return;
  }
  collectValue(ev, v, p, next, out, at, valueAt);
}

function definition(p: string[], v: Value, ctx: Ctx, at?: Source, valueAt?: Source): Definition {
  // The binding spells out the last `bindingKeys` keys of the path where the value expression was written.
  const bound = ctx.binding && ctx.bindingDepth === p.length ? ctx.bindingKeys : undefined;
  return {
    path: p,
    // `"${./file}"` is a store path in Nix: its text is not known, so no rule may read it.
    value: v.t === 'str' && v.ctx ? { t: 'unknown', src: v.src } : v,
    priority: ctx.priority,
    conditional: ctx.conditional,
    condition: ctx.condition,
    conditions: ctx.conditions,
    at,
    valueAt,
    pathAt: ctx.pathAt.slice(0, p.length),
    binding: bound ? ctx.binding : undefined,
    bindingKeys: bound,
  };
}

function collectValue(
  ev: Evaluator,
  v: Value,
  p: string[],
  ctx: Ctx,
  out: CollectedModules,
  at?: Source,
  valueAt?: Source,
): void {
  if (v.t === 'mk') {
    // `let m = mkMerge [ m ]; in m` unwraps forever; nesting this deep is not written by hand: unknown.
    const mkDepth = (ctx.mkDepth ?? 0) + 1;
    if (mkDepth > MAX_MK_NESTING) {
      out.dynamicPrefixes.push(p);
      return;
    }
    let next: Ctx = { ...ctx, mkDepth };
    if (v.kind === 'priority') next = { ...next, priority: v.priority ?? ctx.priority };
    if (v.kind === 'if') {
      const c = v.cond;
      if (c?.t === 'bool' && !c.v) return;
      if (!(c?.t === 'bool' && c.v)) {
        next = { ...next, conditional: true, condition: v.src };
        // `mkIf cfg.enable` with `cfg = config.my.i3`: a configuration may know that option (modules.ts' callers
        // give `config` as an unknown that remembers what was selected from it).
        const option = c?.t === 'unknown' ? configOption(c.path) : undefined;
        next.conditions = [...(ctx.conditions ?? []), option ?? null];
      }
    }
    for (const t of v.content) {
      const inner = ev.force(t);
      const innerAt =
        t.expr && t.file && !isVirtualFile(t.file) ? { file: t.file, span: t.expr.span } : valueAt;
      // `mkIf cfg.enable (if lib.versionAtLeast … then { … } else { … })`: both ways, each conditional.
      const either = inner.t === 'unknown' && !inner.error ? branches(ev, t) : undefined;
      if (either) {
        const cond: Ctx = {
          ...next,
          conditional: true,
          condition: inner.src ?? next.condition,
          conditions: [...(next.conditions ?? []), null],
        };
        for (const b of either) collectValue(ev, ev.force(b), p, cond, out, at, innerAt);
        continue;
      }
      collectValue(ev, inner, p, next, out, at, innerAt);
    }
    return;
  }
  if (v.t === 'attrs' && p.length < MAX_OPTION_DEPTH) {
    if (ctx.budget && (--ctx.budget.left < 0 || isAncestor(v, ctx.ancestors))) {
      // A set holding itself, or more than any module writes: its contents stay unknown.
      out.dynamicPrefixes.push(p);
      return;
    }
    if (v.dynamic) out.dynamicPrefixes.push(p);
    // Each top-level option gets its own budget (at the module's top, p is empty: one per key below it).
    const inner: Ctx = { ...ctx, ancestors: { set: v, up: ctx.ancestors } };
    if (p.length) inner.budget ??= { left: MAX_SETS_PER_OPTION };
    for (const [key, t] of v.attrs)
      collectThunk(
        ev,
        t,
        [...p, key],
        p.length ? inner : { ...inner, budget: { left: MAX_SETS_PER_OPTION } },
        out,
      );
    // Record the set itself too, so `fileSystems."/" = { }` still says the mount point exists.
    if (v.attrs.size === 0 && p.length) out.definitions.push(definition(p, v, ctx, at, valueAt));
    return;
  }
  if (!p.length) {
    if (v.t === 'unknown') out.dynamicPrefixes.push([]);
    return;
  }
  out.definitions.push(definition(p, v, ctx, at, valueAt));
}

/** The option a value selected from the module argument `config` is (`config.my.i3.enable` → my.i3.enable). */
function configOption(p: readonly string[] | undefined): string[] | undefined {
  if (!p || p.length < 2 || p[0] !== 'config' || p.includes(IMPORTED)) return undefined;
  return p.slice(1);
}

/** `to.push(...from)` without spreading: a module can define 100,000 options, more than a call takes. */
function append<T>(to: T[], from: T[]): void {
  for (const x of from) to.push(x);
}

export function relativeTo(file: string, dir: string): string {
  return path.relative(dir, file) || path.basename(file);
}
