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

test('LineIndex.edited gives the same index as rebuilding, across LF, CRLF and lone CR split and joined', () => {
  let seed = 7;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const pieces = ['\n', '\r', '\r\n', 'a', 'bc', '😀', '\n\r', ' x\r\n\r\ny '];
  const randomText = (n: number) =>
    Array.from({ length: n }, () => pieces[Math.floor(rand() * pieces.length)]).join('');
  let text = randomText(40);
  let idx = new LineIndex(text);
  for (let i = 0; i < 3000; i++) {
    const start = Math.floor(rand() * (text.length + 1));
    const end = Math.min(text.length, start + Math.floor(rand() * 6));
    const inserted = rand() < 0.3 ? '' : randomText(1 + Math.floor(rand() * 3));
    const newText = text.slice(0, start) + inserted + text.slice(end);
    idx = idx.edited(start, end, inserted.length, newText);
    assert.deepStrictEqual(
      idx,
      new LineIndex(newText),
      `edit ${i}: [${start}, ${end}) <- ${JSON.stringify(inserted)}`,
    );
    text = newText.length > 400 ? newText.slice(0, 200) : newText;
    if (text !== newText) idx = new LineIndex(text);
  }
  // An inconsistent call falls back to a rebuild instead of a wrong index.
  assert.deepStrictEqual(new LineIndex('a\nb').edited(1, 2, 5, 'a\r\nb'), new LineIndex('a\r\nb'));
});
