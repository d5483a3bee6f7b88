// Deterministic generators of Nix text for tests and benchmarks: realistic modules of a given size that use
// every construct of the language (strings with escapes and interpolation, indented strings, paths, lambdas
// with patterns, let/with/assert/if, rec sets, inherit, dynamic keys, comments), broken variants of any text,
// and pathologically deep nesting.

/** mulberry32: a small, fast, seeded PRNG; the same seed always gives the same sequence. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;

const NAMES = ['cfg', 'lib', 'pkgs', 'config', 'name', 'value', 'x', 'y', 'self', 'inputs', 'host', 'port'];
const ATTRS = [
  'enable',
  'package',
  'settings',
  'extraConfig',
  'users',
  'hostName',
  'boot',
  'loader',
  'fileSystems',
];
const BINOPS = ['+', '-', '*', '/', '++', '//', '==', '!=', '<', '<=', '>', '>=', '&&', '||', '->'];
const ESCAPES = ['\\n', '\\t', '\\r', '\\"', '\\\\', '\\$', '\\${x}', '$${y}', '\\u'];
const INDENTED_ESCAPES = ["''$", "'''", "''\\n", "''\\t", "''\\x", '$$'];

class Gen {
  constructor(private readonly rand: Rand) {}

  int(n: number): number {
    return Math.floor(this.rand() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  chance(p: number): boolean {
    return this.rand() < p;
  }

  ident(): string {
    return this.chance(0.8)
      ? this.pick(ATTRS)
      : this.pick(NAMES) + this.int(100) + (this.chance(0.2) ? "'" : '');
  }

  /** A name that is also valid inside a path (no `'`). */
  plain(): string {
    return this.chance(0.8) ? this.pick(ATTRS) : this.pick(NAMES) + this.int(100);
  }

  comment(): string {
    return this.chance(0.5) ? `/* note ${this.int(1000)} */ ` : `# remark ${this.int(1000)}\n`;
  }

  key(depth: number): string {
    const r = this.rand();
    if (r < 0.75) return this.ident();
    if (r < 0.85) return `"${this.ident()}.${this.int(10)}"`;
    if (r < 0.9) return `\${${this.simple(depth)}}`;
    if (r < 0.95) return `"\${${this.pick(NAMES)}}-${this.int(9)}"`;
    return `\${"lit${this.int(9)}"}`;
  }

  attrpath(depth: number): string {
    const keys = [this.key(depth)];
    while (this.chance(0.4)) keys.push(this.key(depth));
    return keys.join('.');
  }

  string(depth: number): string {
    let s = '"';
    const n = 1 + this.int(4);
    for (let i = 0; i < n; i++) {
      const r = this.rand();
      if (r < 0.55) s += this.pick(['key=', 'value ', 'a-b_c', '/dev/sda', 'é😀', ' ']) + this.int(100);
      else if (r < 0.8) s += this.pick(ESCAPES);
      else s += `\${${depth > 0 ? this.expr(depth - 1) : this.pick(NAMES)}}`;
    }
    return s + '"';
  }

  indented(depth: number): string {
    const indent = ' '.repeat(2 + this.int(6));
    let s = "''" + (this.chance(0.8) ? '\n' : ' ');
    const lines = 1 + this.int(5);
    for (let i = 0; i < lines; i++) {
      s += indent + (this.chance(0.3) ? '  ' : '');
      const r = this.rand();
      if (r < 0.5) s += `line ${this.int(100)} with text`;
      else if (r < 0.7) s += this.pick(INDENTED_ESCAPES) + 'x';
      else if (r < 0.9) s += `value=\${${depth > 0 ? this.expr(depth - 1) : this.pick(NAMES)}};`;
      s += this.chance(0.1) ? '\n\n' : '\n';
    }
    return s + indent.slice(2) + "''";
  }

  path(depth: number): string {
    const r = this.rand();
    if (r < 0.4) return `./${this.pick(['hosts', 'modules', 'lib'])}/${this.plain()}.nix`;
    if (r < 0.6) return `/etc/nixos/${this.plain()}`;
    if (r < 0.7) return `~/${this.plain()}/x`;
    if (r < 0.8) return this.pick(['<nixpkgs>', '<nixpkgs/nixos>', '<home-manager/nixos>']);
    if (r < 0.9) return `./hosts/\${${depth > 0 ? this.simple(depth - 1) : 'name'}}.nix`;
    return `https://example.com/${this.plain()}.tar.gz`;
  }

  /** An expression that can be an argument or a select target without parentheses. */
  simple(depth: number): string {
    const r = this.rand();
    if (r < 0.2) return this.pick(NAMES);
    if (r < 0.3) return String(this.int(100000));
    if (r < 0.35) return this.pick(['1.5', '0.25', '.5', '2.0e3', '1e-2']);
    if (r < 0.5) return this.string(depth);
    if (r < 0.55) return this.indented(depth);
    if (r < 0.65) return this.path(depth);
    if (r < 0.75)
      return `${this.pick(NAMES)}.${this.attrpath(depth)}${this.chance(0.3) ? ` or ${this.simple(0)}` : ''}`;
    if (r < 0.82 || depth <= 0) return this.pick(['true', 'false', 'null', 'builtins']);
    if (r < 0.9) return this.list(depth - 1);
    if (r < 0.96) return this.attrs(depth - 1);
    return `(${this.expr(depth - 1)})`;
  }

  list(depth: number): string {
    const items: string[] = [];
    const n = this.int(6);
    for (let i = 0; i < n; i++) items.push((this.chance(0.05) ? this.comment() : '') + this.simple(depth));
    return `[ ${items.join(' ')} ]`;
  }

  bindings(depth: number, indent: string): string {
    let s = '';
    const n = 1 + this.int(5);
    for (let i = 0; i < n; i++) {
      if (this.chance(0.05)) s += indent + this.comment();
      const r = this.rand();
      if (r < 0.08) s += `${indent}inherit ${this.pick(NAMES)} ${this.ident()};\n`;
      else if (r < 0.14) s += `${indent}inherit (${this.simple(0)}) ${this.ident()} "${this.ident()}";\n`;
      else s += `${indent}${this.attrpath(depth)} = ${this.expr(depth)};\n`;
    }
    return s;
  }

  attrs(depth: number): string {
    const r = this.rand();
    const prefix = r < 0.15 ? 'rec ' : r < 0.18 ? 'let ' : '';
    if (prefix === 'let ') return `let { body = ${this.simple(0)}; ${this.bindings(depth, '')}}`;
    return `${prefix}{\n${this.bindings(depth, '  ')}}`;
  }

  formals(): string {
    const fs: string[] = [];
    const n = this.int(4);
    for (let i = 0; i < n; i++)
      fs.push(this.chance(0.3) ? `${this.ident()} ? ${this.simple(0)}` : this.ident());
    if (this.chance(0.5)) fs.push('...');
    const pattern = `{ ${fs.join(', ')} }`;
    const r = this.rand();
    return r < 0.2 ? `args@${pattern}` : r < 0.3 ? `${pattern}@args` : pattern;
  }

  expr(depth: number): string {
    if (depth <= 0) return this.simple(0);
    const d = depth - 1;
    const r = this.rand();
    if (r < 0.35) return this.simple(depth);
    if (r < 0.45) return `${this.simple(d)} ${this.pick(BINOPS)} ${this.simple(d)}`;
    if (r < 0.55)
      return `${this.pick(['lib.mkIf', 'mkDefault', 'f', 'map (x: x)', 'import'])} ${this.simple(d)}`;
    if (r < 0.6)
      return `if ${this.simple(d)} ${this.pick(BINOPS)} ${this.simple(d)} then ${this.expr(d)} else ${this.expr(d)}`;
    if (r < 0.65) return `let\n${this.bindings(d, '    ')}  in ${this.expr(d)}`;
    if (r < 0.7) return `with ${this.pick(NAMES)}; ${this.expr(d)}`;
    if (r < 0.73) return `assert ${this.simple(d)} ? ${this.attrpath(d)}; ${this.expr(d)}`;
    if (r < 0.8) return `${this.chance(0.5) ? this.ident() : this.formals()}: ${this.expr(d)}`;
    if (r < 0.85) return `${this.pick(['!', '-'])}${this.simple(d)}`;
    if (r < 0.9) return `${this.simple(d)} ? ${this.attrpath(d)}`;
    return this.attrs(d);
  }
}

/** A NixOS-module-like file of about `targetBytes` characters, using every construct of the language. */
export function generateModule(targetBytes: number, seed = 1): string {
  const g = new Gen(prng(seed));
  const parts = [
    '# Generated module\n{ config, lib, pkgs, modulesPath ? null, ... }@args:\n',
    'let\n  inherit (lib) mkIf mkOption types;\n  cfg = config.services.demo;\n  helper = name: value: "${name}=${toString value}";\nin\n{\n',
    '  imports = [ ./hardware-configuration.nix (modulesPath + "/installer/scan/not-detected.nix") ];\n',
  ];
  let size = parts.reduce((n, p) => n + p.length, 0);
  while (size < targetBytes) {
    const b = g.bindings(3, '  ');
    parts.push(b);
    size += b.length;
  }
  parts.push('}\n');
  return parts.join('');
}

/** Small random expressions, one per seed: many shapes quickly. */
export function generateExpr(seed: number, depth = 4): string {
  return new Gen(prng(seed)).expr(depth);
}

const STRAY = [
  ';',
  '}',
  '{',
  ')',
  '(',
  ']',
  '[',
  '=',
  ':',
  ',',
  '.',
  'in',
  'then',
  'else',
  '"',
  "''",
  '${',
  '/*',
];
const MORE_STRAY = [
  '@',
  '?',
  '==',
  '$',
  '~',
  'let',
  'or',
  '...',
  '//',
  '->',
  '!',
  '\n',
  ' ',
  'x',
  '#',
  'rec',
];

/** `count` broken (sometimes still valid) variants of `text`, deterministically. */
export function breakText(text: string, count: number, seed = 1): string[] {
  const rand = prng(seed);
  const g = new Gen(rand);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const at = g.int(text.length + 1);
    const len = g.int(12);
    const r = rand();
    if (r < 0.2) out.push(text.slice(0, at));
    else if (r < 0.45) out.push(text.slice(0, at) + text.slice(at + len));
    else if (r < 0.8)
      out.push(text.slice(0, at) + g.pick(rand() < 0.7 ? STRAY : MORE_STRAY) + text.slice(at));
    else if (r < 0.9) out.push(text.slice(0, at) + g.pick(STRAY) + text.slice(at + 1 + g.int(3)));
    else {
      // Swap two slices: unbalanced brackets in both places.
      const b = g.int(text.length + 1);
      const [x, y] = at < b ? [at, b] : [b, at];
      out.push(
        text.slice(0, x) +
          text.slice(y, y + len) +
          text.slice(x + len, y) +
          text.slice(x, x + len) +
          text.slice(y + len),
      );
    }
  }
  return out;
}

/** One random edit (start, end, replacement) on `text`, never splitting a surrogate pair. */
export function randomEdit(text: string, rand: Rand): { start: number; end: number; text: string } {
  const g = new Gen(rand);
  let start = g.int(text.length + 1);
  let end = Math.min(text.length, start + g.int(6));
  const isLow = (i: number) => /[\uDC00-\uDFFF]/.test(text[i] ?? '');
  while (start > 0 && isLow(start)) start--;
  while (end < text.length && isLow(end)) end++;
  const r = rand();
  const replacement =
    r < 0.3 ? '' : r < 0.6 ? g.pick([...STRAY, ...MORE_STRAY]) : r < 0.8 ? g.ident() : g.simple(1);
  return { start, end, text: replacement };
}

/** Pathologically deep input: `depth` levels of one construct. */
export function deepNesting(
  kind: 'list' | 'paren' | 'attrs' | 'concat' | 'lambda' | 'let',
  depth: number,
): string {
  switch (kind) {
    case 'list':
      return '['.repeat(depth) + ' 1 ' + ']'.repeat(depth);
    case 'paren':
      return '('.repeat(depth) + 'x' + ')'.repeat(depth);
    case 'attrs':
      return '{ a = '.repeat(depth) + '1' + '; }'.repeat(depth);
    case 'concat':
      return Array.from({ length: depth }, (_, i) => `[ ${i} ]`).join(' ++ ');
    case 'lambda':
      return 'x: '.repeat(depth) + 'x';
    case 'let':
      return 'let a = 1; in '.repeat(depth) + 'a';
  }
}
