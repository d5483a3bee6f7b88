// A recogniser for Nix 2.8's grammar (src/libexpr/parser.y + lexer.l), used to find the first syntax error
// exactly where Nix finds it. It builds no tree: it only validates. The parser is a table-free pushdown
// machine with an explicit stack (no JS recursion), so any nesting depth is safe; like Nix's Bison parser
// (whose stack holds 9998 entries) it gives up on absurdly deep nesting, with `nesting too deep`.
//
// How it mirrors Nix:
// - The lexer (recognizer-lexer.ts) reproduces flex's longest-match rules and start conditions (strings, indented strings,
//   interpolated paths), including the tokens Nix's lexer returns for broken input (an unclosed `/*` is
//   the tokens '/' and '*'; a string that runs into the end of the file yields STR tokens).
// - An LR parser reports its error at the first token that cannot continue any valid program; this
//   recursive-descent machine makes every decision at that same token (the `{` formals/attrset ambiguity,
//   which Nix's GLR parser explores both ways, is decided with up to three tokens of look-ahead).
// - Operator precedence and associativity follow the %left/%right/%nonassoc table; only %nonassoc
//   (`a == b == c`, `a < b < c`) can make a program invalid.
// - The parse-time errors that are not about names (`dynamic attributes not allowed in inherit/let`,
//   `invalid integer`, `invalid float`, `path has a trailing slash`) fire in the same order as in Nix.
//   Name-related errors (undefined variables, duplicate attributes or formals) are not checked here.
// - Positions: tokens are located where Nix locates them. For an error at the end of the file Nix
//   reports the start of the last lexeme (trailing whitespace or comment included); `nixOffset` gives
//   that position, while `start`/`end` are `text.length`.

export interface RecognizerError {
  /** UTF-16 offsets of the offending token (end of file: both are `text.length`). */
  start: number;
  end: number;
  /** What was found: "'='", "identifier 'b'", "end of file", "integer", "string", ... */
  unexpected: string;
  /** What would have been accepted, e.g. ["';'"], ["'else'"], ["an expression"]; may be empty. */
  expected: string[];
  /** Readable: `unexpected '=' (expected ';')`, `unterminated string`, `path has a trailing slash`, ... */
  message: string;
  /** The UTF-16 offset Nix 2.8 reports for this error (differs from `start` only at the end of the file). */
  nixOffset?: number;
}

import { K, KEYWORDS, Lexer, startsSimple, SYMBOL_TEXT, type Token } from './recognizer-lexer';

// ---------------------------------------------------------------------------------------------------------
// Parser

/** Bison's stack limit (YYMAXDEPTH 10000 less its headroom), as measured on Nix 2.8. */
const MAX_LR_DEPTH = 9998;

// Binary operator precedence levels and associativity (parser.y's %left/%right/%nonassoc lines).
const L_NOT = 7;
const L_HAS = 11;
const L_NEG = 12;
const LEVEL: Partial<Record<K, number>> = {
  [K.IMPL]: 1,
  [K.OR]: 2,
  [K.AND]: 3,
  [K.EQ]: 4,
  [K.NEQ]: 4,
  [K.LT]: 5,
  [K.GT]: 5,
  [K.LEQ]: 5,
  [K.GEQ]: 5,
  [K.UPDATE]: 6,
  [K.PLUS]: 8,
  [K.MINUS]: 8,
  [K.STAR]: 9,
  [K.SLASH]: 9,
  [K.CONCAT]: 10,
};
const enum A {
  LEFT,
  RIGHT,
  NONASSOC,
}
const ASSOC: A[] = [
  A.LEFT,
  A.RIGHT,
  A.LEFT,
  A.LEFT,
  A.NONASSOC,
  A.NONASSOC,
  A.RIGHT,
  A.LEFT,
  A.LEFT,
  A.LEFT,
  A.RIGHT,
];

// Parser states. Plain states start or continue a construct; C_* states are continuations that sit on the
// explicit stack. A continuation owns its frame: it drops it (or reuses it) when it resumes.
const enum S {
  EXPR,
  OPEXPR,
  OPERAND,
  OPLOOP,
  SELECT,
  SIMPLE,
  ATTRPATH,
  ATTR_NEXT,
  STR_BODY,
  IND_BODY,
  PATH_BODY,
  LIST_NEXT,
  BINDS_NEXT,
  BIND_REST,
  BIND_EQ,
  INHERIT_ATTRS,
  FORMALS,
  FORMAL_NEXT,
  FORMAL_AFTER,
  FORMALS_CLOSE,
  C_TOP,
  C_NOP,
  C_SEMI_EXPR,
  C_IF_THEN,
  C_IF_ELSE,
  C_LET_BINDS,
  C_LET_BODY,
  C_OP_END,
  C_APP_NEXT,
  C_HAS,
  C_SELECT_AFTER,
  C_SELECT_PATH,
  C_ATTR_STR,
  C_ATTR_DC,
  C_STR,
  C_STR_DC,
  C_IND,
  C_IND_DC,
  C_PATH,
  C_PATH_DC,
  C_PAREN,
  C_SET,
  C_LIST,
  C_LIST_ELEM,
  C_BIND_FIRST_STR,
  C_BIND_FIRST_DC,
  C_BIND_PATH,
  C_BIND_SEMI,
  C_INHERIT_PAREN,
  C_INHERIT_STR,
  C_INHERIT_DC,
  C_FORMALS,
  C_FORMAL_DEFAULT,
}

class Fail {
  constructor(readonly error: RecognizerError) {}
}

function quote(k: K): string {
  return `'${SYMBOL_TEXT[k]}'`;
}

function orList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return items.slice(0, -1).join(', ') + ' or ' + items[items.length - 1];
}

function truncate(s: string): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > 40 ? one.slice(0, 39) + '…' : one;
}

const KEYWORD_NAME: Partial<Record<K, string>> = {};
for (const [w, k] of Object.entries(KEYWORDS)) KEYWORD_NAME[k] = w;

const COMMA_OR_CLOSE = ["','", "'}'"];
const AFTER_FORMAL = ["','", "'?'", "'}'"];

class Parser {
  private readonly lx: Lexer;
  /** Look-ahead ring of recycled tokens: a consumed token stays valid until three more are read. */
  private readonly ring: Token[] = [0, 1, 2, 3].map(() => ({ k: K.EOF, start: 0, end: 0, nix: 0 }));
  private head = 0;
  private count = 0;
  /** Number of tokens consumed; the token just consumed has serial `serial - 1`. */
  private serial = 0;
  /** Serial range of the latest string literal without interpolation (parentheses included). */
  private pureFirst = -1;
  private pureLast = -1;
  /** Whether the string literal that just ended had interpolations. */
  private stringDynamic = false;
  private formalExpect = AFTER_FORMAL;

  // The explicit stack: per frame a continuation, two data words, and its weight on Bison's stack.
  private readonly conts: S[] = [];
  private readonly data: number[] = [];
  private readonly aux: number[] = [];
  private readonly weights: number[] = [];
  /** Pending operators of the operator expressions being parsed (precedence levels). */
  private readonly ops: number[] = [];
  /** Approximate number of entries on Bison's stack (frames and pending operators). */
  private depth = 0;

  constructor(private readonly text: string) {
    this.lx = new Lexer(text);
  }

  // ----- tokens

  private peek(i = 0): Token {
    while (this.count <= i) {
      const t = this.lx.next(this.ring[(this.head + this.count) & 3]);
      this.count++;
      if (t.k === K.LEXERR) {
        // Nix's lexer throws as soon as the parser asks for this token.
        const message = t.note ?? 'invalid token';
        throw new Fail({
          start: t.start,
          end: t.end,
          unexpected: message,
          expected: [],
          message,
          nixOffset: t.nix,
        });
      }
    }
    return this.ring[(this.head + i) & 3];
  }

  /** Consumes the next token; `extra` is how many entries its production holds on Bison's stack. */
  private take(extra = 1): Token {
    const t = this.peek();
    if (1 + this.depth + extra > MAX_LR_DEPTH) this.fail(t, [], 'nesting too deep');
    this.head = (this.head + 1) & 3;
    this.count--;
    this.serial++;
    return t;
  }

  private expect(k: K, expected: string[], extra: number): Token {
    const t = this.peek();
    if (t.k !== k) this.fail(t, expected);
    return this.take(extra);
  }

  private describe(t: Token): string {
    const s = this.text.slice(t.start, t.end);
    switch (t.k) {
      case K.EOF:
        return t.note === 'nul' ? 'NUL character' : 'end of file';
      case K.ID:
        return `identifier '${truncate(s)}'`;
      case K.INT:
        return 'integer';
      case K.FLOAT:
        return 'float';
      case K.PATH:
      case K.HPATH:
        return `path '${truncate(s)}'`;
      case K.SPATH:
        return `search path '${truncate(s)}'`;
      case K.URI:
        return `URI '${truncate(s)}'`;
      case K.STR:
      case K.IND_STR:
      case K.DQUOTE:
        return 'string';
      case K.IND_OPEN:
        return 'indented string';
      case K.PATH_END:
        return 'end of path';
      case K.INVALID: {
        const cp = this.text.codePointAt(t.start) ?? 0;
        return cp > 0x20 && cp < 0x7f
          ? `character '${s}'`
          : `character U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
      }
      default: {
        const kw = KEYWORD_NAME[t.k];
        return kw ? `'${kw}'` : quote(t.k);
      }
    }
  }

  private fail(t: Token, expected: string[], special?: string): never {
    const unexpected = this.describe(t);
    let message = special;
    if (!message) {
      if (t.note === 'comment') message = 'unterminated comment';
      else message = `unexpected ${unexpected}` + (expected.length ? ` (expected ${orList(expected)})` : '');
    }
    throw new Fail({ start: t.start, end: t.end, unexpected, expected, message, nixOffset: t.nix });
  }

  private semanticError(at: number, len: number, message: string): never {
    throw new Fail({
      start: at,
      end: at + len,
      unexpected: this.text.slice(at, at + len),
      expected: [],
      message,
      nixOffset: at,
    });
  }

  // ----- the explicit stack

  private call(cont: S, datum = 0, weight = 0, aux = 0): void {
    this.conts.push(cont);
    this.data.push(datum);
    this.aux.push(aux);
    this.weights.push(weight);
    this.depth += weight;
  }

  private drop(): void {
    this.depth -= this.weights.pop() as number;
    this.conts.pop();
    this.data.pop();
    this.aux.pop();
  }

  /** The continuation to resume: the top frame's. */
  private back(): S {
    return this.conts[this.conts.length - 1];
  }

  private top(): number {
    return this.data[this.data.length - 1];
  }

  private setTop(v: number): void {
    this.data[this.data.length - 1] = v;
  }

  /** Turns the top frame into another continuation with another weight. */
  private become(cont: S, weight: number): void {
    const i = this.conts.length - 1;
    this.conts[i] = cont;
    this.depth += weight - this.weights[i];
    this.weights[i] = weight;
  }

  private pushOp(level: number): void {
    this.ops.push(level);
    this.depth += level === L_NOT || level === L_NEG ? 1 : 2;
  }

  private popOp(): void {
    const level = this.ops.pop() as number;
    this.depth -= level === L_NOT || level === L_NEG ? 1 : 2;
  }

  /** Whether the tokens first..last are exactly a string literal without interpolation (or a URI). */
  private pure(first: number, last: number): boolean {
    return this.pureFirst === first && this.pureLast === last;
  }

  /** A binding of a `let` whose first attribute is dynamic: Nix rejects the `let` once its body is done. */
  private markDynamic(): void {
    const i = this.conts.length - 1;
    if (this.conts[i] === S.C_LET_BINDS) this.data[i] |= 1;
  }

  // ----- the machine

  run(): void {
    this.call(S.C_TOP);
    let st: S = S.EXPR;
    for (;;) {
      switch (st) {
        // ----- expr_function: lambdas, assert, with, let ... in, if, or an operator expression
        case S.EXPR: {
          const t = this.peek();
          if (t.k === K.ID) {
            const t1 = this.peek(1);
            if (t1.k === K.COLON) {
              this.take(1);
              this.take(2);
              this.call(S.C_NOP, 0, 2);
              continue;
            }
            if (t1.k === K.AT) {
              this.take(1);
              this.take(2);
              if (this.peek().k !== K.LBRACE) this.fail(this.peek(), ["'{'"]);
              this.call(S.C_FORMALS, 1, 3);
              st = S.FORMALS;
              continue;
            }
          } else if (t.k === K.LBRACE) {
            // `{` starts formals or an attribute set; Nix's GLR parser tries both.
            const t1 = this.peek(1);
            let formals = t1.k === K.ELLIPSIS;
            if (t1.k === K.RBRACE) {
              const t2 = this.peek(2);
              formals = t2.k === K.COLON || t2.k === K.AT;
            } else if (t1.k === K.ID) {
              const t2 = this.peek(2);
              formals = t2.k === K.COMMA || t2.k === K.QUESTION || t2.k === K.RBRACE;
            }
            if (formals) {
              this.call(S.C_FORMALS, 0, 1);
              st = S.FORMALS;
              continue;
            }
          } else if (t.k === K.ASSERT || t.k === K.WITH) {
            this.take(1);
            this.call(S.C_SEMI_EXPR, 0, 1);
            continue;
          } else if (t.k === K.LET) {
            if (this.peek(1).k !== K.LBRACE) {
              this.take(1);
              this.call(S.C_LET_BINDS, t.start * 2, 2);
              st = S.BINDS_NEXT;
              continue;
            }
          } else if (t.k === K.IF) {
            this.take(1);
            this.call(S.C_IF_THEN, 0, 1);
            continue;
          }
          st = S.OPEXPR;
          continue;
        }
        case S.C_SEMI_EXPR:
          this.expect(K.SEMI, ["';'"], 2);
          this.become(S.C_NOP, 3);
          st = S.EXPR;
          continue;
        case S.C_IF_THEN:
          this.expect(K.THEN, ["'then'"], 2);
          this.become(S.C_IF_ELSE, 3);
          st = S.EXPR;
          continue;
        case S.C_IF_ELSE:
          this.expect(K.ELSE, ["'else'"], 2);
          this.become(S.C_NOP, 5);
          st = S.EXPR;
          continue;
        case S.C_NOP:
          this.drop();
          st = this.back();
          continue;
        case S.C_LET_BODY: {
          const d = this.top();
          if (d & 1) this.semanticError(d >> 1, 3, 'dynamic attributes not allowed in let');
          this.drop();
          st = this.back();
          continue;
        }

        // ----- expr_op: prefix operators, applications, binary operators, `?`
        case S.OPEXPR:
          this.call(S.C_OP_END, this.ops.length);
          st = S.OPERAND;
          continue;
        case S.OPERAND: {
          for (let t = this.peek(); t.k === K.BANG || t.k === K.MINUS; t = this.peek()) {
            this.take(1);
            this.pushOp(t.k === K.BANG ? L_NOT : L_NEG);
          }
          this.call(S.C_APP_NEXT);
          st = S.SELECT;
          continue;
        }
        case S.C_APP_NEXT:
          if (startsSimple(this.peek().k)) {
            this.become(S.C_APP_NEXT, 1);
            st = S.SELECT;
            continue;
          }
          this.drop();
          st = S.OPLOOP;
          continue;
        case S.OPLOOP: {
          const base = this.top();
          const t = this.peek();
          if (t.k === K.QUESTION) {
            while (this.ops.length > base && this.ops[this.ops.length - 1] > L_HAS) this.popOp();
            this.take(2);
            this.call(S.C_HAS, 0, 2);
            st = S.ATTRPATH;
            continue;
          }
          const level = LEVEL[t.k];
          if (level === undefined) {
            while (this.ops.length > base) this.popOp();
            this.drop();
            st = this.back();
            continue;
          }
          const assoc = ASSOC[level];
          while (this.ops.length > base) {
            const top = this.ops[this.ops.length - 1];
            if (top > level || (top === level && assoc === A.LEFT)) this.popOp();
            else break;
          }
          if (assoc === A.NONASSOC && this.ops.length > base && this.ops[this.ops.length - 1] === level) {
            const what = level === 4 ? "'==' and '!='" : "'<', '<=', '>' and '>='";
            this.fail(t, [], `unexpected ${quote(t.k)} (${what} cannot be chained; add parentheses)`);
          }
          this.take(2);
          this.pushOp(level);
          st = S.OPERAND;
          continue;
        }
        case S.C_HAS:
          this.drop();
          st = S.OPLOOP;
          continue;

        // ----- expr_select: simple ('.' attrpath ('or' select)? | 'or')?
        case S.SELECT:
          this.call(S.C_SELECT_AFTER);
          st = S.SIMPLE;
          continue;
        case S.C_SELECT_AFTER: {
          const t = this.peek();
          if (t.k === K.DOT) {
            this.take(2);
            this.become(S.C_SELECT_PATH, 2);
            st = S.ATTRPATH;
            continue;
          }
          if (t.k === K.OR_KW) this.take(2);
          this.drop();
          st = this.back();
          continue;
        }
        case S.C_SELECT_PATH:
          if (this.peek().k === K.OR_KW) {
            this.take(4);
            this.become(S.C_NOP, 4);
            st = S.SELECT;
            continue;
          }
          this.drop();
          st = this.back();
          continue;

        // ----- attrpath: attr ('.' attr)*, attr = ID | 'or' | string | ${expr}
        case S.ATTRPATH: {
          const t = this.peek();
          if (t.k === K.ID || t.k === K.OR_KW) {
            this.take(1);
            st = S.ATTR_NEXT;
          } else if (t.k === K.DQUOTE) {
            this.take(1);
            this.call(S.C_ATTR_STR);
            this.call(S.C_STR, (this.serial - 1) * 4, 1);
            st = S.STR_BODY;
          } else if (t.k === K.DOLLAR_CURLY) {
            this.take(1);
            this.call(S.C_ATTR_DC, 0, 1);
            st = S.EXPR;
          } else this.fail(t, ['an attribute name']);
          continue;
        }
        case S.C_ATTR_STR:
          this.drop();
          st = S.ATTR_NEXT;
          continue;
        case S.C_ATTR_DC:
          this.expect(K.RBRACE, ["'}'"], 2);
          this.drop();
          st = S.ATTR_NEXT;
          continue;
        case S.ATTR_NEXT:
          if (this.peek().k === K.DOT) {
            this.take(2);
            st = S.ATTRPATH;
            continue;
          }
          st = this.back();
          continue;

        // ----- expr_simple
        case S.SIMPLE: {
          const t = this.peek();
          switch (t.k) {
            case K.ID:
            case K.INT:
            case K.FLOAT:
            case K.SPATH:
              this.take(1);
              st = this.back();
              continue;
            case K.URI:
              this.take(1);
              this.pureFirst = this.pureLast = this.serial - 1;
              st = this.back();
              continue;
            case K.DQUOTE:
              this.take(1);
              this.call(S.C_STR, (this.serial - 1) * 4, 1);
              st = S.STR_BODY;
              continue;
            case K.IND_OPEN:
              this.take(1);
              this.call(S.C_IND, (this.serial - 1) * 4, 1);
              st = S.IND_BODY;
              continue;
            case K.PATH:
            case K.HPATH:
              this.take(1);
              this.call(S.C_PATH, 0, 1);
              st = S.PATH_BODY;
              continue;
            case K.LPAREN:
              this.take(1);
              this.call(S.C_PAREN, this.serial - 1, 1);
              st = S.EXPR;
              continue;
            case K.LET:
            case K.REC:
              this.take(1);
              this.expect(K.LBRACE, ["'{'"], 2);
              this.call(S.C_SET, 0, 3);
              st = S.BINDS_NEXT;
              continue;
            case K.LBRACE:
              this.take(1);
              this.call(S.C_SET, 0, 2);
              st = S.BINDS_NEXT;
              continue;
            case K.LBRACK:
              this.take(1);
              this.call(S.C_LIST, 0, 2);
              st = S.LIST_NEXT;
              continue;
            default:
              this.fail(t, ['an expression']);
          }
          continue;
        }
        case S.C_PAREN: {
          const open = this.top();
          this.expect(K.RPAREN, ["')'"], 2);
          if (this.pure(open + 1, this.serial - 2)) {
            this.pureFirst = open;
            this.pureLast = this.serial - 1;
          }
          this.drop();
          st = this.back();
          continue;
        }

        // ----- "strings": STR | string_parts_interpolated | empty. A first STR must be followed by `${` or
        // the closing quote (two STR tokens in a row only happen at the end of the input).
        case S.STR_BODY: {
          const t = this.peek();
          const d = this.top();
          const state = d & 3;
          if (t.k === K.STR) {
            if (state === 1) this.fail(t, ["'\"'"], 'unterminated string');
            if (state === 0) this.setTop(d | 1);
            this.take(2);
            continue;
          }
          if (t.k === K.DOLLAR_CURLY) {
            this.take(2);
            this.setTop((d & ~3) | 2);
            this.call(S.C_STR_DC, 0, 2);
            st = S.EXPR;
            continue;
          }
          if (t.k === K.DQUOTE) {
            this.take(2);
            this.stringDynamic = state === 2;
            if (!this.stringDynamic) {
              this.pureFirst = d >> 2;
              this.pureLast = this.serial - 1;
            }
            this.drop();
            st = this.back();
            continue;
          }
          this.fail(t, ["'\"'"], 'unterminated string');
          continue;
        }
        case S.C_STR_DC:
          this.expect(K.RBRACE, ["'}'"], 2);
          this.drop();
          st = S.STR_BODY;
          continue;

        // ----- ''indented strings'': parts state 0 = empty, 1 = one piece, 2 = several, 3 = interpolated
        case S.IND_BODY: {
          const t = this.peek();
          const d = this.top();
          const state = d & 3;
          if (t.k === K.IND_STR) {
            this.take(2);
            if (state < 2) this.setTop((d & ~3) | (state + 1));
            continue;
          }
          if (t.k === K.DOLLAR_CURLY) {
            this.take(2);
            this.setTop((d & ~3) | 3);
            this.call(S.C_IND_DC, 0, 2);
            st = S.EXPR;
            continue;
          }
          if (t.k === K.IND_CLOSE) {
            this.take(2);
            if (state <= 1) {
              this.pureFirst = d >> 2;
              this.pureLast = this.serial - 1;
            }
            this.drop();
            st = this.back();
            continue;
          }
          this.fail(t, ["''"], 'unterminated indented string');
          continue;
        }
        case S.C_IND_DC:
          this.expect(K.RBRACE, ["'}'"], 2);
          this.drop();
          st = S.IND_BODY;
          continue;

        // ----- paths: path_start PATH_END | path_start string_parts_interpolated PATH_END
        case S.PATH_BODY: {
          const t = this.peek();
          const state = this.top();
          if (t.k === K.PATH_END || t.k === K.STR) {
            if (state === 1) this.fail(t, ["'${'"], "path contains an empty segment '//'");
            this.take(2);
            if (t.k === K.STR) {
              if (state === 0) this.setTop(1);
              continue;
            }
            this.drop();
            st = this.back();
            continue;
          }
          if (t.k === K.DOLLAR_CURLY) {
            this.take(2);
            this.setTop(2);
            this.call(S.C_PATH_DC, 0, 2);
            st = S.EXPR;
            continue;
          }
          this.fail(t, []);
          continue;
        }
        case S.C_PATH_DC:
          this.expect(K.RBRACE, ["'}'"], 2);
          this.drop();
          st = S.PATH_BODY;
          continue;

        // ----- lists of expr_select
        case S.LIST_NEXT: {
          const t = this.peek();
          if (t.k === K.RBRACK) {
            this.take(1);
            this.drop();
            st = this.back();
            continue;
          }
          if (!startsSimple(t.k)) this.fail(t, ["']'"]);
          this.call(S.C_LIST_ELEM);
          st = S.SELECT;
          continue;
        }
        case S.C_LIST_ELEM:
          this.drop();
          st = S.LIST_NEXT;
          continue;

        // ----- bindings of `{ }`, `rec { }`, `let { }` (frame C_SET) and `let ... in` (frame C_LET_BINDS)
        case S.BINDS_NEXT: {
          const t = this.peek();
          const inLet = this.back() === S.C_LET_BINDS;
          if (t.k === (inLet ? K.IN : K.RBRACE)) {
            this.take(1);
            if (inLet) {
              this.become(S.C_LET_BODY, 3);
              st = S.EXPR;
            } else {
              this.drop();
              st = this.back();
            }
            continue;
          }
          switch (t.k) {
            case K.INHERIT:
              this.take(1);
              if (this.peek().k === K.LPAREN) {
                this.take(2);
                this.call(S.C_INHERIT_PAREN, 0, 2);
                st = S.EXPR;
              } else st = S.INHERIT_ATTRS;
              continue;
            case K.ID:
            case K.OR_KW:
              this.take(1);
              st = S.BIND_REST;
              continue;
            case K.DQUOTE:
              this.take(1);
              this.call(S.C_BIND_FIRST_STR);
              this.call(S.C_STR, (this.serial - 1) * 4, 1);
              st = S.STR_BODY;
              continue;
            case K.DOLLAR_CURLY:
              this.take(1);
              this.call(S.C_BIND_FIRST_DC, this.serial, 1);
              st = S.EXPR;
              continue;
            default:
              this.fail(t, [inLet ? "'in'" : "'}'", 'an attribute name']);
          }
          continue;
        }
        case S.C_BIND_FIRST_STR:
          this.drop();
          if (this.stringDynamic) this.markDynamic();
          st = S.BIND_REST;
          continue;
        case S.C_BIND_FIRST_DC: {
          const first = this.top();
          this.expect(K.RBRACE, ["'}'"], 2);
          this.drop();
          if (!this.pure(first, this.serial - 2)) this.markDynamic();
          st = S.BIND_REST;
          continue;
        }
        case S.BIND_REST:
          if (this.peek().k === K.DOT) {
            this.take(2);
            this.call(S.C_BIND_PATH, 0, 1);
            st = S.ATTRPATH;
            continue;
          }
          st = S.BIND_EQ;
          continue;
        case S.C_BIND_PATH:
          this.drop();
          st = S.BIND_EQ;
          continue;
        case S.BIND_EQ:
          this.expect(K.ASSIGN, ["'='"], 2);
          this.call(S.C_BIND_SEMI, 0, 2);
          st = S.EXPR;
          continue;
        case S.C_BIND_SEMI:
          this.expect(K.SEMI, ["';'"], 2);
          this.drop();
          st = S.BINDS_NEXT;
          continue;
        case S.C_INHERIT_PAREN:
          this.expect(K.RPAREN, ["')'"], 2);
          this.drop();
          st = S.INHERIT_ATTRS;
          continue;
        case S.INHERIT_ATTRS: {
          const t = this.peek();
          switch (t.k) {
            case K.ID:
            case K.OR_KW:
              this.take(2);
              continue;
            case K.DQUOTE:
              this.take(2);
              this.call(S.C_INHERIT_STR, t.start);
              this.call(S.C_STR, (this.serial - 1) * 4, 1);
              st = S.STR_BODY;
              continue;
            case K.DOLLAR_CURLY:
              this.take(2);
              this.call(S.C_INHERIT_DC, t.start, 1, this.serial);
              st = S.EXPR;
              continue;
            case K.SEMI:
              this.take(2);
              st = S.BINDS_NEXT;
              continue;
            default:
              this.fail(t, ["';'", 'an attribute name']);
          }
          continue;
        }
        case S.C_INHERIT_STR: {
          const at = this.top();
          this.drop();
          if (this.stringDynamic) this.semanticError(at, 1, 'dynamic attributes not allowed in inherit');
          st = S.INHERIT_ATTRS;
          continue;
        }
        case S.C_INHERIT_DC: {
          const at = this.top();
          const first = this.aux[this.aux.length - 1];
          this.expect(K.RBRACE, ["'}'"], 2);
          this.drop();
          // `${"name"}` names an attribute statically; anything else is dynamic
          if (!this.pure(first, this.serial - 2)) {
            this.semanticError(at, 2, 'dynamic attributes not allowed in inherit');
          }
          st = S.INHERIT_ATTRS;
          continue;
        }

        // ----- formals: '{' formals '}' (':' | '@' ID ':')  or  ID '@' '{' formals '}' ':'
        case S.FORMALS:
          this.take(1);
          st = S.FORMAL_NEXT;
          continue;
        case S.FORMAL_NEXT: {
          const t = this.peek();
          if (t.k === K.RBRACE) {
            st = S.FORMALS_CLOSE;
            continue;
          }
          if (t.k === K.ELLIPSIS) {
            this.take(1);
            if (this.peek().k !== K.RBRACE) this.fail(this.peek(), ["'}'"]);
            st = S.FORMALS_CLOSE;
            continue;
          }
          if (t.k !== K.ID) this.fail(t, ['an identifier', "'...'", "'}'"]);
          this.take(1);
          if (this.peek().k === K.QUESTION) {
            this.take(2);
            this.call(S.C_FORMAL_DEFAULT, 0, 2);
            st = S.EXPR;
            continue;
          }
          this.formalExpect = AFTER_FORMAL;
          st = S.FORMAL_AFTER;
          continue;
        }
        case S.C_FORMAL_DEFAULT:
          this.drop();
          this.formalExpect = COMMA_OR_CLOSE;
          st = S.FORMAL_AFTER;
          continue;
        case S.FORMAL_AFTER: {
          const t = this.peek();
          if (t.k === K.COMMA) {
            this.take(2);
            this.become(S.C_FORMALS, this.weights[this.weights.length - 1] + 2);
            st = S.FORMAL_NEXT;
            continue;
          }
          if (t.k !== K.RBRACE) this.fail(t, this.formalExpect);
          st = S.FORMALS_CLOSE;
          continue;
        }
        case S.FORMALS_CLOSE: {
          const afterAt = this.top() === 1;
          this.take(2);
          if (afterAt) {
            this.become(S.C_NOP, 5);
            this.expect(K.COLON, ["':'"], 1);
          } else {
            this.become(S.C_NOP, 3);
            const t = this.peek();
            if (t.k === K.AT) {
              this.take(1);
              this.expect(K.ID, ['an identifier'], 2);
              this.expect(K.COLON, ["':'"], 3);
            } else if (t.k === K.COLON) {
              this.take(1);
            } else this.fail(t, ["':'", "'@'"]);
          }
          st = S.EXPR;
          continue;
        }

        case S.C_TOP: {
          const t = this.peek();
          if (t.k !== K.EOF) this.fail(t, ['end of file']);
          return;
        }
        default:
          throw new Error(`recognizer: unexpected state ${st}`);
      }
    }
  }
}

/**
 * Where Nix 2.8 stops reading `text`: at the first NUL byte outside strings and comments (flex hands it to Bison
 * as token 0, the end of the input), else at the end. A NUL inside a string or comment is part of that token.
 */
export function nixInputEnd(text: string): number {
  if (!text.includes('\0')) return text.length;
  const lexer = new Lexer(text);
  const token: Token = { k: K.EOF, start: 0, end: 0, nix: 0 };
  // Every token but the last consumes at least one character; the bound only guards that assumption.
  for (let n = 0; n <= text.length + 1; n++) {
    const t = lexer.next(token);
    if (t.k === K.EOF) return t.note === 'nul' ? t.start : text.length;
  }
  return text.length;
}

/** The first error Nix 2.8's parser would report for `text`, or null when it parses. */
export function recognize(text: string): RecognizerError | null {
  try {
    new Parser(text).run();
    return null;
  } catch (e) {
    if (e instanceof Fail) return e.error;
    throw e;
  }
}
