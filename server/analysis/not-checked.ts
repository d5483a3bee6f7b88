// Files that look like machines but that nixkit does not check, and why: a configuration.nix only unknown files
// import, a nix-darwin configuration.nix or a template, and (where no machine was found at all) files that
// mention building NixOS systems in a way nixkit does not follow. `nixkit check` prints them as notes; Show
// Configuration lists them (the nixkit/configurations request), so that "no machine" is not taken for "no
// problem".
import * as path from 'node:path';
import type { Project } from '../model/project';
import type { SourceProvider } from '../model/sources';

export interface NotChecked {
  file: string;
  /** 1-based, where a word in the file is the reason. */
  line?: number;
  /** Why, with other files named through the caller's `shown`. */
  why: string;
}

/** Words that show a file builds NixOS systems: nixpkgs' entry points, nilla's `systems.nixos`. */
const BUILDS_NIXOS = /\bnixosSystem\b|nixos\/lib\/eval-config\.nix|<nixpkgs\/nixos>|\bsystems\.nixos\b/;

/** At most this many files are named for mentioning NixOS builders. */
const MAX_MENTIONS = 5;

export function notCheckedFiles(
  project: Project,
  files: string[],
  sources: Pick<SourceProvider, 'readText'>,
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
  if (project.coverage.length) return out;
  for (const f of [...files].sort()) {
    if (out.length >= MAX_MENTIONS) break;
    if (out.some((o) => o.file === f)) continue;
    const text = sources.readText?.(f);
    const m = text === undefined ? null : BUILDS_NIXOS.exec(text);
    if (!m || text === undefined) continue;
    out.push({
      file: f,
      line: text.slice(0, m.index).split('\n').length,
      why: `it mentions ${m[0]}, but nixkit does not follow how it builds NixOS machines, and found none`,
    });
  }
  return out;
}

/** "hosts/box/default.nix:3 is not checked: …" */
export function notCheckedText(n: NotChecked, shown: (file: string) => string): string {
  return `${shown(n.file)}${n.line ? `:${n.line}` : ''} is not checked: ${n.why}`;
}

/** Paths as `nixkit check` shows them: relative to the working folder. */
export const relativeToCwd = (f: string): string => path.relative(process.cwd(), f) || f;
