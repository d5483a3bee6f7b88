// Nix on this machine as the install uses it: which store (Nix's own, or a `local?root=DIR` store for tests and
// for builds without a daemon), the environment its commands run with, and the store's files on disk (what a tar
// of the closure reads).
import { EngineError } from '../errors';
import type { InstallOptions } from '../../protocol/install-state';
import type { LocalRunner } from './plan';

export interface LocalNix {
  /** `--store` value, or undefined for Nix's default store. */
  store: string | undefined;
  env: Record<string, string>;
  /** Where the store's `/nix/store` lives on this machine's disk ('/' for the default store). */
  root: string;
}

export function localNix(options: InstallOptions): LocalNix {
  const store = options.localNix?.store;
  return { store, env: { ...options.localNix?.env }, root: storeRoot(store) };
}

/** The directory under which a store URI keeps `nix/store`: `local?root=/x` → /x; a plain path → itself. */
export function storeRoot(store: string | undefined): string {
  if (store === undefined || store === '' || store === 'auto' || store === 'daemon') return '/';
  if (store.startsWith('/')) return store;
  const m = /^local(?:\?(.*))?$/.exec(store);
  if (m) {
    const root = new URLSearchParams(m[1] ?? '').get('root');
    return root ?? '/';
  }
  throw new EngineError(
    'unsupported-store',
    `nixkit reads the closure's files from a local store; "${store}" is not one (use the default store or local?root=DIR).`,
  );
}

/** `--store S` when a store is set. */
export function storeArgs(nix: LocalNix): string[] {
  return nix.store === undefined ? [] : ['--store', nix.store];
}

/** Runs a local Nix command and returns stdout; a non-zero exit becomes an EngineError with Nix's message. */
export async function nixOut(
  local: LocalRunner,
  nix: LocalNix,
  argv: string[],
  what: string,
  extra: { onStderr?: (c: Buffer) => void; signal?: AbortSignal; stdin?: string | Buffer } = {},
): Promise<Buffer> {
  const r = await local.run(argv, { env: nix.env, ...extra });
  if (r.code !== 0) {
    throw new EngineError(
      'nix-failed',
      `${what} failed (exit ${r.code}): ${lastLines(r.stderr.toString(), 8)}`,
    );
  }
  return r.stdout;
}

export function lastLines(text: string, n: number): string {
  const lines = text
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '');
  return lines.slice(-n).join('\n') || 'no message';
}
