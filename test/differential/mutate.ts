// Derives broken (and sometimes still valid) variants of valid .nix files, deterministically: the same
// inputs and seed always give the same mutants. Used by the differential tests and the benchmark.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** mulberry32: a small, fast, seeded PRNG. */
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

export function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

type Rand = () => number;
type Mutation = (text: string, rand: Rand) => string | null;

function pick<T>(items: T[], rand: Rand): T | undefined {
  return items.length ? items[Math.floor(rand() * items.length)] : undefined;
}

function offsetsOf(text: string, re: RegExp): { index: number; length: number }[] {
  const out: { index: number; length: number }[] = [];
  for (const m of text.matchAll(re)) out.push({ index: m.index ?? 0, length: m[0].length });
  return out;
}

function deleteMatch(re: RegExp): Mutation {
  return (text, rand) => {
    const m = pick(offsetsOf(text, re), rand);
    return m ? text.slice(0, m.index) + text.slice(m.index + m.length) : null;
  };
}

function replaceMatch(re: RegExp, by: string): Mutation {
  return (text, rand) => {
    const m = pick(offsetsOf(text, re), rand);
    return m ? text.slice(0, m.index) + by + text.slice(m.index + m.length) : null;
  };
}

function lines(text: string): { parts: string[]; eol: string } {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  return { parts: text.split(eol), eol };
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
];

/** The mutations, by name. Each returns null when it does not apply to the text. */
export const MUTATIONS: Record<string, Mutation> = {
  'delete-semicolon': deleteMatch(/;/g),
  'delete-close-brace': deleteMatch(/\}/g),
  'delete-open-brace': deleteMatch(/\{/g),
  'delete-close-bracket': deleteMatch(/\]/g),
  'delete-close-paren': deleteMatch(/\)/g),
  'delete-quote': deleteMatch(/"/g),
  'delete-indented-quote': deleteMatch(/''/g),
  'delete-in': deleteMatch(/\bin\b/g),
  'delete-else': deleteMatch(/\belse\b/g),
  'delete-then': deleteMatch(/\bthen\b/g),
  'delete-equals': deleteMatch(/(?<![=!<>])=(?!=)/g),
  'delete-colon': deleteMatch(/:/g),
  'delete-comma': deleteMatch(/,/g),
  'equals-to-colon': replaceMatch(/(?<![=!<>])=(?!=)/g, ':'),
  'colon-to-equals': replaceMatch(/:/g, '='),
  'semicolon-to-comma': replaceMatch(/;/g, ','),
  'dot-to-slash': replaceMatch(/\./g, '/'),
  'insert-stray-token': (text, rand) => {
    const at = pick(offsetsOf(text, /\s+/g), rand);
    if (!at) return null;
    const tok = pick(STRAY, rand) as string;
    return text.slice(0, at.index) + ' ' + tok + text.slice(at.index);
  },
  'insert-stray-char': (text, rand) => {
    const at = Math.floor(rand() * (text.length + 1));
    const ch = pick(
      ['"', "'", '{', '}', '/', '*', '#', '\\', '$', '`', 'é', '\t', ' ', '\n'],
      rand,
    ) as string;
    return text.slice(0, at) + ch + text.slice(at);
  },
  'duplicate-line': (text, rand) => {
    const { parts, eol } = lines(text);
    const i = Math.floor(rand() * parts.length);
    parts.splice(i, 0, parts[i]);
    return parts.join(eol);
  },
  'delete-line': (text, rand) => {
    const { parts, eol } = lines(text);
    if (parts.length < 2) return null;
    parts.splice(Math.floor(rand() * parts.length), 1);
    return parts.join(eol);
  },
  'swap-lines': (text, rand) => {
    const { parts, eol } = lines(text);
    if (parts.length < 3) return null;
    const i = Math.floor(rand() * (parts.length - 1));
    [parts[i], parts[i + 1]] = [parts[i + 1], parts[i]];
    return parts.join(eol);
  },
  truncate: (text, rand) => (text.length > 1 ? text.slice(0, Math.floor(rand() * text.length)) : null),
  'delete-span': (text, rand) => {
    if (text.length < 4) return null;
    const at = Math.floor(rand() * text.length);
    const len = 1 + Math.floor(rand() * 12);
    return text.slice(0, at) + text.slice(at + len);
  },
  'unclose-comment': replaceMatch(/\*\//g, ''),
  'open-comment': (text, rand) => {
    const at = Math.floor(rand() * text.length);
    return text.slice(0, at) + '/* ' + text.slice(at);
  },
};

export interface Mutant {
  /** File name: `<source>.<mutation>.<n>.nix`. */
  name: string;
  source: string;
  mutation: string;
  text: string;
}

/**
 * `perFile` mutants of each text, chosen and placed by a PRNG seeded from `seed` and the source name.
 * Mutants identical to their source or to an earlier mutant are skipped.
 */
export function mutants(sources: { name: string; text: string }[], perFile: number, seed = 1): Mutant[] {
  const names = Object.keys(MUTATIONS);
  const out: Mutant[] = [];
  for (const src of sources) {
    const rand = prng(hashString(src.name) ^ seed);
    const seen = new Set<string>([src.text]);
    for (let n = 0, tries = 0; n < perFile && tries < perFile * 4; tries++) {
      const mutation = names[Math.floor(rand() * names.length)];
      const text = MUTATIONS[mutation](src.text, rand);
      if (text === null || seen.has(text)) continue;
      seen.add(text);
      const stem = basename(src.name, '.nix');
      out.push({ name: `${stem}.${mutation}.${n}.nix`, source: src.name, mutation, text });
      n++;
    }
  }
  return out;
}

/** Writes the mutants of every .nix file of `validDir` into `outDir`; returns their paths. */
export function writeMutants(validDir: string, outDir: string, perFile: number, seed = 1): string[] {
  mkdirSync(outDir, { recursive: true });
  const sources = readdirSync(validDir)
    .filter((f) => f.endsWith('.nix'))
    .sort()
    .map((f) => ({ name: f, text: readFileSync(join(validDir, f), 'utf8') }));
  return mutants(sources, perFile, seed).map((m) => {
    const path = join(outDir, m.name);
    writeFileSync(path, m.text);
    return path;
  });
}
