// shQuote must give every string back unchanged through dash, bash and busybox ash (all bytes, all metacharacters).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import { shJoin, shQuote } from '../../../engine/ssh/quote';

const HOSTILE = [
  '',
  ' ',
  "'",
  "''",
  '"',
  '\\',
  '$HOME',
  '${x}',
  '$(touch /tmp/nixkit-quote-pwned)',
  '`touch /tmp/nixkit-quote-pwned`',
  'a\'b"c$(id)`id`\n\\$x;|&<>*?[]{}~#!%^()',
  '-n',
  '--',
  '\n',
  'tab\there',
  'ünïcödé ✓',
  "it's",
  '*',
  'a b  c',
];
// every character U+0001..U+00FF in one string (sent as UTF-8, as every argument is)
const ALL_BYTES = String.fromCharCode(...Array.from({ length: 255 }, (_, i) => i + 1));

const SHELLS = [['dash'], ['bash', '--posix'], ['busybox', 'sh']].filter(([sh]) =>
  ['/bin', '/usr/bin'].some((d) => fs.existsSync(`${d}/${sh}`)),
);

describe('shQuote', () => {
  it('leaves plain words bare and quotes everything else', () => {
    assert.equal(shQuote('abc-1.2/x_y:z@w'), 'abc-1.2/x_y:z@w');
    assert.equal(shQuote(''), "''");
    assert.equal(shQuote("it's"), "'it'\\''s'");
    assert.equal(shQuote('$x'), "'$x'");
  });

  it('refuses NUL', () => {
    assert.throws(() => shQuote('a\0b'), /NUL/);
  });

  it('refuses an empty argv', () => {
    assert.throws(() => shJoin([]), /empty/);
  });

  for (const shell of SHELLS) {
    it(`round-trips hostile strings through ${shell.join(' ')}`, () => {
      const cases = [...HOSTILE, ALL_BYTES];
      const line = shJoin(['printf', '%s\\0', ...cases]);
      // stdin not a socket: bash would take itself for an rsh-started shell and read ~/.bashrc
      const out = execFileSync(shell[0], [...shell.slice(1), '-c', line], {
        env: { LC_ALL: 'C', PATH: process.env.PATH },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      assert.deepEqual(out.toString('utf8').split('\0').slice(0, -1), cases);
      assert.ok(!fs.existsSync('/tmp/nixkit-quote-pwned'));
    });
  }
});
