// The pieces of a string or path literal as the AST holds them (literal text with escapes decoded, and the
// interpolated expressions), shared by both AST builders (build-ast.ts from tree-sitter, direct-ast.ts from
// Nix's own grammar) so the two give the same values.
import type { Expr, StringPart } from './ast';

export function appendText(parts: StringPart[], text: string): void {
  const last = parts.length - 1;
  if (last >= 0 && typeof parts[last] === 'string') parts[last] = (parts[last] as string) + text;
  else parts.push(text);
}

export function decodeEscape(text: string): string {
  const c = text.slice(1);
  return c === 'n' ? '\n' : c === 't' ? '\t' : c === 'r' ? '\r' : c;
}

export function decodeIndentedEscape(text: string): string {
  if (text === "'''") return "''";
  // ''\n, ''\t, ''\r, ''\x
  return decodeEscape(text.slice(2));
}

/** Indented strings lose their common leading indentation and a first line that is only whitespace. */
export function stripIndentation(parts: StringPart[]): StringPart[] {
  const text = parts.map((p) => (typeof p === 'string' ? p : '\u0000')).join('');
  const lines = text.split('\n');
  let min = Infinity;
  for (const line of lines) {
    if (line.trim() === '' && !line.includes('\u0000')) continue;
    const indent = /^ */.exec(line)![0].length;
    min = Math.min(min, indent);
  }
  if (!Number.isFinite(min)) min = 0;
  const out: StringPart[] = [];
  let exprIndex = 0;
  const exprs = parts.filter((p): p is Expr => typeof p !== 'string');
  const body = lines[0].trim() === '' && lines.length > 1 ? lines.slice(1) : lines;
  body.forEach((line, i) => {
    const stripped = line.slice(Math.min(min, /^ */.exec(line)![0].length));
    const segs = stripped.split('\u0000');
    segs.forEach((seg, j) => {
      if (seg) appendText(out, seg);
      if (j < segs.length - 1) out.push(exprs[exprIndex++]);
    });
    if (i < body.length - 1) appendText(out, '\n');
  });
  return out;
}

export function staticValue(parts: StringPart[]): string | undefined {
  if (parts.length === 0) return '';
  if (parts.length === 1 && typeof parts[0] === 'string') return parts[0];
  return undefined;
}
