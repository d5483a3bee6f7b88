// readFileGuarded: every way a path can refuse to be read is an answer with a message, never an exception, a
// hang or a read of more than the cap.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { readFileGuarded } from '../../../server/model/sources';
import { tempDir } from '../../helpers';

const answer = (file: string, cap = 1024) => {
  const r = readFileGuarded(file, cap);
  return r.ok ? `ok ${r.bytes.length}` : `${r.reason}: ${r.message}`;
};

test('regular files are read whole up to the cap; larger ones are refused from their size', () => {
  const dir = tempDir('guarded');
  fs.writeFileSync(path.join(dir, 'small.nix'), 'x'.repeat(1024));
  fs.writeFileSync(path.join(dir, 'big.nix'), '');
  fs.truncateSync(path.join(dir, 'big.nix'), 3 * 1024 ** 3); // sparse 3 GB
  assert.equal(answer(path.join(dir, 'small.nix')), 'ok 1024');
  assert.equal(answer(path.join(dir, 'small.nix'), 1023), 'too-large: too large');
  const big = readFileGuarded(path.join(dir, 'big.nix'), 4 * 1024 * 1024);
  assert.deepEqual(big, { ok: false, reason: 'too-large', message: 'too large', size: 3 * 1024 ** 3 });
});

test('files whose size lies are read to the cap and no further', () => {
  // /proc files say size 0; this one has more than 16 bytes.
  assert.equal(answer('/proc/self/status', 16), 'too-large: too large');
  assert.match(answer('/proc/self/status', 1024 * 1024), /^ok \d+$/);
});

test('devices, FIFOs, folders, symlink loops, /proc/self/mem and missing files', () => {
  const dir = tempDir('guarded');
  execFileSync('mkfifo', [path.join(dir, 'fifo.nix')]);
  fs.symlinkSync('loop.nix', path.join(dir, 'loop.nix'));
  assert.equal(answer('/dev/zero'), 'not-a-file: not a regular file (a character device)');
  assert.equal(answer(path.join(dir, 'fifo.nix')), 'not-a-file: not a regular file (a named pipe)');
  assert.equal(answer(dir), 'not-a-file: is a folder');
  assert.equal(
    answer(path.join(dir, 'loop.nix')),
    'unreadable: too many levels of symbolic links (a symlink loop)',
  );
  assert.equal(answer('/proc/self/mem'), 'unreadable: input/output error');
  assert.equal(answer(path.join(dir, 'nope.nix')), 'unreadable: no such file or folder');
  assert.equal(answer(path.join(dir, 'a'.repeat(5000))), 'unreadable: the path is too long');
});
