// Asks Nix itself for the names of a flake's nixosConfigurations, when Nix is installed: the ground truth the
// static discovery is compared with. Offline first (nothing is downloaded when the inputs are in the store), then
// online; never writes flake.lock; each attempt has a time limit and is killed when it runs over.
import { spawn } from 'node:child_process';
import * as path from 'node:path';

export type NixNames = { ok: true; names: string[] } | { ok: false; message: string };

export interface NixEvalOptions {
  /** The `nix` binary (default: `nix` on PATH). */
  nix?: string;
  /** Per attempt (default 60 s). */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

const FEATURES = ['--extra-experimental-features', 'nix-command flakes'];

function run(
  nix: string,
  args: string[],
  timeoutMs: number,
  env: NodeJS.ProcessEnv | undefined,
): Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let child;
    try {
      // Its own process group, so that a time-out kills what it started too.
      child = spawn(nix, args, {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: env ?? process.env,
        detached: true,
      });
    } catch (e) {
      resolve({ code: null, stdout, stderr: (e as Error).message, timedOut });
      return;
    }
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      resolve({ code: null, stdout, stderr, timedOut });
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      if (stdout.length < 4_000_000) stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 100_000) stderr += d.toString();
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: e.message, timedOut });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

/** The names Nix lists in `<flake dir>#nixosConfigurations`, or why it could not say. */
export async function nixConfigurationNames(
  flakeFile: string,
  options: NixEvalOptions = {},
): Promise<NixNames> {
  const nix = options.nix ?? 'nix';
  const timeoutMs = options.timeoutMs ?? 60_000;
  const ref = `${path.dirname(path.resolve(flakeFile))}#nixosConfigurations`;
  const base = [...FEATURES, 'eval', '--json', '--no-write-lock-file', ref, '--apply', 'builtins.attrNames'];
  let last = '';
  for (const extra of [['--offline'], []]) {
    const r = await run(nix, [...extra, ...base], timeoutMs, options.env);
    if (r.timedOut)
      return { ok: false, message: `nix eval took longer than ${Math.round(timeoutMs / 1000)} s` };
    if (r.code === null) return { ok: false, message: `nix could not be run: ${r.stderr.trim()}` };
    if (r.code === 0) {
      try {
        const names = JSON.parse(r.stdout) as unknown;
        if (Array.isArray(names) && names.every((n) => typeof n === 'string')) return { ok: true, names };
      } catch {
        // fall through: reported below
      }
      return { ok: false, message: 'nix eval printed something other than a list of names' };
    }
    // A flake without nixosConfigurations: Nix has no machines to list.
    if (/does not provide attribute|attribute 'nixosConfigurations' missing/.test(r.stderr))
      return { ok: true, names: [] };
    last = r.stderr;
  }
  const error = last
    .split('\n')
    .filter((l) => /error:/.test(l))
    .map((l) => l.replace(/^.*?error:\s*/, ''))[0];
  return { ok: false, message: `nix eval failed${error ? `: ${error.slice(0, 300)}` : ''}` };
}
