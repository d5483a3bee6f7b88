// Nix 2.8's own value for an expression (`nix-instantiate --eval --strict`), cached by content hash like the
// parse verdicts (nix-oracle.ts): the key covers the expression, the files it names and anything else the
// caller says the answer depends on.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from './nix-oracle';

export interface NixValue {
  ok: boolean;
  /** The printed value (ok), or the first line of the error. */
  text: string;
}

const ENV = { ...process.env, NIX_CONFIG: 'build-users-group =', NIX_PATH: '' };

function run(expr: string, cwd: string): Promise<NixValue> {
  return new Promise((done) => {
    execFile(
      'nix-instantiate',
      ['--eval', '--strict', '--store', 'dummy://', '-E', expr],
      { env: ENV, cwd, maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
      (err, stdout, stderr) => {
        if (err) {
          const message = (/^error: (.*)$/m.exec(String(stderr))?.[1] ?? String(stderr).trim()).trim();
          done({ ok: false, text: message });
        } else done({ ok: true, text: String(stdout).trim() });
      },
    );
  });
}

/** Nix's answers for many expressions, `parallel` processes at a time. `key` adds to each cache key. */
export async function nixValues(
  jobs: { expr: string; cwd: string; key: string }[],
  parallel = 2,
): Promise<NixValue[]> {
  const dir = cacheDir();
  const out: NixValue[] = new Array(jobs.length);
  const todo: number[] = [];
  const file = (i: number) =>
    join(
      dir,
      createHash('sha256')
        .update('nix-2.8-eval-strict\0')
        .update(jobs[i].expr)
        .update('\0')
        .update(jobs[i].key)
        .digest('hex')
        .slice(0, 40) + '.eval.json',
    );
  jobs.forEach((_, i) => {
    const f = file(i);
    if (existsSync(f)) out[i] = JSON.parse(readFileSync(f, 'utf8')) as NixValue;
    else todo.push(i);
  });
  const worker = async () => {
    for (let i = todo.shift(); i !== undefined; i = todo.shift()) {
      out[i] = await run(jobs[i].expr, jobs[i].cwd);
      writeFileSync(file(i), JSON.stringify(out[i]));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, parallel) }, worker));
  return out;
}
