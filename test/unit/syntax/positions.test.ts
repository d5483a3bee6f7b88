import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineIndex } from '../../../server/syntax/positions';

test('LineIndex maps offsets to LSP positions across LF, CRLF and lone CR', () => {
  const text = 'a\r\nbc\nd\re';
  const idx = new LineIndex(text);
  assert.equal(idx.lineCount, 4);
  assert.deepEqual(idx.positionAt(0), { line: 0, character: 0 });
  assert.deepEqual(idx.positionAt(3), { line: 1, character: 0 });
  assert.deepEqual(idx.positionAt(5), { line: 1, character: 2 });
  assert.deepEqual(idx.positionAt(6), { line: 2, character: 0 });
  assert.deepEqual(idx.positionAt(8), { line: 3, character: 0 });
  for (let o = 0; o <= text.length; o++) {
    if (text[o - 1] === '\r' && text[o] === '\n') continue; // between \r and \n is not a position
    assert.equal(idx.offsetAt(idx.positionAt(o)), o, `offset ${o}`);
  }
  assert.equal(idx.lineEnd(0), 1);
});

test('LineIndex counts columns in UTF-16 code units, as LSP does', () => {
  const idx = new LineIndex('x = "😀é"; y');
  assert.deepEqual(idx.positionAt(11), { line: 0, character: 11 });
  assert.equal(idx.offsetAt({ line: 0, character: 7 }), 7);
});

test('LineIndex clamps positions past the end', () => {
  const idx = new LineIndex('ab\ncd');
  assert.equal(idx.offsetAt({ line: 0, character: 99 }), 2);
  assert.equal(idx.offsetAt({ line: 9, character: 0 }), 5);
  assert.deepEqual(idx.positionAt(99), { line: 1, character: 2 });
});
