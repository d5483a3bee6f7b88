// The analysis of a whole workspace: the configurations it defines and the findings of every rule, kept
// per unit (flake or configuration.nix) so that an edit re-runs only what depends on the edited file.
import type { Finding } from '../findings';
import { Project, type AnalysisUnit } from '../model/project';
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

export class WorkspaceAnalysis {
  readonly project: Project;
  private unitFindings = new Map<string, Finding[]>();
  private fileFindings = new Map<string, Finding[]>();
  private projectFindings: Finding[] = [];

  constructor(
    readonly sources: SourceProvider,
    private readonly listFiles: () => string[],
    private settings: RuleSettings = {},
    private readonly rules: Rule[] = RULES,
  ) {
    this.project = new Project(sources, listFiles);
  }

  /** Analyses everything. */
  full(): void {
    this.project.analyzeAll();
    this.unitFindings.clear();
    for (const u of this.project.analysisUnits) this.unitFindings.set(u.file, this.runUnit(u));
    this.fileFindings.clear();
    for (const f of this.listFiles())
      this.fileFindings.set(f, runFileRules(this.rules, f, this.sources, this.settings));
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
    for (const c of changed)
      this.fileFindings.set(c, runFileRules(this.rules, c, this.sources, this.settings));
    for (const f of this.projectFindings) touched.add(f.file);
    this.projectFindings = runProjectRules(this.rules, this.project, this.listFiles(), this.settings);
    for (const f of this.projectFindings) touched.add(f.file);
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

  findingsFor(file: string): Finding[] {
    return this.findingsByFile().get(file) ?? [];
  }

  private runUnit(u: AnalysisUnit): Finding[] {
    const out: Finding[] = [];
    for (const c of u.configurations) {
      try {
        out.push(...runConfigurationRules(this.rules, u, c, this.project, this.settings));
      } catch {
        // One rule's bug must not hide the others' findings; the rule tests catch it.
      }
    }
    return out;
  }
}
