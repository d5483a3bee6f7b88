// All NixOS machines of a workspace, kept up to date incrementally: an edit to one file re-evaluates only the
// units (a flake, a colmena hive.nix, a standalone configuration.nix, a machine named in nixkit.toml) whose
// evaluation read that file. Besides the configurations it analyses, the project keeps its coverage: every
// machine it found, read, partly read or not followed, and why.
import * as path from 'node:path';
import { walkExpr, type Binding, type Expr, type SourceFile, type StringPart } from '../syntax/ast';
import { NixosConfiguration, type ConfigurationEntry } from './configuration';
import {
  HIVE_META,
  NETWORK_TOOL_MODULES,
  configurationNixEntry,
  flakeEntries,
  hiveEntries,
  systemFileEntries,
  type CoverageStatus,
  type DiscoveredEntry,
} from './entries';
import { DEFAULT_FUEL, Evaluator } from './evaluator';

/** Evaluation steps one analysis unit may take in all, machine by machine (each gets up to DEFAULT_FUEL). */
const UNIT_FUEL = 8 * DEFAULT_FUEL;
import { VIRTUAL_PREFIX } from './virtual-files';
import { InputKinds, unknownInputPhrase, type InputKind } from './flake-inputs';
import type { FlakeModel } from './flake-model';
import { collectModules } from './modules';
import { gitAbsence, linkOutside } from './git-absence';
import { looksLikeRepositoryTop, repositoryTop } from './repository-top';
import { scriptMachines, systemChannel, type ScriptMachine } from './script-machines';
import { resolveImportPath, type SourceProvider } from './sources';
import { SNOWFALL_MODULES } from './snowfall';
import { known, type Source, type Value } from './value';

export type UnitKind = 'flake' | 'configuration.nix' | 'hive' | 'system' | 'nixkit.toml';

/** One machine as the coverage report shows it. */
export interface CoverageEntry {
  name: string;
  kind: ConfigurationEntry['kind'];
  /** The file that declares it (flake.nix, hive.nix, the configuration file). */
  file: string;
  at?: Source;
  status: CoverageStatus;
  reasons: string[];
  /** The analysed configuration (absent when not followed). */
  configuration?: NixosConfiguration;
}

export interface AnalysisUnit {
  /** The file that roots this unit (flake.nix, hive.nix, configuration.nix, or a nixkit.toml machine's file). */
  file: string;
  kind: UnitKind;
  evaluator: Evaluator;
  configurations: NixosConfiguration[];
  coverage: CoverageEntry[];
  /** Every file read while evaluating the unit. */
  files: Set<string>;
  /** For flakes: its inputs and outputs as modelled. */
  flake?: FlakeModel;
}

/** A machine named in nixkit.toml `[machines]`: a NixOS module file evaluated as a configuration of its own. */
export interface MachineSpec {
  name: string;
  file: string;
  system?: string;
}

export interface ProjectOptions {
  /** Machines named in nixkit.toml (absolute files). */
  machines?: () => MachineSpec[];
}

export class Project {
  private units = new Map<string, AnalysisUnit>();
  /** Bumped on every change, so callers can cache per generation. */
  generation = 0;

  constructor(
    readonly sources: SourceProvider,
    /** All .nix files of the workspace (a flake or configuration.nix among them roots a unit). */
    private listFiles: () => string[],
    private readonly options: ProjectOptions = {},
  ) {}

  get configurations(): NixosConfiguration[] {
    return [...this.units.values()].flatMap((u) => u.configurations);
  }

  /** Every machine found, in a stable order (by name, then file); with what Nix listed, where it was asked. */
  get coverage(): CoverageEntry[] {
    return [...this.units.values()]
      .flatMap((u) => this.withNixNames(u))
      .sort((a, b) => a.name.localeCompare(b.name) || a.file.localeCompare(b.file));
  }

  /** The names Nix itself lists in each flake's nixosConfigurations (`nixkit.evaluate`, `check --eval`). */
  private readonly nixNames = new Map<string, string[]>();

  /**
   * Records what Nix lists for a flake (undefined: forget it). Returns the machines nixkit found there that Nix
   * does not list: a bug in nixkit's discovery, to be logged.
   */
  setNixNames(flakeFile: string, names: string[] | undefined): string[] {
    if (!names) {
      this.nixNames.delete(flakeFile);
      return [];
    }
    this.nixNames.set(flakeFile, names);
    const unit = this.units.get(flakeFile);
    const listed = new Set(names);
    return (unit?.coverage ?? [])
      .filter((c) => c.kind === 'flake' && c.status !== 'not-followed' && !listed.has(c.name))
      .map((c) => c.name);
  }

  /**
   * A unit's coverage with Nix's list applied: a machine Nix lists that nixkit did not follow is `not-followed`
   * (at the nixosConfigurations nixkit could not follow, else at `outputs`); once Nix has said which machines
   * there are, an unfollowed nixosConfigurations hides nothing more.
   */
  private withNixNames(u: AnalysisUnit): CoverageEntry[] {
    const names = u.kind === 'flake' ? this.nixNames.get(u.file) : undefined;
    if (!names) return u.coverage;
    const whole = u.coverage.find(
      (c) => c.kind === 'flake' && c.name === 'nixosConfigurations' && c.status === 'not-followed',
    );
    const seen = new Set(u.coverage.filter((c) => c !== whole && c.kind === 'flake').map((c) => c.name));
    const out = u.coverage.filter((c) => c !== whole);
    for (const name of names) {
      if (seen.has(name)) continue;
      out.push({
        name,
        kind: 'flake',
        file: u.file,
        at: whole?.at ?? u.flake?.outputsAt,
        status: 'not-followed',
        reasons: [
          `Nix lists it, but nixkit could not follow how it is built${whole ? ` (${whole.reasons.join('; ')})` : ''}`,
        ],
      });
    }
    return out;
  }

  get analysisUnits(): AnalysisUnit[] {
    return [...this.units.values()];
  }

  /** Evaluates everything from scratch. */
  analyzeAll(): void {
    this.units.clear();
    this.scriptMachinesRead = undefined;
    this.channelRead = undefined;
    const files = this.listFiles();
    for (const f of files.filter((f) => path.basename(f) === 'flake.nix'))
      this.units.set(f, this.evaluate(f, 'flake'));
    this.dropTemplates();
    for (const m of this.machines()) this.units.set(m.file, this.evaluateMachine(m));
    this.refreshStandalone(files);
    this.generation++;
  }

  /**
   * Re-evaluates what depends on the changed files (edited, created or deleted) and returns the units that
   * were re-evaluated.
   */
  update(changed: string[]): AnalysisUnit[] {
    const files = this.listFiles();
    const redo = new Map<string, UnitKind>();
    for (const [root, unit] of this.units) {
      if (changed.some((c) => unit.files.has(c) || c === root)) redo.set(root, unit.kind);
      // A module that did not exist may have been created.
      if (
        unit.configurations.some((c) =>
          c.modules.some((m) => m.kind === 'missing' && changed.includes(m.file)),
        )
      )
        redo.set(root, unit.kind);
    }
    for (const c of changed) if (path.basename(c) === 'flake.nix') redo.set(c, 'flake');
    const machines = new Map(this.machines().map((m) => [m.file, m]));
    const updated: AnalysisUnit[] = [];
    for (const [root, kind] of redo) {
      const machine = machines.get(root);
      if (!files.includes(root) && !(machine && this.sources.exists(root))) {
        this.units.delete(root);
        continue;
      }
      const unit = machine ? this.evaluateMachine(machine) : this.evaluate(root, kind);
      this.units.set(root, unit);
      updated.push(unit);
    }
    this.dropTemplates();
    updated.push(...this.refreshStandalone(files));
    this.generation++;
    return updated.filter((u) => this.units.get(u.file) === u);
  }

  /** The units whose evaluation read a file. */
  unitsReading(file: string): AnalysisUnit[] {
    return [...this.units.values()].filter((u) => u.files.has(file));
  }

  /** The folders flakes name as templates (`templates.<name>.path`): a flake in one is a skeleton, not a machine. */
  readonly templateDirs = new Set<string>();

  private dropTemplates(): void {
    this.templateDirs.clear();
    for (const u of this.units.values())
      for (const d of u.flake?.templateDirs ?? []) this.templateDirs.add(d);
    const under = (f: string) => [...this.templateDirs].some((d) => f === d || f.startsWith(d + path.sep));
    for (const [root, u] of this.units) if (u.kind === 'flake' && under(root)) this.units.delete(root);
  }

  private machines(): MachineSpec[] {
    try {
      return this.options.machines?.() ?? [];
    } catch {
      return [];
    }
  }

  private evaluate(file: string, kind: UnitKind): AnalysisUnit {
    const ev = new Evaluator(this.sources);
    let discovered: DiscoveredEntry[] = [];
    let flake: FlakeModel | undefined;
    try {
      if (kind === 'flake') {
        const found = flakeEntries(ev, file);
        // `outputs = args: (import ../flake.nix).outputs args;`: machines written in another flake of the
        // workspace are that flake's, listed and checked there once.
        const flakes = new Set(this.listFiles().filter((f) => path.basename(f) === 'flake.nix'));
        // So are machines this flake only re-exports from another flake of the workspace: a `path:` input's
        // (`x = inputs.x.nixosConfigurations.x`), or one whose nixosSystem call is written in that flake.nix.
        const elsewhere = (f: string | undefined) => !!f && f !== file && flakes.has(f);
        discovered = found.entries.filter((d) => {
          const at = d.entry.at?.file;
          if (elsewhere(d.fromFlake)) return false;
          const call = d.entry.builtAt?.[0];
          const callFile = call?.slice(0, call.lastIndexOf(':'));
          // (only a call that makes one of that flake's own machines: a builder function it exports is not one)
          if (
            call &&
            elsewhere(callFile) &&
            inMachineOutput(
              this.sources.parsed(callFile!)?.ast.expr,
              Number(call.slice(call.lastIndexOf(':') + 1)),
            )
          )
            return false;
          return !at || at === file || !flakes.has(at);
        });
        flake = found.model;
      } else if (kind === 'system') {
        discovered = systemFileEntries(ev, file);
      } else if (kind === 'hive') {
        let hive: Value = ev.force(ev.fileThunk(file));
        if (hive.t === 'lambda')
          hive = ev.callLambda(hive.expr, hive.env, hive.file, {
            value: { t: 'attrs', attrs: new Map(), dynamic: false },
          });
        // A colmena hive has `meta`, whatever its file's name; the rest are NixOps or morph networks.
        const colmena = path.basename(file) === 'hive.nix' || (hive.t === 'attrs' && hive.attrs.has('meta'));
        discovered = hiveEntries(ev, hive, file, !colmena);
      } else {
        // A wrapper named for what it builds (`sd-image.nix`) is called so; configuration.nix by its folder.
        const base = path.basename(file);
        const name =
          base === 'configuration.nix' || base === 'default.nix'
            ? path.basename(path.dirname(file)) || 'configuration'
            : base.replace(/\.nix$/, '');
        discovered = [configurationNixEntry(file, name)];
        discovered[0].entry.scriptNixpkgs =
          this.scriptMachinesRead?.find((m) => m.file === file)?.nixpkgs ??
          this.kropsNixpkgs.get(file) ??
          this.installChannel();
        const script = this.builtWithEvalConfig.get(file);
        if (script) {
          // What else the script's eval-config.nix call adds is not read: rules about something missing stay quiet.
          discovered[0].roots.push(
            known({ t: 'unknown', src: { file: script, span: { start: 0, end: 0 } } }),
          );
          discovered[0].reasons.push(
            `${path.relative(path.dirname(file), script)} builds it with eval-config.nix, with modules nixkit does not add`,
          );
        }
      }
    } catch {
      discovered = []; // a bug in the evaluator must not cost the user their diagnostics
    }
    return this.unitFrom(file, kind, ev, discovered, flake);
  }

  private evaluateMachine(m: MachineSpec): AnalysisUnit {
    const ev = new Evaluator(this.sources);
    const system: Value | undefined = m.system ? { t: 'str', v: m.system } : undefined;
    return this.unitFrom(m.file, 'nixkit.toml', ev, [
      configurationNixEntry(m.file, m.name, 'nixkit.toml', system),
    ]);
  }

  private unitFrom(
    file: string,
    kind: UnitKind,
    ev: Evaluator,
    discovered: DiscoveredEntry[],
    flake?: FlakeModel,
  ): AnalysisUnit {
    const configurations: NixosConfiguration[] = [];
    const coverage: CoverageEntry[] = [];
    const files = new Set<string>([file]);
    const kinds = new InputKinds(flake?.inputs);
    // A fleet's machines share most files: each file's syntax state is looked up once.
    const errors = new Map<string, boolean>();
    const hasErrors = (f: string) => {
      let e = errors.get(f);
      if (e === undefined) errors.set(f, (e = !!this.sources.parsed(f)?.hasSyntaxErrors));
      return e;
    };
    const collectedOf = new Map<DiscoveredEntry, NixosConfiguration>();
    // Each machine gets the evaluator's bound again (up to UNIT_FUEL in all): a fleet's first machines must not
    // use up what the last ones need. Once it ran out, cached values may be unknown for that reason alone, and
    // every machine after says so.
    let granted = 0;
    let exhausted = ev.fuel < 0;
    // Files read to find the machines (a `base.nix` giving nixosSystem its `system` and `modules`): one with
    // syntax errors is refused by Nix, so what nixkit recovered from it builds nothing certain.
    const brokenHelpers = [...ev.filesRead].filter((f) => f !== file && f.endsWith('.nix') && hasErrors(f));
    for (const d of discovered) {
      const base = { name: d.entry.name, kind: d.entry.kind, file: d.entry.file, at: d.entry.at };
      if (d.status === 'not-followed') {
        coverage.push({ ...base, status: 'not-followed', reasons: d.reasons });
        continue;
      }
      // Files read first by this configuration come after the others in the (insertion-ordered) set; a fleet's
      // shared modules were read by an earlier one and join through `collected.modules`.
      const readBefore = ev.filesRead.size;
      const topUp = Math.min(DEFAULT_FUEL - Math.max(ev.fuel, 0), UNIT_FUEL - granted);
      if (topUp > 0) {
        ev.fuel = Math.max(ev.fuel, 0) + topUp;
        granted += topUp;
      }
      const collected = collectModules(ev, d.roots, d.specialArgs);
      if (ev.fuel < 0) exhausted = true;
      const own = new Set<string>([file]);
      let i = 0;
      for (const f of ev.filesRead) if (i++ >= readBefore) own.add(f);
      for (const m of collected.modules) if (m.kind === 'file' || m.kind === 'missing') own.add(m.file);
      for (const f of own) files.add(f);
      // Files read as data (`readFile ./key.pub`) are not Nix: only modules and .nix files can be broken Nix.
      const ownBroken =
        // (an inline module written in a file nixkit cannot read whole: a flake-parts `flake.modules.nixos.x`)
        collected.modules.some((m) => (m.kind === 'file' || m.kind === 'inline') && hasErrors(m.file)) ||
        [...own].some((f) => f.endsWith('.nix') && hasErrors(f));
      const broken = ownBroken || brokenHelpers.length > 0;
      const config = new NixosConfiguration(d.entry, collected, own, broken);
      collectedOf.set(d, config);
      const twin = d.sameNameAs && collectedOf.get(d.sameNameAs);
      if (twin && moduleFiles(config).every((f) => twin.files.has(f))) continue; // one machine, checked once
      const missing = d.entry.system?.t === 'unknown' ? d.entry.system.missingAttr : undefined;
      if (
        missing &&
        config.value('nixpkgs.hostPlatform').state === 'unset' &&
        config.value('nixpkgs.system').state === 'unset'
      ) {
        // `nixosSystem { inherit (c) system; … }` for a `c` without `system` (a group of modules merged into the
        // real hosts): Nix stops there, so it is no machine to check.
        coverage.push({
          ...base,
          status: 'not-followed',
          reasons: [
            `evaluating it fails: attribute '${missing}' missing (what builds it gives nixosSystem no ${missing})`,
          ],
        });
        continue;
      }
      // Paths are told from the flake's folder; a network or configuration.nix deeper in a repository reaches
      // its shared modules with `../..`, so for them the workspace's folder is the repository.
      const top = kind === 'flake' ? path.dirname(file) : commonFolder(this.listFiles());
      config.reasons = [
        ...d.reasons,
        ...brokenHelpers.map(
          (f) =>
            `${path.relative(top || path.dirname(file), f)}, which ${path.basename(file)} reads to build its machines, has syntax errors (Nix refuses it)`,
        ),
        ...this.unreadParts(config, kinds, top || path.dirname(file), exhausted).filter(
          (r) => ownBroken || r !== SOME_FILES_BROKEN,
        ),
      ];
      config.status = d.status === 'partial' || config.reasons.length ? 'partial' : 'read';
      configurations.push(config);
      coverage.push({ ...base, status: config.status, reasons: config.reasons, configuration: config });
    }
    for (const f of ev.filesRead) files.add(f);
    return { file, kind, evaluator: ev, configurations, coverage, files, flake };
  }

  /** What of a configuration nixkit could not read: modules it cannot work out or find, broken files. */
  private unreadParts(
    config: NixosConfiguration,
    kinds: Map<string, InputKind | undefined>,
    dir: string,
    /** The evaluation stopped at its bound: what it could not work out is said once, with why. */
    outOfFuel = false,
  ): string[] {
    const out = new Set<string>();
    if (outOfFuel)
      out.add(
        `nixkit stopped evaluating: it follows at most ${DEFAULT_FUEL.toLocaleString('en')} steps of evaluation ` +
          `per machine (${UNIT_FUEL.toLocaleString('en')} per flake or file), and this one or one before it needed more; what it had not reached is unknown`,
      );
    const where = (src: Source | undefined) => {
      // Something nixkit's own lib model made has no place in the user's files worth naming.
      if (!src || src.file.startsWith(VIRTUAL_PREFIX)) return '';
      const line = this.sources.parsed(src.file)?.lines.rangeOf(src.span).start.line;
      return ` (${path.relative(dir, src.file) || path.basename(src.file)}${line !== undefined ? `:${line + 1}` : ''})`;
    };
    for (const m of config.modules) {
      if (m.kind === 'unknown') {
        // (the stand-in for what a script's eval-config.nix call adds: said by its own reason)
        const script = m.src?.span.end === 0 && [...this.builtWithEvalConfig.values()].includes(m.src.file);
        if (!outOfFuel && !script) out.add(`a module nixkit cannot work out${where(m.src)}`);
      } else if (m.kind === 'missing') {
        const rel = path.relative(dir, m.file);
        const absent = rel.startsWith('..') ? undefined : gitAbsence(m.file);
        const link = rel.startsWith('..') ? undefined : linkOutside(m.file, dir);
        out.add(
          rel.startsWith('..')
            ? `${m.file}, outside the repository, is not on this machine`
            : link
              ? `${rel} links to ${link}, outside the repository, which is not on this machine`
              : absent
                ? `${rel} is not in this checkout (${absent})`
                : `${rel} does not exist`,
        );
      } else if (m.kind === 'external') {
        const why = externalModuleReason(m.name, kinds);
        if (why) out.add(why);
      }
    }
    // (a syntax error, or syntax this Nix does not know that the repository turns on: the pipe operators)
    if (config.hasSyntaxErrors) out.add(SOME_FILES_BROKEN);
    return [...out];
  }

  /**
   * Standalone machines, found by file name only where nothing else defines machines: a configuration.nix (or a
   * colmena hive.nix) outside every flake's folder, not read by a nixkit.toml machine, and that no other file
   * imports (the /etc/nixos layout, and repositories of such folders, one per host).
   */
  private refreshStandalone(files: string[]): AnalysisUnit[] {
    this.scripted.clear();
    const covered = new Set<string>();
    for (const u of this.units.values())
      if (u.kind === 'flake' || u.kind === 'nixkit.toml') for (const f of u.files) covered.add(f);
    // A flake that defines no machine and nothing nixkit could not follow (only a dev shell, packages) leaves
    // its folder to the layouts below: its repository's machines are configuration.nix files or networks.
    const flakeDirs = files
      .filter((f) => path.basename(f) === 'flake.nix')
      .filter((f) => {
        const u = this.units.get(f);
        return !u || u.coverage.length > 0;
      })
      .map((f) => path.dirname(f));
    const inTemplate = (f: string) => [...this.templateDirs].some((d) => f.startsWith(d + path.sep));
    const inFlake = (f: string) => flakeDirs.some((d) => f.startsWith(d + path.sep)) || inTemplate(f);
    // Networks and hives are told by what they hold, so a flake beside them does not make them modules:
    // `nixops create pi/nixops.nix` and colmena in a folder with a hive.nix build them whatever the flake says.
    // Below a flake nixkit could not follow, they may be what that flake reads, and stay its part.
    const opaqueFlakeDirs = files
      .filter((f) => path.basename(f) === 'flake.nix')
      .filter((f) => this.units.get(f)?.coverage.some((c) => c.status === 'not-followed') ?? true)
      .map((f) => path.dirname(f));
    const inOpaqueFlake = (f: string) =>
      opaqueFlakeDirs.some((d) => f.startsWith(d + path.sep)) || inTemplate(f);
    const builders = this.networkBuilders(files);
    const hives = files.filter(
      (f) =>
        (path.basename(f) === 'hive.nix' || (this.isNetworkFile(f) && !builders.has(f))) &&
        !covered.has(f) &&
        !inOpaqueFlake(f) &&
        (!inFlake(f) || this.isDeclaredNetwork(f)),
    );
    for (const h of hives) covered.add(h);
    this.notNixos = [];
    this.splitNetworks(files, hives, covered, inFlake);
    // Files whose value is a NixOS system built with eval-config.nix (a "pivot" pinning nixpkgs).
    const systems = files.filter(
      (f) =>
        path.basename(f) !== 'configuration.nix' && !covered.has(f) && !inFlake(f) && this.isSystemFile(f),
    );
    for (const f of systems) covered.add(f);
    const top = commonFolder(files);
    let candidates = files.filter((f) => {
      if (path.basename(f) !== 'configuration.nix' || covered.has(f) || inFlake(f)) return false;
      const why = this.notNixosWhy(f, top);
      if (why) this.notNixos.push({ file: f, why });
      return !why;
    });
    // Files the repository's scripts pass as `nixos-config` (any name): each is a whole machine.
    const taken = new Set(candidates);
    for (const { file } of this.scriptMachines(files, top))
      if (file && !taken.has(file) && !covered.has(file) && !inFlake(file) && !this.notNixosWhy(file, top)) {
        this.scripted.add(file);
        taken.add(file);
      }
    this.importedConfigurations = [];
    if (candidates.length) {
      const importers = this.importersOf(files, candidates);
      candidates = candidates.filter((c) => {
        if (!this.importedFromOutside(c, importers)) return true;
        this.importedConfigurations.push({ file: c, importers: importers.get(c) ?? [] });
        return false;
      });
    }
    const updated: AnalysisUnit[] = [];
    const ensure = (f: string, kind: UnitKind) => {
      const known = this.units.get(f);
      if (known?.kind === kind) return known;
      const unit = this.evaluate(f, kind);
      this.units.set(f, unit);
      updated.push(unit);
      return unit;
    };
    // Below a hive or network nixkit could not follow entirely, a configuration.nix may be one of its nodes
    // (hosts from `readDir`): as inside a flake's folder, its name does not make it a machine of its own.
    const opaqueHives = hives
      .filter((h) => ensure(h, 'hive').coverage.some((c) => c.status === 'not-followed'))
      .map((h) => ({ hive: h, dir: path.dirname(h) }));
    candidates = candidates.filter((c) => {
      const under = opaqueHives.find((h) => c.startsWith(h.dir + path.sep));
      if (!under) return true;
      this.notNixos.push({
        file: c,
        why:
          `it lies below ${path.relative(top, under.hive) || under.hive}, which nixkit could not follow entirely, ` +
          'and may be one of its machines',
      });
      return false;
    });
    const wanted = new Map<string, UnitKind>([
      ...hives.map((h): [string, UnitKind] => [h, 'hive']),
      ...systems.map((f): [string, UnitKind] => [f, 'system']),
      ...candidates.map((c): [string, UnitKind] => [c, 'configuration.nix']),
      ...[...this.scripted].map((c): [string, UnitKind] => [c, 'configuration.nix']),
    ]);
    for (const [root, u] of this.units)
      if ((u.kind === 'configuration.nix' || u.kind === 'hive' || u.kind === 'system') && !wanted.has(root))
        this.units.delete(root);
    for (const [f, kind] of wanted) ensure(f, kind);
    // A machine importing a configuration.nix git ignores (`./host/configuration.nix`, a per-machine link to
    // `hosts/<name>`): the configuration.nix files below the link's folder are what it points at, fragments that
    // need that machine's modules, not machines of their own.
    for (const u of [...this.units.values()]) {
      if (u.kind !== 'configuration.nix' || this.units.get(u.file) !== u) continue; // (dropped as another's target)
      const link = u.configurations
        .flatMap((c) => c.modules)
        .find(
          (m) =>
            m.kind === 'missing' &&
            path.basename(m.file) === 'configuration.nix' &&
            !this.sources.isDirectory(path.dirname(m.file)) &&
            !!gitAbsence(m.file),
        );
      if (link?.kind !== 'missing') continue;
      const top = path.dirname(path.dirname(link.file));
      for (const other of [...this.units.values()]) {
        if (other === u || other.kind !== 'configuration.nix' || !other.file.startsWith(top + path.sep))
          continue;
        this.units.delete(other.file);
        this.notNixos.push({
          file: other.file,
          why:
            `${path.relative(path.dirname(other.file), u.file)} imports ${path.relative(path.dirname(u.file), link.file)}, ` +
            'which git ignores (a per-machine link): this file may be what it points at, not a machine of its own',
        });
      }
    }
    // A configuration.nix that a hive reads is one of its nodes' modules.
    for (const u of [...this.units.values()])
      if (u.kind === 'configuration.nix')
        for (const h of this.units.values())
          if (h.kind === 'hive' && h.files.has(u.file)) this.units.delete(u.file);
    // Imported configuration.nix files that no machine reads, where the importer says how they are built.
    for (const f of this.builtByImporters()) {
      if (this.units.has(f)) continue;
      const unit = this.evaluate(f, 'configuration.nix');
      this.units.set(f, unit);
      updated.push(unit);
    }
    return updated;
  }

  /** Files scripts pass as `nixos-config`, made machines by refreshStandalone. */
  private readonly scripted = new Set<string>();
  /** What the scripts name, read once per full analysis (scripts are not .nix files the editor reports). */
  private scriptMachinesRead?: ScriptMachine[];

  /** Scripts that pass a `nixos-config` nixkit cannot resolve to a file (where no flake defines machines). */
  get unresolvedScriptMachines(): ScriptMachine[] {
    return (this.scriptMachinesRead ?? []).filter((m) => !m.file);
  }

  /** The system channel the repository's install scripts add, read once per full analysis. */
  private channelRead?: { url: string | undefined };

  private installChannel(): string | undefined {
    if (!this.channelRead) {
      const files = this.listFiles();
      const top = files.length ? repositoryTop(commonFolder(files) || path.dirname(files[0])) : undefined;
      this.channelRead = {
        url: top ? systemChannel(top, this.sources, looksLikeRepositoryTop(top)) : undefined,
      };
    }
    return this.channelRead.url;
  }

  private scriptMachines(files: string[], top: string): ScriptMachine[] {
    if (this.scriptMachinesRead) return this.scriptMachinesRead;
    // Only a checkout's scripts, and its subfolders' only where the top is one (a loose file in /tmp or a home
    // folder must not send nixkit through every folder beside it).
    const repo = top ? repositoryTop(top) : undefined;
    return (this.scriptMachinesRead = repo
      ? scriptMachines(repo, files, this.sources, looksLikeRepositoryTop(repo))
      : []);
  }

  /**
   * Entry points the files importing an unfollowed configuration.nix reveal (see unfollowedConfigurations):
   * - a script that builds it as a whole system (`import <nixpkgs/nixos> { configuration = ./x/configuration.nix; }`,
   *   deployed with `nixos-rebuild -I nixos-config=./x/configuration.nix`): the configuration.nix is a machine;
   * - a wrapper that adds one of nixpkgs' installer or SD-card image modules to it (`sd-image.nix`, built with
   *   `-I nixos-config=./sd-image.nix`): the wrapper is the machine;
   * - krops sources (`krops.lib.evalSource [{ "configuration.nix".file = toString ../configuration.nix; … }]`):
   *   the configuration.nix is the target's `nixos-config`, a machine;
   * - a release.nix that builds each host's configuration.nix with eval-config.nix: each is a machine.
   */
  private builtByImporters(): string[] {
    const out = new Set<string>();
    this.builtWithEvalConfig.clear();
    this.kropsNixpkgs.clear();
    for (const c of this.unfollowedConfigurations)
      for (const imp of c.importers) {
        const parsed = this.sources.parsed(imp);
        const text = parsed?.lines.text ?? '';
        // A wrapper is a module itself: a set, or a function of the module arguments.
        const top = parsed?.ast.expr;
        // (`{ nixpkgs ? import ./nixpkgs.nix, system ? "x86_64-linux" }: …` is a script's function, not a module)
        const isModule =
          top?.kind === 'attrs' ||
          (top?.kind === 'lambda' &&
            !!top.formals &&
            (top.ellipsis || top.formals.every((f) => MODULE_ARGUMENTS.has(f.name.name))));
        // Only `<nixpkgs/nixos>`, whose `configuration` is the whole machine: eval-config.nix's `modules` may
        // add files (a hardware-configuration.nix) that a machine of configuration.nix alone would lack.
        // krops ships the file to the target as its `nixos-config` (`krops.lib.evalSource [{ nixos-config… }]`);
        // a release.nix builds each host's configuration.nix with eval-config.nix (`modules = [ conf ]`).
        if (/\bevalSource\b/.test(text) && /nixos-config/.test(text)) {
          out.add(c.file);
          const pin = kropsNixpkgsRef(text);
          if (pin) this.kropsNixpkgs.set(c.file, pin);
        } else if (/nixos\/lib\/eval-config\.nix/.test(text)) {
          out.add(c.file);
          this.builtWithEvalConfig.set(c.file, imp);
        } else if (isModule) {
          if (INSTALLER_MODULE.test(text)) out.add(imp);
        } else if (/<nixpkgs\/nixos>/.test(text)) out.add(c.file);
      }
    return [...out];
  }

  /** configuration.nix files a krops source ships as `nixos-config`: the nixpkgs branch that source pins. */
  private readonly kropsNixpkgs = new Map<string, string>();

  /**
   * configuration.nix files a script builds with eval-config.nix, by the script: its `modules` may add others
   * (a hardware-configuration.nix) that nixkit does not add, so the machine is partly read.
   */
  private readonly builtWithEvalConfig = new Map<string, string>();

  /** configuration.nix files that are no NixOS machine nixkit can check, and why: nix-darwin's, home-manager's, a template to copy,
   * or a file it cannot read (encrypted). */
  notNixos: { file: string; why: string }[] = [];

  /** Why a configuration.nix is no NixOS machine; `top` is the workspace's folder, not counted as a template's. */
  private notNixosWhy(f: string, top: string): string | undefined {
    const rel = path.relative(top, f).split(path.sep);
    if (rel.slice(0, -1).some((d) => d === 'template' || d === 'templates'))
      return 'it lies in a templates folder: a file to copy, not a machine';
    const parsed = this.sources.parsed(f);
    // Encrypted (git-crypt, age), binary or too large: its own finding says so; nothing of it is known.
    if (!parsed && this.sources.exists(f)) return 'nixkit cannot read it as Nix text (see its finding)';
    const expr = parsed?.ast.expr;
    const marker = expr && darwinMarker(expr);
    if (marker) return `it is a nix-darwin configuration (${marker}), not NixOS`;
    const home = expr && homeManagerMarker(expr);
    return home ? `it is a home-manager configuration (${home}), not NixOS` : undefined;
  }

  /** configuration.nix files outside flakes that another file imports, so not machines (refreshStandalone). */
  private importedConfigurations: { file: string; importers: string[] }[] = [];

  /**
   * configuration.nix files that are no machine because other files import them, where none of those files is
   * part of a machine nixkit checks either (a NixOps network split over files it does not recognise, a script's
   * own evaluation): nixkit checks none of it, and says so.
   */
  get unfollowedConfigurations(): { file: string; importers: string[] }[] {
    const read = new Set<string>();
    for (const u of this.units.values()) for (const f of u.files) read.add(f);
    return this.importedConfigurations.filter(
      (c) => !read.has(c.file) && !c.importers.some((f) => read.has(f)),
    );
  }

  /** What this project worked out from each file's syntax tree, per question: trees are replaced when edited. */
  private readonly byAst = new Map<string, WeakMap<object, unknown>>();

  /** `compute` of a file's tree, once per tree and question; undefined when the file has none. */
  private perAst<T>(question: string, f: string, compute: (ast: SourceFile) => T): T | undefined {
    const ast = this.sources.parsed(f)?.ast;
    if (!ast) return undefined;
    let memo = this.byAst.get(question);
    if (!memo) this.byAst.set(question, (memo = new WeakMap()));
    if (memo.has(ast)) return memo.get(ast) as T;
    const value = compute(ast);
    memo.set(ast, value);
    return value;
  }

  /**
   * A NixOps or morph network file (`{ network.description = …; web = { … }; }`): a hive of machines whatever its
   * name. Told from the text alone: a set (perhaps inside a function or `let`) with a `network` attribute and
   * at least one other.
   */
  private isNetworkFile(f: string): boolean {
    return !!this.perAst(
      'network',
      f,
      (ast) =>
        !!ast.expr &&
        !isModuleFunction(ast.expr) &&
        (isNetworkShape(networkBody(ast.expr)) || this.networkBuilderOf(f) !== undefined),
    );
  }

  /**
   * NixOps networks split over files that `nixops create logical.nix physical.nix` joins:
   * - a file without its own `network` set whose machines another network in its folder names (the physical
   *   half: `web.deployment.targetEnv = "virtualbox"`) is that network's part, not machines of its own;
   * - a file with a `network` set but no machine (`network.enableRollback = true; defaults = …;`) joins files
   *   nixkit cannot tell: named in a note.
   * Drops the halves from `hives` (in place).
   */
  private splitNetworks(
    files: string[],
    hives: string[],
    covered: Set<string>,
    inFlake: (f: string) => boolean,
  ): void {
    const declared = hives.filter((h) => path.basename(h) !== 'hive.nix' && this.isDeclaredNetwork(h));
    for (const h of [...hives]) {
      if (path.basename(h) === 'hive.nix' || declared.includes(h)) continue;
      const names = this.networkNodeNames(h);
      const whole = declared.find(
        (d) =>
          path.dirname(d) === path.dirname(h) &&
          names.length > 0 &&
          names.every((n) => this.networkNodeNames(d).includes(n)),
      );
      if (!whole) continue;
      hives.splice(hives.indexOf(h), 1);
      this.notNixos.push({
        file: h,
        why:
          `its machines are those of ${path.basename(whole)}, which NixOps deploys together with it ` +
          `(\`nixops create ${path.basename(whole)} ${path.basename(h)}\`): checked there, without this file's part`,
      });
    }
    for (const f of files) {
      if (covered.has(f) || inFlake(f) || !this.isDeclaredNetwork(f) || this.networkNodeNames(f).length)
        continue;
      this.notNixos.push({
        file: f,
        why:
          'it is part of a NixOps network with no machine of its own: NixOps joins it with other files ' +
          '(`nixops create a.nix b.nix …`), which nixkit cannot tell, so their machines are not checked',
      });
    }
  }

  /** The machines a network file names at its top (`web = { … }`), past `network`, `defaults` and the like. */
  private networkNodeNames(f: string): string[] {
    return (
      this.perAst('network-nodes', f, (ast) => {
        if (!ast.expr) return [];
        const body = networkBody(ast.expr);
        const sets = body.kind === 'binary' && body.op === '//' ? [body.left, body.right] : [body];
        const names: string[] = [];
        for (const x of sets) {
          const e = x.kind === 'paren' ? x.expr : x;
          if (e.kind !== 'attrs') continue;
          for (const b of e.bindings) {
            const n = b.path[0]?.name;
            if (n !== undefined && !HIVE_META.has(n) && !names.includes(n)) names.push(n);
          }
        }
        return names;
      }) ?? []
    );
  }

  /**
   * A network or hive that says what it is in so many words: a NixOps or morph `network` set
   * (`network.description = …`), or a hive.nix with colmena's `meta`. Inside a flake's folder only these
   * count: there, other sets of that shape are the flake's own data (an std hive.nix, ESPHome's `network`).
   */
  private isDeclaredNetwork(f: string): boolean {
    return !!this.perAst('declared-network', f, (ast) => {
      if (!ast.expr) return false;
      const body = networkBody(ast.expr);
      const sets = body.kind === 'binary' && body.op === '//' ? [body.left, body.right] : [body];
      return sets.some((x) => {
        const e = x.kind === 'paren' ? x.expr : x;
        if (e.kind !== 'attrs') return false;
        if (path.basename(f) === 'hive.nix') return e.bindings.some((b) => b.path[0]?.name === 'meta');
        return e.bindings.some(isNetworkBinding);
      });
    });
  }

  /**
   * The builder a network file calls (`import ../lib/make-grid.nix { name = …; nodes = { … }; }`), when that
   * file is a function whose body is a network (`{ network = { … }; } // nodes`): the calling file is the
   * network, and the builder is none of its own (networkBuilders).
   */
  private networkBuilderOf(f: string): string | undefined {
    const top = this.sources.parsed(f)?.ast.expr;
    const e = top && pastLetAndParens(top);
    if (e?.kind !== 'apply') return undefined;
    let fn = e.fn;
    while (fn.kind === 'paren') fn = fn.expr;
    if (fn.kind !== 'apply' || fn.fn.kind !== 'var' || fn.fn.name !== 'import' || fn.arg.kind !== 'path')
      return undefined;
    const target = staticPaths(fn.arg, path.dirname(f))[0];
    if (!target) return undefined;
    const builder = resolveImportPath(target, this.sources);
    const body = this.sources.parsed(builder)?.ast.expr;
    return body?.kind === 'lambda' && isNetworkShape(networkBody(body)) ? builder : undefined;
  }

  /** The builders network files call (networkBuilderOf): functions, not networks of their own. */
  private networkBuilders(files: string[]): Set<string> {
    const out = new Set<string>();
    for (const f of files) {
      const b = this.isNetworkFile(f) ? this.networkBuilderOf(f) : undefined;
      if (b) out.add(b);
    }
    return out;
  }

  /**
   * A file whose value is a call of eval-config.nix or `<nixpkgs/nixos>` (past `let` and parentheses), or a set
   * of such calls: told from the text, then evaluated (systemFileEntries keeps only real systems).
   */
  private isSystemFile(f: string): boolean {
    const parsed = this.sources.parsed(f);
    if (
      !parsed?.ast.expr ||
      !/nixos\/lib\/eval-config\.nix|<nixpkgs\/nixos\/lib\/eval-config/.test(parsed.lines.text)
    )
      return false;
    return !!this.perAst('system', f, (ast) => {
      const e = ast.expr && pastLetAndParens(ast.expr);
      const isCall = (x: Expr) => (x.kind === 'paren' ? x.expr : x).kind === 'apply';
      return (
        !!e &&
        (isCall(e) ||
          (e.kind === 'attrs' && e.bindings.length > 0 && e.bindings.every((b) => isCall(b.value))))
      );
    });
  }

  /** The files a file names with path literals (`./configuration.nix`), itself left out. */
  private staticImports(f: string): string[] {
    // `./hosts` names hosts/default.nix, as `import` reads it.
    return (
      this.perAst('imports', f, (ast) =>
        staticPaths(ast.expr, path.dirname(f))
          .map((p) => resolveImportPath(p, this.sources))
          .filter((p) => p !== f),
      ) ?? []
    );
  }

  /**
   * For every file some .nix file of the workspace names with a path literal, and for each of `targets` a computed
   * path can name: the files that name it.
   */
  /**
   * Files at the top of the repository that are whole machines by their content (a boot loader and a root
   * filesystem: `archon.nix`, `forge.nix` of an old `/etc/nixos` checkout, each linked as configuration.nix on
   * its machine) but that no machine nixkit found reads and no other file imports. They are named in notes,
   * not made machines: what builds them is not in the repository.
   */
  unbuiltMachineFiles(files: string[], read: Set<string>): string[] {
    const top = commonFolder(files);
    const candidates = files.filter(
      (f) =>
        path.dirname(f) === top &&
        !read.has(f) &&
        !NOT_MACHINE_FILES.has(path.basename(f)) &&
        this.perAst('whole-machine', f, (ast) => wholeMachineModule(ast.expr)) === true,
    );
    if (!candidates.length) return [];
    const importers = this.importersOf(files, candidates);
    return candidates.filter((c) => !this.importedFromOutside(c, importers)).sort();
  }

  private importersOf(files: string[], targets: string[]): Map<string, string[]> {
    const out = new Map<string, string[]>();
    const add = (p: string, f: string) => out.set(p, [...(out.get(p) ?? []), f]);
    for (const f of files) for (const p of this.staticImports(f)) add(p, f);
    // Computed paths (`./. + "/hosts/${hostName}/configuration.nix"`): every target they can name is imported.
    // Only the targets asked about are tried (a few configuration.nix files, not every file of a large tree).
    for (const f of files) {
      const patterns = this.pathPatterns(f);
      if (!patterns.length) continue;
      for (const target of targets)
        if (target !== f && patterns.some((re) => re.test(target) || re.test(path.dirname(target))))
          add(target, f);
    }
    return out;
  }

  /** The paths a file computes from a literal folder and interpolated names, as patterns over file paths. */
  private pathPatterns(f: string): RegExp[] {
    return this.perAst('patterns', f, (ast) => computedPaths(ast.expr, path.dirname(f))) ?? [];
  }

  /**
   * Whether a file is imported as a module by a file that is not part of its own module tree: an import cycle
   * back to it (`hosts/default.nix` importing `../configuration.nix` that imports `./hosts`) does not make it
   * someone else's module.
   */
  private importedFromOutside(c: string, importers: Map<string, string[]>): boolean {
    const by = importers.get(c);
    if (!by?.length) return false;
    const own = new Set<string>([c]);
    const queue = [c];
    for (let i = 0; i < queue.length && own.size < 10_000; i++)
      for (const next of this.staticImports(queue[i]))
        if (!own.has(next)) {
          own.add(next);
          queue.push(next);
        }
    return by.some((f) => !own.has(f));
  }
}

/** The arguments NixOS passes every module. */
const MODULE_ARGUMENTS = new Set(['config', 'lib', 'pkgs', 'options', 'modulesPath', 'specialArgs', 'utils']);

/** One of nixpkgs' installer, ISO or SD-card image modules, named in a file's text. */
const INSTALLER_MODULE =
  /nixos\/modules\/installer\/|modulesPath\s*\+\s*"\/installer\/|\$\{modulesPath\}\/installer\//;

/** The value of a file past its `let`s and parentheses (`let sources = …; in import …`). */
function pastLetAndParens(top: Expr): Expr {
  let e = top;
  for (let steps = 0; steps < 8 && (e.kind === 'paren' || e.kind === 'let'); steps++)
    e = e.kind === 'paren' ? e.expr : e.body;
  return e;
}

/** The expression a network file's value comes from: past functions, `let`, `with` and traces. */
function networkBody(top: Expr): Expr {
  let e = top;
  for (let steps = 0; steps < 8; steps++) {
    if (e.kind === 'paren') e = e.expr;
    else if (e.kind === 'lambda' || e.kind === 'let' || e.kind === 'with') e = e.body;
    // `__trace "morph eval" ( … )`, `builtins.trace …`: the network is the last argument.
    else if (e.kind === 'apply' && isTrace(e.fn)) e = e.arg;
    else break;
  }
  return e;
}

/** What NixOps and morph read from a network's `network` set. */
const NETWORK_KEYS = new Set([
  'description',
  'enableRollback',
  'storage',
  'nixpkgs',
  'pkgs',
  'lib',
  'ordering',
  'evalConfig',
  'specialArgs',
]);

/** `network.description = …;`, `network = { description = …; … };`: NixOps' or morph's own set. */
function isNetworkBinding(b: Binding): boolean {
  if (b.path[0]?.name !== 'network') return false;
  if (b.path.length > 1) return NETWORK_KEYS.has(b.path[1].name ?? '');
  const v = b.value.kind === 'paren' ? b.value.expr : b.value;
  return v.kind === 'attrs' && v.bindings.some((x) => NETWORK_KEYS.has(x.path[0]?.name ?? ''));
}

/** A NixOS module's function (`{ config, lib, pkgs, ... }: …`): never a network, whatever options it sets. */
function isModuleFunction(top: Expr): boolean {
  const e = top.kind === 'paren' ? top.expr : top;
  return e.kind === 'lambda' && !!e.formals?.some((f) => f.name.name === 'config');
}

/**
 * A NixOps or morph network:
 * - a set with a `network` set (`network.description = …`) and at least one other attribute;
 * - a `network` set joined with the nodes (`{ network.description = …; } // nodes`);
 * - a set of machines without `network` (NixOps does not need it), told by a node that sets `deployment.*`
 *   beside what makes it a machine (imports, other options): a physical-only file (`web.deployment.targetEnv =
 *   "virtualbox"`, the other half of `nixops create logical.nix physical.nix`) is not taken alone.
 * `network` must be NixOps' or morph's own set (`description`, `enableRollback`, …): ESPHome's `network` is not, nor is
 * NixOps' own evaluator's `network = zipAttrs networks;`. A module function (`{ config, … }:`) is never a network.
 */
function isNetworkShape(e: Expr): boolean {
  const unparen = (x: Expr) => (x.kind === 'paren' ? x.expr : x);
  const hasNetwork = (x: Expr) => x.kind === 'attrs' && x.bindings.some(isNetworkBinding);
  if (e.kind === 'binary' && e.op === '//')
    return hasNetwork(unparen(e.left)) || hasNetwork(unparen(e.right));
  if (e.kind !== 'attrs') return false;
  const nodes = e.bindings.filter((b) => b.path[0]?.name !== undefined && !HIVE_META.has(b.path[0].name));
  if (!nodes.length) return false;
  if (hasNetwork(e)) return true;
  // A module (NixOps' own, declaring `deployment.*`: `{ options = …; config = { deployment… }; }`) is no network.
  if (e.bindings.some((b) => MODULE_KEYS.has(b.path[0]?.name ?? ''))) return false;
  // NixOps' `resources` (key pairs, cloud resources) beside nodes that are modules (`{ config, pkgs, nodes, … }:`).
  const isResources = (b: Binding) => b.path[0]?.name === 'resources';
  if (e.bindings.some(isResources) && nodes.some((b) => b.path.length === 1 && isNodeFunction(b.value)))
    return true;
  return nodes.some((b) => b.path.length === 1 && isDeployedMachine(b.value));
}

/** The attributes that make a set a NixOS module. */
const MODULE_KEYS = new Set(['imports', 'options', 'config', 'disabledModules', '_file', 'key', 'meta']);

/** A module function taking NixOps' node arguments (`{ config, pkgs, nodes, resources, … }:`). */
function isNodeFunction(value: Expr): boolean {
  const e = value.kind === 'paren' ? value.expr : value;
  return (
    e.kind === 'lambda' &&
    !!e.formals?.some((f) => ['config', 'pkgs', 'nodes', 'resources'].includes(f.name.name))
  );
}

/** A node module (`{ … }: { deployment.targetHost = …; imports = [ … ]; }`) that sets deployment and more. */
function isDeployedMachine(value: Expr): boolean {
  let e = value;
  for (let steps = 0; steps < 4 && (e.kind === 'paren' || e.kind === 'lambda'); steps++)
    e = e.kind === 'paren' ? e.expr : e.body;
  if (e.kind !== 'attrs') return false;
  const first = e.bindings.map((b) => b.path[0]?.name);
  return first.includes('deployment') && first.some((n) => n !== undefined && n !== 'deployment');
}

/** The deepest folder holding every file. */
/** Names that are never a machine of their own at a repository's top (configuration.nix has its own rules). */
const NOT_MACHINE_FILES = new Set([
  'configuration.nix',
  'hardware-configuration.nix',
  'flake.nix',
  'default.nix',
  'shell.nix',
  'hive.nix',
]);

/** A module (`{ config, … }: { … }` or a set) that sets both `boot.loader…` and `fileSystems…` at its top. */
function wholeMachineModule(e: Expr | undefined): boolean {
  let body = e;
  while (
    body &&
    (body.kind === 'lambda' || body.kind === 'paren' || body.kind === 'with' || body.kind === 'let')
  )
    body = body.kind === 'paren' ? body.expr : body.body;
  if (body?.kind !== 'attrs') return false;
  const keys = (b: { path: { name?: string }[]; value: Expr }) => b.path.map((k) => k.name ?? '');
  let loader = false;
  let fileSystems = false;
  for (const b of body.bindings) {
    const p = keys(b);
    if (p[0] === 'fileSystems') fileSystems = true;
    if (p[0] === 'boot' && p[1] === 'loader') loader = true;
    if (p[0] === 'boot' && p.length === 1 && b.value.kind === 'attrs')
      loader ||= b.value.bindings.some((x) => x.path[0]?.name === 'loader');
  }
  return loader && fileSystems;
}

function commonFolder(files: string[]): string {
  if (!files.length) return '';
  let dir = path.dirname(files[0]);
  for (const f of files)
    while (dir !== path.dirname(dir) && !f.startsWith(dir + path.sep)) dir = path.dirname(dir);
  return dir;
}

/** Options only nix-darwin declares (NixOS has none of them), as written at a module's top. */
const DARWIN_ONLY = [
  'homebrew',
  'launchd',
  'environment.darwinConfig',
  'system.defaults',
  'services.nix-daemon',
];
/** nix-darwin's channel, and home-manager's module for it. */
const DARWIN_SEARCH_PATHS = new Set(['darwin', 'nix-darwin', 'home-manager/nix-darwin']);

/**
 * What makes a module nix-darwin's (`sets homebrew`, `imports <darwin>`), or undefined: the top-level
 * attributes of its body (`homebrew.enable`, `system = { defaults… }`) and the search paths it imports.
 */
function darwinMarker(top: Expr): string | undefined {
  const body = networkBody(top);
  if (body.kind !== 'attrs') return undefined;
  for (const b of body.bindings) {
    const names = b.path.map((k) => k.name);
    const inner =
      b.value.kind === 'attrs' ? b.value.bindings.map((c) => [...names, ...c.path.map((k) => k.name)]) : [];
    for (const p of [names, ...inner]) {
      const dotted = p.join('.');
      const hit = DARWIN_ONLY.find((o) => dotted === o || dotted.startsWith(o + '.'));
      if (hit) return `it sets ${hit}`;
    }
    if (names.length === 1 && names[0] === 'imports' && b.value.kind === 'list')
      for (const item of b.value.items) {
        if (item.kind === 'path' && item.pathKind === 'search' && item.value !== undefined) {
          const name = item.value.replace(/^<|>$/g, '');
          if (DARWIN_SEARCH_PATHS.has(name)) return `it imports <${name}>`;
        }
      }
  }
  return undefined;
}

/**
 * What makes a module home-manager's own (`sets home.username`): NixOS has no `home` option at all, nor
 * `programs.home-manager` (its NixOS module is `home-manager.users.<name>`).
 */
function homeManagerMarker(top: Expr): string | undefined {
  const body = networkBody(top);
  if (body.kind !== 'attrs') return undefined;
  for (const b of body.bindings) {
    const names = b.path.map((k) => k.name);
    if (names[0] === 'home') return `it sets ${names.join('.')}`;
    if (
      names[0] === 'programs' &&
      (names[1] === 'home-manager' ||
        (b.value.kind === 'attrs' && b.value.bindings.some((c) => c.path[0]?.name === 'home-manager')))
    )
      return 'it sets programs.home-manager';
  }
  return undefined;
}

/** `__trace msg` or `builtins.trace msg`: a function that gives back its argument. */
function isTrace(e: Expr): boolean {
  if (e.kind !== 'apply') return false;
  const f = e.fn;
  return (
    (f.kind === 'var' && (f.name === '__trace' || f.name === 'trace')) ||
    (f.kind === 'select' &&
      f.target.kind === 'var' &&
      f.target.name === 'builtins' &&
      f.path.length === 1 &&
      f.path[0].name === 'trace')
  );
}

/** Whether an offset of a flake.nix lies in the value of a `nixosConfigurations` (or colmena) binding. */
function inMachineOutput(root: Expr | undefined, offset: number): boolean {
  let found = false;
  if (root)
    walkExpr(root, (e) => {
      if (found || e.span.start > offset || e.span.end < offset) return false;
      if (e.kind === 'attrs')
        for (const b of e.bindings)
          if (
            b.path.some((k) => k.name === 'nixosConfigurations' || k.name === 'colmena') &&
            b.value.span.start <= offset &&
            offset < b.value.span.end
          )
            found = true;
      return !found;
    });
  return found;
}
const SOME_FILES_BROKEN = 'some of its files have syntax errors or syntax nixkit cannot read';

/** Why an external module makes a configuration partly read, or undefined when nixkit knows what it is. */
export function externalModuleReason(
  name: string,
  kinds: Map<string, InputKind | undefined>,
): string | undefined {
  // nixpkgs' own modules (`modulesPath + …`, `<nixpkgs/nixos/modules/…>`), known by name
  if (/^<(?:nixpkgs|nixos)(?:[/>]|$)/.test(name)) return undefined;
  // `<nixos-wsl/modules>`: another channel, or a NIX_PATH entry
  const channel = /^<([^/>]+)(?:\/[^>]*)?>$/.exec(name)?.[1];
  if (channel)
    return `the module \`${name}\` comes from the channel or NIX_PATH entry \`${channel}\`, which nixkit does not read`;
  if (name === SNOWFALL_MODULES)
    return 'Snowfall Lib adds modules of its own (its users module, flake-utils-plus), which nixkit does not read';
  if (name === NETWORK_TOOL_MODULES)
    return 'NixOps or morph adds modules for its deployment target (disks, users, networking), which nixkit does not read';
  // `disko.nixosModules.disko`, `nixos-hardware/common/gpu/amd` (a file of the input's source)
  const parts = name.split(/[./]/);
  const input = parts[0] === 'inputs' && parts.length > 1 ? parts[1] : parts[0];
  if (kinds.has(input)) {
    if (kinds.get(input)) return undefined;
    // the stand-in for what an unknown input's own nixosSystem adds (entries.ts: nixosSystemEntry)
    if (name === `${input}.lib.nixosSystem`)
      return `it is built with \`${name}\`, not nixpkgs' own: input \`${input}\` is not one nixkit knows, so the modules it adds are not read`;
    return `the module \`${name}\` comes from input \`${input}\`, ${unknownInputPhrase(input, kinds)}`;
  }
  if (KNOWN_MODULE_SOURCES.has(parts[0])) return undefined;
  // `(lib.mkAliasOptionModule [ … ] [ "users" "users" config.owner ])`: a module a lib function makes from values
  // nixkit does not know (here the configuration's own).
  if (parts[0] === 'lib' && parts.length === 2 && /^mk\w*Module$/.test(parts[1]))
    return `a module that \`${name}\` makes from values nixkit does not know (the configuration's own, often)`;
  return `the module \`${name}\` is not known to nixkit`;
}

/** The names under which modelled inputs' modules appear (`disko.nixosModules.disko`). */
const KNOWN_MODULE_SOURCES = new Set([
  'nixpkgs',
  'flake-parts',
  'nix-darwin',
  'home-manager',
  'disko',
  'nixos-hardware',
  'sops-nix',
  'agenix',
  'impermanence',
  'lanzaboote',
  'colmena',
  'deploy-rs',
  'systems',
]);

/** Static relative/absolute path literals of an expression, resolved from its folder (iterative walk). */
/**
 * Paths built from a literal and interpolated names: `./hosts/${name}/configuration.nix` and
 * `./. + "/hosts/${name}/configuration.nix"`, each as a pattern where an interpolation stands for one name.
 */
function computedPaths(root: Expr | undefined, dir: string): RegExp[] {
  const out: RegExp[] = [];
  if (!root) return out;
  const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = (base: string, parts: StringPart[]) => {
    if (parts.every((p) => typeof p === 'string') || out.length >= 16) return;
    const tail = parts.map((p) => (typeof p === 'string' ? escape(p) : '[^/]+')).join('');
    // An interpolation that is the whole path (`${x}`) could be anything: not a pattern.
    if (!/[A-Za-z]/.test(parts.filter((p) => typeof p === 'string').join(''))) return;
    out.push(new RegExp(`^${escape(base)}${tail}$`));
  };
  walkExpr(root, (e) => {
    if (e.kind === 'path' && e.pathKind === 'relative' && e.value === undefined) {
      const first = e.parts[0];
      if (typeof first !== 'string') return;
      // `./hosts/${name}`: the literal start resolved against the file's folder, the rest a pattern.
      const slash = first.lastIndexOf('/');
      pattern(path.resolve(dir, first.slice(0, slash + 1)) + '/', [
        first.slice(slash + 1),
        ...e.parts.slice(1),
      ]);
    } else if (e.kind === 'binary' && e.op === '+') {
      const left = e.left.kind === 'paren' ? e.left.expr : e.left;
      if (
        left.kind === 'path' &&
        left.pathKind === 'relative' &&
        left.value !== undefined &&
        e.right.kind === 'string'
      )
        pattern(path.resolve(dir, left.value), e.right.parts);
    }
  });
  return out;
}

function staticPaths(root: Expr | undefined, dir: string): string[] {
  const out: string[] = [];
  if (!root) return out;
  const stack: unknown[] = [root];
  let steps = 0;
  while (stack.length && steps++ < 1_000_000) {
    const node = stack.pop();
    if (!node || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      for (const x of node) if (x && typeof x === 'object') stack.push(x);
      continue;
    }
    const n = node as { kind?: string; pathKind?: string; parts?: unknown[] };
    if (n.kind === 'path' && (n.pathKind === 'relative' || n.pathKind === 'absolute') && n.parts) {
      if (n.parts.every((p) => typeof p === 'string')) {
        const text = (n.parts as string[]).join('');
        out.push(n.pathKind === 'absolute' ? path.normalize(text) : path.resolve(dir, text));
      }
      continue;
    }
    for (const [k, v] of Object.entries(node)) if (k !== 'span' && v && typeof v === 'object') stack.push(v);
  }
  return out;
}

/** The files a configuration takes as modules. */
function moduleFiles(config: NixosConfiguration): string[] {
  return config.modules.flatMap((m) => (m.kind === 'file' || m.kind === 'missing' ? [m.file] : []));
}

/**
 * The nixpkgs a krops source puts on the target (`nixpkgs.git = { url = "https://github.com/NixOS/nixpkgs"; ref =
 * "nixos-20.09"; }`, or `nixpkgs.git.ref = …`): krops copies it to /var/src and builds with `-I /var/src`, so its
 * branch is the machine's release. Only a literal branch of NixOS/nixpkgs counts (a commit says no release).
 */
export function kropsNixpkgsRef(text: string): string | undefined {
  const block = /\bnixpkgs\.git\s*=\s*\{([^{}]*)\}/.exec(text)?.[1];
  const ref = block
    ? /\bref\s*=\s*"([^"$]+)"/.exec(block)?.[1]
    : /\bnixpkgs\.git\.ref\s*=\s*"([^"$]+)"/.exec(text)?.[1];
  const url = block
    ? /\burl\s*=\s*"?([^";\s]+)/.exec(block)?.[1]
    : /\bnixpkgs\.git\.url\s*=\s*"?([^";\s]+)/.exec(text)?.[1];
  if (!ref || !url || !/github\.com[/:]NixOS\/nixpkgs(?:\.git)?\/?$/i.test(url)) return undefined;
  return `github:NixOS/nixpkgs/${ref}`;
}
