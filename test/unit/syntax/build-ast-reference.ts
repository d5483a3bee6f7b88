// TEMPORARY: a verbatim copy of server/syntax/build-ast.ts before it was rewritten to walk the tree with one
// TreeCursor. Only build-ast-equivalence.test.ts and test/bench/ast-bench.ts use it, to prove the rewrite
// builds the same AST and to measure the speed-up. Delete it (and those uses) once the rewrite has settled.
import type { Node } from 'web-tree-sitter';
import type {
  AttrKey,
  Binding,
  Comment,
  Expr,
  Formal,
  Inherit,
  SourceFile,
  StringPart,
} from '../../../server/syntax/ast';
import type { Span } from '../../../server/syntax/positions';

const spanOf = (n: Node): Span => ({ start: n.startIndex, end: n.endIndex });

export function buildAstReference(root: Node): SourceFile {
  const comments: Comment[] = [];
  collectComments(root, comments);
  const top = root.childForFieldName('expression');
  return { expr: top ? toExpr(top) : undefined, comments };
}

function collectComments(n: Node, out: Comment[]): void {
  // Comments are "extras" and can sit anywhere; a cursor walk avoids allocating child arrays.
  const cursor = n.walk();
  let descend = true;
  for (;;) {
    if (descend && cursor.gotoFirstChild()) continue;
    if (cursor.nodeType === 'comment')
      out.push({ span: { start: cursor.startIndex, end: cursor.endIndex }, text: cursor.nodeText });
    if (cursor.gotoNextSibling()) {
      descend = true;
      continue;
    }
    descend = false;
    if (!cursor.gotoParent()) break;
    if (cursor.nodeId === n.id) break;
  }
  cursor.delete();
}

function err(n: Node): Expr {
  return { kind: 'error', span: spanOf(n) };
}

function field(n: Node, name: string): Node | null {
  return n.childForFieldName(name);
}

function exprField(n: Node, name: string): Expr {
  const c = field(n, name);
  return c ? toExpr(c) : { kind: 'error', span: { start: n.endIndex, end: n.endIndex } };
}

function toExpr(n: Node): Expr {
  const span = spanOf(n);
  if (n.isMissing) return { kind: 'error', span };
  switch (n.type) {
    case 'attrset_expression':
    case 'rec_attrset_expression':
    case 'let_attrset_expression': {
      const set = n.namedChildren.find((c) => c?.type === 'binding_set') ?? null;
      const { bindings, inherits } = bindingSet(set);
      const open = n.children.find((c) => c?.type === '{');
      return {
        kind: 'attrs',
        span,
        rec: n.type !== 'attrset_expression',
        bindings,
        inherits,
        open: open ? spanOf(open) : { start: span.start, end: span.start },
      };
    }
    case 'let_expression': {
      const set = n.namedChildren.find((c) => c?.type === 'binding_set') ?? null;
      const { bindings, inherits } = bindingSet(set);
      return { kind: 'let', span, bindings, inherits, body: exprField(n, 'body') };
    }
    case 'with_expression':
      return { kind: 'with', span, env: exprField(n, 'environment'), body: exprField(n, 'body') };
    case 'assert_expression':
      return { kind: 'assert', span, cond: exprField(n, 'condition'), body: exprField(n, 'body') };
    case 'if_expression':
      return {
        kind: 'if',
        span,
        cond: exprField(n, 'condition'),
        then: exprField(n, 'consequence'),
        else: exprField(n, 'alternative'),
      };
    case 'function_expression': {
      const universal = field(n, 'universal');
      const formalsNode = field(n, 'formals');
      let formals: Formal[] | undefined;
      let ellipsis = false;
      if (formalsNode) {
        formals = [];
        for (const c of formalsNode.namedChildren) {
          if (!c) continue;
          if (c.type === 'ellipses') ellipsis = true;
          else if (c.type === 'formal') {
            const name = field(c, 'name');
            const def = field(c, 'default');
            if (name)
              formals.push({
                name: { name: name.text, span: spanOf(name) },
                default: def ? toExpr(def) : undefined,
                span: spanOf(c),
              });
          }
        }
      }
      return {
        kind: 'lambda',
        span,
        param:
          universal && !universal.isMissing ? { name: universal.text, span: spanOf(universal) } : undefined,
        formals,
        ellipsis,
        body: exprField(n, 'body'),
      };
    }
    case 'apply_expression':
      return { kind: 'apply', span, fn: exprField(n, 'function'), arg: exprField(n, 'argument') };
    case 'select_expression': {
      const def = field(n, 'default');
      return {
        kind: 'select',
        span,
        target: exprField(n, 'expression'),
        path: attrKeys(field(n, 'attrpath')),
        default: def ? toExpr(def) : undefined,
      };
    }
    case 'has_attr_expression':
      return {
        kind: 'hasAttr',
        span,
        target: exprField(n, 'expression'),
        path: attrKeys(field(n, 'attrpath')),
      };
    case 'binary_expression':
      return {
        kind: 'binary',
        span,
        op: field(n, 'operator')?.type ?? '?',
        left: exprField(n, 'left'),
        right: exprField(n, 'right'),
      };
    case 'unary_expression':
      return { kind: 'unary', span, op: field(n, 'operator')?.type ?? '?', arg: exprField(n, 'argument') };
    case 'variable_expression': {
      const name = field(n, 'name');
      if (!name || name.isMissing) return err(n);
      return { kind: 'var', span, name: name.text };
    }
    case 'string_expression':
    case 'indented_string_expression': {
      const indented = n.type === 'indented_string_expression';
      const parts = stringParts(n, indented);
      return { kind: 'string', span, indented, parts, value: staticValue(parts) };
    }
    case 'path_expression':
    case 'hpath_expression': {
      const parts: StringPart[] = [];
      for (const c of n.namedChildren) {
        if (!c) continue;
        if (c.type === 'path_fragment') appendText(parts, c.text);
        else if (c.type === 'interpolation') parts.push(exprField(c, 'expression'));
      }
      const first = typeof parts[0] === 'string' ? parts[0] : '';
      const pathKind =
        n.type === 'hpath_expression' ? 'home' : first.startsWith('/') ? 'absolute' : 'relative';
      return { kind: 'path', span, pathKind, parts, value: staticValue(parts) };
    }
    case 'spath_expression': {
      const inner = n.text.slice(1, -1);
      return { kind: 'path', span, pathKind: 'search', parts: [inner], value: inner };
    }
    case 'uri_expression':
      return { kind: 'uri', span, value: n.text };
    case 'integer_expression':
      return { kind: 'int', span, value: Number(n.text), text: n.text };
    case 'float_expression':
      return { kind: 'float', span, value: Number(n.text), text: n.text };
    case 'list_expression':
      return {
        kind: 'list',
        span,
        items: n.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment').map(toExpr),
      };
    case 'parenthesized_expression':
      return { kind: 'paren', span, expr: exprField(n, 'expression') };
    default:
      return err(n);
  }
}

function bindingSet(set: Node | null): { bindings: Binding[]; inherits: Inherit[] } {
  const bindings: Binding[] = [];
  const inherits: Inherit[] = [];
  if (!set) return { bindings, inherits };
  for (const c of set.namedChildren) {
    if (!c) continue;
    if (c.type === 'binding') {
      const pathNode = field(c, 'attrpath');
      const value = field(c, 'expression');
      if (!pathNode) continue;
      bindings.push({
        span: spanOf(c),
        path: attrKeys(pathNode),
        pathSpan: spanOf(pathNode),
        value: value ? toExpr(value) : { kind: 'error', span: { start: c.endIndex, end: c.endIndex } },
      });
    } else if (c.type === 'inherit' || c.type === 'inherit_from') {
      const from = c.type === 'inherit_from' ? field(c, 'expression') : null;
      inherits.push({
        span: spanOf(c),
        from: from ? toExpr(from) : undefined,
        names: attrKeys(field(c, 'attrs')),
      });
    }
  }
  return { bindings, inherits };
}

function attrKeys(n: Node | null): AttrKey[] {
  if (!n) return [];
  const keys: AttrKey[] = [];
  for (const c of n.namedChildren) {
    if (!c || c.type === 'comment') continue;
    const span = spanOf(c);
    if (c.type === 'identifier') keys.push({ span, name: c.text });
    else if (c.type === 'string_expression') {
      const parts = stringParts(c, false);
      const name = staticValue(parts);
      keys.push(name !== undefined ? { span, name } : { span, dynamic: toExpr(c) });
    } else if (c.type === 'interpolation') {
      const inner = exprField(c, 'expression');
      // `${"literal"}` is as static as a plain name.
      if (inner.kind === 'string' && inner.value !== undefined) keys.push({ span, name: inner.value });
      else keys.push({ span, dynamic: inner });
    } else keys.push({ span, dynamic: { kind: 'error', span } });
  }
  return keys;
}

function appendText(parts: StringPart[], text: string): void {
  const last = parts.length - 1;
  if (last >= 0 && typeof parts[last] === 'string') parts[last] = (parts[last] as string) + text;
  else parts.push(text);
}

function stringParts(n: Node, indented: boolean): StringPart[] {
  const parts: StringPart[] = [];
  for (const c of n.namedChildren) {
    if (!c) continue;
    switch (c.type) {
      case 'string_fragment':
        appendText(parts, c.text);
        break;
      case 'escape_sequence':
        appendText(parts, indented ? decodeIndentedEscape(c.text) : decodeEscape(c.text));
        break;
      case 'dollar_escape':
        // `''$` in an indented string: the `''` is dropped and the following `$` is literal.
        break;
      case 'interpolation':
        parts.push(exprField(c, 'expression'));
        break;
    }
  }
  return indented ? stripIndentation(parts) : parts;
}

function decodeEscape(text: string): string {
  const c = text.slice(1);
  return c === 'n' ? '\n' : c === 't' ? '\t' : c === 'r' ? '\r' : c;
}

function decodeIndentedEscape(text: string): string {
  if (text === "'''") return "''";
  // ''\n, ''\t, ''\r, ''\x
  return decodeEscape(text.slice(2));
}

/** Indented strings lose their common leading indentation and a first line that is only whitespace. */
function stripIndentation(parts: StringPart[]): StringPart[] {
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

function staticValue(parts: StringPart[]): string | undefined {
  if (parts.length === 0) return '';
  if (parts.length === 1 && typeof parts[0] === 'string') return parts[0];
  return undefined;
}
