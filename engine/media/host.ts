// Where the device is: this machine or an SSH target. The media engine runs two kinds of scripts there: listing
// (unprivileged) and writing (as root). On this machine root comes from a small privileged helper — `sudo` on a
// terminal, `pkexec` from a desktop (VS Code) — around a POSIX `sh` script, never around node; the helper is asked
// once because one script does write, read-back and power-off. On a target the existing SSH session runs it (host
// key already verified; `execAsRoot` uses sudo's own prompt for a password), every argument shell-quoted by shJoin.
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { MediaWhere } from '../../protocol/media';
import { CancelledError, EngineError } from '../errors';
import type { Session } from '../ssh/session';

export interface ScriptRun {
  code: number | null;
  signal?: string | null;
  stdout: Buffer;
  stderr: Buffer;
}

export interface ScriptOptions {
  /** The script's standard input: a stream (the image, to a target), or 'hold' (kept open until the script ends,
   * closed on cancel: the script stops its dd when its input closes). */
  stdin?: Readable | 'hold';
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  signal?: AbortSignal;
}

export interface MediaHost {
  where: MediaWhere;
  /** `sh -c script nixkit-media ...args` as the connecting user. */
  run(script: string, args: readonly string[], options?: ScriptOptions): Promise<ScriptRun>;
  /** The same as root. */
  runAsRoot(script: string, args: readonly string[], options?: ScriptOptions): Promise<ScriptRun>;
  /** The image goes to the script on its stdin (over SSH; or here when root may not read the user's file, e.g. on
   * an NFS home with root squashing); otherwise the root script reads the file itself (fastest). */
  streamsImage: boolean;
  /** How root is reached, for the command shown before it runs (e.g. `sudo`, `pkexec`, `ssh root@host`). */
  rootVia: string;
  /** Best effort: stop a root process by pid (a cut write's dd), ignoring failure. */
  killAsRoot?(pid: number): Promise<void>;
}

/** The argv that runs a script: `sh -c SCRIPT nixkit-media ARGS…` ($0 names it in error messages). */
export function scriptArgv(script: string, args: readonly string[]): string[] {
  return ['sh', '-c', script, 'nixkit-media', ...args];
}

/** How this machine gets root for the write: none when already root, sudo on a terminal, pkexec otherwise. */
export type Elevation = 'none' | 'sudo' | 'pkexec';

export function defaultElevation(env: { isRoot: boolean; hasTty: boolean }): Elevation {
  if (env.isRoot) return 'none';
  return env.hasTty ? 'sudo' : 'pkexec';
}

function elevate(argv: string[], how: Elevation): string[] {
  if (how === 'none') return argv;
  // pkexec wants an absolute program path and resets the environment; sudo keeps the argv as given.
  if (how === 'pkexec') return ['pkexec', '/bin/sh', ...argv.slice(1)];
  return ['sudo', '--', ...argv];
}

function spawnScript(argv: string[], options: ScriptOptions): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new CancelledError('The media command'));
    const child = spawn(argv[0], argv.slice(1), {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let settled = false;
    const onAbort = () => {
      // Closing the input is what stops the script's dd (its watcher reads EOF), even under pkexec, whose root
      // process this user may not signal; sudo relays the SIGTERM as well.
      child.stdin?.destroy();
      try {
        child.kill('SIGTERM');
      } catch {
        /* a root process under pkexec: the closed input stops it */
      }
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (c: Buffer) => {
      out.push(c);
      options.onStdout?.(c);
    });
    child.stderr.on('data', (c: Buffer) => {
      err.push(c);
      options.onStderr?.(c);
    });
    child.stdin.on('error', () => undefined); // the script may exit before reading all of a streamed input
    child.on('error', (e: NodeJS.ErrnoException) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (settled) return;
      settled = true;
      reject(
        new EngineError(
          'local-command-failed',
          e.code === 'ENOENT'
            ? `${argv[0]} is not installed on this machine.`
            : `Could not start ${argv[0]}: ${e.message}.`,
        ),
      );
    });
    child.on('close', (code, signal) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (settled) return;
      settled = true;
      if (options.signal?.aborted) return reject(new CancelledError('The media command'));
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err) });
    });
    const input = options.stdin;
    if (input === 'hold') return; // closed when the child exits
    if (input) input.pipe(child.stdin);
    else child.stdin.end();
  });
}

/** This machine. `elevation` says how `runAsRoot` becomes root. */
export function localHost(elevation: Elevation, options: { streamImage?: boolean } = {}): MediaHost {
  return {
    where: { kind: 'local' },
    streamsImage: options.streamImage ?? false,
    rootVia: elevation === 'none' ? 'already root' : elevation,
    run: (script, args, options = {}) => spawnScript(scriptArgv(script, args), options),
    runAsRoot: (script, args, options = {}) =>
      spawnScript(elevate(scriptArgv(script, args), elevation), options),
  };
}

/** An SSH target over an open, verified session. */
export function sshHost(session: Session): MediaHost {
  const exec =
    (root: boolean) =>
    async (script: string, args: readonly string[], options: ScriptOptions = {}) => {
      const argv = scriptArgv(script, args);
      const o = {
        stdin: options.stdin === 'hold' ? undefined : options.stdin,
        onStdout: options.onStdout,
        onStderr: options.onStderr,
        signal: options.signal,
        maxOutputBytes: 8 * 1024 * 1024,
      };
      const r = root ? await session.execAsRoot(argv, o) : await session.exec(argv, o);
      return { code: r.code, signal: r.signal ?? null, stdout: r.stdout, stderr: r.stderr };
    };
  return {
    where: { kind: 'ssh', target: session.target.label },
    streamsImage: true,
    rootVia: `ssh ${session.target.label}`,
    run: exec(false),
    runAsRoot: exec(true),
    async killAsRoot(pid: number) {
      if (session.closed) return;
      try {
        await session.execAsRoot(['kill', '-TERM', String(pid)], { timeoutMs: 10_000 });
      } catch {
        /* the connection is gone or dd already ended: nothing more to do from here */
      }
    },
  };
}
