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
} from './run-rules';
import { RULES } from '../rules';
import type { Rule } from '../rule-api/rule';
import type { ProbeProvider } from './probes';
import { unreadableInFile, unreadableModules } from './unreadable-imports';
import { scopedImports, type ScopedImport } from './scoped-imports';

export const ANALYSIS_FAILED_CODE = 'analysis-failed';

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

  /**
   * Set when an analysis threw (a bug in nixkit): every rule finding is dropped (they would point into text that
   * may no longer exist), one finding says so, and the next update starts from scratch.
   */
  private failure?: { files: string[]; message: string };

  /** Analyses everything. */
  full(): void {
    try {
      this.fullUnguarded();
      this.failure = undefined;
    } catch (e) {
      this.failed(e, this.listFiles().slice(0, 1));
    }
  }

  private failed(e: unknown, files: string[]): void {
    this.unitFindings.clear();
    this.fileFindings.clear();
    this.projectFindings = [];
    const m = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    this.failure = { files, message: m.length > 200 ? m.slice(0, 200) + '…' : m };
  }

  private fullUnguarded(): void {
    this.scoped = undefined;
    this.project.analyzeAll();
    this.unitFindings.clear();
    for (const u of this.project.analysisUnits) this.unitFindings.set(u.file, this.runUnit(u));
    this.fileFindings.clear();
    for (const f of this.listFiles()) this.fileFindings.set(f, this.runFile(f));
    this.projectFindings = runProjectRules(this.rules, this.project, this.listFiles(), this.settings);
  }

  /** Re-analyses after files changed; returns the files whose findings may have changed. */
  update(changed: string[]): Set<string> {
    const before = new Set<string>([...this.findingsByFile().keys(), ...changed]);
    try {
      if (this.failure) {
        // The last analysis stopped half way: its state is not to be trusted, so start again.
        this.fullUnguarded();
        this.failure = undefined;
        return new Set([...before, ...this.findingsByFile().keys()]);
      }
      const touched = this.updateUnguarded(changed);
      this.failure = undefined;
      return touched;
    } catch (e) {
      this.failed(e, changed);
      return before;
    }
  }

  private updateUnguarded(changed: string[]): Set<string> {
    this.scoped = undefined;
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
    if (this.failure) return new Set(); // nothing to re-run until the next change analyses again
    const touched = new Set<string>();
    try {
      for (const u of this.project.analysisUnits) {
        for (const f of this.unitFindings.get(u.file) ?? []) touched.add(f.file);
        const now = this.runUnit(u);
        for (const f of now) touched.add(f.file);
        this.unitFindings.set(u.file, now);
      }
    } catch (e) {
      for (const f of this.findingsByFile().keys()) touched.add(f);
      this.failed(e, this.listFiles().slice(0, 1));
      for (const f of this.failure!.files) touched.add(f);
    }
    return touched;
  }

  setSettings(settings: RuleSettings): void {
    this.settings = settings;
    this.full();
  }

  /** All rule findings, deduplicated, by file. */
  findingsByFile(): Map<string, Finding[]> {
    if (this.failure) {
      const message = `nixkit could not analyse the configuration (${this.failure.message}); only syntax errors are shown until the next change. This is a bug in nixkit.`;
      const origin = { line: 0, character: 0 };
      return new Map(
        this.failure.files.map((file) => [
          file,
          [
            {
              file,
              range: { start: origin, end: origin },
              severity: 'warning',
              code: ANALYSIS_FAILED_CODE,
              message,
            },
          ],
        ]),
      );
    }
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
  /** The workspace's .nix files. */
  files(): string[] {
    return this.listFiles();
  }

  fileCount(): number {
    return this.listFiles().length;
  }

  private scoped?: Map<string, ScopedImport>;

  /** The files loaded with `scopedImport` (recomputed after each analysis): see scoped-imports.ts. */
  scopedImports(): Map<string, ScopedImport> {
    return (this.scoped ??= scopedImports(this.listFiles(), this.sources));
  }

  findingsFor(file: string): Finding[] {
    return this.findingsByFile().get(file) ?? [];
  }

  private runFile(file: string): Finding[] {
    return [
      ...unreadableInFile(file, this.sources),
      ...runFileRules(this.rules, file, this.sources, this.settings, (f) =>
        this.project.configurations.filter((c) => c.files.has(f)),
      ),
    ];
  }

  private runUnit(u: AnalysisUnit): Finding[] {
    const out: Finding[] = [];
    for (const c of u.configurations) {
      out.push(...unreadableModules(c, this.sources));
      // Each rule runs isolated (engine.ts): one rule's bug does not hide the others' findings.
      const probe = this.probes?.forConfiguration(c)?.report;
      out.push(...runConfigurationRules(this.rules, u, c, this.project, this.settings, probe));
    }
    return out;
  }
}
