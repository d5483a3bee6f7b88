// Why a file a configuration imports may be missing from this checkout without being missing where the machine
// is built: git ignores it (a per-machine hardware-configuration.nix or host.nix symlinked there, as READMEs
// tell), or it lies in a git submodule that was not checked out. Read from the repository's own .gitignore
// and .gitmodules files; a plain missing file gives undefined.
import * as fs from 'node:fs';
import * as path from 'node:path';

const MAX_LEVELS = 32;
const MAX_BYTES = 256 * 1024;

function readSmall(file: string): string | undefined {
  try {
    const st = fs.statSync(file);
    return st.isFile() && st.size <= MAX_BYTES ? fs.readFileSync(file, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

/** A .gitignore pattern as a test of a path relative to the .gitignore's folder (`/`-separated). */
function gitignoreTest(
  pattern: string,
): { negated: boolean; test: (rel: string, isDir: boolean) => boolean } | undefined {
  let p = pattern.trim();
  if (!p || p.startsWith('#')) return undefined;
  const negated = p.startsWith('!');
  if (negated) p = p.slice(1);
  const dirOnly = p.endsWith('/');
  if (dirOnly) p = p.slice(0, -1);
  // A slash at the start or in the middle anchors the pattern at the .gitignore's folder.
  const anchored = p.includes('/');
  if (p.startsWith('/')) p = p.slice(1);
  const body = p
    .split('/')
    .map((part) =>
      part === '**'
        ? '(?:.*/)?'
        : part
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '[^/]*')
            .replace(/\?/g, '[^/]') + '/',
    )
    .join('')
    .replace(/\/$/, '');
  const re = new RegExp(`^${anchored ? '' : '(?:.*/)?'}${body}(/.*)?$`);
  return {
    negated,
    test: (rel, isDir) => {
      const m = re.exec(rel);
      // `dir/` matches a folder and what is below it, not a file of that name.
      return !!m && (!dirOnly || isDir || m[1] !== undefined);
    },
  };
}

/** The folders from `file`'s up to the repository's top (the first holding `.git`), nearest first. */
function foldersUp(file: string): { dirs: string[]; top: string | undefined } {
  const dirs: string[] = [];
  let dir = path.dirname(file);
  for (let i = 0; i < MAX_LEVELS; i++) {
    dirs.push(dir);
    if (fs.existsSync(path.join(dir, '.git'))) return { dirs, top: dir };
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return { dirs, top: undefined };
}

/**
 * Why a missing file is absent here but may be present where the machine is built ("… is ignored by git
 * (.gitignore: hardware-configuration.nix)"), or undefined.
 */
export function gitAbsence(file: string): string | undefined {
  const { dirs } = foldersUp(file);
  for (const dir of dirs) {
    const modules = readSmall(path.join(dir, '.gitmodules'));
    if (modules)
      for (const m of modules.matchAll(/^\s*path\s*=\s*(.+?)\s*$/gm)) {
        const sub = path.join(dir, m[1]);
        if (file === sub || file.startsWith(sub + path.sep))
          return `it lies in the git submodule ${m[1]}, which this checkout does not have (git submodule update --init)`;
      }
    const ignore = readSmall(path.join(dir, '.gitignore'));
    if (!ignore) continue;
    const rel = path.relative(dir, file).split(path.sep).join('/');
    // The last pattern that matches decides (`!x` takes a file back); the nearest .gitignore that has one wins.
    let decided: { ignored: boolean; line: string } | undefined;
    for (const line of ignore.split('\n')) {
      const pattern = gitignoreTest(line);
      if (pattern?.test(rel, false)) decided = { ignored: !pattern.negated, line: line.trim() };
    }
    if (!decided) continue;
    if (!decided.ignored) return undefined;
    const where = path.relative(path.dirname(file), path.join(dir, '.gitignore')) || '.gitignore';
    return `git ignores it (${where}: ${decided.line}), so it is kept only on the machines that build this`;
  }
  return undefined;
}

/**
 * The absolute target of a committed symlink that points out of the repository (`hardware-configuration.nix ->
 * /etc/nixos/hardware-configuration.nix`, built with `--impure` on the machine): that machine's own file, which
 * is not here. Undefined for anything else.
 */
export function linkOutside(file: string, top: string): string | undefined {
  try {
    if (!fs.lstatSync(file).isSymbolicLink()) return undefined;
    const target = path.resolve(path.dirname(file), fs.readlinkSync(file));
    const rel = path.relative(top, target);
    return rel.startsWith('..') || path.isAbsolute(rel) ? target : undefined;
  } catch {
    return undefined;
  }
}
