// A recogniser for Nix 2.8's grammar (src/libexpr/parser.y + lexer.l), used to find the first syntax error
// exactly where Nix finds it. It builds no tree: it only validates. The parser is a table-free pushdown
// machine with an explicit stack (no JS recursion), so any nesting depth is safe; like Nix's Bison parser
// (whose stack holds 9998 entries) it gives up on absurdly deep nesting, with `nesting too deep`.
//
// How it mirrors Nix:
// - The lexer reproduces flex's longest-match rules and start conditions (strings, indented strings,
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

// ---------------------------------------------------------------------------------------------------------
// Tokens

const enum K {
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
}

interface Token {
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

const KEYWORDS: Record<string, K> = {
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

const SYMBOL_TEXT: Partial<Record<K, string>> = {
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

class Lexer {
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

  constructor(private readonly text: string) {
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
        this.lexeme(p);
        this.pos = i;
        continue;
      }
      if (c === 0x2f && this.code(p + 1) === 0x2a) {
        const close = text.indexOf('*/', p + 2);
        if (close >= 0) {
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
      const sp = this.spathLen(p);
      if (sp) return this.tok(K.SPATH, p, p + sp);
    } else if (c === 0x3e) {
      if (this.code(p + 1) === 0x3d) return this.tok(K.GEQ, p, p + 2);
    } else if (c === 0x26) {
      if (this.code(p + 1) === 0x26) return this.tok(K.AND, p, p + 2);
    } else if (c === 0x7c) {
      if (this.code(p + 1) === 0x7c) return this.tok(K.OR, p, p + 2);
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

function startsSimple(k: K): boolean {
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
