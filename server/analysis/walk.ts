// Finds the .nix files below the paths a user names: skips .git, node_modules and `result*` build links,
// follows symlinked folders at most once (so a loop ends), and reports what it could not read.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeIoError } from '../model/sources';

export interface WalkResult {
  /** Regular .nix files (after following symlinks), in walk order. */
  files: string[];
  /** Paths that could not be read, with the reason (an I/O problem: exit code 2). */
  errors: { path: string; message: string }[];
  /** Things skipped on purpose that a user may want to know about (symlink loops). */
  notes: string[];
}

// (.terraform: what `terraform init` downloaded, other people's modules)
const SKIP_DIRS = new Set(['.git', 'node_modules', '.direnv', '.vscode-test', '.terraform']);
const isResultLink = (name: string) => name === 'result' || name.startsWith('result-');

export function walkNixFiles(roots: string[]): WalkResult {
  const out: WalkResult = { files: [], errors: [], notes: [] };
  const seenDirs = new Set<string>();
  const seenFiles = new Set<string>();
  /** `real`: the file's real path when the caller knows it (a plain file in a folder whose real path is known). */
  const addFile = (p: string, real?: string) => {
    const key = real ?? safeRealpath(p) ?? p;
    if (seenFiles.has(key)) return;
    seenFiles.add(key);
    out.files.push(p);
  };
  const skipped: string[] = [];
  for (const root of roots) {
    let st: fs.Stats;
    try {
      st = fs.statSync(root);
    } catch (e) {
      out.errors.push({ path: root, message: describeIoError(e) });
      continue;
    }
    if (st.isFile()) addFile(root);
    else if (st.isDirectory()) walkDir(root, out, seenDirs, addFile, skipped);
    else out.errors.push({ path: root, message: 'not a file or folder' });
  }
  // Repositories that link secrets per machine hold hundreds of such links: a few examples say enough.
  const SHOWN = 3;
  out.notes.push(...skipped.slice(0, SHOWN).map((s) => `skipped ${s}`));
  if (skipped.length > SHOWN)
    out.notes.push(`skipped ${skipped.length - SHOWN} more symlinks back to folders already checked`);
  return out;
}

function walkDir(
  dir: string,
  out: WalkResult,
  seenDirs: Set<string>,
  addFile: (p: string, real?: string) => void,
  skipped: string[],
): void {
  const stack = [dir];
  while (stack.length) {
    const current = stack.pop()!;
    const real = safeRealpath(current);
    if (!real) {
      out.errors.push({ path: current, message: 'cannot resolve the folder' });
      continue;
    }
    if (seenDirs.has(real)) {
      if (current !== real) skipped.push(`${current}: a symlink back to a folder already checked (${real})`);
      continue;
    }
    seenDirs.add(real);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(current, { withFileTypes: true });
    } catch (e) {
      out.errors.push({ path: current, message: describeIoError(e) });
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0)); // popped in ascending order
    for (const entry of entries) {
      const p = path.join(current, entry.name);
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name)) stack.push(p);
      } else if (entry.isSymbolicLink()) {
        if (isResultLink(entry.name)) continue; // nix-build output links point into the store
        let st: fs.Stats;
        try {
          st = fs.statSync(p);
        } catch {
          // Only a .nix name was meant to be checked; a dotfiles repo's other dangling links are not ours.
          if (entry.name.endsWith('.nix')) out.notes.push(`skipped ${p}: a broken symlink or a symlink loop`);
          continue;
        }
        if (st.isDirectory()) stack.push(p);
        else if (st.isFile() && entry.name.endsWith('.nix')) addFile(p);
        else if (entry.name.endsWith('.nix')) out.notes.push(`skipped ${p}: ${notRegularFile(st)}`);
      } else if (entry.isFile() && entry.name.endsWith('.nix')) addFile(p, path.join(real, entry.name));
      else if (entry.name.endsWith('.nix'))
        out.notes.push(`skipped ${p}: ${notRegularFile(fs.lstatSync(p, { throwIfNoEntry: false }))}`);
    }
  }
}

/** A .nix name that is a FIFO, socket or device: never read (it could block or never end). */
function notRegularFile(st: fs.Stats | undefined): string {
  const what = st?.isFIFO()
    ? 'a named pipe'
    : st?.isCharacterDevice()
      ? 'a character device'
      : st?.isBlockDevice()
        ? 'a block device'
        : st?.isSocket()
          ? 'a socket'
          : 'not a file';
  return `not a regular file (${what})`;
}

function safeRealpath(p: string): string | undefined {
  try {
    return fs.realpathSync.native(p); // one realpath(3) call, not an lstat per path component
  } catch {
    return undefined;
  }
}

export { describeIoError } from '../model/sources';
