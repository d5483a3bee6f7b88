// What tree-sitter sees (the text as Nix reads it: lone CR, NUL) and when it is not asked at all (shapes it is
// quadratic on). Timing is not asserted here: test/unit/syntax/fuzz.test.ts and test/bench cover the bound.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { syntaxFindings } from '../../../server/analysis/syntax-findings';
import { pathologicalShape, treeSitterText } from '../../../server/syntax/parse-bounds';
import { LineIndex } from '../../../server/syntax/positions';
import { parse } from '../../helpers';

test('tree-sitter reads a lone CR as a line break and stops where Nix stops at a NUL, keeping every offset', () => {
  assert.equal(treeSitterText('# c\r1'), '# c\n1');
  assert.equal(treeSitterText('a\r\nb'), 'a\r\nb');
  assert.equal(treeSitterText('{ a = "x\0y"; }\0 rest\n(('), '{ a = "x y"; }      \n  ');
  assert.equal(treeSitterText('# c\0x\n1'), '# c x\n1');
  for (const t of ['\0', 'a\rb\0c\r\nd', '"😀\0"\0😀']) assert.equal(treeSitterText(t).length, t.length);
});

test('runs tree-sitter is quadratic on are recognised; ordinary long tokens are not', () => {
  assert.match(pathologicalShape('a' + '.a'.repeat(3000)) ?? '', /a run of 6001 characters/);
  assert.ok(pathologicalShape('x = ' + '-'.repeat(3000) + ';'));
  assert.ok(pathologicalShape('1' + '-1'.repeat(3000)));
  assert.equal(pathologicalShape('a'.repeat(100_000)), undefined); // one identifier
  assert.equal(pathologicalShape('"' + 'abc-'.repeat(10) + '"'), undefined);
  assert.equal(pathologicalShape('x: ' + 'x.a.b.c '.repeat(10_000)), undefined); // many short paths
  assert.equal(pathologicalShape('a/'.repeat(5000) + 'a'), undefined); // a path is one token
});

test('a file tree-sitter cannot read in time gets Nix verdict and one information finding, nothing else', async () => {
  const valid = await parse('a' + '.a'.repeat(5000));
  assert.ok(valid.parseLimit);
  assert.deepEqual(valid.syntaxProblems(), []);
  assert.equal(valid.sourceFile().expr?.kind, 'error'); // unknown to the analysis
  assert.deepEqual(
    syntaxFindings(valid, '/x.nix').map((f) => `${f.severity} ${f.code}`),
    ['information parse-limit'],
  );
  valid.dispose();
  const broken = await parse('x = ' + '-'.repeat(5000));
  assert.deepEqual(
    syntaxFindings(broken, '/x.nix').map((f) => `${f.severity} ${f.code} ${f.range.start.character}`),
    ['error syntax-error 2', 'information parse-limit 0'],
  );
  // An edit that removes the run brings the tree back.
  broken.applyChanges([{ text: '{ a = 1; }' }]);
  assert.equal(broken.parseLimit, undefined);
  assert.equal(broken.sourceFile().expr?.kind, 'attrs');
  broken.dispose();
});

test('NUL bytes: Nix reads up to the first one outside strings and comments', async () => {
  const cases: [string, string[]][] = [
    ['{ a = 1; }\0 ((( garbage', []],
    ['{ a = "x\0y"; b = c; }', ["undefined-variable 0:17 undefined variable 'c'"]],
    ['# c\0 x\n1', []],
    ['{\n  a = \0 1;\n}', ['syntax-error 1:6 unexpected NUL character (expected an expression)']],
    ['\0', ['syntax-error 0:0 unexpected NUL character (expected an expression)']],
  ];
  for (const [text, want] of cases) {
    const doc = await parse(text);
    const got = syntaxFindings(doc, '/x.nix').map(
      (f) => `${f.code} ${f.range.start.line}:${f.range.start.character} ${f.message}`,
    );
    assert.deepEqual(got, want, JSON.stringify(text));
    doc.dispose();
  }
});

test('incremental edits with CR and NUL give the same findings as a fresh parse', async () => {
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  let text = '{ pkgs }:\r\n# comment\r\n{\r\n  a = pkgs.hello; # x\r\n  b = "s";\r\n}\r\n';
  const doc = await parse(text);
  const inserts = ['\r', '\n', '\r\n', '\0', '#', 'foo', ' ', ';', '"', '}'];
  for (let i = 0; i < 200; i++) {
    const lines = new LineIndex(text);
    const a = Math.floor(rand() * (text.length + 1));
    const b = Math.min(text.length, a + Math.floor(rand() * 3));
    const insert = rand() < 0.3 ? '' : inserts[Math.floor(rand() * inserts.length)];
    // a position cannot point between the CR and LF of a CRLF (LSP clients do not either)
    const splitsCrlf = (o: number) => text[o - 1] === '\r' && text[o] === '\n';
    if (splitsCrlf(a) || splitsCrlf(b)) continue;
    doc.applyChanges([{ range: { start: lines.positionAt(a), end: lines.positionAt(b) }, text: insert }]);
    text = text.slice(0, a) + insert + text.slice(b);
    assert.equal(doc.text, text);
    const fresh = await parse(text);
    assert.deepEqual(
      syntaxFindings(doc, '/x.nix'),
      syntaxFindings(fresh, '/x.nix'),
      `edit ${i}: ${JSON.stringify(text)}`,
    );
    fresh.dispose();
  }
  doc.dispose();
});
