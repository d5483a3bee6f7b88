// nixkit's AST (ast.ts) built straight from Nix's own grammar: the recogniser's lexer (recognizer-lexer.ts) and a
// recursive-descent parser with Nix 2.8's precedences. It exists for speed: the command line and the workspace
// scan read thousands of files once each, and for them tree-sitter (a WASM call per node, then a copy of the
// tree into JS) cost more than everything else in parsing. tree-sitter stays for documents being edited
// (incremental reparse, error recovery); on every file both read alike this builder gives the same AST as
// build-ast.ts (test/unit/syntax/direct-ast.test.ts compares them).
//
// It answers only when it is sure Nix accepts the text: it checks what the recogniser checks (non-associative
// operators, dynamic attributes in `let` and `inherit`, Bison's stack limit, lexer errors) and gives up
// (undefined) on anything else it is unsure of; the caller then asks the recogniser for Nix's verdict and
// tree-sitter for a tree. It also gives up on text tree-sitter reads differently from Nix (a CR or NUL:
// parse-bounds.ts) and on deep nesting, where JS recursion would get deep. The syntax fuzz test holds it to
// "an answer means the recogniser accepts".
import type { AttrKey, Binding, Comment, Expr, Formal, Inherit, SourceFile, StringPart } from './ast';
import { K, Lexer, startsSimple, type Token } from './recognizer-lexer';
import {
  appendText,
  decodeEscape,
  decodeIndentedEscape,
  staticValue,
  stripIndentation,
} from './string-parts';

/** Nesting (of expressions and right-hand operands) the builder follows before handing over to tree-sitter. */
const MAX_DEPTH = 1000;
/**
 * Formals a lambda may have here. Bison's formals rule is right-recursive (two stack entries each, and its stack
 * holds 9998), so a huge list is a syntax error for Nix; with MAX_DEPTH levels of at most five entries each and
 * at most MAX_OPEN_FORMALS formals open at once, this builder stays below that limit.
 */
const MAX_OPEN_FORMALS = 2000;

class GiveUp {}
const GIVE_UP = new GiveUp();

const BINARY: Partial<Record<K, { level: number; right: boolean; op: string }>> = {
  [K.IMPL]: { level: 1, right: true, op: '->' },
  [K.OR]: { level: 2, right: false, op: '||' },
  [K.AND]: { level: 3, right: false, op: '&&' },
  [K.EQ]: { level: 4, right: false, op: '==' },
  [K.NEQ]: { level: 4, right: false, op: '!=' },
  [K.LT]: { level: 5, right: false, op: '<' },
  [K.GT]: { level: 5, right: false, op: '>' },
  [K.LEQ]: { level: 5, right: false, op: '<=' },
  [K.GEQ]: { level: 5, right: false, op: '>=' },
  [K.UPDATE]: { level: 6, right: true, op: '//' },
  [K.PLUS]: { level: 8, right: false, op: '+' },
  [K.MINUS]: { level: 8, right: false, op: '-' },
  [K.STAR]: { level: 9, right: false, op: '*' },
  [K.SLASH]: { level: 9, right: false, op: '/' },
  [K.CONCAT]: { level: 10, right: true, op: '++' },
};
const L_NOT = 7;
const L_HAS = 11;
const L_NEG = 12;

/**
 * The AST of `text`, which Nix's grammar accepts (the caller asked the recogniser), or undefined when this
 * builder does not take it (see the header): the caller then uses tree-sitter.
 */
export function directAst(text: string, options: { pipes?: boolean } = {}): SourceFile | undefined {
  if (text.includes('\r') || text.includes('\0')) return undefined;
  const comments: Comment[] = [];
  const tokens = tokenize(text, comments, !!options.pipes);
  if (!tokens) return undefined;
  try {
    const parser = new DirectParser(text, tokens, !!options.pipes);
    const expr = parser.top();
    return { expr, comments };
  } catch (e) {
    if (e === GIVE_UP) return undefined;
    throw e;
  }
}

interface Tokens {
  kind: Uint8Array;
  start: Int32Array;
  end: Int32Array;
}

/** Every token of the text (the last is EOF), or undefined on a lexer error. */
function tokenize(text: string, comments: Comment[], pipes: boolean): Tokens | undefined {
  const lexer = new Lexer(
    text,
    (start, end) => comments.push({ span: { start, end }, text: text.slice(start, end) }),
    pipes,
  );
  // Tokens are never shorter than one character, except the zero-width end of a path and EOF.
  let capacity = 16 + (text.length >> 2);
  let kind = new Uint8Array(capacity);
  let start = new Int32Array(capacity);
  let end = new Int32Array(capacity);
  const token: Token = { k: K.EOF, start: 0, end: 0, nix: 0 };
  for (let n = 0; ; n++) {
    if (n === capacity) {
      capacity *= 2;
      const k2 = new Uint8Array(capacity);
      k2.set(kind);
      kind = k2;
      const s2 = new Int32Array(capacity);
      s2.set(start);
      start = s2;
      const e2 = new Int32Array(capacity);
      e2.set(end);
      end = e2;
    }
    const t = lexer.next(token);
    // Lexer errors, characters Nix does not know, and an unclosed `/*` (lexed as '/' and '*'): Nix refuses all.
    if (t.k === K.LEXERR || t.k === K.INVALID || t.note !== undefined) return undefined;
    kind[n] = t.k;
    start[n] = t.start;
    end[n] = t.end;
    if (t.k === K.EOF) return { kind, start, end };
  }
}

class DirectParser {
  private i = 0;
  private depth = 0;
  /** Formals of the lambdas being read (see MAX_OPEN_FORMALS). */
  private openFormals = 0;
  private readonly kind: Uint8Array;
  private readonly start: Int32Array;
  private readonly end: Int32Array;

  constructor(
    private readonly text: string,
    tokens: Tokens,
    /** Nix 2.24's pipe operators (`pipe-operators`), which Nix 2.8 and the recogniser do not know. */
    private readonly pipes = false,
  ) {
    this.kind = tokens.kind;
    this.start = tokens.start;
    this.end = tokens.end;
  }

  top(): Expr {
    const e = this.expr();
    if (this.kind[this.i] !== K.EOF) throw GIVE_UP;
    return e;
  }

  // ----- tokens

  private k(offset = 0): K {
    return this.kind[this.i + offset] as K;
  }

  private expect(k: K): number {
    if (this.kind[this.i] !== k) throw GIVE_UP;
    return this.i++;
  }

  private tokenText(t: number): string {
    return this.text.slice(this.start[t], this.end[t]);
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) throw GIVE_UP;
  }

  // ----- expr_function: lambdas, assert, with, let ... in, if, or an operator expression

  private expr(): Expr {
    this.enter();
    const e = this.exprInner();
    this.depth--;
    return e;
  }

  private exprInner(): Expr {
    const i = this.i;
    const k = this.k();
    const start = this.start[i];
    switch (k) {
      case K.ID: {
        const next = this.k(1);
        if (next === K.COLON) {
          const param = { name: this.tokenText(i), span: { start, end: this.end[i] } };
          this.i += 2;
          const body = this.expr();
          return { kind: 'lambda', span: { start, end: body.span.end }, param, ellipsis: false, body };
        }
        if (next === K.AT) {
          const param = { name: this.tokenText(i), span: { start, end: this.end[i] } };
          this.i += 2;
          return this.formalsLambda(start, param);
        }
        break;
      }
      case K.LBRACE: {
        // `{` starts formals or an attribute set: decided as the recogniser decides it.
        const k1 = this.k(1);
        let formals = k1 === K.ELLIPSIS;
        if (k1 === K.RBRACE) {
          const k2 = this.k(2);
          formals = k2 === K.COLON || k2 === K.AT;
        } else if (k1 === K.ID) {
          const k2 = this.k(2);
          formals = k2 === K.COMMA || k2 === K.QUESTION || k2 === K.RBRACE;
        }
        if (formals) return this.formalsLambda(start, undefined);
        break;
      }
      case K.ASSERT:
      case K.WITH: {
        this.i++;
        const first = this.expr();
        this.expect(K.SEMI);
        const body = this.expr();
        const span = { start, end: body.span.end };
        return k === K.ASSERT
          ? { kind: 'assert', span, cond: first, body }
          : { kind: 'with', span, env: first, body };
      }
      case K.LET:
        if (this.k(1) !== K.LBRACE) {
          this.i++;
          const { bindings, inherits } = this.bindings(K.IN);
          const body = this.expr();
          return { kind: 'let', span: { start, end: body.span.end }, bindings, inherits, body };
        }
        break;
      case K.IF: {
        this.i++;
        const cond = this.expr();
        this.expect(K.THEN);
        const then = this.expr();
        this.expect(K.ELSE);
        const otherwise = this.expr();
        return { kind: 'if', span: { start, end: otherwise.span.end }, cond, then, else: otherwise };
      }
    }
    return this.pipes ? this.pipeline() : this.op(1);
  }

  /**
   * expr_pipe_into / expr_pipe_from of Nix 2.24's grammar, at the level of `if`: `x |> f |> g` is `g (f x)`
   * (left-associative), `g <| f <| x` is `g (f x)` (right-associative); operands are operator expressions, and
   * the two may not be mixed without parentheses.
   */
  private pipeline(): Expr {
    const first = this.op(1);
    const k = this.k();
    if (k !== K.PIPE_INTO && k !== K.PIPE_FROM) return first;
    const operands = [first];
    while (this.k() === k) {
      this.i++;
      operands.push(this.op(1));
    }
    if (this.k() === K.PIPE_INTO || this.k() === K.PIPE_FROM) throw GIVE_UP;
    const call = (fn: Expr, arg: Expr): Expr => ({
      kind: 'apply',
      span: { start: Math.min(fn.span.start, arg.span.start), end: Math.max(fn.span.end, arg.span.end) },
      fn,
      arg,
    });
    if (k === K.PIPE_INTO) return operands.slice(1).reduce((arg, fn) => call(fn, arg), first);
    return operands.slice(0, -1).reduceRight((arg, fn) => call(fn, arg), operands[operands.length - 1]);
  }

  /** `{ a, b ? d, ... } (@ x)? : body` from the `{`; `param` when it came first (`x @ { … }: body`). */
  private formalsLambda(
    start: number,
    param: { name: string; span: { start: number; end: number } } | undefined,
  ): Expr {
    this.expect(K.LBRACE);
    const formals: Formal[] = [];
    let ellipsis = false;
    for (;;) {
      const k = this.k();
      if (k === K.RBRACE) break;
      if (k === K.ELLIPSIS) {
        ellipsis = true;
        this.i++;
        if (this.k() !== K.RBRACE) throw GIVE_UP; // `...` comes last
        break;
      }
      const n = this.expect(K.ID);
      if (++this.openFormals > MAX_OPEN_FORMALS) throw GIVE_UP;
      const name = { name: this.tokenText(n), span: { start: this.start[n], end: this.end[n] } };
      let def: Expr | undefined;
      if (this.k() === K.QUESTION) {
        this.i++;
        def = this.expr();
      }
      formals.push({
        name,
        default: def,
        span: { start: name.span.start, end: def ? def.span.end : name.span.end },
      });
      if (this.k() === K.COMMA) this.i++;
      else if (this.k() !== K.RBRACE) throw GIVE_UP;
    }
    this.openFormals -= formals.length;
    this.i++; // '}'
    if (!param && this.k() === K.AT) {
      this.i++;
      const n = this.expect(K.ID);
      param = { name: this.tokenText(n), span: { start: this.start[n], end: this.end[n] } };
    }
    this.expect(K.COLON);
    const body = this.expr();
    return { kind: 'lambda', span: { start, end: body.span.end }, param, formals, ellipsis, body };
  }

  // ----- expr_op: prefix operators, applications, binary operators, `?` (precedence climbing)

  private op(min: number): Expr {
    this.enter();
    let left: Expr;
    const k = this.k();
    if (k === K.BANG || k === K.MINUS) {
      const start = this.start[this.i];
      this.i++;
      // `!` takes the operators above it (`!a + b` is `!(a + b)`); `-` only an application (`-a + b`).
      const arg = this.op(k === K.BANG ? L_NOT + 1 : L_NEG + 1);
      left = { kind: 'unary', span: { start, end: arg.span.end }, op: k === K.BANG ? '!' : '-', arg };
    } else left = this.apply();
    /** The level of the operator that built `left` in this loop (0: none yet). */
    let chained = 0;
    for (;;) {
      const next = this.k();
      if (next === K.QUESTION) {
        if (L_HAS < min) break;
        this.i++;
        const path = this.attrPath();
        left = {
          kind: 'hasAttr',
          span: { start: left.span.start, end: path[path.length - 1].span.end },
          target: left,
          path,
        };
        chained = L_HAS;
        continue;
      }
      const info = BINARY[next];
      if (!info || info.level < min) break;
      // `a == b == c` and `a < b < c`: %nonassoc, a syntax error for Nix.
      if ((info.level === 4 || info.level === 5) && left.kind === 'binary' && chained === info.level)
        throw GIVE_UP;
      chained = info.level;
      this.i++;
      const right = this.op(info.right ? info.level : info.level + 1);
      left = {
        kind: 'binary',
        span: { start: left.span.start, end: right.span.end },
        op: info.op,
        left,
        right,
      };
    }
    this.depth--;
    return left;
  }

  private apply(): Expr {
    let fn = this.select();
    while (startsSimple(this.k())) {
      const arg = this.select();
      fn = { kind: 'apply', span: { start: fn.span.start, end: arg.span.end }, fn, arg };
    }
    return fn;
  }

  // ----- expr_select: simple ('.' attrpath ('or' select)? | 'or')?

  private select(): Expr {
    const target = this.simple();
    const k = this.k();
    if (k === K.DOT) {
      this.i++;
      const path = this.attrPath();
      if (this.k() === K.OR_KW) {
        this.i++;
        const def = this.select();
        return {
          kind: 'select',
          span: { start: target.span.start, end: def.span.end },
          target,
          path,
          default: def,
        };
      }
      return {
        kind: 'select',
        span: { start: target.span.start, end: path[path.length - 1].span.end },
        target,
        path,
      };
    }
    if (k === K.OR_KW) {
      // Nix reads `f or` as `f` applied to a variable called `or` (nixpkgs once had such a function).
      const t = this.i++;
      const arg: Expr = { kind: 'var', span: { start: this.start[t], end: this.end[t] }, name: 'or' };
      return { kind: 'apply', span: { start: target.span.start, end: arg.span.end }, fn: target, arg };
    }
    return target;
  }

  // ----- attribute paths and names

  private attrPath(): AttrKey[] {
    const keys: AttrKey[] = [this.attrName()];
    while (this.k() === K.DOT) {
      this.i++;
      keys.push(this.attrName());
    }
    return keys;
  }

  private attrName(): AttrKey {
    const i = this.i;
    switch (this.k()) {
      case K.ID:
      case K.OR_KW:
        this.i++;
        return { span: { start: this.start[i], end: this.end[i] }, name: this.tokenText(i) };
      case K.DQUOTE: {
        const s = this.string();
        return s.kind === 'string' && s.value !== undefined
          ? { span: s.span, name: s.value }
          : { span: s.span, dynamic: s };
      }
      case K.DOLLAR_CURLY: {
        this.i++;
        const inner = this.expr();
        const close = this.expect(K.RBRACE);
        const span = { start: this.start[i], end: this.end[close] };
        let literal = inner;
        while (literal.kind === 'paren') literal = literal.expr;
        // `${"literal"}` (also in parentheses) is as static as a plain name.
        if (literal.kind === 'string' && literal.value !== undefined) return { span, name: literal.value };
        return { span, dynamic: inner };
      }
      default:
        throw GIVE_UP;
    }
  }

  // ----- bindings of `{ }`, `rec { }`, `let { }` and `let ... in`

  private bindings(close: K): { bindings: Binding[]; inherits: Inherit[] } {
    const bindings: Binding[] = [];
    const inherits: Inherit[] = [];
    for (;;) {
      const i = this.i;
      const k = this.k();
      if (k === close) {
        this.i++;
        return { bindings, inherits };
      }
      if (k === K.INHERIT) {
        this.i++;
        let from: Expr | undefined;
        if (this.k() === K.LPAREN) {
          this.i++;
          from = this.expr();
          this.expect(K.RPAREN);
        }
        const names: AttrKey[] = [];
        while (this.k() !== K.SEMI) {
          const name = this.attrName();
          if (name.dynamic) throw GIVE_UP; // `dynamic attributes not allowed in inherit`
          names.push(name);
        }
        const semi = this.i++;
        inherits.push({ span: { start: this.start[i], end: this.end[semi] }, from, names });
        continue;
      }
      const path = this.attrPath();
      if (close === K.IN && path[0].dynamic) throw GIVE_UP; // `dynamic attributes not allowed in let`
      this.expect(K.ASSIGN);
      const value = this.expr();
      const semi = this.expect(K.SEMI);
      bindings.push({
        span: { start: this.start[i], end: this.end[semi] },
        path,
        pathSpan: { start: this.start[i], end: path[path.length - 1].span.end },
        value,
      });
    }
  }

  // ----- expr_simple

  private simple(): Expr {
    const i = this.i;
    const start = this.start[i];
    const end = this.end[i];
    switch (this.k()) {
      case K.ID:
        this.i++;
        return { kind: 'var', span: { start, end }, name: this.tokenText(i) };
      case K.INT:
      case K.FLOAT: {
        this.i++;
        const text = this.tokenText(i);
        return {
          kind: this.kind[i] === K.INT ? 'int' : 'float',
          span: { start, end },
          value: Number(text),
          text,
        };
      }
      case K.SPATH: {
        this.i++;
        const inner = this.text.slice(start + 1, end - 1);
        return { kind: 'path', span: { start, end }, pathKind: 'search', parts: [inner], value: inner };
      }
      case K.URI:
        this.i++;
        return { kind: 'uri', span: { start, end }, value: this.tokenText(i) };
      case K.DQUOTE:
        return this.string();
      case K.IND_OPEN:
        return this.indentedString();
      case K.PATH:
      case K.HPATH:
        return this.path();
      case K.LPAREN: {
        this.i++;
        const inner = this.expr();
        const close = this.expect(K.RPAREN);
        return { kind: 'paren', span: { start, end: this.end[close] }, expr: inner };
      }
      case K.LET:
      case K.REC:
      case K.LBRACE: {
        const open = this.k() === K.LBRACE ? i : i + 1;
        this.i = open;
        this.expect(K.LBRACE);
        const { bindings, inherits } = this.bindings(K.RBRACE);
        return {
          kind: 'attrs',
          span: { start, end: this.end[this.i - 1] },
          rec: open !== i,
          bindings,
          inherits,
          open: { start: this.start[open], end: this.end[open] },
        };
      }
      case K.LBRACK: {
        this.i++;
        this.enter(); // list items are selects, not expressions: `[[[…` nests without passing expr()
        const items: Expr[] = [];
        while (this.k() !== K.RBRACK) items.push(this.select());
        this.depth--;
        this.i++;
        return { kind: 'list', span: { start, end: this.end[this.i - 1] }, items };
      }
      default:
        throw GIVE_UP;
    }
  }

  // ----- literals with parts

  private string(): Expr {
    const start = this.start[this.expect(K.DQUOTE)];
    const parts: StringPart[] = [];
    for (;;) {
      const i = this.i;
      const k = this.k();
      if (k === K.STR) {
        this.i++;
        appendText(parts, unescape(this.tokenText(i)));
      } else if (k === K.DOLLAR_CURLY) {
        this.i++;
        parts.push(this.expr());
        this.expect(K.RBRACE);
      } else if (k === K.DQUOTE) {
        this.i++;
        return {
          kind: 'string',
          span: { start, end: this.end[i] },
          indented: false,
          parts,
          value: staticValue(parts),
        };
      } else throw GIVE_UP;
    }
  }

  private indentedString(): Expr {
    const open = this.expect(K.IND_OPEN);
    const start = this.start[open];
    const parts: StringPart[] = [];
    // Nix's `''` token swallows spaces and a line break after it; the shared stripping drops that line itself.
    if (this.end[open] > start + 2) appendText(parts, this.text.slice(start + 2, this.end[open]));
    for (;;) {
      const i = this.i;
      const k = this.k();
      if (k === K.IND_STR) {
        this.i++;
        const raw = this.tokenText(i);
        if (raw.startsWith("''")) appendText(parts, raw === "''$" ? '$' : decodeIndentedEscape(raw));
        else appendText(parts, raw);
      } else if (k === K.DOLLAR_CURLY) {
        this.i++;
        parts.push(this.expr());
        this.expect(K.RBRACE);
      } else if (k === K.IND_CLOSE) {
        this.i++;
        const stripped = stripIndentation(parts);
        return {
          kind: 'string',
          span: { start, end: this.end[i] },
          indented: true,
          parts: stripped,
          value: staticValue(stripped),
        };
      } else throw GIVE_UP;
    }
  }

  private path(): Expr {
    const first = this.i++;
    const start = this.start[first];
    const home = this.kind[first] === K.HPATH;
    const parts: StringPart[] = [this.tokenText(first)];
    // As the recogniser: two pieces in a row without an interpolation between them mean an empty segment.
    let state = 0;
    for (;;) {
      const i = this.i;
      const k = this.k();
      if (k === K.STR) {
        if (state === 1) throw GIVE_UP;
        if (state === 0) state = 1;
        this.i++;
        appendText(parts, this.tokenText(i));
      } else if (k === K.DOLLAR_CURLY) {
        state = 2;
        this.i++;
        parts.push(this.expr());
        this.expect(K.RBRACE);
      } else if (k === K.PATH_END) {
        if (state === 1) throw GIVE_UP;
        this.i++;
        const text = parts[0] as string;
        return {
          kind: 'path',
          span: { start, end: this.start[i] },
          pathKind: home ? 'home' : text.startsWith('/') ? 'absolute' : 'relative',
          parts,
          value: staticValue(parts),
        };
      } else throw GIVE_UP;
    }
  }
}

/** A `"…"` string piece's value: `\x` is x except `\n`, `\t`, `\r` (as decodeEscape reads them). */
function unescape(raw: string): string {
  if (!raw.includes('\\')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\' && i + 1 < raw.length) {
      out += decodeEscape(raw.slice(i, i + 2));
      i++;
    } else out += c;
  }
  return out;
}
