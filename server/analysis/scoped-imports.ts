// `scopedImport scope ./file.nix` evaluates a file with extra names in scope: a name the file uses without
// defining it is not undefined when the scope gives it. The per-file parse-time check cannot know who imports a
// file, so this pass finds the files a workspace loads that way and corrects their `undefined-variable`
// findings: a name the scope surely gives is no finding; where the scope is not known (computed, or an
// `import` that passes itself on to every file below), the name may be given, so the finding is information
// that says so, not an error.
import * as path from 'node:path';
import type { Finding } from '../findings';
import type { SourceProvider } from '../model/sources';
import { walkExpr, type AttrsExpr, type Expr } from '../syntax/ast';

export interface ScopedImport {
  /** The names the scope surely gives; undefined when nixkit cannot list them. */
  names?: Set<string>;
  /** Where `scopedImport` is called (relative file:line, for the message). */
  at: string;
}

/** Files loaded with `scopedImport`, by path (the first call found wins when several load one file). */
export function scopedImports(files: string[], sources: SourceProvider): Map<string, ScopedImport> {
  const out = new Map<string, ScopedImport>();
  const under = (dir: string) => files.filter((f) => f.startsWith(dir + path.sep));
  // An ekala atom (a folder with `atom.toml`): its loader reads the files below with scopedImport, giving them
  // `mod`, `deps`, `cfg`, `pre`, … from outside the repository.
  const atomOf = atomFolders(sources);
  for (const file of files) {
    const atom = atomOf(file);
    if (atom)
      out.set(file, { at: `${path.join(path.basename(atom), 'atom.toml')} (an ekala atom's loader)` });
  }
  for (const file of files) {
    const parsed = sources.parsed(file);
    // Cheap test first: most repositories never say it.
    if (!parsed?.ast.expr || !parsed.lines.text.includes('scopedImport')) continue;
    walkExpr(parsed.ast.expr, (e) => {
      if (e.kind !== 'apply' || e.fn.kind !== 'apply' || !isScopedImport(e.fn.fn)) return;
      const line = parsed.lines.rangeOf(e.span).start.line + 1;
      const at = `${path.join(path.basename(path.dirname(file)), path.basename(file))}:${line}`;
      const scope = unparen(e.fn.arg);
      const literal = scope.kind === 'attrs' ? literalNames(scope) : undefined;
      // A scope that gives `import` (or `scopedImport`) passes itself on to what the file imports.
      const passesOn = !literal || literal.has('import') || literal.has('scopedImport');
      const target = literalPath(unparen(e.arg), file);
      const info: ScopedImport = { names: passesOn ? undefined : literal, at };
      const targets = !target
        ? files // a computed path (a loader function of the repository's own): any file may be loaded so
        : passesOn
          ? under(sources.isDirectory(target) ? target : path.dirname(target))
          : [sources.isDirectory(target) ? path.join(target, 'default.nix') : target];
      for (const t of targets) if (t !== file && !out.has(t)) out.set(t, info);
    });
  }
  return out;
}

const UNDEFINED = /^undefined variable '([^']*)'$/;

/** The findings with those about names a scopedImport may give corrected (see the header). */
export function withScopedImports(findings: Finding[], scoped: Map<string, ScopedImport>): Finding[] {
  if (!scoped.size) return findings;
  const out: Finding[] = [];
  for (const f of findings) {
    const info = f.code === 'undefined-variable' ? scoped.get(f.file) : undefined;
    const name = info && UNDEFINED.exec(f.message)?.[1];
    if (!info || name === undefined) out.push(f);
    else if (!info.names)
      out.push({
        ...f,
        severity: 'information',
        message: `${f.message}, unless the scope this file is loaded with gives it (scopedImport at ${info.at}; nixkit cannot list that scope)`,
        fixes: undefined,
      });
    else if (!info.names.has(name)) out.push(f);
  }
  return out;
}

/** The folder of the nearest `atom.toml` at most four folders above a file (memoized). */
function atomFolders(sources: SourceProvider): (file: string) => string | undefined {
  const known = new Map<string, string | undefined>();
  const find = (dir: string, left: number): string | undefined => {
    const key = `${left}:${dir}`;
    if (known.has(key)) return known.get(key);
    const parent = path.dirname(dir);
    const found = sources.exists(path.join(dir, 'atom.toml'))
      ? dir
      : left > 0 && parent !== dir
        ? find(parent, left - 1)
        : undefined;
    known.set(key, found);
    return found;
  };
  return (file) => find(path.dirname(file), 3);
}

function isScopedImport(e: Expr): boolean {
  const f = unparen(e);
  if (f.kind === 'var') return f.name === 'scopedImport';
  return f.kind === 'select' && f.path.at(-1)?.name === 'scopedImport';
}

function unparen(e: Expr): Expr {
  let cur = e;
  while (cur.kind === 'paren') cur = cur.expr;
  return cur;
}

/** The keys of a set written out (no dynamic keys); `rec` or not, every key is in the scope. */
function literalNames(e: AttrsExpr): Set<string> | undefined {
  const names = new Set<string>();
  for (const b of e.bindings) {
    const first = b.path[0];
    if (first?.name === undefined) return undefined;
    names.add(first.name);
  }
  for (const i of e.inherits) for (const k of i.names) if (k.name !== undefined) names.add(k.name);
  return names;
}

/** `./lib` or `./x.nix` written as a path literal without interpolation: the absolute path. */
function literalPath(e: Expr, file: string): string | undefined {
  if (e.kind !== 'path' || e.value === undefined) return undefined;
  if (e.pathKind === 'relative') return path.resolve(path.dirname(file), e.value);
  if (e.pathKind === 'absolute') return e.value;
  return undefined;
}
