// Deletes compiled files in out/ whose TypeScript source is gone (moved, renamed or deleted), so `node --test`
// never runs a test that no longer exists. Run before tsc by `npm run compile`, `npm run watch` and every test tier.
// `node scripts/prune-out.mjs [ROOT]` (ROOT defaults to this repository; the unit test passes its own).
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'out');
const COMPILED = /\.(js|js\.map|d\.ts)$/;

let pruned = 0;
function walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = join(dir, entry.name);
    if (entry.isDirectory()) {
      walk(file);
      if (readdirSync(file).length === 0) rmSync(file, { recursive: true });
    } else if (COMPILED.test(entry.name)) {
      const source = join(root, relative(out, file)).replace(COMPILED, '.ts');
      if (!existsSync(source)) {
        rmSync(file);
        pruned++;
      }
    }
  }
}
if (existsSync(out)) walk(out);
if (pruned) console.log(`prune-out: removed ${pruned} compiled file(s) without a source`);
