// Fuzzing the syntax layer: mutated real-world-shaped files and hostile input go through everything a file
// meets before the model (decodeSource, tree-sitter, the recogniser, syntax errors, the AST, Nix's parse-time
// checks, an incremental edit) and must never throw and never hang.
//
// The bound nixkit guarantees per file (server/syntax/parse-bounds.ts): tree-sitter runs at most
// 500 ms + 1 ms per KB of text (cut off through its progress callback; shapes it is quadratic on, such as a
// 50,000-character `a.a.a…` or `-----` run, are never handed to it), and every other step is linear in the
// size of the file with no recursion on the JS stack (nesting of any depth). A file cut off or refused gets
// Nix's own verdict (the recogniser) and an information finding `parse-limit`. Timing is not asserted here
// (machines differ); the slowest files are printed, and test/bench has the speed goals.
//
// NIXKIT_FUZZ_MUTANTS (default 10,000) sets the number of mutants, NIXKIT_FUZZ_SEED the seed.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { syntaxFindings } from '../../server/analysis/syntax-findings';
import { decodeSource } from '../../server/analysis/source-text';
import { directAst } from '../../server/syntax/direct-ast';
import { SyntaxDocument } from '../../server/syntax/document';
import { recognize } from '../../server/syntax/recognizer';
import { LineIndex } from '../../server/syntax/positions';
import { parser, REPO_ROOT } from '../helpers';
import { MUTATIONS, mutants, prng } from './mutate';

const COUNT = Number(process.env.NIXKIT_FUZZ_MUTANTS ?? 10_000);
const SEED = Number(process.env.NIXKIT_FUZZ_SEED ?? 1);
const VALID = join(REPO_ROOT, 'test', 'corpus', 'valid');

interface Case {
  name: string;
  text?: string;
  bytes?: Uint8Array;
}

function hostileCases(): Case[] {
  const N = 50_000;
  const rep = (s: string, n: number) => s.repeat(n);
  const cases: [string, string][] = [
    ['50,000 (', rep('(', N)],
    ['50,000 [', rep('[', N)],
    ['50,000 {', rep('{', N)],
    ['50,000 {a=', rep('{a=', N)],
    ['50,000 ( closed', rep('(', N) + '1' + rep(')', N)],
    ['50,000 [ closed', rep('[', N) + rep(']', N)],
    ['50,000 { closed', rep('{a=', N) + '1' + rep(';}', N)],
    ['50,000 ${', rep('"${', N)],
    ["50,000 ''${", rep("''${", N)],
    ['50,000 { then )', rep('{', N) + rep(')', N)],
    ['50,000 }', rep('}', N)],
    ['50,000 x:', rep('x: ', N) + 'x'],
    ['50,000 let', rep('let a = 1; in ', N) + 'a'],
    ['50,000 -', rep('-', N)],
    ['50,000 - spaced', rep('- ', N) + '1'],
    ['50,000 1-1', '1' + rep('-1', N)],
    ['100k a.a.a', 'a' + rep('.a', 100_000)],
    ['100k-long attribute path', '{ a' + rep('.a', 100_000) + ' = 1; }'],
    ['a//a chain without spaces', 'a' + rep('//a', N)],
    ['2 MB string', '"' + rep('x', 2_000_000) + '"'],
    ['300 KB indented string', "''" + rep('  line ${x}\n', 25_000) + "''"],
    ['30,000 interpolations', 'x: "' + rep('${x}', 30_000) + '"'],
    ['a 300 KB line', '[ ' + rep('1 ', 150_000) + ']'],
    ['100k semicolons', rep(';', 100_000)],
    ['NUL at the start', '\0{ a = 1; }'],
    ['NUL inside', '{ a = "x\0y"; b = \0 1; }'],
    ['NULs everywhere', rep('{ a\0= "\0"; }\0\n', 5000)],
    ['lone CRs', rep('# c\r{ a = 1; }\r', 5000)],
    ['CR ending comments', rep('{ a = 1; # x\rb = 2; }\r', 2000)],
    ['lone surrogates', '{ a = "\uD800"; b = \uDC00; }'],
    ['BOM', '\uFEFF{ a = 1; }'],
    ['only comments', rep('# c\n/* d */', 10_000)],
    ['unterminated comment', '/*' + rep('x', 100_000)],
    ['unterminated string', '"' + rep('${a}', 50_000)],
  ];
  const out: Case[] = cases.map(([name, text]) => ({ name, text }));
  // Bytes that are not UTF-8 go through the reader, as files do.
  out.push({
    name: 'invalid UTF-8',
    bytes: Uint8Array.from([0x7b, 0x20, 0x61, 0x3d, 0xff, 0xfe, 0xc3, 0x28, 0x3b, 0x7d]),
  });
  out.push({
    name: 'random bytes',
    bytes: Uint8Array.from({ length: 200_000 }, (_, i) => (Math.imul(i + 1, 2654435761) >>> 24) & 0xff),
  });
  return out;
}

/** Mutants of the valid corpus; a third get a second and a third mutation, and some get raw bytes. */
function mutatedCases(count: number, seed: number): Case[] {
  const sources = readdirSync(VALID)
    .filter((f) => f.endsWith('.nix'))
    .sort()
    .map((f) => ({ name: f, text: readFileSync(join(VALID, f), 'utf8') }));
  // a few extra per file: mutants identical to an earlier one are skipped
  const perFile = Math.ceil(count / sources.length) + 2;
  const names = Object.keys(MUTATIONS);
  const rand = prng(seed);
  const bytes = ['\0', '\r', '\uFFFD', '\uD800', '${', "''", '/*', '"', '//', '-'.repeat(100)];
  return mutants(sources, perFile, seed)
    .slice(0, count)
    .map((m, i) => {
      let text = m.text;
      if (i % 3 === 0) {
        for (let k = 0; k < 2; k++)
          text = MUTATIONS[names[Math.floor(rand() * names.length)]](text, rand) ?? text;
      }
      if (i % 7 === 0) {
        const at = Math.floor(rand() * (text.length + 1));
        text = text.slice(0, at) + bytes[Math.floor(rand() * bytes.length)] + text.slice(at);
      }
      return { name: m.name, text };
    });
}

test(
  `syntax layer: ${COUNT} mutants and the hostile cases never throw and always finish`,
  { timeout: 30 * 60_000 },
  async () => {
    const p = await parser();
    const cases = [...hostileCases(), ...mutatedCases(COUNT, SEED)];
    const failures: string[] = [];
    const slowest: { ms: number; name: string; size: number }[] = [];
    let limited = 0;
    const started = performance.now();
    for (const [i, c] of cases.entries()) {
      const t0 = performance.now();
      try {
        let text = c.text;
        if (c.bytes) {
          const source = decodeSource(c.bytes);
          assert.ok(source.ok);
          text = source.text;
        }
        const doc = new SyntaxDocument(p, text!);
        try {
          // The language server's quick path on a keystroke, then everything `check` does.
          doc.syntaxProblems(false);
          const findings = syntaxFindings(doc, '/fuzz.nix');
          for (const f of findings)
            assert.ok(
              f.range.start.line >= 0 && f.message,
              `a finding without a place: ${JSON.stringify(f)}`,
            );
          if (doc.parseLimit) limited++;
          // An incremental edit: every 10th file, delete a few characters in the middle, then re-check.
          if (i % 10 === 0 && text!.length > 2) {
            const lines = new LineIndex(text!);
            const at = Math.floor(text!.length / 2);
            doc.applyChanges([
              { range: { start: lines.positionAt(at), end: lines.positionAt(at + 2) }, text: '' },
            ]);
            syntaxFindings(doc, '/fuzz.nix');
            doc.sourceFile();
          }
        } finally {
          doc.dispose();
        }
        // A file read from disk (the workspace scan, `nixkit check`) takes the direct builder when it answers;
        // it must answer only for text Nix accepts, and its document must behave like the edited one.
        if (directAst(text!))
          assert.equal(recognize(text!), null, 'the direct AST builder answered for text Nix rejects');
        const read = new SyntaxDocument(p, text!, undefined, 'read');
        try {
          const findings = syntaxFindings(read, '/fuzz.nix');
          assert.ok(findings.every((f) => f.range.start.line >= 0 && f.message));
          read.sourceFile();
        } finally {
          read.dispose();
        }
      } catch (e) {
        failures.push(`${c.name}: ${(e as Error).stack?.split('\n').slice(0, 4).join(' | ')}`);
      }
      const ms = performance.now() - t0;
      slowest.push({ ms, name: c.name, size: c.text?.length ?? c.bytes?.length ?? 0 });
      slowest.sort((a, b) => b.ms - a.ms);
      slowest.length = Math.min(slowest.length, 8);
    }
    console.log(
      [
        `syntax fuzz: ${cases.length} files in ${((performance.now() - started) / 1000).toFixed(1)} s, ${limited} checked by Nix's grammar alone (parse-limit)`,
        '  slowest:',
        ...slowest.map(
          (s) => `    ${s.ms.toFixed(0).padStart(6)} ms  ${String(s.size).padStart(8)} chars  ${s.name}`,
        ),
      ].join('\n'),
    );
    assert.deepEqual(failures, []);
  },
);
