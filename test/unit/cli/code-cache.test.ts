// The CLI keeps V8's code cache of its check bundle between runs (cli/code-cache.ts). It must speed things up
// without ever changing an answer: a missing, rejected (garbage) or unwritable cache only costs compile time.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { CLI, tempDir } from '../../helpers';

const work = tempDir('code-cache');
const repo = path.join(work, 'repo');
fs.mkdirSync(repo);
fs.writeFileSync(path.join(repo, 'a.nix'), '{ ... }:\n{\n  networking.hostName = "demo";\n}\n');

function check(cacheSetting: string): string {
  const r = spawnSync(process.execPath, [CLI, 'check', '--format', 'json', repo], {
    cwd: work,
    encoding: 'utf8',
    env: { ...process.env, NIXKIT_CODE_CACHE: cacheSetting },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  return r.stdout;
}

const binFiles = (dir: string) =>
  (fs.existsSync(dir) ? fs.readdirSync(dir) : []).filter((f) => f.endsWith('.bin'));

test('the first check writes the cache, later checks use it and answer the same', () => {
  const dir = path.join(work, 'cache-a');
  const first = check(dir);
  const files = binFiles(dir);
  assert.equal(files.length, 1, 'one cache file for the check bundle');
  assert.match(files[0], /^cli-check-\d+-\d+-v[\d.]+-\w+\.bin$/);
  const written = fs.statSync(path.join(dir, files[0]));
  assert.ok(written.size > 10_000, `a real code cache (${written.size} bytes)`);
  assert.equal(check(dir), first);
  // the same small run compiles nothing new: the cache is not rewritten
  assert.equal(fs.statSync(path.join(dir, files[0])).mtimeMs, written.mtimeMs);
  assert.deepEqual(binFiles(dir), files);
});

test('a cache V8 rejects is ignored and replaced', () => {
  const dir = path.join(work, 'cache-b');
  const answer = check(dir);
  const [file] = binFiles(dir);
  fs.writeFileSync(path.join(dir, file), 'not a code cache');
  assert.equal(check(dir), answer);
  assert.ok(fs.statSync(path.join(dir, file)).size > 10_000, 'rewritten with a real cache');
});

test('an unusable cache folder, or `off`, changes nothing but the compile time', () => {
  const blocked = path.join(work, 'not-a-folder');
  fs.writeFileSync(blocked, 'a file where the cache folder would be');
  const answer = check(blocked);
  assert.equal(fs.readFileSync(blocked, 'utf8'), 'a file where the cache folder would be');
  assert.equal(check('off'), answer);
  assert.equal(fs.existsSync(path.join(work, 'off')), false, '`off` is not taken for a folder');
});
