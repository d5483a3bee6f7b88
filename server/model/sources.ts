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

/** `./dir` in imports means `./dir/default.nix`, as in Nix. */
export function resolveImportPath(p: string, sources: Pick<SourceProvider, 'isDirectory'>): string {
  return sources.isDirectory(p) ? path.join(p, 'default.nix') : p;
}
