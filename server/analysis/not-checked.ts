// Files that look like machines but that nixkit does not check, and why: a configuration.nix only unknown files
// import, a nix-darwin or home-manager configuration.nix or a template, and files no machine reads that mention
// building NixOS systems in a way nixkit does not follow. `nixkit check` prints them as notes; Show
// Configuration lists them (the nixkit/configurations request), so that "no machine" is not taken for "no
// problem".
import * as path from 'node:path';
import type { Project } from '../model/project';
import type { SourceProvider } from '../model/sources';
import { walkExpr, type SourceFile } from '../syntax/ast';
import type { Span } from '../syntax/positions';

export interface NotChecked {
  file: string;
  /** 1-based, where a word in the file is the reason. */
  line?: number;
  /** Why, with other files named through the caller's `shown`. */
  why: string;
}

/** Words that show a file builds NixOS systems: nixpkgs' entry points, nilla's `systems.nixos`. */
const BUILDS_NIXOS =
  /\bnixosSystem\b|nixos\/lib\/eval-config\.nix|<nixpkgs\/nixos>|\bsystems\.nixos\b|\bpkgs\.nixos\b/;

/** At most this many files are named for mentioning NixOS builders. */
const MAX_MENTIONS = 5;

export function notCheckedFiles(
  project: Project,
  files: string[],
  sources: Pick<SourceProvider, 'readText' | 'parsed'>,
  shown: (file: string) => string,
): NotChecked[] {
  const out: NotChecked[] = [];
  for (const c of project.unfollowedConfigurations) {
    const by = [...new Set(c.importers)].map(shown);
    out.push({
      file: c.file,
      why:
        `${by.join(', ')} ${by.length > 1 ? 'import' : 'imports'} it, so it is not a machine of its own, and no ` +
        'machine nixkit checks uses it (name it in nixkit.toml [machines] to check it)',
    });
  }
  for (const c of project.notNixos) out.push({ file: c.file, why: c.why });
  // Files no machine nixkit found reads: a builder there is one nixkit did not follow (a helper function, a
  // framework, a default.nix of its own).
  const read = new Set<string>();
  for (const u of project.analysisUnits) for (const f of u.files) read.add(f);
  for (const f of [...files].sort()) {
    if (read.has(f)) continue;
    if (out.length >= MAX_MENTIONS) break;
    if (out.some((o) => o.file === f)) continue;
    const text = sources.readText?.(f);
    if (text === undefined || !BUILDS_NIXOS.test(text)) continue;
    const at = mentionInCode(text, sources.parsed(f)?.ast);
    if (!at) continue;
    const { index, word } = at;
    out.push({
      file: f,
      line: text.slice(0, index).split('\n').length,
      why: `it mentions ${word}, but no machine nixkit found is built from it: nixkit does not follow how it builds NixOS machines`,
    });
  }
  return out;
}

/**
 * The first mention in code: not in a comment, nor in an indented string (a script or file written with
 * `pkgs.writeText` that calls eval-config.nix itself builds no machine of this repository).
 */
function mentionInCode(
  text: string,
  ast: SourceFile | undefined,
): { index: number; word: string } | undefined {
  const skipped: Span[] = [...(ast?.comments.map((c) => c.span) ?? [])];
  if (ast?.expr)
    walkExpr(ast.expr, (e) => {
      if (e.kind === 'string' && e.indented) skipped.push(e.span);
    });
  const all = new RegExp(BUILDS_NIXOS.source, 'g');
  for (const m of text.matchAll(all))
    if (!skipped.some((s) => m.index >= s.start && m.index < s.end)) return { index: m.index, word: m[0] };
  return undefined;
}

/** "hosts/box/default.nix:3 is not checked: …" */
export function notCheckedText(n: NotChecked, shown: (file: string) => string): string {
  return `${shown(n.file)}${n.line ? `:${n.line}` : ''} is not checked: ${n.why}`;
}

/** Paths as `nixkit check` shows them: relative to the working folder. */
export const relativeToCwd = (f: string): string => path.relative(process.cwd(), f) || f;
