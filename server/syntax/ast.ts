// nixkit's own syntax tree for Nix. The model and the rules read this, never tree-sitter nodes, so a change
// in the grammar package only touches the builder (build-ast.ts). Spans are UTF-16 offsets into the text.
import type { Span } from './positions';

export interface Name {
  name: string;
  span: Span;
}

/** One element of an attribute path: `a`, `"a.b"` (static) or `${x}` / `"${x}-y"` (dynamic). */
export interface AttrKey {
  span: Span;
  /** The key when it is known without evaluation. */
  name?: string;
  /** The expression of a dynamic key. */
  dynamic?: Expr;
}

export interface Binding {
  span: Span;
  path: AttrKey[];
  pathSpan: Span;
  value: Expr;
}

export interface Inherit {
  span: Span;
  /** `inherit (from) a b;` */
  from?: Expr;
  names: AttrKey[];
}

export interface Formal {
  name: Name;
  default?: Expr;
  span: Span;
}

/** A string literal's pieces: literal text (escapes decoded) and interpolated expressions. */
export type StringPart = string | Expr;

interface Base {
  span: Span;
}

export interface AttrsExpr extends Base {
  kind: 'attrs';
  rec: boolean;
  bindings: Binding[];
  inherits: Inherit[];
  /** Where `{` sits, for the outline and quick fixes that insert bindings. */
  open: Span;
}
export interface LetExpr extends Base {
  kind: 'let';
  bindings: Binding[];
  inherits: Inherit[];
  body: Expr;
}
export interface WithExpr extends Base {
  kind: 'with';
  env: Expr;
  body: Expr;
}
export interface AssertExpr extends Base {
  kind: 'assert';
  cond: Expr;
  body: Expr;
}
export interface IfExpr extends Base {
  kind: 'if';
  cond: Expr;
  then: Expr;
  else: Expr;
}
export interface LambdaExpr extends Base {
  kind: 'lambda';
  /** `x:` or the `@x` of a pattern. */
  param?: Name;
  /** Present for `{ a, b ? 1, ... }:` patterns. */
  formals?: Formal[];
  ellipsis: boolean;
  body: Expr;
}
export interface ApplyExpr extends Base {
  kind: 'apply';
  fn: Expr;
  arg: Expr;
}
export interface SelectExpr extends Base {
  kind: 'select';
  target: Expr;
  path: AttrKey[];
  default?: Expr;
}
export interface HasAttrExpr extends Base {
  kind: 'hasAttr';
  target: Expr;
  path: AttrKey[];
}
export interface BinaryExpr extends Base {
  kind: 'binary';
  op: string;
  left: Expr;
  right: Expr;
}
export interface UnaryExpr extends Base {
  kind: 'unary';
  op: string;
  arg: Expr;
}
export interface VarExpr extends Base {
  kind: 'var';
  name: string;
}
export interface StringExpr extends Base {
  kind: 'string';
  indented: boolean;
  parts: StringPart[];
  /** The whole value when there is no interpolation. */
  value?: string;
}
export interface PathExpr extends Base {
  kind: 'path';
  /** relative `./x`, absolute `/x`, home `~/x`, search `<x>` */
  pathKind: 'relative' | 'absolute' | 'home' | 'search';
  parts: StringPart[];
  value?: string;
}
export interface UriExpr extends Base {
  kind: 'uri';
  value: string;
}
export interface NumberExpr extends Base {
  kind: 'int' | 'float';
  value: number;
  text: string;
}
export interface ListExpr extends Base {
  kind: 'list';
  items: Expr[];
}
export interface ParenExpr extends Base {
  kind: 'paren';
  expr: Expr;
}
/** Something the parser could not make sense of; analysis treats it as unknown. */
export interface ErrorExpr extends Base {
  kind: 'error';
}

export type Expr =
  | AttrsExpr
  | LetExpr
  | WithExpr
  | AssertExpr
  | IfExpr
  | LambdaExpr
  | ApplyExpr
  | SelectExpr
  | HasAttrExpr
  | BinaryExpr
  | UnaryExpr
  | VarExpr
  | StringExpr
  | PathExpr
  | UriExpr
  | NumberExpr
  | ListExpr
  | ParenExpr
  | ErrorExpr;

export interface Comment {
  span: Span;
  text: string;
}

export interface SourceFile {
  /** Absent for an empty file (or one with only comments). */
  expr?: Expr;
  comments: Comment[];
}

/** Strips parentheses: `((x))` → `x`. */
export function unparen(e: Expr): Expr {
  while (e.kind === 'paren') e = e.expr;
  return e;
}

/** A dotted path's text when every key is static (`a.b."c.d"` → ['a','b','c.d']), else undefined. */
export function staticPath(path: AttrKey[]): string[] | undefined {
  const out: string[] = [];
  for (const k of path) {
    if (k.name === undefined) return undefined;
    out.push(k.name);
  }
  return out;
}

/** Calls `visit` on every expression below (and including) `e`, parents first. Return false to skip children. */
export function walkExpr(e: Expr, visit: (e: Expr) => boolean | void): void {
  const stack: Expr[] = [e];
  while (stack.length) {
    const cur = stack.pop()!;
    if (visit(cur) === false) continue;
    const kids = childExprs(cur);
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
  }
}

export function childExprs(e: Expr): Expr[] {
  const keyExprs = (keys: AttrKey[]) => keys.flatMap((k) => (k.dynamic ? [k.dynamic] : []));
  const bindingExprs = (bs: Binding[], ins: Inherit[]) => [
    ...ins.flatMap((i) => [...(i.from ? [i.from] : []), ...keyExprs(i.names)]),
    ...bs.flatMap((b) => [...keyExprs(b.path), b.value]),
  ];
  switch (e.kind) {
    case 'attrs':
      return bindingExprs(e.bindings, e.inherits);
    case 'let':
      return [...bindingExprs(e.bindings, e.inherits), e.body];
    case 'with':
      return [e.env, e.body];
    case 'assert':
      return [e.cond, e.body];
    case 'if':
      return [e.cond, e.then, e.else];
    case 'lambda':
      return [...(e.formals ?? []).flatMap((f) => (f.default ? [f.default] : [])), e.body];
    case 'apply':
      return [e.fn, e.arg];
    case 'select':
      return [e.target, ...keyExprs(e.path), ...(e.default ? [e.default] : [])];
    case 'hasAttr':
      return [e.target, ...keyExprs(e.path)];
    case 'binary':
      return [e.left, e.right];
    case 'unary':
      return [e.arg];
    case 'string':
    case 'path':
      return e.parts.filter((p): p is Expr => typeof p !== 'string');
    case 'list':
      return e.items;
    case 'paren':
      return [e.expr];
    default:
      return [];
  }
}
