// Every command package.json contributes is registered by the extension, and the one list of the lazily loaded SSH
// side's commands (main.ts's stand-ins) names exactly the commands remote.ts's command modules register.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { REMOTE_COMMANDS } from '../../extension/remote-commands';
import { REPO_ROOT } from '../helpers';

const read = (rel: string) => fs.readFileSync(path.join(REPO_ROOT, rel), 'utf8');
const registeredIn = (source: string) =>
  [...source.matchAll(/registerCommand\(\s*'([^']+)'/g)].map((m) => m[1]);

test("the lazily loaded commands are exactly those remote.ts's command modules register", () => {
  const modules = [...read('extension/remote.ts').matchAll(/from '\.\/(commands\/[^']+)'/g)].map((m) => m[1]);
  assert.ok(modules.length > 0);
  const registered = modules.flatMap((m) => registeredIn(read(`extension/${m}.ts`)));
  assert.deepEqual([...registered].sort(), [...REMOTE_COMMANDS].sort());
  assert.doesNotMatch(
    read('extension/main.ts'),
    /'nixkit\.probeHardware'/,
    'main.ts takes the list from remote-commands.ts',
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
