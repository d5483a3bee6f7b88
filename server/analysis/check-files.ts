// `nixkit check`'s engine: reads files, runs the same analysis as the language server, returns findings.
// Trees are freed as soon as a file is checked, so memory stays flat over large repositories.
import type { Finding } from '../findings';
import { compareFindings } from '../findings';
import type { RuleSettings } from './run-rules';
import { createParser } from '../syntax/parser';
import { DEFAULT_MAX_FILE_BYTES } from './source-text';
import { ProbeProvider, type ExplicitProbe } from './probes';
import { applySuppressions } from './suppressions';
import { unreadableTarget } from './unreadable-imports';
import { withScopedImports } from './scoped-imports';
import { coverageOf, type ConfigurationCoverage } from './coverage';
import type { MachineSpec } from '../model/project';
import { nixConfigurationNames, type NixEvalOptions } from './nix-eval';
import * as path from 'node:path';
import { walkNixFiles } from './walk';
import { WorkspaceAnalysis } from './workspace-analysis';
import { WorkspaceSources } from './workspace-sources';

export interface CheckOptions {
  maxFileBytes?: number;
  rules?: RuleSettings;
  /** A probe for every configuration (or the one it names), besides the `.nixkit/hosts/<name>.json` files. */
  probe?: ExplicitProbe;
  /** Reads what the analysis knows (its configurations and their facts) before its trees are freed. */
  inspect?: (analysis: WorkspaceAnalysis) => void;
  /** Machines named in nixkit.toml `[machines]`. */
  machines?: MachineSpec[];
  /** Ask Nix for each flake's nixosConfigurations names and compare (`check --eval`). */
  evaluate?: NixEvalOptions | boolean;
}

export interface CheckResult {
  findings: Finding[];
  filesChecked: number;
  ioErrors: { path: string; message: string }[];
  notes: string[];
  /** Every machine found, and how much of it nixkit read. */
  configurations: ConfigurationCoverage[];
}

export async function checkPaths(paths: string[], options: CheckOptions = {}): Promise<CheckResult> {
  const parser = await createParser();
  const walk = walkNixFiles(paths);
  const result: CheckResult = {
    findings: [],
    filesChecked: 0,
    ioErrors: [...walk.errors],
    notes: [...walk.notes],
    configurations: [],
  };
  const sources = new WorkspaceSources(parser, options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
  // Files that cannot be read (permission denied, I/O error) stay out of the analysis; what imports them gets
  // a `file-unreadable` finding, and the others are I/O errors of the check.
  const readable: string[] = [];
  const unreadable = new Map<string, string>();
  for (const file of walk.files) {
    const problem = sources.problem(file);
    if (problem) {
      unreadable.set(file, problem);
      continue;
    }
    readable.push(file);
    result.findings.push(...sources.readFindings(file));
    result.filesChecked++;
  }
  const analysis = new WorkspaceAnalysis(sources, () => readable, options.rules, undefined, {
    machines: () => options.machines ?? [],
  });
  analysis.setProbes(
    new ProbeProvider({
      explicit: options.probe,
      onProblem: (file, message) => result.notes.push(`${file}: ${message}; this probe is not used`),
    }),
  );
  analysis.full();
  if (options.evaluate) {
    const nixOptions = options.evaluate === true ? {} : options.evaluate;
    for (const unit of analysis.project.analysisUnits) {
      if (unit.kind !== 'flake') continue;
      const shown = path.relative(process.cwd(), unit.file) || unit.file;
      const asked = await nixConfigurationNames(unit.file, nixOptions);
      if (!asked.ok) {
        result.notes.push(`${shown}: ${asked.message}; the machines are those nixkit found alone`);
        continue;
      }
      const { unlisted } = analysis.setNixNames(unit.file, asked.names);
      for (const name of unlisted)
        result.notes.push(
          `${shown}: nixkit found machine "${name}" but Nix does not list it in nixosConfigurations (a nixkit bug: please report it)`,
        );
    }
  }
  for (const c of analysis.project.unfollowedConfigurations) {
    const rel = (f: string) => path.relative(process.cwd(), f) || f;
    const by = [...new Set(c.importers)].map(rel);
    result.notes.push(
      `${rel(c.file)} is not checked: ${by.join(', ')} ${by.length > 1 ? 'import' : 'imports'} it, so it is not a ` +
        'machine of its own, and no machine nixkit checks uses it (name it in nixkit.toml [machines] to check it)',
    );
  }
  for (const c of analysis.project.notNixos)
    result.notes.push(`${path.relative(process.cwd(), c.file) || c.file} is not checked: ${c.why}`);
  for (const findings of analysis.findingsByFile().values()) result.findings.push(...findings);
  const reported = new Set(result.findings.map((f) => unreadableTarget.get(f)));
  for (const [file, message] of unreadable)
    if (!reported.has(file)) result.ioErrors.push({ path: file, message });
  result.configurations = coverageOf(analysis.project, sources);
  if (!result.configurations.length) result.notes.push(...unfollowedBuilders(readable, sources));
  try {
    options.inspect?.(analysis);
  } finally {
    parser.delete();
  }
  result.findings = applySuppressions(withScopedImports(result.findings, analysis.scopedImports()), sources);
  result.findings.sort(compareFindings);
  return result;
}

/** Words that show a file builds NixOS systems: nixpkgs' entry points, nilla's `systems.nixos`. */
const BUILDS_NIXOS = /\bnixosSystem\b|nixos\/lib\/eval-config\.nix|<nixpkgs\/nixos>|\bsystems\.nixos\b/;

/**
 * Where no machine was found at all: the files that still mention building NixOS systems (a framework nixkit
 * does not know, an entry point it does not recognise), so that "no machine" is not taken for "no problem".
 */
function unfollowedBuilders(files: string[], sources: WorkspaceSources): string[] {
  const hits: string[] = [];
  for (const f of files) {
    const text = sources.readText(f);
    const m = text === undefined ? null : BUILDS_NIXOS.exec(text);
    if (!m || text === undefined) continue;
    const line = text.slice(0, m.index).split('\n').length;
    hits.push(`${path.relative(process.cwd(), f) || f}:${line} (${m[0]})`);
  }
  if (!hits.length) return [];
  const shown = hits.slice(0, 3).join(', ') + (hits.length > 3 ? ` and ${hits.length - 3} more` : '');
  return [
    `nixkit found no machine, but files mention building NixOS systems in ways it did not follow: ${shown}`,
  ];
}
