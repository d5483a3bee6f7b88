// `nixkit check` against `nix-instantiate --parse` on the same files, wall-clock, one process at a time.
// Two deterministic corpora, generated in a temporary folder:
// - valid: the hand-written valid corpus, copied until there are ~2000 files. Nix takes them in
//   batches of 500 files per process (one process accepts many files);
// - mixed: ~1000 mutants of the valid corpus (about two thirds broken). Nix stops at the first broken
//   file of a batch, so it is restarted after each failure: the least work that gives every file a verdict.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CLI, REPO_ROOT, tempDir } from '../helpers';
import { writeMutants } from '../differential/mutate';
import { requireNix } from '../differential/nix-oracle';

const NIX_ENV = { ...process.env, NIX_CONFIG: 'build-users-group =', NIX_PATH: '' };
const BATCH = 500;

function nixkitCheck(dir: string): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, 'check', '--format', 'json', dir], {
    maxBuffer: 1024 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ms = performance.now() - t0;
  if (r.error || (r.status !== 0 && r.status !== 1)) {
    throw new Error(`nixkit check failed (${r.status}): ${String(r.stderr).slice(0, 500)}`);
  }
  return ms;
}

/** Nix's verdict on every file; returns the time and the number of processes it took. */
function nixParseAll(files: string[]): { ms: number; processes: number; invalid: number } {
  let processes = 0;
  let invalid = 0;
  const t0 = performance.now();
  let i = 0;
  while (i < files.length) {
    const batch = files.slice(i, i + BATCH);
    const r = spawnSync('nix-instantiate', ['--store', 'dummy://', '--parse', ...batch], {
      env: NIX_ENV,
      maxBuffer: 1024 * 1024 * 1024,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    processes++;
    if (r.status === 0) {
      i += batch.length;
      continue;
    }
    const at = /^\s*at (.+):\d+:\d+:\s*$/m.exec(String(r.stderr));
    const failed = at ? batch.indexOf(resolve(at[1])) : -1;
    invalid++;
    // a failure Nix does not locate in a file: count the first file as the failing one
    i += failed >= 0 ? failed + 1 : 1;
  }
  return { ms: performance.now() - t0, processes, invalid };
}

function listNix(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.nix'))
    .sort()
    .map((f) => resolve(dir, f));
}

export async function benchCheckVsNix(): Promise<{ name: string; value: string }[]> {
  requireNix();
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run node scripts/build.mjs first`);
  const work = tempDir('parse-bench');
  try {
    const source = join(REPO_ROOT, 'test', 'corpus', 'valid');
    const validDir = join(work, 'valid');
    mkdirSync(validDir, { recursive: true });
    const originals = listNix(source);
    const copies = Math.ceil(2000 / originals.length);
    for (let c = 0; c < copies; c++) {
      for (const f of originals) copyFileSync(f, join(validDir, `${c}-${f.split('/').pop()}`));
    }
    const mixedDir = join(work, 'mixed');
    writeMutants(source, mixedDir, 10, 42);

    const rows: { name: string; value: string }[] = [];
    for (const [label, dir] of [
      ['valid', validDir],
      ['mixed', mixedDir],
    ] as const) {
      const files = listNix(dir);
      nixkitCheck(dir); // warm the file cache
      const ours = nixkitCheck(dir);
      const nix = nixParseAll(files);
      rows.push(
        { name: `check vs nix (${label}): files`, value: `${files.length} (${nix.invalid} rejected by Nix)` },
        { name: `check vs nix (${label}): nixkit check`, value: `${ours.toFixed(0)} ms` },
        {
          name: `check vs nix (${label}): nix-instantiate --parse`,
          value: `${nix.ms.toFixed(0)} ms (${nix.processes} processes)`,
        },
        { name: `check vs nix (${label}): nixkit / nix`, value: (ours / nix.ms).toFixed(2) },
      );
    }
    return rows;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchCheckVsNix().then(
    (rows) => {
      for (const r of rows) console.log(`${r.name.padEnd(48)} ${r.value}`);
    },
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
