// Which NixOS option a position in a module file is about, from the syntax tree alone: follows the module's
// body set through the function head, `let`, `with`, `assert`, mkIf/mkMerge/mkDefault-style wrappers, `//`,
// `config = { … }` beside `options`, nested sets, dotted keys, lists of submodules (`swapDevices = [ { … } ]`)
// and inline modules in `imports`/`modules` lists (also in a flake.nix). Hover and completion use it.
import {
  type AttrsExpr,
  type Binding,
  childExprs,
  type Expr,
  type SourceFile,
  type StringExpr,
} from '../syntax/ast';
import type { Span } from '../syntax/positions';

export type OptionContext =
  /** On key `index` of a binding; `path` is the binding's full option path. */
  | { kind: 'key'; path: string[]; index: number; keySpan: Span; binding: Binding }
  /** In the value of a binding (and not in a deeper option set). */
  | { kind: 'value'; path: string[]; binding: Binding }
  /** In an option set, between bindings: new bindings here are below `prefix`. */
  | { kind: 'set'; prefix: string[]; set: AttrsExpr };

/** Keys of a module's top-level set that are not options. */
const MODULE_KEYS = new Set([
  'imports',
  'options',
  '_file',
  'key',
  'disabledModules',
  'meta',
  'freeformType',
  '_class',
]);

/** A dynamic key (`${name}`, `"${x}-y"`) stands for any attribute name. */
export const ANY_NAME = '<name>';

const inside = (s: Span, offset: number) => offset >= s.start && offset <= s.end;

/**
 * The option context at `offset`. `isModule` says whether the file's value is a NixOS module (false for
 * flake.nix and helper files: there only inline modules in `modules`/`imports` lists count).
 */
export function optionContextAt(
  file: SourceFile,
  offset: number,
  isModule: boolean,
): OptionContext | undefined {
  if (!file.expr) return undefined;
  return isModule ? inModule(file.expr, offset, [], true) : outside(file.expr, offset);
}

/** Outside any option position: only `modules = [ … ]` / `imports = [ … ]` lists lead back into modules. */
function outside(e: Expr, offset: number): OptionContext | undefined {
  if (!inside(e.span, offset)) return undefined;
  if (e.kind === 'attrs' || e.kind === 'let') {
    for (const b of e.bindings) {
      const last = b.path[b.path.length - 1]?.name;
      if ((last === 'modules' || last === 'imports') && inside(b.value.span, offset)) {
        const r = moduleList(b.value, offset);
        if (r) return r;
      }
    }
  }
  for (const c of childExprs(e)) {
    const r = outside(c, offset);
    if (r) return r;
  }
  return undefined;
}

function moduleList(e: Expr, offset: number): OptionContext | undefined {
  const v = unwrap(e);
  if (v.kind === 'list') {
    for (const item of v.items) if (inside(item.span, offset)) return inModule(item, offset, [], true);
    return undefined;
  }
  return outside(e, offset);
}

const unwrap = (e: Expr): Expr => (e.kind === 'paren' ? unwrap(e.expr) : e);

/** The name of the function at the head of an application chain (`lib.mkIf c x` → mkIf). */
function headName(e: Expr): string | undefined {
  let f = e;
  while (f.kind === 'apply' || f.kind === 'paren') f = f.kind === 'apply' ? f.fn : f.expr;
  if (f.kind === 'var') return f.name;
  if (f.kind === 'select') return f.path[f.path.length - 1]?.name;
  return undefined;
}

const WRAPPERS =
  /^(mk(If|Merge|Default|Force|Override|Before|After|Order|OptionDefault|VMOverride))$|^optionalAttrs$/;

/**
 * In a position whose value defines options below `prefix` (`top`: the module's own body, where `imports`,
 * `options` and `config` have their special meaning).
 */
function inModule(e: Expr, offset: number, prefix: string[], top: boolean): OptionContext | undefined {
  if (!inside(e.span, offset)) return undefined;
  switch (e.kind) {
    case 'paren':
      return inModule(e.expr, offset, prefix, top);
    case 'lambda':
      // A module function (`{ config, lib, ... }: { … }`); a function as an option value defines nothing.
      if (!top) return outside(e, offset);
      if (inside(e.body.span, offset)) return inModule(e.body, offset, prefix, top);
      return outside(e, offset);
    case 'let':
      if (inside(e.body.span, offset)) return inModule(e.body, offset, prefix, top);
      return outside(e, offset);
    case 'with':
    case 'assert':
      if (inside(e.body.span, offset)) return inModule(e.body, offset, prefix, top);
      return outside(e, offset);
    case 'if':
      if (inside(e.then.span, offset)) return inModule(e.then, offset, prefix, top);
      if (inside(e.else.span, offset)) return inModule(e.else, offset, prefix, top);
      return outside(e, offset);
    case 'binary':
      if (e.op === '//')
        return inModule(e.left, offset, prefix, top) ?? inModule(e.right, offset, prefix, top);
      return outside(e, offset);
    case 'apply': {
      const name = headName(e);
      if (name && WRAPPERS.test(name) && inside(e.arg.span, offset)) {
        const arg = unwrap(e.arg);
        if (name === 'mkMerge' && arg.kind === 'list') {
          for (const item of arg.items)
            if (inside(item.span, offset)) return inModule(item, offset, prefix, top);
          return undefined;
        }
        return inModule(e.arg, offset, prefix, top);
      }
      return outside(e, offset);
    }
    case 'list':
      // A list of submodules (`swapDevices = [ { device = …; } ]`).
      if (top || !prefix.length) return outside(e, offset);
      for (const item of e.items)
        if (inside(item.span, offset)) return inModule(item, offset, [...prefix, '*'], false);
      return undefined;
    case 'attrs':
      return inSet(e, offset, prefix, top);
    default:
      return outside(e, offset);
  }
}

function inSet(e: AttrsExpr, offset: number, prefix: string[], top: boolean): OptionContext | undefined {
  const explicit =
    top && e.bindings.some((b) => b.path[0]?.name === 'config' || b.path[0]?.name === 'options');
  for (const b of e.bindings) {
    // A binding ends with its `;`: a cursor after it is in the set again.
    if (offset < b.span.start || offset >= b.span.end) continue;
    const keys = b.path.map((k) => k.name ?? ANY_NAME);
    let skip = 0;
    if (top) {
      const first = keys[0];
      if (first === 'imports') return inside(b.value.span, offset) ? moduleList(b.value, offset) : undefined;
      if (first === 'config' && explicit) skip = 1;
      else if (MODULE_KEYS.has(first) || (explicit && first !== 'config')) return outside(b.value, offset);
    }
    const path = [...prefix, ...keys.slice(skip)];
    if (inside(b.pathSpan, offset)) {
      const i = b.path.findIndex((k) => inside(k.span, offset));
      if (i < skip || i < 0) return undefined;
      return { kind: 'key', path, index: prefix.length + i - skip, keySpan: b.path[i].span, binding: b };
    }
    if (inside(b.value.span, offset)) {
      // Dynamic key expressions are not option positions.
      const inner = inModule(b.value, offset, path, false);
      return inner ?? { kind: 'value', path, binding: b };
    }
    return undefined;
  }
  for (const b of e.bindings)
    for (const k of b.path) if (k.dynamic && inside(k.dynamic.span, offset)) return undefined;
  if (offset > e.span.start && offset < e.span.end) return { kind: 'set', prefix, set: e };
  return undefined;
}

/** The innermost string literal around `offset`, if any. */
export function stringAt(file: SourceFile, offset: number): StringExpr | undefined {
  let found: StringExpr | undefined;
  const visit = (e: Expr) => {
    if (offset <= e.span.start || offset >= e.span.end) return;
    if (e.kind === 'string') found = e;
    for (const c of childExprs(e)) visit(c);
  };
  if (file.expr) visit(file.expr);
  return found;
}
