// Nix 2.8's own verdict on .nix files (`nix-instantiate --parse`), cached by content hash.
// Valid files are checked in batches (one process accepts many files and stops at the first error); a
// batch that fails names the failing file, which is recorded, and the rest of the batch is retried.
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface NixVerdict {
  ok: boolean;
  /** The first line of Nix's error, without `error: ` (empty when ok). */
  message: string;
  /** 1-based line and byte column Nix reports (0 when it reports none). */
  line: number;
  column: number;
  /** Nix's position as a UTF-16 offset into the text (-1 when none). */
  offset: number;
  /** `syntax` for errors a parser finds (the recogniser's job), `semantic` for name errors, else `other`. */
  kind: 'none' | 'syntax' | 'semantic' | 'other';
}

const NIX = 'nix-instantiate';
const ENV = { ...process.env, NIX_CONFIG: 'build-users-group =', NIX_PATH: '' };

export function nixAvailable(): boolean {
  try {
    execFileSync(NIX, ['--version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

export function requireNix(): void {
  if (!nixAvailable()) {
    throw new Error(
      'nix-instantiate was not found on PATH: the differential tests compare nixkit with Nix 2.8 ' +
        '(install the Debian package nix-bin, as CI does)',
    );
  }
}

export function classify(message: string): NixVerdict['kind'] {
  if (!message) return 'none';
  if (
    /^syntax error|^invalid integer|^invalid float|^path has a trailing slash|^dynamic attributes not allowed|^memory exhausted/.test(
      message,
    )
  )
    return 'syntax';
  if (/^undefined variable|already defined at|^duplicate formal function argument/.test(message))
    return 'semantic';
  return 'other';
}

/** Converts Nix's (line, byte column) into a UTF-16 offset: Nix counts \n, \r\n and \r as line breaks. */
export function nixPositionToOffset(text: string, line: number, column: number): number {
  let l = 1;
  let i = 0;
  while (l < line && i < text.length) {
    const c = text.charCodeAt(i++);
    if (c === 0x0a) l++;
    else if (c === 0x0d) {
      if (text.charCodeAt(i) === 0x0a) i++;
      l++;
    }
  }
  let bytes = 1;
  while (bytes < column && i < text.length) {
    const cp = text.codePointAt(i) as number;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    i += cp > 0xffff ? 2 : 1;
  }
  return i;
}

function parseError(stderr: string): { file: string; message: string; line: number; column: number } {
  const message = (/^error: (.*)$/m.exec(stderr)?.[1] ?? stderr.trim().split('\n')[0] ?? '').trim();
  const at = /^\s*at (.+):(\d+):(\d+):\s*$/m.exec(stderr);
  return at
    ? { file: at[1], message, line: Number(at[2]), column: Number(at[3]) }
    : { file: '', message, line: 0, column: 0 };
}

function run(files: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((done) => {
    execFile(
      NIX,
      ['--store', 'dummy://', '--parse', ...files],
      { env: ENV, maxBuffer: 256 * 1024 * 1024 },
      (err, _stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        done({ code, stderr: String(stderr) });
      },
    );
  });
}

export function cacheDir(): string {
  const dir = process.env.NIXKIT_NIX_CACHE ?? join(tmpdir(), 'nixkit-nix-verdicts');
  mkdirSync(dir, { recursive: true });
  return dir;
}

function hash(text: string): string {
  return createHash('sha256').update('nix-2.8-parse\0').update(text).digest('hex').slice(0, 40);
}

/**
 * Nix's verdict for every file (paths must be absolute). Up to `parallel` processes at a time. The
 * position is relative to the file's own text; files are read as UTF-8.
 */
export async function nixVerdicts(paths: string[], parallel = 2): Promise<Map<string, NixVerdict>> {
  const dir = cacheDir();
  const result = new Map<string, NixVerdict>();
  const texts = new Map<string, string>();
  const todo: string[] = [];
  for (const p of paths.map((x) => resolve(x))) {
    const text = readFileSync(p, 'utf8');
    texts.set(p, text);
    const cached = join(dir, hash(text) + '.json');
    if (existsSync(cached)) {
      const v = JSON.parse(readFileSync(cached, 'utf8')) as NixVerdict;
      result.set(p, v);
    } else todo.push(p);
  }
  const record = (p: string, v: Omit<NixVerdict, 'offset' | 'kind'>) => {
    const text = texts.get(p) as string;
    const verdict: NixVerdict = {
      ...v,
      kind: v.ok ? 'none' : classify(v.message),
      offset: v.line ? nixPositionToOffset(text, v.line, v.column) : -1,
    };
    result.set(p, verdict);
    writeFileSync(join(dir, hash(text) + '.json'), JSON.stringify(verdict));
  };

  // Work queue of batches; a failed batch is split at the failing file.
  const BATCH = 64;
  const queue: string[][] = [];
  for (let i = 0; i < todo.length; i += BATCH) queue.push(todo.slice(i, i + BATCH));
  const worker = async () => {
    for (let batch = queue.shift(); batch; batch = queue.shift()) {
      const { code, stderr } = await run(batch);
      if (code === 0) {
        for (const p of batch) record(p, { ok: true, message: '', line: 0, column: 0 });
        continue;
      }
      const err = parseError(stderr);
      const failed = batch.indexOf(resolve(err.file));
      if (failed >= 0) {
        for (const p of batch.slice(0, failed)) record(p, { ok: true, message: '', line: 0, column: 0 });
        record(batch[failed], { ok: false, message: err.message, line: err.line, column: err.column });
        if (failed + 1 < batch.length) queue.push(batch.slice(failed + 1));
      } else if (batch.length === 1) {
        record(batch[0], { ok: false, message: err.message, line: err.line, column: err.column });
      } else {
        // no file named (e.g. "memory exhausted"): check them one by one
        for (const p of batch) queue.push([p]);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, parallel) }, worker));
  return result;
}
