// Runs commands on this machine for the install (builds, `nix copy`, `tar` of a closure): argv only, never a
// shell; output streamed; cancellation kills the process group's leader with SIGTERM, then SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { CancelledError, EngineError } from '../errors';
import type { LocalRunner } from './plan';

export interface LocalRunOptions {
  env?: Record<string, string>;
  stdin?: string | Buffer;
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  signal?: AbortSignal;
  cwd?: string;
}

/** A process whose standard output is consumed as a stream (e.g. piped into a remote command). */
export interface LocalStream {
  stdout: Readable;
  /** Resolves when the process exits, with what it printed on stderr. */
  done: Promise<{ code: number | null; signal: string | null; stderr: Buffer }>;
  kill(): void;
}

/** A LocalRunner that can also hand out a process's stdout as a stream; steps fall back to spawning one. */
export interface StreamingLocalRunner extends LocalRunner {
  stream(argv: readonly string[], options?: Omit<LocalRunOptions, 'onStdout'>): LocalStream;
}

export function isStreaming(r: LocalRunner): r is StreamingLocalRunner {
  return typeof (r as Partial<StreamingLocalRunner>).stream === 'function';
}

function start(argv: readonly string[], options: LocalRunOptions, stdoutMode: 'pipe'): ChildProcess {
  if (argv.length === 0) throw new Error('empty command');
  return spawn(argv[0], argv.slice(1), {
    env: { ...process.env, ...options.env },
    cwd: options.cwd,
    stdio: [options.stdin === undefined ? 'ignore' : 'pipe', stdoutMode, 'pipe'],
  });
}

function notFound(argv: readonly string[], e: NodeJS.ErrnoException): EngineError {
  return new EngineError(
    'local-command-failed',
    e.code === 'ENOENT'
      ? `${argv[0]} is not installed on this machine (needed for: ${argv.join(' ').slice(0, 120)}).`
      : `Could not start ${argv[0]}: ${e.message}.`,
  );
}

export class NodeLocalRunner implements StreamingLocalRunner {
  constructor(private readonly defaults: { env?: Record<string, string> } = {}) {}

  run(
    argv: readonly string[],
    options: LocalRunOptions = {},
  ): Promise<{ code: number | null; stdout: Buffer; stderr: Buffer }> {
    return new Promise((resolve, reject) => {
      if (options.signal?.aborted) return reject(new CancelledError(argv[0]));
      const child = start(argv, { ...options, env: { ...this.defaults.env, ...options.env } }, 'pipe');
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let settled = false;
      const onAbort = () => {
        kill(child);
        if (!settled) {
          settled = true;
          reject(new CancelledError(argv[0]));
        }
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      child.stdout!.on('data', (c: Buffer) => {
        out.push(c);
        options.onStdout?.(c);
      });
      child.stderr!.on('data', (c: Buffer) => {
        err.push(c);
        options.onStderr?.(c);
      });
      child.on('error', (e: NodeJS.ErrnoException) => {
        options.signal?.removeEventListener('abort', onAbort);
        if (settled) return;
        settled = true;
        reject(notFound(argv, e));
      });
      child.on('close', (code) => {
        options.signal?.removeEventListener('abort', onAbort);
        if (settled) return;
        settled = true;
        resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err) });
      });
      if (options.stdin !== undefined) child.stdin!.end(options.stdin);
    });
  }

  stream(argv: readonly string[], options: Omit<LocalRunOptions, 'onStdout'> = {}): LocalStream {
    const child = start(argv, { ...options, env: { ...this.defaults.env, ...options.env } }, 'pipe');
    const err: Buffer[] = [];
    child.stderr!.on('data', (c: Buffer) => {
      err.push(c);
      options.onStderr?.(c);
    });
    const onAbort = () => kill(child);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const done = new Promise<{ code: number | null; signal: string | null; stderr: Buffer }>(
      (resolve, reject) => {
        child.on('error', (e: NodeJS.ErrnoException) => reject(notFound(argv, e)));
        child.on('close', (code, signal) => {
          options.signal?.removeEventListener('abort', onAbort);
          resolve({ code, signal, stderr: Buffer.concat(err) });
        });
      },
    );
    // A failed spawn is reported through `done`; the stream then just ends.
    done.catch(() => undefined);
    if (options.stdin !== undefined) child.stdin!.end(options.stdin);
    return { stdout: child.stdout!, done, kill: () => kill(child) };
  }
}

function kill(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const t = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }, 3000);
  t.unref();
}
