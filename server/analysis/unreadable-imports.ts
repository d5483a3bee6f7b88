// Files Nix would read but nixkit cannot (permission denied, an I/O error, `/dev/zero`, a FIFO, a symlink loop):
// one `file-unreadable` error at the expression that reads it, and the rest of the analysis goes on (the file's
// content is unknown, so rules about something missing stay silent for it).
import * as path from 'node:path';
import { clip, type Finding } from '../findings';
import type { NixosConfiguration } from '../model/configuration';
import { resolveImportPath, type SourceProvider } from '../model/sources';
import type { Source } from '../model/value';
import { unparen, walkExpr, type Expr } from '../syntax/ast';

export const UNREADABLE_CODE = 'file-unreadable';

/** The file each `file-unreadable` finding is about (so `nixkit check` does not also list it as an I/O error). */
export const unreadableTarget = new WeakMap<Finding, string>();

/** `import ./x.nix`, `builtins.readFile ./x`, …: the functions whose path argument Nix reads. */
const READERS = new Set([
  'import',
  'builtins.import',
  'builtins.readFile',
  'scopedImport',
  'builtins.scopedImport',
]);

/**
 * The evaluating process's own input (`builtins.readFile /dev/stdin` in a script fed JSON on stdin): Nix reads
 * it when it evaluates, so it is input, not an unreadable file (its value is unknown to nixkit).
 */
const STREAMS = /^\/dev\/(stdin|fd\/\d+)$|^\/proc\/self\/fd\/\d+$/;

function calleeName(e: Expr): string | undefined {
  e = unparen(e);
  if (e.kind === 'var') return e.name;
  if (e.kind === 'select' && unparen(e.target).kind === 'var' && e.path.length === 1 && e.path[0].name)
    return `${(unparen(e.target) as { name: string }).name}.${e.path[0].name}`;
  return undefined;
}

/** A path literal without interpolation, resolved against the file it is written in. */
function literalPath(e: Expr, file: string): string | undefined {
  e = unparen(e);
  if (e.kind !== 'path' || e.value === undefined) return undefined;
  if (e.pathKind === 'relative') return path.resolve(path.dirname(file), e.value);
  if (e.pathKind === 'absolute') return path.normalize(e.value);
  return undefined;
}

function shown(target: string, from: string): string {
  if (!target.startsWith(path.dirname(from) + path.sep)) return target;
  return `./${path.relative(path.dirname(from), target)}`;
}

function finding(at: Source, target: string, problem: string, sources: SourceProvider): Finding | undefined {
  const parsed = sources.parsed(at.file);
  if (!parsed) return undefined;
  const f: Finding = {
    file: at.file,
    range: parsed.lines.rangeOf(at.span),
    severity: 'error',
    code: UNREADABLE_CODE,
    message: `cannot read ${clip(shown(target, at.file))}: ${problem}`,
  };
  unreadableTarget.set(f, target);
  return f;
}

/**
 * Path literals in one file that Nix reads (`import`, `builtins.readFile`, items of `imports` / `modules`
 * lists) and that cannot be read. Works on any file, part of a configuration or not.
 */
export function unreadableInFile(file: string, sources: SourceProvider): Finding[] {
  const parsed = sources.parsed(file);
  const ast = parsed?.ast;
  if (!ast?.expr || !sources.problem) return [];
  // Most files (packages, overlays) read nothing: skip the walk unless a reading word is there at all.
  if (!/import|readFile|modules/.test(parsed!.lines.text)) return [];
  const out: Finding[] = [];
  const check = (e: Expr) => {
    const target = literalPath(e, file);
    if (!target || STREAMS.test(target)) return;
    const resolved = resolveImportPath(target, sources);
    const problem = sources.problem!(resolved);
    if (!problem) return;
    const f = finding({ file, span: unparen(e).span }, resolved, problem, sources);
    if (f) out.push(f);
  };
  walkExpr(ast.expr, (e) => {
    if (e.kind === 'apply') {
      const name = calleeName(e.fn);
      if (name && READERS.has(name)) check(e.arg);
    } else if (e.kind === 'attrs' || e.kind === 'let') {
      for (const b of e.bindings) {
        const last = b.path[b.path.length - 1]?.name;
        const v = unparen(b.value);
        if ((last === 'imports' || last === 'modules') && v.kind === 'list')
          for (const item of v.items) check(item);
      }
    }
  });
  return out;
}

/** Modules of a configuration (also computed ones: `./hosts/${name}`) whose file cannot be read. */
export function unreadableModules(config: NixosConfiguration, sources: SourceProvider): Finding[] {
  if (!sources.problem) return [];
  const out: Finding[] = [];
  for (const m of config.modules) {
    if (m.kind !== 'file' || !m.src) continue;
    const problem = sources.problem(m.file);
    if (!problem) continue;
    const f = finding(m.src, m.file, problem, sources);
    if (f) out.push(f);
  }
  return out;
}
