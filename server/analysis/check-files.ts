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
import { notCheckedFiles, notCheckedText, relativeToCwd } from './not-checked';
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
  sources.knownFiles(walk.files); // the walk lists regular files only
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
  for (const n of notCheckedFiles(analysis.project, readable, sources, relativeToCwd))
    result.notes.push(notCheckedText(n, relativeToCwd));
  for (const findings of analysis.findingsByFile().values()) result.findings.push(...findings);
  const reported = new Set(result.findings.map((f) => unreadableTarget.get(f)));
  for (const [file, message] of unreadable)
    if (!reported.has(file)) result.ioErrors.push({ path: file, message });
  result.configurations = coverageOf(analysis.project, sources);
  try {
    options.inspect?.(analysis);
  } finally {
    parser.delete();
  }
  result.findings = applySuppressions(withScopedImports(result.findings, analysis.scopedImports()), sources);
  result.findings.sort(compareFindings);
  return result;
}
