// scripts/prune-out.mjs: compiled files whose source is gone are deleted (a stale test must not run); the others
// stay.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT, tempDir } from '../../helpers';

test('prune-out deletes out/ files without a .ts source, and empty folders, and keeps the rest', () => {
  const root = tempDir('prune');
  const write = (f: string) => {
    fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    fs.writeFileSync(path.join(root, f), '');
  };
  for (const f of ['test/unit/kept.test.ts', 'server/a.ts']) write(f);
  const kept = [
    'out/test/unit/kept.test.js',
    'out/test/unit/kept.test.js.map',
    'out/server/a.js',
    'out/data.json',
  ];
  const stale = [
    'out/test/unit/moved.test.js',
    'out/test/unit/moved.test.js.map',
    'out/test/gone/old.test.js',
  ];
  for (const f of [...kept, ...stale]) write(f);
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts/prune-out.mjs'), root], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  for (const f of kept) assert.ok(fs.existsSync(path.join(root, f)), `${f} kept`);
  for (const f of stale) assert.ok(!fs.existsSync(path.join(root, f)), `${f} deleted`);
  assert.ok(!fs.existsSync(path.join(root, 'out/test/gone')), 'the emptied folder is removed');
});
