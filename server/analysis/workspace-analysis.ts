// The analysis of a whole workspace: the configurations it defines and the findings of every rule, kept
// per unit (flake or configuration.nix) so that an edit re-runs only what depends on the edited file.
import type { Finding } from '../findings';
import { Project, type AnalysisUnit, type ProjectOptions } from '../model/project';
import type { SourceProvider } from '../model/sources';
import {
  dedupeFindings,
  runConfigurationRules,
  runFileRules,
  runProjectRules,
  type RuleSettings,
} from '../rules/engine';
import { RULES } from '../rules/index';
import type { Rule } from '../rules/rule';
import type { ProbeProvider } from './probes';

export class WorkspaceAnalysis {
  readonly project: Project;
  private unitFindings = new Map<string, Finding[]>();
  private fileFindings = new Map<string, Finding[]>();
  private projectFindings: Finding[] = [];
  /** Probes of the configurations' target machines (`.nixkit/hosts/<name>.json`, `--probe`). */
  private probes?: ProbeProvider;

  constructor(
    readonly sources: SourceProvider,
    private readonly listFiles: () => string[],
    private settings: RuleSettings = {},
    private readonly rules: Rule[] = RULES,
    projectOptions: ProjectOptions = {},
  ) {
    this.project = new Project(sources, listFiles, projectOptions);
  }

  /** Analyses everything. */
  full(): void {
    this.project.analyzeAll();
    this.unitFindings.clear();
    for (const u of this.project.analysisUnits) this.unitFindings.set(u.file, this.runUnit(u));
    this.fileFindings.clear();
    for (const f of this.listFiles()) this.fileFindings.set(f, this.runFile(f));
    this.projectFindings = runProjectRules(this.rules, this.project, this.listFiles(), this.settings);
  }

  /** Re-analyses after files changed; returns the files whose findings may have changed. */
  update(changed: string[]): Set<string> {
    const touched = new Set<string>(changed);
    const before = new Map(this.unitFindings);
    const units = this.project.update(changed);
    const live = new Set(this.project.analysisUnits.map((u) => u.file));
    for (const [root, findings] of before) {
      if (!live.has(root)) {
        for (const f of findings) touched.add(f.file);
        this.unitFindings.delete(root);
      }
    }
    for (const u of units) {
      for (const f of before.get(u.file) ?? []) touched.add(f.file);
      const now = this.runUnit(u);
      for (const f of now) touched.add(f.file);
      this.unitFindings.set(u.file, now);
    }
    // File rules may use what the configurations that read a file know (a platform for a fix): re-run them for
    // the files of re-evaluated units too.
    const rerun = new Set<string>(changed);
    for (const u of units) for (const f of u.files) if (this.fileFindings.has(f)) rerun.add(f);
    for (const f of rerun) {
      for (const x of this.fileFindings.get(f) ?? []) touched.add(x.file);
      const now = this.runFile(f);
      for (const x of now) touched.add(x.file);
      this.fileFindings.set(f, now);
    }
    for (const f of this.projectFindings) touched.add(f.file);
    this.projectFindings = runProjectRules(this.rules, this.project, this.listFiles(), this.settings);
    for (const f of this.projectFindings) touched.add(f.file);
    return touched;
  }

  /** Attaches probes to the configurations (from now on; call `probesChanged()` to re-run with them). */
  setProbes(probes: ProbeProvider | undefined): void {
    this.probes = probes;
  }

  /** A probe file changed: re-runs the configuration rules of every unit; returns the files whose findings may have changed. */
  probesChanged(): Set<string> {
    this.probes?.invalidate();
    const touched = new Set<string>();
    for (const u of this.project.analysisUnits) {
      for (const f of this.unitFindings.get(u.file) ?? []) touched.add(f.file);
      const now = this.runUnit(u);
      for (const f of now) touched.add(f.file);
      this.unitFindings.set(u.file, now);
    }
    return touched;
  }

  setSettings(settings: RuleSettings): void {
    this.settings = settings;
    this.full();
  }

  /** All rule findings, deduplicated, by file. */
  findingsByFile(): Map<string, Finding[]> {
    const all = dedupeFindings([
      ...[...this.unitFindings.values()].flat(),
      ...[...this.fileFindings.values()].flat(),
      ...this.projectFindings,
    ]);
    const byFile = new Map<string, Finding[]>();
    for (const f of all) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
    return byFile;
  }

  /**
   * Records the machine names Nix lists for a flake and re-runs the project rules (configuration-not-followed).
   * Returns the files whose findings may have changed and the machines nixkit found that Nix does not list.
   */
  setNixNames(flakeFile: string, names: string[] | undefined): { touched: Set<string>; unlisted: string[] } {
    const unlisted = this.project.setNixNames(flakeFile, names);
    const touched = new Set<string>(this.projectFindings.map((f) => f.file));
    this.projectFindings = runProjectRules(this.rules, this.project, this.listFiles(), this.settings);
    for (const f of this.projectFindings) touched.add(f.file);
    return { touched, unlisted };
  }

  /** How many .nix files the workspace has. */
  fileCount(): number {
    return this.listFiles().length;
  }

  findingsFor(file: string): Finding[] {
    return this.findingsByFile().get(file) ?? [];
  }

  private runFile(file: string): Finding[] {
    return runFileRules(this.rules, file, this.sources, this.settings, (f) =>
      this.project.configurations.filter((c) => c.files.has(f)),
    );
  }

  private runUnit(u: AnalysisUnit): Finding[] {
    const out: Finding[] = [];
    for (const c of u.configurations) {
      try {
        const probe = this.probes?.forConfiguration(c)?.report;
        out.push(...runConfigurationRules(this.rules, u, c, this.project, this.settings, probe));
      } catch {
        // One rule's bug must not hide the others' findings; the rule tests catch it.
      }
    }
    return out;
  }
}
