// Where the model gets files from: open editor buffers first, the disk otherwise. The language server and
// `nixkit check` each provide one; tests use an in-memory one.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SourceFile } from '../syntax/ast';
import type { LineIndex } from '../syntax/positions';

export interface ParsedFile {
  ast: SourceFile;
  lines: LineIndex;
  /** Syntax errors make parts of the AST `error` nodes: rules treat those parts as unknown. */
  hasSyntaxErrors: boolean;
}

export interface SourceProvider {
  /** The parsed file, or undefined when it does not exist or cannot be read as Nix. */
  parsed(file: string): ParsedFile | undefined;
  exists(file: string): boolean;
  isDirectory(file: string): boolean;
  /** Names in a folder (for `builtins.readDir`-style host discovery and hardware-config lookup). */
  list(dir: string): string[] | undefined;
  /**
   * Why an existing path cannot be read as a file ("permission denied", "not a regular file (a character
   * device)", "too many levels of symbolic links"), or undefined when it can (or does not exist). Where Nix
   * would read the file (an import), this is the finding at the import expression.
   */
  problem?(file: string): string | undefined;
  /** A file's text (`builtins.readFile`), or undefined when it cannot be read as text. */
  readText?(file: string): string | undefined;
  /** A folder's entries with their types as `builtins.readDir` names them (regular, directory, symlink, unknown). */
  readDir?(dir: string): [string, string][] | undefined;
}

/** Files larger than this are not read by `builtins.readFile` (their value is unknown). */
export const MAX_READ_BYTES = 8 * 1024 * 1024;

/** Disk access shared by the disk-backed providers. */
export const disk = {
  exists(file: string): boolean {
    return fs.existsSync(file);
  },
  isDirectory(file: string): boolean {
    try {
      return fs.statSync(file).isDirectory();
    } catch {
      return false;
    }
  },
  list(dir: string): string[] | undefined {
    try {
      return fs.readdirSync(dir);
    } catch {
      return undefined;
    }
  },
  readText(file: string): string | undefined {
    // Only regular files, and not huge ones: `/dev/zero` or a 3 GB file must not be read whole.
    let fd: number | undefined;
    try {
      fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      const st = fs.fstatSync(fd);
      if (!st.isFile() || st.size > MAX_READ_BYTES) return undefined;
      const buf = Buffer.alloc(st.size);
      let got = 0;
      while (got < st.size) {
        const n = fs.readSync(fd, buf, got, st.size - got, got);
        if (n === 0) break;
        got += n;
      }
      const text = buf.subarray(0, got).toString('utf8');
      return text.includes('\0') ? undefined : text;
    } catch {
      return undefined;
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  },
  readDir(dir: string): [string, string][] | undefined {
    try {
      return fs
        .readdirSync(dir, { withFileTypes: true })
        .map((d) => [
          d.name,
          d.isFile() ? 'regular' : d.isDirectory() ? 'directory' : d.isSymbolicLink() ? 'symlink' : 'unknown',
        ]);
    } catch {
      return undefined;
    }
  },
};

export type GuardedRead =
  | { ok: true; bytes: Buffer }
  | { ok: false; reason: 'unreadable' | 'not-a-file'; message: string }
  | { ok: false; reason: 'too-large'; message: string; size: number };

const CHUNK = 64 * 1024;

/**
 * Reads a file the way an analysis may: never blocks (FIFOs are opened non-blocking and refused), refuses what
 * is not a regular file (`/dev/zero`, sockets, folders) before reading a byte, and reads at most `maxBytes + 1`
 * bytes whatever the size says (a 3 GB file is refused from its size; `/proc` files claim size 0). Every error
 * (EACCES, EIO from `/proc/self/mem`, ELOOP) is a result with a message, never an exception.
 */
export function readFileGuarded(file: string, maxBytes: number): GuardedRead {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
  } catch (e) {
    return { ok: false, reason: 'unreadable', message: describeIoError(e) };
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return { ok: false, reason: 'not-a-file', message: notRegular(st) };
    if (st.size > maxBytes) return { ok: false, reason: 'too-large', message: 'too large', size: st.size };
    const chunks: Buffer[] = [];
    let total = 0;
    // The first read is sized by what stat says (+1 to see a file that grew); later ones only for files whose
    // size lies (`/proc`). A fixed 64 KB buffer per file made 3,000 small files 190 MB of garbage.
    let size = Math.min(maxBytes + 1, st.size + 1);
    for (;;) {
      const want = Math.min(size, maxBytes + 1 - total);
      size = CHUNK;
      if (want <= 0) break;
      const buf = Buffer.allocUnsafe(want);
      const n = fs.readSync(fd, buf, 0, want, null);
      if (n === 0) break;
      chunks.push(n === want ? buf : buf.subarray(0, n));
      total += n;
      // A regular file that reads shorter than its size + 1 has ended: no second read to see 0 bytes. (`/proc`
      // files claim size 0 and are read until a read returns nothing.)
      if (n < want && st.size > 0) break;
    }
    if (total > maxBytes) return { ok: false, reason: 'too-large', message: 'too large', size: total };
    return { ok: true, bytes: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total) };
  } catch (e) {
    return { ok: false, reason: 'unreadable', message: describeIoError(e) };
  } finally {
    try {
      fs.closeSync(fd);
    } catch {
      // nothing more to do with a descriptor that does not close
    }
  }
}

function notRegular(st: fs.Stats): string {
  if (st.isDirectory()) return 'is a folder';
  const what = st.isCharacterDevice()
    ? 'a character device'
    : st.isBlockDevice()
      ? 'a block device'
      : st.isFIFO()
        ? 'a named pipe'
        : st.isSocket()
          ? 'a socket'
          : 'not a file';
  return `not a regular file (${what})`;
}

/** An I/O error as a user reads it (no errno numbers, no stack). */
export function describeIoError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'ENOTDIR':
      return 'a part of the path is not a folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'too many levels of symbolic links (a symlink loop)';
    case 'EISDIR':
      return 'is a folder';
    case 'EIO':
      return 'input/output error';
    case 'ENXIO':
    case 'ENODEV':
      return 'no such device';
    case 'ENAMETOOLONG':
      return 'the path is too long';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files';
    default:
      return err?.code ? `cannot be read (${err.code})` : String(err?.message ?? e);
  }
}

/** `./dir` in imports means `./dir/default.nix`, as in Nix. */
export function resolveImportPath(p: string, sources: Pick<SourceProvider, 'isDirectory'>): string {
  return sources.isDirectory(p) ? path.join(p, 'default.nix') : p;
}
