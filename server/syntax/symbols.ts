// The document outline: top-level bindings and attribute paths, nested sets as children. Looks through the
// function head of a module (`{ config, ... }: { ... }`), `let … in`, `with …;` and parentheses to find the set
// a person thinks of as "the file".
import type { Binding, Expr, Inherit } from './ast';
import type { LineIndex, Range } from './positions';

export type OutlineKind = 'namespace' | 'property' | 'variable' | 'function' | 'list' | 'value';

export interface OutlineSymbol {
  name: string;
  kind: OutlineKind;
  range: Range;
  selectionRange: Range;
  detail?: string;
  children: OutlineSymbol[];
}

const MAX_DEPTH = 12;

export function outline(expr: Expr | undefined, lines: LineIndex): OutlineSymbol[] {
  if (!expr) return [];
  return symbolsOf(expr, lines, 0);
}

function symbolsOf(e: Expr, lines: LineIndex, depth: number): OutlineSymbol[] {
  if (depth > MAX_DEPTH) return [];
  switch (e.kind) {
    case 'paren':
      return symbolsOf(e.expr, lines, depth);
    case 'lambda':
    case 'with':
    case 'assert':
      return symbolsOf(e.body, lines, depth);
    case 'let':
      return [
        ...bindingSymbols(e.bindings, e.inherits, lines, depth, 'variable'),
        ...symbolsOf(e.body, lines, depth),
      ];
    case 'attrs':
      return bindingSymbols(e.bindings, e.inherits, lines, depth, 'property');
    default:
      return [];
  }
}

function bindingSymbols(
  bindings: Binding[],
  inherits: Inherit[],
  lines: LineIndex,
  depth: number,
  kind: 'property' | 'variable',
): OutlineSymbol[] {
  const out: OutlineSymbol[] = [];
  for (const inh of inherits) {
    for (const k of inh.names) {
      if (k.name === undefined) continue;
      const r = lines.rangeOf(k.span);
      out.push({
        name: k.name,
        kind,
        range: lines.rangeOf(inh.span),
        selectionRange: r,
        detail: 'inherit',
        children: [],
      });
    }
  }
  for (const b of bindings) {
    const name = b.path.map((k) => k.name ?? '${…}').join('.');
    const children = symbolsOf(b.value, lines, depth + 1);
    out.push({
      name,
      kind: valueKind(b.value, children.length > 0, kind),
      range: lines.rangeOf(b.span),
      selectionRange: lines.rangeOf(b.pathSpan),
      detail: detailOf(b.value),
      children,
    });
  }
  return out.sort(
    (a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character,
  );
}

function valueKind(e: Expr, hasChildren: boolean, fallback: 'property' | 'variable'): OutlineKind {
  while (e.kind === 'paren') e = e.expr;
  if (e.kind === 'lambda') return 'function';
  if (e.kind === 'list') return 'list';
  if (e.kind === 'attrs' || hasChildren) return 'namespace';
  return fallback;
}

function detailOf(e: Expr): string | undefined {
  while (e.kind === 'paren') e = e.expr;
  switch (e.kind) {
    case 'string':
      return e.value !== undefined
        ? JSON.stringify(e.value.length > 40 ? e.value.slice(0, 39) + '…' : e.value)
        : 'string';
    case 'int':
    case 'float':
      return e.text;
    case 'var':
      return e.name;
    case 'path':
      return e.value;
    case 'list':
      return `[${e.items.length}]`;
    default:
      return undefined;
  }
}
