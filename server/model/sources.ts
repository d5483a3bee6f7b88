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
}

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
};

/** `./dir` in imports means `./dir/default.nix`, as in Nix. */
export function resolveImportPath(p: string, sources: Pick<SourceProvider, 'isDirectory'>): string {
  return sources.isDirectory(p) ? path.join(p, 'default.nix') : p;
}
