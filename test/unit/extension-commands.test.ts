// Every command package.json contributes is registered by the extension, and the stand-ins main.ts registers
// for the lazily loaded SSH side name exactly the commands remote.ts registers.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../helpers';

const read = (rel: string) => fs.readFileSync(path.join(REPO_ROOT, rel), 'utf8');
const listIn = (source: string, name: string) => {
  const m = new RegExp(`${name}[^=]*=\\s*\\[([^\\]]*)\\]`).exec(source);
  assert.ok(m, `${name} not found`);
  return [...m[1].matchAll(/'([^']+)'/g)].map((x) => x[1]).sort();
};

test('the lazily loaded commands are the same list in main.ts and remote.ts', () => {
  assert.deepEqual(
    listIn(read('extension/main.ts'), 'REMOTE_COMMANDS'),
    listIn(read('extension/remote.ts'), 'REMOTE_COMMANDS'),
  );
});

test('every contributed command is registered somewhere in extension/', () => {
  const contributed: string[] = JSON.parse(read('package.json')).contributes.commands.map(
    (c: { command: string }) => c.command,
  );
  const sources: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true })) {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (rel.endsWith('.ts')) sources.push(read(rel));
    }
  };
  walk('extension');
  const registered = new Set(
    sources.flatMap((s) => [...s.matchAll(/registerCommand\(\s*'([^']+)'/g)].map((m) => m[1])),
  );
  for (const c of contributed) assert.ok(registered.has(c), `${c} is contributed but never registered`);
});
