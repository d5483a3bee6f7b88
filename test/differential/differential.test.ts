// nixkit against Nix 2.8's own parser (`nix-instantiate --parse`), on the hand-written corpus
// (test/corpus/valid, test/corpus/invalid), on mutants derived from the valid files, and on the
// recogniser's unit-test snippets:
// - the recogniser (server/syntax/recognizer.ts) finds exactly Nix's first syntax error;
// - `nixkit check` gives every file Nix's verdict, and places its first error where Nix does or a little
//   before (same line, an earlier line with only blank or comment lines in between, or an opening bracket).
// Nix's verdicts are cached by content hash (NIXKIT_NIX_CACHE, default $TMPDIR/nixkit-nix-verdicts).
import { test, before } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { recognize } from '../../server/syntax/recognizer';
import { CLI, REPO_ROOT, tempDir } from '../helpers';
import { RECOGNIZER_CASES } from '../unit/recognizer-cases';
import { writeMutants } from './mutate';
import { nixVerdicts, requireNix, type NixVerdict } from './nix-oracle';

const CORPUS = join(REPO_ROOT, 'test', 'corpus');
const MUTANTS_PER_FILE = Number(process.env.NIXKIT_MUTANTS ?? 10);
const MUTANT_SEED = Number(process.env.NIXKIT_MUTANT_SEED ?? 1);
const PARSE_CODES = new Set(['syntax-error', 'undefined-variable', 'duplicate-definition']);

interface Sample {
  path: string;
  text: string;
  group: 'valid' | 'invalid' | 'mutant' | 'snippet';
}

let samples: Sample[] = [];
let verdicts = new Map<string, NixVerdict>();
let work = '';

function listNix(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.nix'))
    .sort()
    .map((f) => join(dir, f));
}

before(async () => {
  requireNix();
  work = tempDir('differential');
  const mutantDir = join(work, 'mutants');
  const snippetDir = join(work, 'snippets');
  mkdirSync(snippetDir, { recursive: true });
  const snippetPaths = RECOGNIZER_CASES.map((c, i) => {
    const p = join(snippetDir, `case-${String(i).padStart(3, '0')}.nix`);
    writeFileSync(p, c.src);
    return p;
  });
  const groups: [Sample['group'], string[]][] = [
    ['valid', listNix(join(CORPUS, 'valid'))],
    ['invalid', listNix(join(CORPUS, 'invalid'))],
    ['mutant', writeMutants(join(CORPUS, 'valid'), mutantDir, MUTANTS_PER_FILE, MUTANT_SEED)],
    ['snippet', snippetPaths],
  ];
  samples = groups.flatMap(([group, paths]) =>
    paths.map((p) => ({ path: resolve(p), text: readFileSync(p, 'utf8'), group })),
  );
  verdicts = await nixVerdicts(
    samples.map((s) => s.path),
    2,
  );
});

process.on('exit', () => {
  if (work && !process.env.NIXKIT_KEEP_DIFFERENTIAL) rmSync(work, { recursive: true, force: true });
});

function display(s: Sample): string {
  return s.group === 'valid' || s.group === 'invalid' ? relative(REPO_ROOT, s.path) : `${s.group}:${s.path}`;
}

function describeNix(v: NixVerdict): string {
  return v.ok ? 'valid' : `${v.line}:${v.column} ${v.message.replace(/ at \S+:\d+:\d+$/, '')}`;
}

function report(title: string, total: number, disagreements: string[]): void {
  const rows = [
    `${title}`,
    `  files          ${total}`,
    `  agreements     ${total - disagreements.length}`,
    `  disagreements  ${disagreements.length}`,
    ...disagreements.slice(0, 200).map((d) => `    ${d}`),
  ];
  if (disagreements.length > 200) rows.push(`    ... and ${disagreements.length - 200} more`);
  console.log(rows.join('\n'));
}

test('the corpus is what its folders say (checked with Nix)', () => {
  const wrong: string[] = [];
  for (const s of samples) {
    const v = verdicts.get(s.path) as NixVerdict;
    const name = s.path.split('/').pop() as string;
    if (s.group === 'valid' && !v.ok) wrong.push(`${display(s)}: Nix rejects it: ${describeNix(v)}`);
    if (s.group === 'invalid') {
      const semanticName = /^(undefined|duplicate)-/.test(name);
      if (v.ok) wrong.push(`${display(s)}: Nix accepts it`);
      else if (semanticName !== (v.kind === 'semantic'))
        wrong.push(`${display(s)}: ${semanticName ? 'expected a name error' : 'expected a syntax error'}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('recognizer: Nix verdict for every file, and exactly Nix position for syntax errors', () => {
  const disagreements: string[] = [];
  for (const s of samples) {
    const v = verdicts.get(s.path) as NixVerdict;
    const r = recognize(s.text);
    const mine = r ? `${r.nixOffset} ${r.message}` : 'valid';
    if (v.ok || v.kind === 'semantic') {
      if (r) disagreements.push(`${display(s)}: Nix ${describeNix(v)}, recognizer ${mine}`);
    } else if (!r || r.nixOffset !== v.offset) {
      disagreements.push(`${display(s)}: Nix ${describeNix(v)} (offset ${v.offset}), recognizer ${mine}`);
    }
  }
  report('recognizer vs nix-instantiate --parse', samples.length, disagreements);
  assert.deepEqual(disagreements, []);
});

interface Diagnostic {
  file: string;
  range: { start: { line: number; character: number } };
  severity: string;
  code: string;
  message: string;
}

function runCli(paths: string[]): Promise<Diagnostic[]> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [CLI, 'check', '--format', 'json', ...paths],
      { cwd: REPO_ROOT, maxBuffer: 1024 * 1024 * 1024 },
      (err, stdout, stderr) => {
        try {
          const out = JSON.parse(String(stdout)) as { version: number; diagnostics: Diagnostic[] };
          done(out.diagnostics);
        } catch {
          fail(
            new Error(`nixkit check gave no JSON (${err?.message ?? ''}): ${String(stderr).slice(0, 2000)}`),
          );
        }
      },
    );
  });
}

/** Offsets of line starts, with \n, \r\n and lone \r as line breaks (as LSP clients and Nix count). */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0d && text.charCodeAt(i + 1) === 0x0a) i++;
    if (c === 0x0a || c === 0x0d) starts.push(i + 1);
  }
  return starts;
}

function lineOf(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

// `$` matches only at the very end, so the line's own newline is eaten by the trailing `\s*`.
const BLANK_OR_COMMENT = /^\s*(#.*|\/\*.*\*\/)?\s*$/;

/** Whether our first error (at `ours`) is where Nix's is (at `nix`) or acceptably before it. */
function closeEnough(text: string, ours: number, nix: number): boolean {
  if (ours === nix) return true;
  if (ours > nix) return false;
  const starts = lineStarts(text);
  const lo = lineOf(starts, ours);
  const hi = lineOf(starts, nix);
  if (lo === hi) return true;
  let between = true;
  for (let l = lo + 1; l < hi && between; l++) {
    between = BLANK_OR_COMMENT.test(text.slice(starts[l], starts[l + 1] ?? text.length));
  }
  if (between) return true;
  // an unclosed bracket, string or interpolation is reported at its opening
  return /^(\{|\[|\(|\$\{|"|''|let\b|rec\b)/.test(text.slice(ours, ours + 3));
}

test('nixkit check: Nix verdict for every file, first error at or shortly before Nix position', async () => {
  assert.ok(existsSync(CLI), `${CLI} is missing: run node scripts/build.mjs first`);
  const diagnostics = await runCli([
    join(CORPUS, 'valid'),
    join(CORPUS, 'invalid'),
    join(work, 'mutants'),
    join(work, 'snippets'),
  ]);
  const firstError = new Map<string, Diagnostic>();
  for (const d of diagnostics) {
    if (d.severity !== 'error' || !PARSE_CODES.has(d.code)) continue;
    const file = resolve(REPO_ROOT, d.file);
    const prev = firstError.get(file);
    const before =
      !prev ||
      d.range.start.line < prev.range.start.line ||
      (d.range.start.line === prev.range.start.line && d.range.start.character < prev.range.start.character);
    if (before) firstError.set(file, d);
  }
  const disagreements: string[] = [];
  for (const s of samples) {
    const v = verdicts.get(s.path) as NixVerdict;
    const d = firstError.get(s.path);
    if (v.ok !== !d) {
      disagreements.push(
        `${display(s)}: Nix ${describeNix(v)}, nixkit ${d ? `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message}` : 'valid'}`,
      );
      continue;
    }
    if (!d || v.offset < 0) continue;
    const starts = lineStarts(s.text);
    const ours = (starts[d.range.start.line] ?? s.text.length) + d.range.start.character;
    if (!closeEnough(s.text, ours, v.offset)) {
      disagreements.push(
        `${display(s)}: Nix ${describeNix(v)}, nixkit ${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message}`,
      );
    }
  }
  report('nixkit check vs nix-instantiate --parse', samples.length, disagreements);
  assert.deepEqual(disagreements, []);
});
