// All NixOS configurations of a workspace, kept up to date incrementally: an edit to one file re-evaluates
// only the units (a flake, or a standalone configuration.nix) whose evaluation read that file.
import * as path from 'node:path';
import { NixosConfiguration } from './configuration';
import { configurationNixEntry, flakeEntries, type DiscoveredEntry } from './entries';
import { Evaluator } from './evaluator';
import { collectModules } from './modules';
import type { SourceProvider } from './sources';

export interface AnalysisUnit {
  /** flake.nix or configuration.nix that roots this unit. */
  file: string;
  kind: 'flake' | 'configuration.nix';
  evaluator: Evaluator;
  configurations: NixosConfiguration[];
  /** Every file read while evaluating the unit. */
  files: Set<string>;
}

export class Project {
  private units = new Map<string, AnalysisUnit>();
  /** Bumped on every change, so callers can cache per generation. */
  generation = 0;

  constructor(
    readonly sources: SourceProvider,
    /** All .nix files of the workspace (a flake or configuration.nix among them roots a unit). */
    private listFiles: () => string[],
  ) {}

  get configurations(): NixosConfiguration[] {
    return [...this.units.values()].flatMap((u) => u.configurations);
  }

  get analysisUnits(): AnalysisUnit[] {
    return [...this.units.values()];
  }

  /** Evaluates everything from scratch. */
  analyzeAll(): void {
    this.units.clear();
    const files = this.listFiles();
    for (const f of files.filter((f) => path.basename(f) === 'flake.nix'))
      this.units.set(f, this.evaluateFlake(f));
    this.refreshStandaloneConfigurations(files);
    this.generation++;
  }

  /**
   * Re-evaluates what depends on the changed files (edited, created or deleted) and returns the units that
   * were re-evaluated.
   */
  update(changed: string[]): AnalysisUnit[] {
    const files = this.listFiles();
    const redo = new Set<string>();
    for (const [root, unit] of this.units) {
      if (changed.some((c) => unit.files.has(c) || c === root)) redo.add(root);
      // A module that did not exist may have been created.
      if (
        unit.configurations.some((c) =>
          c.modules.some((m) => m.kind === 'missing' && changed.includes(m.file)),
        )
      )
        redo.add(root);
    }
    for (const c of changed) if (path.basename(c) === 'flake.nix') redo.add(c);
    const updated: AnalysisUnit[] = [];
    for (const root of redo) {
      if (!files.includes(root)) {
        this.units.delete(root);
        continue;
      }
      const unit =
        path.basename(root) === 'flake.nix' ? this.evaluateFlake(root) : this.evaluateConfigurationNix(root);
      this.units.set(root, unit);
      updated.push(unit);
    }
    updated.push(...this.refreshStandaloneConfigurations(files));
    this.generation++;
    return updated;
  }

  /** The units whose evaluation read a file. */
  unitsReading(file: string): AnalysisUnit[] {
    return [...this.units.values()].filter((u) => u.files.has(file));
  }

  private evaluateFlake(file: string): AnalysisUnit {
    const ev = new Evaluator(this.sources);
    let discovered: DiscoveredEntry[] = [];
    try {
      discovered = flakeEntries(ev, file);
    } catch {
      discovered = []; // a bug in the evaluator must not cost the user their diagnostics
    }
    return this.unitFrom(file, 'flake', ev, discovered);
  }

  private evaluateConfigurationNix(file: string): AnalysisUnit {
    const ev = new Evaluator(this.sources);
    const name = path.basename(path.dirname(file)) || 'configuration';
    return this.unitFrom(file, 'configuration.nix', ev, [configurationNixEntry(file, name)]);
  }

  private unitFrom(
    file: string,
    kind: AnalysisUnit['kind'],
    ev: Evaluator,
    discovered: DiscoveredEntry[],
  ): AnalysisUnit {
    const configurations: NixosConfiguration[] = [];
    const files = new Set<string>([file]);
    for (const d of discovered) {
      const before = new Set(ev.filesRead);
      const collected = collectModules(ev, d.roots, d.specialArgs);
      const own = new Set<string>([file]);
      for (const f of ev.filesRead) if (!before.has(f) || f === file) own.add(f);
      for (const m of collected.modules) if (m.kind === 'file' || m.kind === 'missing') own.add(m.file);
      for (const f of own) files.add(f);
      const broken = [...own].some((f) => this.sources.parsed(f)?.hasSyntaxErrors);
      configurations.push(new NixosConfiguration(d.entry, collected, own, broken));
    }
    for (const f of ev.filesRead) files.add(f);
    return { file, kind, evaluator: ev, configurations, files };
  }

  /** configuration.nix files that no flake configuration includes are configurations of their own. */
  private refreshStandaloneConfigurations(files: string[]): AnalysisUnit[] {
    const covered = new Set<string>();
    for (const u of this.units.values()) if (u.kind === 'flake') for (const f of u.files) covered.add(f);
    const updated: AnalysisUnit[] = [];
    const wanted = new Set(files.filter((f) => path.basename(f) === 'configuration.nix' && !covered.has(f)));
    for (const [root, u] of this.units)
      if (u.kind === 'configuration.nix' && !wanted.has(root)) this.units.delete(root);
    for (const f of wanted) {
      if (this.units.has(f)) continue;
      const unit = this.evaluateConfigurationNix(f);
      this.units.set(f, unit);
      updated.push(unit);
    }
    return updated;
  }
}
