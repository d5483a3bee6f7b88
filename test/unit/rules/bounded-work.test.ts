// Rules do bounded work on any input: the "did you mean" suggestions use a banded edit distance and skip long
// strings, the corrupted-platform scan is linear on long lines, and messages quote long values cut short.
// (How long things take is `npm run bench`'s business; these tests pin the behaviour that bounds the work.)
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { checkPaths } from '../../../server/analysis/check-files';
import { clip } from '../../../server/findings';
import {
  checkPlatform,
  editDistance,
  MAX_SUGGESTION_INPUT,
  platformSuggestion,
} from '../../../server/data/systems';
import { findCorruptions } from '../../../server/rules/host-platform-corrupted';
import { bindingsAround } from '../../../server/rule-api/rewrite';
import { walkExpr, type Binding, type Expr } from '../../../server/syntax/ast';
import { parse, REPO_ROOT, tempDir } from '../../helpers';

/** The textbook optimal-string-alignment table, to compare the banded one with. */
function fullOsa(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.length][b.length];
}

function random(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

test('the banded edit distance equals the full table, cut at max + 1', () => {
  const rnd = random(42);
  const word = () =>
    Array.from({ length: Math.floor(rnd() * 12) }, () => 'abcx-_'[Math.floor(rnd() * 6)]).join('');
  for (let k = 0; k < 3000; k++) {
    const a = word();
    const b = rnd() < 0.5 ? word() : a.slice(0, Math.floor(rnd() * a.length)) + word().slice(0, 2);
    const full = fullOsa(a, b);
    assert.equal(editDistance(a, b), full, `${a} / ${b}`);
    for (const max of [0, 1, 2, 3, 5])
      assert.equal(editDistance(a, b, max), Math.min(full, max + 1), `${a} / ${b} within ${max}`);
  }
});

test('platform suggestions: close misspellings get one, long strings none (they are no misspelt double)', () => {
  const suggest = (v: string) => platformSuggestion(v, checkPlatform(v));
  assert.equal(suggest('x86_64-linxu'), 'x86_64-linux');
  assert.equal(suggest('x86-64-linux'), 'x86_64-linux');
  assert.equal(suggest('aarch64-darwin'), 'aarch64-linux');
  assert.equal(suggest('x86_64-linux'), undefined);
  const long = 'x86_64-linux' + 'x'.repeat(MAX_SUGGESTION_INPUT);
  assert.deepEqual(checkPlatform(long), { ok: false, reason: 'unknown' });
  assert.equal(suggest(long), undefined);
  assert.equal(suggest('x'.repeat(138 * 1024)), undefined);
});

test('a 138 KB system string: one finding, its message quotes the value cut short, no suggestion', async () => {
  const dir = tempDir('long-system');
  // Spaces keep it one string the tree parser reads (one 138 KB run without a space is refused up front as a
  // parse-limit: tree-sitter's scanner is quadratic on such runs).
  const value = 'x86_64-linux '.repeat(11 * 1024);
  fs.writeFileSync(
    path.join(dir, 'configuration.nix'),
    `{ ... }: {\n  nixpkgs.hostPlatform = "${value}";\n  system.stateVersion = "24.11";\n}\n`,
  );
  const r = await checkPaths([dir]);
  const mine = r.findings.filter((f) => f.code === 'host-platform-unknown');
  assert.equal(mine.length, 1);
  assert.equal(mine[0].message, `nixpkgs.hostPlatform: "${clip(value)}" is not a system nixpkgs knows`);
  assert.ok(mine[0].message.length < 200);
  assert.deepEqual(mine[0].fixes, []);
});

test('the corrupted-platform scan: many keys on one long line, and comments found by a forward scan', () => {
  const warning = `nixpkgs.hostPlatform = lib.mkDefault "warning: the group 'nixbld' does not exist\nx86_64-linux";`;
  // 15,000 `system =` on one line, then a real corruption on the next: only that one is found.
  const text = `x = "${'system = '.repeat(15000)}";\n${warning}\n`;
  const found = findCorruptions(text);
  assert.deepEqual(
    found.map((c) => [c.key, text.slice(c.start, c.start + 20)]),
    [['nixpkgs.hostPlatform', 'nixpkgs.hostPlatform']],
  );
  // A `#` earlier on the same line makes it a comment; one on the line before does not.
  assert.deepEqual(findCorruptions(`# ${warning}\n`), []);
  assert.equal(findCorruptions(`# note\n${warning}\n`).length, 1);
  assert.equal(findCorruptions(`${'a'.repeat(50000)} # x\n${warning}\n`).length, 1);
});

/** The straightforward answer bindingsAround replaces: walk the whole file, keep the set bindings that hold the span. */
function bindingsAroundByWalk(root: Expr, span: { start: number; end: number }): Binding[] {
  const within = (s: { start: number; end: number }) => s.start <= span.start && span.end <= s.end;
  const chain: Binding[] = [];
  walkExpr(root, (e) => {
    if (!within(e.span)) return false;
    if (e.kind === 'attrs') for (const b of e.bindings) if (within(b.span)) chain.push(b);
    return true;
  });
  return chain;
}

test('bindingsAround descends straight to a binding and agrees with a walk of the whole file', async () => {
  const files = ['test/corpus', 'examples']
    .flatMap((d) =>
      fs
        .readdirSync(path.join(REPO_ROOT, d), { recursive: true })
        .map((f) => path.join(REPO_ROOT, d, String(f))),
    )
    .filter((f) => f.endsWith('.nix'));
  assert.ok(files.length > 100);
  let compared = 0;
  for (const f of files) {
    const expr = (await parse(fs.readFileSync(f, 'utf8'))).sourceFile().expr;
    if (!expr) continue;
    walkExpr(expr, (e) => {
      if (e.kind === 'attrs' || e.kind === 'let')
        for (const b of e.bindings) {
          assert.deepEqual(
            bindingsAround(expr, b.span),
            bindingsAroundByWalk(expr, b.span),
            `${f} at ${b.span.start}`,
          );
          compared++;
        }
    });
  }
  assert.ok(compared > 1000, `${compared} bindings compared`);
});
