// Turns a tree-sitter-nix tree into nixkit's AST (ast.ts). The only file that knows the grammar's node names
// besides error extraction; anything it does not recognise becomes an `error` node (treated as unknown).
//
// Speed: in web-tree-sitter every Node access marshals through WASM memory and allocates a JS object, which
// made the builder the slowest step after an edit. So the tree is read once, with one TreeCursor, into flat
// arrays holding only what the builder looks at (a field name only below nodes whose fields are read, a span
// only for named nodes, `{` and field children); token text is sliced from the source string. The AST is then
// built from the arrays bottom-up, with explicit stacks instead of recursion: deeply nested input (thousands of
// nested lists, a long `++` chain) cannot overflow the JS stack.
import type { Language, Node, TreeCursor } from 'web-tree-sitter';
import type { AttrKey, Binding, Comment, Expr, Formal, Inherit, SourceFile, StringPart } from './ast';
import type { Span } from './positions';
import {
  appendText,
  decodeEscape,
  decodeIndentedEscape,
  staticValue,
  stripIndentation,
} from './string-parts';

/**
 * Builds the AST of `root` (a tree's root node). `text` is the text the tree was parsed from; without it the
 * root's text is read from the tree (a copy of the whole document).
 */
export function buildAst(root: Node, text?: string): SourceFile {
  const source = text ?? ' '.repeat(root.startIndex) + root.text;
  const flat = new FlatTree(root, source);
  const top = flat.child(0, flat.fieldIds.expression);
  return { expr: top !== NONE ? new Builder(flat).build(top) : undefined, comments: flat.comments };
}

const NONE = -1;
const NAMED = 1;
const MISSING = 2;
/** Set on nodes whose named children carry their field ids (see FIELD_PARENTS). */
const FIELDS = 4;
/** Set on nodes whose anonymous children carry their field ids too (`operator`). */
const TOKEN_FIELDS = 8;
/** Set on nodes that may have children. */
const PARENT = 16;

/**
 * Named node types that are tokens in tree-sitter-nix (patterns, token() rules, external scanner tokens), so
 * never have children. Anonymous nodes are all tokens too: the grammar aliases nothing to an anonymous name.
 */
const TOKEN_TYPES = new Set([
  'identifier',
  'string_fragment',
  'escape_sequence',
  'dollar_escape',
  'path_fragment',
  'integer_expression',
  'float_expression',
  'spath_expression',
  'uri_expression',
  'ellipses',
  'comment',
]);

/** The only fields on tokens the builder reads: the operators of these. */
const TOKEN_FIELD_PARENTS = new Set(['binary_expression', 'unary_expression']);

/** The node types the builder looks up children of by field name; nothing else needs field ids. */
const FIELD_PARENTS = new Set([
  'let_expression',
  'with_expression',
  'assert_expression',
  'if_expression',
  'function_expression',
  'formal',
  'apply_expression',
  'select_expression',
  'has_attr_expression',
  'binary_expression',
  'unary_expression',
  'variable_expression',
  'parenthesized_expression',
  'interpolation',
  'binding',
  'inherit',
  'inherit_from',
]);

const FIELD_NAMES = [
  'alternative',
  'argument',
  'attrpath',
  'attrs',
  'body',
  'condition',
  'consequence',
  'default',
  'environment',
  'expression',
  'formals',
  'function',
  'left',
  'name',
  'operator',
  'right',
  'universal',
] as const;
type FieldName = (typeof FIELD_NAMES)[number];

interface TypeInfo {
  name: string;
  named: boolean;
  /** FIELDS, TOKEN_FIELDS, PARENT and NAMED as they follow from the type. */
  flags: number;
}

const typeInfoCache = new WeakMap<Language, TypeInfo[]>();

/**
 * Every visible node of the tree in pre-order, as parallel arrays indexed by node number (the root is 0).
 * The children of node `n` are `n + 1`, then each `after[c]` while it is below `after[n]`.
 */
class FlatTree {
  count = 0;
  type: string[] = [];
  field: Uint16Array;
  start: Int32Array;
  end: Int32Array;
  after: Int32Array;
  flags: Uint8Array;
  readonly comments: Comment[] = [];
  readonly fieldIds: Record<FieldName, number>;
  private readonly types: TypeInfo[];
  private readonly language: Language;

  constructor(
    root: Node,
    readonly text: string,
  ) {
    this.language = root.tree.language;
    let types = typeInfoCache.get(this.language);
    if (!types) typeInfoCache.set(this.language, (types = []));
    this.types = types;
    const ids = {} as Record<FieldName, number>;
    // A name the grammar lacks gets an id no child has, as childForFieldName would find nothing.
    for (const name of FIELD_NAMES) ids[name] = this.language.fields.indexOf(name);
    this.fieldIds = ids;
    // About one visible node per 2.5 characters in typical Nix; grown by doubling when short.
    const capacity = 64 + (text.length >> 1);
    this.field = new Uint16Array(capacity);
    this.start = new Int32Array(capacity);
    this.end = new Int32Array(capacity);
    this.after = new Int32Array(capacity);
    this.flags = new Uint8Array(capacity);
    const cursor = root.walk();
    try {
      this.read(cursor);
    } finally {
      cursor.delete();
    }
  }

  private typeInfo(id: number): TypeInfo {
    let info = this.types[id];
    if (!info) {
      const name = this.language.types[id] || 'ERROR';
      const named = this.language.nodeTypeIsNamed(id);
      let flags = 0;
      if (named) flags |= NAMED;
      if (named && !TOKEN_TYPES.has(name)) flags |= PARENT;
      if (FIELD_PARENTS.has(name)) flags |= FIELDS;
      if (TOKEN_FIELD_PARENTS.has(name)) flags |= TOKEN_FIELDS;
      info = { name, named, flags };
      this.types[id] = info;
    }
    return info;
  }

  private read(cursor: TreeCursor): void {
    const open: number[] = []; // ancestors of the current node
    this.add(cursor, 0);
    this.flags[0] |= FIELDS | PARENT; // the root's `expression`
    let n = 0;
    for (;;) {
      if (this.flags[n] & PARENT && cursor.gotoFirstChild()) {
        open.push(n);
        n = this.add(cursor, this.flags[n]);
        continue;
      }
      this.after[n] = this.count;
      for (;;) {
        if (open.length === 0) return;
        const parent = open[open.length - 1];
        if (cursor.gotoNextSibling()) {
          n = this.add(cursor, this.flags[parent]);
          break;
        }
        cursor.gotoParent();
        open.pop();
        this.after[parent] = this.count;
      }
    }
  }

  /** Records the cursor's node; `parentFlags` tell whether its field id is needed. */
  private add(cursor: TreeCursor, parentFlags: number): number {
    const i = this.count++;
    if (i === this.flags.length) this.grow();
    const info = this.typeInfo(cursor.nodeTypeId);
    this.type.push(info.name);
    const fieldId = parentFlags & (info.named ? FIELDS : TOKEN_FIELDS) ? cursor.currentFieldId : 0;
    this.field[i] = fieldId;
    let flags = info.flags & (FIELDS | TOKEN_FIELDS | PARENT | NAMED);
    // Only named nodes, `{` (the attrs' `open`) and field children (operators) are ever asked for a span.
    if (info.named || fieldId !== 0 || info.name === '{') {
      const start = cursor.startIndex;
      const end = cursor.endIndex;
      this.start[i] = start;
      this.end[i] = end;
      // A missing node is always empty; asking only then saves a call per node.
      if (start === end && cursor.nodeIsMissing) flags |= MISSING;
      if (info.name === 'comment')
        this.comments.push({ span: { start, end }, text: this.text.slice(start, end) });
    }
    this.flags[i] = flags;
    return i;
  }

  private grow(): void {
    const size = this.flags.length * 2;
    const field = new Uint16Array(size);
    field.set(this.field);
    this.field = field;
    const start = new Int32Array(size);
    start.set(this.start);
    this.start = start;
    const end = new Int32Array(size);
    end.set(this.end);
    this.end = end;
    const after = new Int32Array(size);
    after.set(this.after);
    this.after = after;
    const flags = new Uint8Array(size);
    flags.set(this.flags);
    this.flags = flags;
  }

  /** The first child of `n` with the field (as Node.childForFieldName), or NONE. */
  child(n: number, fieldId: number): number {
    const stop = this.after[n];
    for (let c = n + 1; c < stop; c = this.after[c]) if (this.field[c] === fieldId) return c;
    return NONE;
  }

  /** The first named child of `n` of the type, or NONE. */
  namedChildOfType(n: number, type: string): number {
    const stop = this.after[n];
    for (let c = n + 1; c < stop; c = this.after[c])
      if (this.flags[c] & NAMED && this.type[c] === type) return c;
    return NONE;
  }

  /** The first child of `n` (named or not) of the type, or NONE. */
  childOfType(n: number, type: string): number {
    const stop = this.after[n];
    for (let c = n + 1; c < stop; c = this.after[c]) if (this.type[c] === type) return c;
    return NONE;
  }

  isNamed(n: number): boolean {
    return (this.flags[n] & NAMED) !== 0;
  }

  isMissing(n: number): boolean {
    return (this.flags[n] & MISSING) !== 0;
  }

  span(n: number): Span {
    return { start: this.start[n], end: this.end[n] };
  }

  textOf(n: number): string {
    return this.text.slice(this.start[n], this.end[n]);
  }
}

/**
 * Builds expressions bottom-up: `discover` lists, from the top expression down, every node the recursive
 * definition would turn into an expression; `construct` then builds them in reverse order, so the expressions
 * a node contains are always built before it. The two must agree on which nodes are expressions.
 */
class Builder {
  private readonly built: (Expr | undefined)[];
  private readonly f: Record<FieldName, number>;

  constructor(private readonly t: FlatTree) {
    this.built = new Array<Expr | undefined>(t.count);
    this.f = t.fieldIds;
  }

  build(top: number): Expr {
    const order: number[] = [];
    const stack = [top];
    while (stack.length) {
      const n = stack.pop()!;
      order.push(n);
      this.discover(n, stack);
    }
    for (let i = order.length - 1; i >= 0; i--) this.built[order[i]] = this.construct(order[i]);
    return this.built[top]!;
  }

  // --- discovery: which nodes become expressions (mirrors construct) ---

  private discover(n: number, out: number[]): void {
    const t = this.t;
    const f = this.f;
    if (t.isMissing(n)) return;
    switch (t.type[n]) {
      case 'attrset_expression':
      case 'rec_attrset_expression':
      case 'let_attrset_expression':
        this.discoverBindings(t.namedChildOfType(n, 'binding_set'), out);
        return;
      case 'let_expression':
        this.discoverBindings(t.namedChildOfType(n, 'binding_set'), out);
        this.discoverField(n, f.body, out);
        return;
      case 'with_expression':
        this.discoverField(n, f.environment, out);
        this.discoverField(n, f.body, out);
        return;
      case 'assert_expression':
        this.discoverField(n, f.condition, out);
        this.discoverField(n, f.body, out);
        return;
      case 'if_expression':
        this.discoverField(n, f.condition, out);
        this.discoverField(n, f.consequence, out);
        this.discoverField(n, f.alternative, out);
        return;
      case 'function_expression': {
        const formals = t.child(n, f.formals);
        if (formals !== NONE) {
          const stop = t.after[formals];
          for (let c = formals + 1; c < stop; c = t.after[c]) {
            if (!t.isNamed(c) || t.type[c] !== 'formal') continue;
            if (t.child(c, f.name) !== NONE) this.discoverField(c, f.default, out);
          }
        }
        this.discoverField(n, f.body, out);
        return;
      }
      case 'apply_expression':
        this.discoverField(n, f.function, out);
        this.discoverField(n, f.argument, out);
        return;
      case 'select_expression':
        this.discoverField(n, f.expression, out);
        this.discoverKeys(t.child(n, f.attrpath), out);
        this.discoverField(n, f.default, out);
        return;
      case 'has_attr_expression':
        this.discoverField(n, f.expression, out);
        this.discoverKeys(t.child(n, f.attrpath), out);
        return;
      case 'binary_expression':
        this.discoverField(n, f.left, out);
        this.discoverField(n, f.right, out);
        return;
      case 'unary_expression':
        this.discoverField(n, f.argument, out);
        return;
      case 'string_expression':
      case 'indented_string_expression':
      case 'path_expression':
      case 'hpath_expression':
        this.discoverInterpolations(n, out);
        return;
      case 'list_expression': {
        const stop = t.after[n];
        for (let c = n + 1; c < stop; c = t.after[c])
          if (t.isNamed(c) && t.type[c] !== 'comment') out.push(c);
        return;
      }
      case 'parenthesized_expression':
        this.discoverField(n, f.expression, out);
        return;
    }
  }

  private discoverField(n: number, fieldId: number, out: number[]): void {
    const c = this.t.child(n, fieldId);
    if (c !== NONE) out.push(c);
  }

  private discoverInterpolations(n: number, out: number[]): void {
    const t = this.t;
    const stop = t.after[n];
    for (let c = n + 1; c < stop; c = t.after[c])
      if (t.isNamed(c) && t.type[c] === 'interpolation') this.discoverField(c, this.f.expression, out);
  }

  private discoverBindings(set: number, out: number[]): void {
    if (set === NONE) return;
    const t = this.t;
    const f = this.f;
    const stop = t.after[set];
    for (let c = set + 1; c < stop; c = t.after[c]) {
      if (!t.isNamed(c)) continue;
      const type = t.type[c];
      if (type === 'binding') {
        const path = t.child(c, f.attrpath);
        if (path === NONE) continue;
        this.discoverKeys(path, out);
        this.discoverField(c, f.expression, out);
      } else if (type === 'inherit' || type === 'inherit_from') {
        if (type === 'inherit_from') this.discoverField(c, f.expression, out);
        this.discoverKeys(t.child(c, f.attrs), out);
      }
    }
  }

  private discoverKeys(n: number, out: number[]): void {
    if (n === NONE) return;
    const t = this.t;
    const stop = t.after[n];
    for (let c = n + 1; c < stop; c = t.after[c]) {
      if (!t.isNamed(c)) continue;
      const type = t.type[c];
      if (type === 'string_expression') {
        if (this.hasInterpolation(c)) out.push(c);
      } else if (type === 'interpolation') this.discoverField(c, this.f.expression, out);
    }
  }

  /** A string key is dynamic exactly when it has an interpolation (its parts then hold an expression). */
  private hasInterpolation(n: number): boolean {
    return this.t.namedChildOfType(n, 'interpolation') !== NONE;
  }

  // --- construction ---

  /** The built expression of a discovered node. */
  private expr(n: number): Expr {
    return this.built[n]!;
  }

  private exprField(n: number, fieldId: number): Expr {
    const c = this.t.child(n, fieldId);
    if (c !== NONE) return this.expr(c);
    const end = this.t.end[n];
    return { kind: 'error', span: { start: end, end } };
  }

  private construct(n: number): Expr {
    const t = this.t;
    const f = this.f;
    const span = t.span(n);
    if (t.isMissing(n)) return { kind: 'error', span };
    const type = t.type[n];
    switch (type) {
      case 'attrset_expression':
      case 'rec_attrset_expression':
      case 'let_attrset_expression': {
        const { bindings, inherits } = this.bindingSet(t.namedChildOfType(n, 'binding_set'));
        const open = t.childOfType(n, '{');
        return {
          kind: 'attrs',
          span,
          rec: type !== 'attrset_expression',
          bindings,
          inherits,
          open: open !== NONE ? t.span(open) : { start: span.start, end: span.start },
        };
      }
      case 'let_expression': {
        const { bindings, inherits } = this.bindingSet(t.namedChildOfType(n, 'binding_set'));
        return { kind: 'let', span, bindings, inherits, body: this.exprField(n, f.body) };
      }
      case 'with_expression':
        return { kind: 'with', span, env: this.exprField(n, f.environment), body: this.exprField(n, f.body) };
      case 'assert_expression':
        return {
          kind: 'assert',
          span,
          cond: this.exprField(n, f.condition),
          body: this.exprField(n, f.body),
        };
      case 'if_expression':
        return {
          kind: 'if',
          span,
          cond: this.exprField(n, f.condition),
          then: this.exprField(n, f.consequence),
          else: this.exprField(n, f.alternative),
        };
      case 'function_expression': {
        const universal = t.child(n, f.universal);
        const formalsNode = t.child(n, f.formals);
        let formals: Formal[] | undefined;
        let ellipsis = false;
        if (formalsNode !== NONE) {
          formals = [];
          const stop = t.after[formalsNode];
          for (let c = formalsNode + 1; c < stop; c = t.after[c]) {
            if (!t.isNamed(c)) continue;
            if (t.type[c] === 'ellipses') ellipsis = true;
            else if (t.type[c] === 'formal') {
              const name = t.child(c, f.name);
              const def = t.child(c, f.default);
              if (name !== NONE)
                formals.push({
                  name: { name: t.textOf(name), span: t.span(name) },
                  default: def !== NONE ? this.expr(def) : undefined,
                  span: t.span(c),
                });
            }
          }
        }
        return {
          kind: 'lambda',
          span,
          param:
            universal !== NONE && !t.isMissing(universal)
              ? { name: t.textOf(universal), span: t.span(universal) }
              : undefined,
          formals,
          ellipsis,
          body: this.exprField(n, f.body),
        };
      }
      case 'apply_expression':
        return { kind: 'apply', span, fn: this.exprField(n, f.function), arg: this.exprField(n, f.argument) };
      case 'select_expression': {
        const def = t.child(n, f.default);
        return {
          kind: 'select',
          span,
          target: this.exprField(n, f.expression),
          path: this.attrKeys(t.child(n, f.attrpath)),
          default: def !== NONE ? this.expr(def) : undefined,
        };
      }
      case 'has_attr_expression':
        return {
          kind: 'hasAttr',
          span,
          target: this.exprField(n, f.expression),
          path: this.attrKeys(t.child(n, f.attrpath)),
        };
      case 'binary_expression': {
        const op = t.child(n, f.operator);
        return {
          kind: 'binary',
          span,
          op: op !== NONE ? t.type[op] : '?',
          left: this.exprField(n, f.left),
          right: this.exprField(n, f.right),
        };
      }
      case 'unary_expression': {
        const op = t.child(n, f.operator);
        return {
          kind: 'unary',
          span,
          op: op !== NONE ? t.type[op] : '?',
          arg: this.exprField(n, f.argument),
        };
      }
      case 'variable_expression': {
        const name = t.child(n, f.name);
        if (name === NONE || t.isMissing(name)) return { kind: 'error', span: t.span(n) };
        return { kind: 'var', span, name: t.textOf(name) };
      }
      case 'string_expression':
      case 'indented_string_expression': {
        const indented = type === 'indented_string_expression';
        const parts = this.stringParts(n, indented);
        return { kind: 'string', span, indented, parts, value: staticValue(parts) };
      }
      case 'path_expression':
      case 'hpath_expression': {
        const parts: StringPart[] = [];
        const stop = t.after[n];
        for (let c = n + 1; c < stop; c = t.after[c]) {
          if (!t.isNamed(c)) continue;
          if (t.type[c] === 'path_fragment') appendText(parts, t.textOf(c));
          else if (t.type[c] === 'interpolation') parts.push(this.exprField(c, f.expression));
        }
        const first = typeof parts[0] === 'string' ? parts[0] : '';
        // tree-sitter-nix reads `a//b` as one path; Nix never puts `//` in a path token: it is `a // b`.
        if (type === 'path_expression' && parts.length === 1 && first.includes('//'))
          return updateChain(first, span.start);
        const pathKind =
          type === 'hpath_expression' ? 'home' : first.startsWith('/') ? 'absolute' : 'relative';
        return { kind: 'path', span, pathKind, parts, value: staticValue(parts) };
      }
      case 'spath_expression': {
        const inner = t.textOf(n).slice(1, -1);
        return { kind: 'path', span, pathKind: 'search', parts: [inner], value: inner };
      }
      case 'uri_expression':
        return { kind: 'uri', span, value: t.textOf(n) };
      case 'integer_expression': {
        const text = t.textOf(n);
        return { kind: 'int', span, value: Number(text), text };
      }
      case 'float_expression': {
        const text = t.textOf(n);
        return { kind: 'float', span, value: Number(text), text };
      }
      case 'list_expression': {
        const items: Expr[] = [];
        const stop = t.after[n];
        for (let c = n + 1; c < stop; c = t.after[c])
          if (t.isNamed(c) && t.type[c] !== 'comment') items.push(this.expr(c));
        return { kind: 'list', span, items };
      }
      case 'parenthesized_expression':
        return { kind: 'paren', span, expr: this.exprField(n, f.expression) };
      default:
        return { kind: 'error', span };
    }
  }

  private bindingSet(set: number): { bindings: Binding[]; inherits: Inherit[] } {
    const bindings: Binding[] = [];
    const inherits: Inherit[] = [];
    if (set === NONE) return { bindings, inherits };
    const t = this.t;
    const f = this.f;
    const stop = t.after[set];
    for (let c = set + 1; c < stop; c = t.after[c]) {
      if (!t.isNamed(c)) continue;
      const type = t.type[c];
      if (type === 'binding') {
        const pathNode = t.child(c, f.attrpath);
        const value = t.child(c, f.expression);
        if (pathNode === NONE) continue;
        const end = t.end[c];
        bindings.push({
          span: t.span(c),
          path: this.attrKeys(pathNode),
          pathSpan: t.span(pathNode),
          value: value !== NONE ? this.expr(value) : { kind: 'error', span: { start: end, end } },
        });
      } else if (type === 'inherit' || type === 'inherit_from') {
        const from = type === 'inherit_from' ? t.child(c, f.expression) : NONE;
        inherits.push({
          span: t.span(c),
          from: from !== NONE ? this.expr(from) : undefined,
          names: this.attrKeys(t.child(c, f.attrs)),
        });
      }
    }
    return { bindings, inherits };
  }

  private attrKeys(n: number): AttrKey[] {
    if (n === NONE) return [];
    const t = this.t;
    const keys: AttrKey[] = [];
    const stop = t.after[n];
    for (let c = n + 1; c < stop; c = t.after[c]) {
      if (!t.isNamed(c)) continue;
      const type = t.type[c];
      if (type === 'comment') continue;
      const span = t.span(c);
      if (type === 'identifier') keys.push({ span, name: t.textOf(c) });
      else if (type === 'string_expression') {
        if (this.hasInterpolation(c)) keys.push({ span, dynamic: this.expr(c) });
        else keys.push({ span, name: staticValue(this.stringParts(c, false))! });
      } else if (type === 'interpolation') {
        const inner = this.exprField(c, this.f.expression);
        let literal = inner;
        while (literal.kind === 'paren') literal = literal.expr;
        // `${"literal"}` (also in parentheses: Nix has no node for them) is as static as a plain name.
        if (literal.kind === 'string' && literal.value !== undefined)
          keys.push({ span, name: literal.value });
        else keys.push({ span, dynamic: inner });
      } else keys.push({ span, dynamic: { kind: 'error', span } });
    }
    return keys;
  }

  private stringParts(n: number, indented: boolean): StringPart[] {
    const t = this.t;
    const parts: StringPart[] = [];
    const stop = t.after[n];
    for (let c = n + 1; c < stop; c = t.after[c]) {
      if (!t.isNamed(c)) continue;
      switch (t.type[c]) {
        case 'string_fragment':
          appendText(parts, t.textOf(c));
          break;
        case 'escape_sequence': {
          const text = t.textOf(c);
          appendText(parts, indented ? decodeIndentedEscape(text) : decodeEscape(text));
          break;
        }
        case 'dollar_escape':
          // `''$` in an indented string: the `''` is dropped and the following `$` is literal.
          break;
        case 'interpolation':
          parts.push(this.exprField(c, this.f.expression));
          break;
      }
    }
    return indented ? stripIndentation(parts) : parts;
  }
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_'-]*$/;
const NIX_PATH = /^[A-Za-z0-9._+-]*(\/[A-Za-z0-9._+-]+)+$/;

/**
 * `a//b.c//./d` as Nix lexes it (an identifier, `//`, ...): a right-associative `//` chain of the pieces. The
 * pieces are what a path-character run can hold: names, attribute paths (`b.c`), paths, integers; anything
 * else is an unknown (`error`) expression. Built iteratively (a run may hold thousands of `//`). The chain
 * stays where tree-sitter put the path, so `f x//y` reads as `f (x // y)`, not Nix's `(f x) // y`: the same
 * variables, checked the same way.
 */
function updateChain(text: string, offset: number): Expr {
  const pieces: { text: string; start: number }[] = [];
  let at = 0;
  for (let k = text.indexOf('//'); k >= 0; k = text.indexOf('//', at)) {
    pieces.push({ text: text.slice(at, k), start: offset + at });
    at = k + 2;
  }
  pieces.push({ text: text.slice(at), start: offset + at });
  let expr = pathPiece(pieces[pieces.length - 1]);
  for (let i = pieces.length - 2; i >= 0; i--) {
    const left = pathPiece(pieces[i]);
    expr = {
      kind: 'binary',
      span: { start: left.span.start, end: expr.span.end },
      op: '//',
      left,
      right: expr,
    };
  }
  return expr;
}

function pathPiece(piece: { text: string; start: number }): Expr {
  const { text, start } = piece;
  const span = { start, end: start + text.length };
  if (IDENT.test(text)) return { kind: 'var', span, name: text };
  if (/^[0-9]+$/.test(text)) return { kind: 'int', span, value: Number(text), text };
  if (NIX_PATH.test(text))
    return {
      kind: 'path',
      span,
      pathKind: text.startsWith('/') ? 'absolute' : 'relative',
      parts: [text],
      value: text,
    };
  const names = text.split('.');
  if (names.length > 1 && names.every((n) => IDENT.test(n))) {
    let at = start + names[0].length + 1;
    const path: AttrKey[] = names.slice(1).map((name) => {
      const key = { span: { start: at, end: at + name.length }, name };
      at += name.length + 1;
      return key;
    });
    return {
      kind: 'select',
      span,
      target: { kind: 'var', span: { start, end: start + names[0].length }, name: names[0] },
      path,
    };
  }
  return { kind: 'error', span };
}
