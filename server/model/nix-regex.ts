// POSIX extended regular expressions (what `builtins.match` and `builtins.split` take, through C++'s
// std::regex::extended) translated to JavaScript RegExps. Nix matches bytes, so patterns and subjects that are
// not ASCII are matched as Latin-1 strings of their UTF-8 bytes. Anything the translation does not handle
// exactly gives undefined (the caller's result is then unknown).

const CLASSES: Record<string, string> = {
  alpha: 'a-zA-Z',
  digit: '0-9',
  alnum: '0-9a-zA-Z',
  upper: 'A-Z',
  lower: 'a-z',
  space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~',
  xdigit: '0-9A-Fa-f',
  cntrl: '\\x00-\\x1f\\x7f',
  print: '\\x20-\\x7e',
  graph: '\\x21-\\x7e',
  word: '0-9a-zA-Z_',
};

// What may follow a backslash (libstdc++'s POSIX escapes; `\]` is refused there).
const SPECIAL = new Set(['.', '[', '(', ')', '*', '+', '?', '{', '}', '|', '^', '$', '\\']);

export interface Translated {
  source: string;
  groups: number;
  /** A repeated group holding a repetition or an alternative (`(a*)*`, `(a|aa)+`): exponential backtracking. */
  risky: boolean;
  /** How many `*`, `+` and `{n,}` the pattern has: each may multiply the matcher's work by the subject length. */
  unbounded: number;
}

const cache = new Map<string, Translated | null>();

export function translateEre(pattern: string): Translated | undefined {
  const hit = cache.get(pattern);
  if (hit !== undefined) return hit ?? undefined;
  const t = translate(pattern);
  if (cache.size > 1000) cache.clear();
  cache.set(pattern, t ?? null);
  return t;
}

function escapeClassChar(c: string): string {
  return /[\\\]^[-]/.test(c) ? '\\' + c : c;
}

function translate(p: string): Translated | undefined {
  if (p.length > 4096) return undefined;
  let out = '';
  let groups = 0;
  // For each open group: whether a quantifier or an alternative occurred inside it.
  const open: boolean[] = [];
  let lastGroupHadQuantifier = false;
  let risky = false;
  let unbounded = 0;
  let canQuantify = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    switch (c) {
      case '\\': {
        const n = p[i + 1];
        if (n === undefined || !SPECIAL.has(n)) return undefined;
        out += '\\' + n;
        i++;
        canQuantify = true;
        lastGroupHadQuantifier = false;
        break;
      }
      case '.':
        out += '[\\s\\S]'; // POSIX: any character (std::regex excludes only NUL)
        canQuantify = true;
        lastGroupHadQuantifier = false;
        break;
      case '(':
        groups++;
        open.push(false);
        out += '(';
        canQuantify = false;
        break;
      case ')': {
        if (!open.length) return undefined;
        lastGroupHadQuantifier = open.pop() as boolean;
        if (lastGroupHadQuantifier && open.length) open[open.length - 1] = true;
        out += ')';
        canQuantify = true;
        break;
      }
      case '*':
      case '+':
      case '?':
      case '{': {
        let q: string = c;
        if (c === '{') {
          const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i));
          if (!m) return undefined;
          q = m[0];
          i += m[0].length - 1;
        }
        if (!canQuantify) return undefined;
        // A quantifier on a group holding one (or an alternative), or right after another (`a**`).
        if (lastGroupHadQuantifier || /[*+?}]$/.test(out)) risky = true;
        if (q === '*' || q === '+' || /,\}$/.test(q)) unbounded++;
        if (open.length) open[open.length - 1] = true;
        out += q;
        lastGroupHadQuantifier = false;
        break;
      }
      case '[': {
        let j = i + 1;
        let cls = '[';
        if (p[j] === '^') {
          cls += '^';
          j++;
        }
        // std::regex (libstdc++) refuses `]` first in a bracket, where POSIX would take it literally.
        if (p[j] === ']') return undefined;
        for (;;) {
          const d = p[j];
          if (d === undefined) return undefined;
          if (d === ']') break;
          if (d === '[' && p[j + 1] === ':') {
            const end = p.indexOf(':]', j + 2);
            if (end < 0) return undefined;
            const name = p.slice(j + 2, end);
            const set = CLASSES[name];
            if (set === undefined) return undefined;
            cls += set;
            j = end + 2;
            continue;
          }
          if (d === '[' && (p[j + 1] === '=' || p[j + 1] === '.')) return undefined;
          if (p[j + 1] === '-' && p[j + 2] !== undefined && p[j + 2] !== ']') {
            cls += escapeClassChar(d) + '-' + escapeClassChar(p[j + 2]);
            j += 3;
            continue;
          }
          cls += escapeClassChar(d);
          j++;
        }
        out += cls + ']';
        i = j;
        canQuantify = true;
        lastGroupHadQuantifier = false;
        break;
      }
      case '|':
        if (open.length) open[open.length - 1] = true;
        out += '|';
        canQuantify = false;
        break;
      case '^':
      case '$':
        out += c;
        canQuantify = false;
        break;
      default:
        out += /[\]}/]/.test(c) ? '\\' + c : c;
        canQuantify = true;
        lastGroupHadQuantifier = false;
    }
  }
  if (open.length) return undefined;
  try {
    new RegExp(out);
  } catch {
    return undefined;
  }
  return { source: out, groups, risky, unbounded };
}

/** Whether a string is plain ASCII (then UTF-16 and byte offsets agree). */
export function isAscii(s: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(s);
}

export function toBytes(s: string): string {
  return Buffer.from(s, 'utf8').toString('latin1');
}

export function fromBytes(s: string): string {
  return Buffer.from(s, 'latin1').toString('utf8');
}
