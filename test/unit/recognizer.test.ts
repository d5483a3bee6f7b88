// The recogniser finds the first syntax error where Nix 2.8 finds it (cases checked against nix-instantiate
// by the differential tests), never crashes, and stays fast on large or deeply nested input.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { recognize } from '../../server/syntax/recognizer';
import { RECOGNIZER_CASES } from './recognizer-cases';

test('first error: offset and message, as Nix 2.8 reports it', () => {
  const failures: string[] = [];
  for (const c of RECOGNIZER_CASES) {
    const r = recognize(c.src);
    const got = r ? `${r.nixOffset} ${r.message}` : 'null';
    const want = c.offset === null ? 'null' : `${c.offset} ${c.message}`;
    if (got !== want) failures.push(`${JSON.stringify(c.src)}: got ${got}, want ${want}`);
  }
  assert.deepEqual(failures, []);
});

test('error ranges: the offending token; end of file is text.length', () => {
  const eof = recognize('{ a = 1;\n\n');
  assert.ok(eof);
  assert.equal(eof.start, 10);
  assert.equal(eof.end, 10);
  assert.equal(eof.nixOffset, 8); // Nix reports the start of the trailing whitespace
  assert.equal(eof.unexpected, 'end of file');
  assert.deepEqual(eof.expected, ["'}'", 'an attribute name']);

  const semi = recognize('{ a = 1\n  b = 2; }');
  assert.ok(semi);
  assert.deepEqual(
    [semi.start, semi.end, semi.unexpected, semi.message],
    [12, 13, "'='", "unexpected '=' (expected ';')"],
  );

  const id = recognize('{ a b }');
  assert.deepEqual([id?.start, id?.end, id?.unexpected], [4, 5, "identifier 'b'"]);

  const els = recognize('if true then 1');
  assert.equal(els?.message, "unexpected end of file (expected 'else')");
  assert.deepEqual(els?.expected, ["'else'"]);

  assert.equal(recognize('x: "abc')?.message, 'unterminated string');
  assert.equal(recognize("x: ''abc")?.message, 'unterminated indented string');
  assert.equal(recognize('x: x /* abc')?.message, 'unterminated comment');
  assert.equal(recognize('./a/ ')?.message, 'path has a trailing slash');
  assert.equal(recognize('x: { inherit "${x}"; }')?.message, 'dynamic attributes not allowed in inherit');
  assert.equal(recognize('x: let ${x} = 1; in 1')?.message, 'dynamic attributes not allowed in let');
  assert.equal(recognize('x: x == x == x')?.unexpected, "'=='");
});

test("syntactically valid files with name errors are not the recogniser's business", () => {
  assert.equal(recognize('x: y'), null); // undefined variable
  assert.equal(recognize('{ a = 1; a = 2; }'), null); // duplicate attribute
  assert.equal(recognize('{ a, a }: a'), null); // duplicate formal
});

test('CRLF, lone CR, tabs and non-ASCII text', () => {
  assert.equal(recognize('{\r\n  a = 1;\r\n  b = "é😀";\r\n}\r\n'), null);
  const r = recognize('{\r\n  a = "é😀"\r\n}');
  assert.deepEqual([r?.start, r?.message], [16, "unexpected '}' (expected ';')"]);
  assert.equal(recognize('x: x\u00a0')?.unexpected, 'character U+00A0');
});

test('deep nesting: Nix 2.8 limits (Bison stack), no crash', () => {
  const parens = (n: number) => '('.repeat(n) + '1' + ')'.repeat(n);
  assert.equal(recognize(parens(9995)), null);
  assert.equal(recognize(parens(9996))?.message, 'nesting too deep');
  const lists = (n: number) => '['.repeat(n) + ']'.repeat(n);
  assert.equal(recognize(lists(4998)), null);
  assert.equal(recognize(lists(4999))?.message, 'nesting too deep');
  assert.equal(recognize('x: ' + 'x: '.repeat(4997) + 'x'), null);
  assert.equal(recognize('('.repeat(200_000))?.message, 'nesting too deep');
  assert.equal(recognize('{a='.repeat(100_000))?.message, 'nesting too deep');
  assert.equal(recognize('x: ' + Array(200_000).fill('x').join(' + ')), null); // left-assoc: flat
});

test('fast: a 1 MB file', () => {
  let text = 'x: {\n';
  for (let i = 0; text.length < 1_000_000; i++) {
    text += `  a${i} = { b = "s \${x} t"; c = [ 1 2.5 ./p/q ]; d = y: y.z or 3 + 4 * (f y); };\n`;
  }
  text += '}\n';
  assert.equal(recognize(text), null);
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    recognize(text);
    best = Math.min(best, performance.now() - t0);
  }
  // well under 100 ms on an idle machine; the bound leaves room for a loaded CI runner
  assert.ok(best < 400, `1 MB took ${best.toFixed(1)} ms`);
});
