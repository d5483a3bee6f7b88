// A system closure as the copy step moves it: the store paths (dependencies first, as `nix-store -qR` lists them)
// with their NAR sizes, and the registration the target's Nix database is loaded from.
import { EngineError } from '../errors';
import { nixOut, storeArgs, type LocalNix } from './nix-env';
import type { LocalRunner } from './plan';

export interface ClosurePath {
  path: string;
  /** NAR size in bytes: close to what a tar of the path carries. */
  narSize: number;
}

export interface Closure {
  toplevel: string;
  paths: ClosurePath[];
  totalBytes: number;
}

const STORE_PATH = /^\/nix\/store\/[0-9a-z]{32}-[A-Za-z0-9+\-._?=]+$/;

export function isStorePath(p: string): boolean {
  return STORE_PATH.test(p);
}

/** The closure of `toplevel` in the local store: `nix-store -qR`, then one `nix-store -q --size` for all. */
export async function queryClosure(
  local: LocalRunner,
  nix: LocalNix,
  toplevel: string,
  signal?: AbortSignal,
): Promise<Closure> {
  const listed = (
    await nixOut(local, nix, ['nix-store', ...storeArgs(nix), '-qR', toplevel], 'Listing the closure', {
      signal,
    })
  )
    .toString()
    .split('\n')
    .filter(Boolean);
  for (const p of listed) {
    if (!isStorePath(p))
      throw new EngineError('bad-closure', `nix-store listed "${p}", which is not a store path.`);
  }
  const sizes = (
    await nixOut(
      local,
      nix,
      ['nix-store', ...storeArgs(nix), '-q', '--size', ...listed],
      'Sizing the closure',
      {
        signal,
      },
    )
  )
    .toString()
    .split('\n')
    .filter(Boolean)
    .map(Number);
  if (sizes.length !== listed.length || sizes.some((n) => !Number.isFinite(n))) {
    throw new EngineError('bad-closure', `nix-store gave ${sizes.length} sizes for ${listed.length} paths.`);
  }
  const paths = listed.map((path, i) => ({ path, narSize: sizes[i] }));
  return { toplevel, paths, totalBytes: paths.reduce((a, p) => a + p.narSize, 0) };
}

/** `nix-store --dump-db` of the paths: what `nix-store --load-db` on the target (or at first boot) registers. */
export async function dumpDb(
  local: LocalRunner,
  nix: LocalNix,
  paths: string[],
  signal?: AbortSignal,
): Promise<Buffer> {
  return nixOut(
    local,
    nix,
    ['nix-store', ...storeArgs(nix), '--dump-db', ...paths],
    'Dumping the registration',
    {
      signal,
    },
  );
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}
