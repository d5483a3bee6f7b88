// The recogniser's lexer (recognizer.ts is its parser): Nix 2.8's src/libexpr/lexer.l reproduced, with flex's
// longest-match rules and start conditions (strings, indented strings, interpolated paths), including the tokens
// Nix's lexer returns for broken input (an unclosed `/*` is the tokens '/' and '*'; a string that runs into the
// end of the file yields STR tokens). Tokens are located where Nix locates them.
// ---------------------------------------------------------------------------------------------------------
// Tokens

export const enum K {
  EOF,
  ID,
  INT,
  FLOAT,
  PATH,
  HPATH,
  SPATH,
  URI,
  STR,
  IND_STR,
  PATH_END,
  DQUOTE,
  IND_OPEN,
  IND_CLOSE,
  DOLLAR_CURLY,
  IF,
  THEN,
  ELSE,
  ASSERT,
  WITH,
  LET,
  IN,
  REC,
  INHERIT,
  OR_KW,
  ELLIPSIS,
  EQ,
  NEQ,
  LEQ,
  GEQ,
  AND,
  OR,
  IMPL,
  UPDATE,
  CONCAT,
  LBRACE,
  RBRACE,
  LPAREN,
  RPAREN,
  LBRACK,
  RBRACK,
  SEMI,
  COLON,
  AT,
  COMMA,
  DOT,
  ASSIGN,
  QUESTION,
  LT,
  GT,
  PLUS,
  MINUS,
  STAR,
  SLASH,
  BANG,
  INVALID,
  /** A lexer error (invalid integer/float, trailing slash): reported as soon as the parser asks for it. */
  LEXERR,
  /** `<|` and `|>`: Nix 2.24's experimental pipe operators, lexed only when asked for (never for Nix 2.8). */
  PIPE_FROM,
  PIPE_INTO,
}

/** Whether a token starts an `expr_simple` (an operand, a list element, a function's argument). */
export function startsSimple(k: K): boolean {
  switch (k) {
    case K.ID:
    case K.INT:
    case K.FLOAT:
    case K.DQUOTE:
    case K.IND_OPEN:
    case K.PATH:
    case K.HPATH:
    case K.SPATH:
    case K.URI:
    case K.LPAREN:
    case K.LET:
    case K.REC:
    case K.LBRACE:
    case K.LBRACK:
      return true;
    default:
      return false;
  }
}

export interface Token {
  k: K;
  start: number;
  end: number;
  /** Where Nix reports an error at this token. */
  nix: number;
  /** Lexer error message (LEXERR), or a hint that this token comes from an unclosed comment. */
  note?: string;
}

const SINGLE: Record<number, K> = {
  0x28: K.LPAREN,
  0x29: K.RPAREN,
  0x5b: K.LBRACK,
  0x5d: K.RBRACK,
  0x3b: K.SEMI,
  0x3a: K.COLON,
  0x40: K.AT,
  0x2c: K.COMMA,
  0x3f: K.QUESTION,
  0x2a: K.STAR,
  0x3e: K.GT,
  0x3c: K.LT,
  0x3d: K.ASSIGN,
  0x21: K.BANG,
  0x2b: K.PLUS,
  0x2d: K.MINUS,
  0x2f: K.SLASH,
  0x2e: K.DOT,
};

export const KEYWORDS: Record<string, K> = {
  if: K.IF,
  then: K.THEN,
  else: K.ELSE,
  assert: K.ASSERT,
  with: K.WITH,
  let: K.LET,
  in: K.IN,
  rec: K.REC,
  inherit: K.INHERIT,
  or: K.OR_KW,
};

export const SYMBOL_TEXT: Partial<Record<K, string>> = {
  [K.DQUOTE]: '"',
  [K.IND_CLOSE]: "''",
  [K.DOLLAR_CURLY]: '${',
  [K.ELLIPSIS]: '...',
  [K.EQ]: '==',
  [K.NEQ]: '!=',
  [K.LEQ]: '<=',
  [K.GEQ]: '>=',
  [K.AND]: '&&',
  [K.OR]: '||',
  [K.IMPL]: '->',
  [K.UPDATE]: '//',
  [K.CONCAT]: '++',
  [K.LBRACE]: '{',
  [K.RBRACE]: '}',
  [K.LPAREN]: '(',
  [K.RPAREN]: ')',
  [K.LBRACK]: '[',
  [K.RBRACK]: ']',
  [K.SEMI]: ';',
  [K.COLON]: ':',
  [K.AT]: '@',
  [K.COMMA]: ',',
  [K.DOT]: '.',
  [K.ASSIGN]: '=',
  [K.QUESTION]: '?',
  [K.LT]: '<',
  [K.GT]: '>',
  [K.PLUS]: '+',
  [K.MINUS]: '-',
  [K.STAR]: '*',
  [K.SLASH]: '/',
  [K.BANG]: '!',
};

// ---------------------------------------------------------------------------------------------------------
// Lexer: flex's rules for Nix 2.8, longest match first, ties to the earlier rule.

const enum M {
  INITIAL,
  DEFAULT,
  STRING,
  IND,
  INPATH,
  INPATH_SLASH,
}

// Character classes, indexed by char code (< 128).
const C_PATH = 1; // [a-zA-Z0-9._\-+]
const C_ID_START = 2; // [a-zA-Z_]
const C_ID = 4; // [a-zA-Z0-9_'\-]
const C_URI_SCHEME = 8; // [a-zA-Z0-9+\-.]
const C_URI = 16; // [a-zA-Z0-9%/?:@&=+$,\-_.!~*']
const CLASS = new Uint8Array(128);
(() => {
  const set = (chars: string, bit: number) => {
    for (const ch of chars) CLASS[ch.charCodeAt(0)] |= bit;
  };
  const alpha = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const digit = '0123456789';
  set(alpha + digit + '._-+', C_PATH);
  set(alpha + '_', C_ID_START);
  set(alpha + digit + "_'-", C_ID);
  set(alpha + digit + '+-.', C_URI_SCHEME);
  set(alpha + digit + "%/?:@&=+$,-_.!~*'", C_URI);
})();

const INT64_MAX = '9223372036854775807';
const DBL_MIN = 2.2250738585072014e-308;

export class Lexer {
  private pos = 0;
  private readonly len: number;
  private readonly modes: M[] = [M.INITIAL];
  /** Start of the current and the previous lexeme (flex's yylloc and Nix's prev_yylloc). */
  private cur = 0;
  private prev = 0;
  private done = false;
  private nulAt = -1;
  /** The '*' of an unclosed comment's '/*' (lexed as an operator). */
  private commentStar = -1;

  constructor(
    private readonly text: string,
    /** Told where each comment is (the direct AST builder keeps them; the recogniser does not ask). */
    private readonly onComment?: (start: number, end: number) => void,
    /** Lex `<|` and `|>` (the repository runs Nix with `pipe-operators`): direct-ast.ts only. */
    private readonly pipes = false,
  ) {
    this.len = text.length;
  }

  private code(i: number): number {
    return i < this.len ? this.text.charCodeAt(i) : -1;
  }

  private cls(i: number, bit: number): boolean {
    const c = i < this.len ? this.text.charCodeAt(i) : 128;
    return c < 128 && (CLASS[c] & bit) !== 0;
  }

  private lexeme(start: number): void {
    this.prev = this.cur;
    this.cur = start;
  }

  /** The token being filled (tokens are recycled by the parser's look-ahead ring). */
  private out: Token = { k: K.EOF, start: 0, end: 0, nix: 0 };

  private set(k: K, start: number, end: number, nix: number, note?: string): Token {
    const t = this.out;
    t.k = k;
    t.start = start;
    t.end = end;
    t.nix = nix;
    t.note = note;
    return t;
  }

  private tok(k: K, start: number, end: number): Token {
    this.lexeme(start);
    this.pos = end;
    return this.set(k, start, end, start);
  }

  private push(m: M): void {
    this.modes.push(m);
  }

  private pop(): void {
    if (this.modes.length > 1) this.modes.pop();
  }

  private eof(): Token {
    this.done = true;
    return this.set(K.EOF, this.len, this.len, this.cur);
  }

  next(out: Token): Token {
    this.out = out;
    if (this.done) {
      return this.nulAt >= 0
        ? this.set(K.EOF, this.nulAt, this.nulAt + 1, this.nulAt, 'nul')
        : this.set(K.EOF, this.len, this.len, this.cur);
    }
    switch (this.modes[this.modes.length - 1]) {
      case M.STRING:
        return this.lexString();
      case M.IND:
        return this.lexInd();
      case M.INPATH:
      case M.INPATH_SLASH:
        return this.lexInPath();
      default:
        return this.lexDefault();
    }
  }

  // ----- helpers returning match lengths (0 = no match)

  private pathRun(i: number): number {
    while (this.cls(i, C_PATH)) i++;
    return i;
  }

  /** pathRun for consecutive starts inside one run (`------1`) without rescanning it each time. */
  private runFrom = -1;
  private runEnd = -1;
  private pathRunCached(p: number): number {
    if (p > this.runFrom && p < this.runEnd) return this.runEnd;
    this.runFrom = p;
    this.runEnd = this.pathRun(p);
    return this.runEnd;
  }

  /** {PATH_CHAR}*(\/{PATH_CHAR}+)+\/? */
  private pathLen(p: number): number {
    let i = this.pathRun(p);
    let segs = 0;
    while (this.code(i) === 0x2f && this.cls(i + 1, C_PATH)) {
      i = this.pathRun(i + 1);
      segs++;
    }
    if (!segs) return 0;
    if (this.code(i) === 0x2f) i++;
    return i - p;
  }

  /** {PATH_SEG}\$\{ : the length of the PATH_SEG part, or 0. */
  private pathSegDollar(p: number): number {
    const i = this.pathRun(p);
    return this.code(i) === 0x2f && this.code(i + 1) === 0x24 && this.code(i + 2) === 0x7b ? i + 1 - p : 0;
  }

  /** \~(\/{PATH_CHAR}+)+\/? */
  private hpathLen(p: number): number {
    let i = p + 1;
    let segs = 0;
    while (this.code(i) === 0x2f && this.cls(i + 1, C_PATH)) {
      i = this.pathRun(i + 1);
      segs++;
    }
    if (!segs) return 0;
    if (this.code(i) === 0x2f) i++;
    return i - p;
  }

  /** \<{PATH_CHAR}+(\/{PATH_CHAR}+)*\> */
  private spathLen(p: number): number {
    let i = this.pathRun(p + 1);
    if (i === p + 1) return 0;
    while (this.code(i) === 0x2f && this.cls(i + 1, C_PATH)) i = this.pathRun(i + 1);
    return this.code(i) === 0x3e ? i + 1 - p : 0;
  }

  private schemeFrom = -1;
  private schemeEnd = -1;

  /** [a-zA-Z][a-zA-Z0-9\+\-\.]*\:[a-zA-Z0-9\%\/\?\:\@\&\=\+\$\,\-\_\.\!\~\*\']+ */
  private uriLen(p: number): number {
    let i = p + 1;
    // Like pathRunCached: every token of `a.a.a…` would otherwise rescan the rest of the run for a ':'.
    if (i >= this.schemeFrom && i < this.schemeEnd) i = this.schemeEnd;
    else {
      this.schemeFrom = i;
      while (this.cls(i, C_URI_SCHEME)) i++;
      this.schemeEnd = i;
    }
    if (this.code(i) !== 0x3a) return 0; // (the common case: an identifier)
    const j = ++i;
    while (this.cls(i, C_URI)) i++;
    return i > j ? i - p : 0;
  }

  private digits(i: number): number {
    for (let c = this.code(i); c >= 0x30 && c <= 0x39; c = this.code(++i));
    return i;
  }

  /** (([1-9][0-9]*\.[0-9]*)|(0?\.[0-9]+))([Ee][+-]?[0-9]+)? */
  private floatLen(p: number): number {
    const c = this.code(p);
    let i: number;
    if (c >= 0x31 && c <= 0x39) {
      i = this.digits(p);
      if (this.code(i) !== 0x2e) return 0;
      i = this.digits(i + 1);
    } else {
      i = c === 0x30 ? p + 1 : p;
      if (this.code(i) !== 0x2e) return 0;
      const j = this.digits(i + 1);
      if (j === i + 1) return 0;
      i = j;
    }
    const e = this.code(i);
    if (e === 0x45 || e === 0x65) {
      let j = i + 1;
      const s = this.code(j);
      if (s === 0x2b || s === 0x2d) j++;
      const k = this.digits(j);
      if (k > j) i = k;
    }
    return i - p;
  }

  // ----- start conditions

  private lexDefault(): Token {
    const text = this.text;
    for (;;) {
      const p = this.pos;
      if (p >= this.len) return this.eof();
      const c = text.charCodeAt(p);
      // whitespace, comments
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) {
        let i = p + 1;
        for (let d = this.code(i); d === 0x20 || d === 0x09 || d === 0x0a || d === 0x0d; d = this.code(++i));
        this.lexeme(p);
        this.pos = i;
        continue;
      }
      if (c === 0x23) {
        let i = p + 1;
        for (let d = this.code(i); d !== -1 && d !== 0x0a && d !== 0x0d; d = this.code(++i));
        this.onComment?.(p, i);
        this.lexeme(p);
        this.pos = i;
        continue;
      }
      if (c === 0x2f && this.code(p + 1) === 0x2a) {
        const close = text.indexOf('*/', p + 2);
        if (close >= 0) {
          this.onComment?.(p, close + 2);
          this.lexeme(p);
          this.pos = close + 2;
          continue;
        }
        // flex falls back to the tokens '/' and '*'
        this.commentStar = p + 1;
        const t = this.tok(K.SLASH, p, p + 1);
        t.note = 'comment';
        return t;
      }
      if (c === 0) {
        // flex hands Bison the NUL byte as token 0, which Bison takes for the end of the input.
        this.lexeme(p);
        this.done = true;
        this.nulAt = p;
        return this.set(K.EOF, p, p + 1, p, 'nul');
      }
      return this.lexDefaultToken(p, c);
    }
  }

  private lexDefaultToken(p: number, c: number): Token {
    const text = this.text;
    // Candidates in rule order; a later rule wins only with a strictly longer match.
    let k = K.INVALID as K;
    let n = 0;
    let pathStart = 0; // PATH_SEG${ / HPATH_START${ win: the length of the path segment token
    if (c < 128 && CLASS[c] & C_ID_START) {
      let i = p + 1;
      while (this.cls(i, C_ID)) i++;
      n = i - p;
      k = K.ID;
      if (n <= 7 && n >= 2) k = KEYWORDS[text.slice(p, i)] ?? K.ID;
    } else if (c >= 0x30 && c <= 0x39) {
      n = this.digits(p) - p;
      k = K.INT;
      const f = this.floatLen(p);
      if (f > n) {
        n = f;
        k = K.FLOAT;
      }
    } else if (c === 0x2e) {
      if (this.code(p + 1) === 0x2e && this.code(p + 2) === 0x2e) {
        k = K.ELLIPSIS;
        n = 3;
      }
      const f = this.floatLen(p);
      if (f > n) {
        n = f;
        k = K.FLOAT;
      }
    } else if (c === 0x3d) {
      if (this.code(p + 1) === 0x3d) return this.tok(K.EQ, p, p + 2);
    } else if (c === 0x21) {
      if (this.code(p + 1) === 0x3d) return this.tok(K.NEQ, p, p + 2);
    } else if (c === 0x3c) {
      if (this.code(p + 1) === 0x3d) return this.tok(K.LEQ, p, p + 2);
      if (this.pipes && this.code(p + 1) === 0x7c) return this.tok(K.PIPE_FROM, p, p + 2);
      const sp = this.spathLen(p);
      if (sp) return this.tok(K.SPATH, p, p + sp);
    } else if (c === 0x3e) {
      if (this.code(p + 1) === 0x3d) return this.tok(K.GEQ, p, p + 2);
    } else if (c === 0x26) {
      if (this.code(p + 1) === 0x26) return this.tok(K.AND, p, p + 2);
    } else if (c === 0x7c) {
      if (this.code(p + 1) === 0x7c) return this.tok(K.OR, p, p + 2);
      if (this.pipes && this.code(p + 1) === 0x3e) return this.tok(K.PIPE_INTO, p, p + 2);
    } else if (c === 0x2d) {
      if (this.code(p + 1) === 0x3e) {
        k = K.IMPL;
        n = 2;
      }
    } else if (c === 0x2f) {
      if (this.code(p + 1) === 0x2f) {
        k = K.UPDATE;
        n = 2;
      }
    } else if (c === 0x2b) {
      if (this.code(p + 1) === 0x2b) {
        k = K.CONCAT;
        n = 2;
      }
    } else if (c === 0x24) {
      if (this.code(p + 1) === 0x7b) {
        this.push(M.DEFAULT);
        return this.tok(K.DOLLAR_CURLY, p, p + 2);
      }
    } else if (c === 0x7d) {
      this.pop();
      return this.tok(K.RBRACE, p, p + 1);
    } else if (c === 0x7b) {
      this.push(M.DEFAULT);
      return this.tok(K.LBRACE, p, p + 1);
    } else if (c === 0x22) {
      this.push(M.STRING);
      return this.tok(K.DQUOTE, p, p + 1);
    } else if (c === 0x27) {
      if (this.code(p + 1) === 0x27) {
        let i = p + 2;
        while (this.code(i) === 0x20) i++;
        this.push(M.IND);
        return this.tok(K.IND_OPEN, p, this.code(i) === 0x0a ? i + 1 : p + 2);
      }
    } else if (c === 0x7e) {
      if (this.code(p + 1) === 0x2f && this.code(p + 2) === 0x24 && this.code(p + 3) === 0x7b) {
        pathStart = 2;
        n = 4;
        k = K.HPATH;
      }
      const h = this.hpathLen(p);
      if (h > n) {
        pathStart = 0;
        n = h;
        k = K.HPATH;
      }
    }
    // PATH_SEG${ and PATH need a '/' right after the run of path characters; URI needs a letter and ':'.
    if (c === 0x2f || (c < 128 && CLASS[c] & C_PATH)) {
      if (this.code(this.pathRunCached(p)) === 0x2f) {
        const seg = this.pathSegDollar(p);
        if (seg > 0 && seg + 2 > n) {
          k = K.PATH;
          n = seg + 2;
          pathStart = seg;
        }
        const pl = this.pathLen(p);
        if (pl > n) {
          pathStart = 0;
          n = pl;
          k = K.PATH;
        }
      }
      if (c >= 0x41 && (c <= 0x5a || (c >= 0x61 && c <= 0x7a))) {
        const ul = this.uriLen(p);
        if (ul > n) {
          pathStart = 0;
          n = ul;
          k = K.URI;
        }
      }
    }
    if (pathStart) {
      // yyless(0) and rescan in PATH_START: the location is reset to the path's start twice.
      this.lexeme(p);
      const t = this.tok(k, p, p + pathStart);
      this.push(M.INPATH_SLASH);
      return t;
    }
    if (n === 0) {
      const single = SINGLE[c];
      if (single !== undefined) {
        const t = this.tok(single, p, p + 1);
        if (p === this.commentStar) t.note = 'comment';
        return t;
      }
      const cp = text.codePointAt(p) ?? c;
      return this.tok(K.INVALID, p, p + (cp > 0xffff ? 2 : 1));
    }
    const t = this.tok(k, p, p + n);
    if (k === K.PATH || k === K.HPATH) {
      this.push(text.charCodeAt(p + n - 1) === 0x2f ? M.INPATH_SLASH : M.INPATH);
    } else if (k === K.INT) {
      const digits = text.slice(p, p + n).replace(/^0+(?=.)/, '');
      if (digits.length > 19 || (digits.length === 19 && digits > INT64_MAX)) {
        t.k = K.LEXERR;
        t.note = `invalid integer '${text.slice(p, p + n)}'`;
      }
    } else if (k === K.FLOAT) {
      const s = text.slice(p, p + n);
      const v = Number(s.endsWith('.') ? s + '0' : s.replace(/\.(?=[eE]|$)/, '.0'));
      const mantissaZero = !/[1-9]/.test(s.replace(/[eE].*$/, ''));
      if (!Number.isFinite(v) || (v === 0 && !mantissaZero) || (v !== 0 && Math.abs(v) < DBL_MIN)) {
        t.k = K.LEXERR;
        t.note = `invalid float '${s}'`;
      }
    }
    return t;
  }

  private lexString(): Token {
    const text = this.text;
    const p = this.pos;
    if (p >= this.len) return this.eof();
    const c = text.charCodeAt(p);
    if (c === 0x22) {
      this.pop();
      return this.tok(K.DQUOTE, p, p + 1);
    }
    if (c === 0x24 && this.code(p + 1) === 0x7b) {
      this.push(M.DEFAULT);
      return this.tok(K.DOLLAR_CURLY, p, p + 2);
    }
    // ([^\$\"\\]|\$[^\{\"\\]|\\{ANY}|\$\\{ANY})+ , or the same followed by '$' before '"'
    let i = p;
    for (;;) {
      const d = this.code(i);
      if (d === -1 || d === 0x22) break;
      if (d === 0x5c) {
        if (i + 1 >= this.len) break;
        i += 2;
      } else if (d === 0x24) {
        const e = this.code(i + 1);
        if (e === -1 || e === 0x7b || e === 0x22) break;
        if (e === 0x5c) {
          if (i + 2 >= this.len) break;
          i += 3;
        } else i += 2;
      } else i++;
    }
    if (this.code(i) === 0x24 && this.code(i + 1) === 0x22) i++;
    else if (i === p) {
      // only at the end of the input: '$', '\' or '$\'
      i = this.code(p) === 0x24 && this.code(p + 1) === 0x5c ? p + 2 : p + 1;
    }
    return this.tok(K.STR, p, i);
  }

  private lexInd(): Token {
    const text = this.text;
    const p = this.pos;
    if (p >= this.len) return this.eof();
    const c = text.charCodeAt(p);
    if (c === 0x27 && this.code(p + 1) === 0x27) {
      const e = this.code(p + 2);
      if (e === 0x24 || e === 0x27) return this.tok(K.IND_STR, p, p + 3);
      // ''\{ANY}: the escaped character belongs to the token (`''\'''${` is `''\'`, `''$`, `{`)
      if (e === 0x5c && p + 3 < this.len) return this.tok(K.IND_STR, p, p + 4);
      this.pop();
      return this.tok(K.IND_CLOSE, p, p + 2);
    }
    if (c === 0x24) {
      const e = this.code(p + 1);
      if (e === 0x7b) {
        this.push(M.DEFAULT);
        return this.tok(K.DOLLAR_CURLY, p, p + 2);
      }
      if (e === -1 || e === 0x27) return this.tok(K.IND_STR, p, p + 1);
    }
    if (c === 0x27) {
      const e = this.code(p + 1);
      if (e === -1 || e === 0x24) return this.tok(K.IND_STR, p, p + 1);
    }
    // ([^\$\']|\$[^\{\']|\'[^\'\$])+
    let i = p;
    for (;;) {
      const d = this.code(i);
      if (d === -1) break;
      if (d === 0x24) {
        const e = this.code(i + 1);
        if (e === -1 || e === 0x7b || e === 0x27) break;
        i += 2;
      } else if (d === 0x27) {
        const e = this.code(i + 1);
        if (e === -1 || e === 0x27 || e === 0x24) break;
        i += 2;
      } else i++;
    }
    return this.tok(K.IND_STR, p, i);
  }

  private lexInPath(): Token {
    const p = this.pos;
    const slash = this.modes[this.modes.length - 1] === M.INPATH_SLASH;
    if (this.code(p) === 0x24 && this.code(p + 1) === 0x7b) {
      this.pop();
      this.push(M.INPATH);
      this.push(M.DEFAULT);
      return this.tok(K.DOLLAR_CURLY, p, p + 2);
    }
    // {PATH}|{PATH_SEG}|{PATH_CHAR}+
    const run = this.pathRun(p);
    let n = run - p;
    if (this.code(run) === 0x2f) n = run + 1 - p; // PATH_SEG
    n = Math.max(n, this.pathLen(p));
    if (n > 0) {
      this.pop();
      this.push(this.text.charCodeAt(p + n - 1) === 0x2f ? M.INPATH_SLASH : M.INPATH);
      return this.tok(K.STR, p, p + n);
    }
    if (slash) {
      // "path has a trailing slash", located at the next character (or, at the end, at the last lexeme).
      const atEnd = p >= this.len || this.text.charCodeAt(p) === 0;
      const at = atEnd ? this.cur : p;
      this.done = true;
      return this.set(K.LEXERR, at, atEnd ? this.len : p + 1, at, 'path has a trailing slash');
    }
    this.pop();
    if (p >= this.len) {
      // <INPATH><<EOF>>: Nix restores the location from before the last lexeme.
      this.cur = this.prev;
      return this.set(K.PATH_END, p, p, this.prev);
    }
    // <INPATH>{ANY}: yyless(0), located at the last path lexeme
    return this.set(K.PATH_END, p, p, this.cur);
  }
}
