// What a rule is. One rule per file in this folder: its code, default severity, why it matters, a bad and a
// good example (run as tests, rendered into docs/rules/), the check, and a fix where one is safe.
import type { Severity } from '../findings';
import type { NixosConfiguration } from '../model/configuration';
import type { AnalysisUnit, Project } from '../model/project';
import type { ParsedFile, SourceProvider } from '../model/sources';
import type { Source, Thunk, Value } from '../model/value';
import type { ProbeReport } from '../../protocol/probe-report';
import type { ConfigFacts } from '../facts/configuration-facts';
import type { RuleCode } from '../../protocol/diagnostic-codes';

export interface RuleExample {
  /** Files by path relative to the workspace root; a `flake.nix` or `configuration.nix` roots the configuration. */
  files: Record<string, string>;
  /**
   * For bad examples: where the findings of this rule must be, as `path:line` (1-based), in any order. For good
   * examples this is omitted: the rule must report nothing.
   */
  expect?: string[];
  /**
   * A probe of the target, for probe-aware rules: the example test saves it as `.nixkit/hosts/<name>.json` for the
   * example's configuration(s), as the probe panel does.
   */
  probe?: ProbeReport;
}

export interface RuleEdit {
  at: Source;
  newText: string;
}

export interface RuleFix {
  title: string;
  edits: RuleEdit[];
  preferred?: boolean;
}

export interface Report {
  at: Source;
  message: string;
  /**
   * This finding's severity when it differs from the rule's default (a renamed option warns, a removed one
   * fails evaluation). A severity the user set for the rule in settings still wins.
   */
  severity?: Severity;
  fixes?: RuleFix[];
  related?: { at: Source; message: string }[];
  /**
   * Said with a condition this configuration cannot decide ("when the mkIf around it applies"): where another
   * configuration reports the same place without it, that sure finding stands alone.
   */
  hedged?: boolean;
}

export interface ConfigurationContext {
  config: NixosConfiguration;
  unit: AnalysisUnit;
  project: Project;
  sources: SourceProvider;
  /** The probe of the machine this configuration is for, when one is attached (`.nixkit/hosts/<name>.json`). */
  probe?: ProbeReport;
  /** Forces a lazy value (list items, attribute values) of this configuration's evaluation. */
  force(t: Thunk): Value;
  /** Platform, bootloader, filesystems, users: worked out once per configuration, as preflight and Show Configuration see them. */
  facts: ConfigFacts;
  report(r: Report): void;
}

export interface FileContext {
  file: string;
  parsed: ParsedFile;
  text: string;
  /** The configurations whose evaluation reads this file (empty when none does, or outside a workspace). */
  configurations(): NixosConfiguration[];
  report(r: Report): void;
}

export interface ProjectContext {
  project: Project;
  /** Every .nix file of the workspace. */
  files: string[];
  sources: SourceProvider;
  report(r: Report): void;
}

export interface Rule {
  code: RuleCode;
  severity: Severity;
  /** One line, for lists and SARIF. */
  title: string;
  /** One paragraph: why this breaks an install. */
  explanation: string;
  bad: RuleExample;
  good: RuleExample;
  /**
   * The rule reports something *missing* (no root filesystem, no stateVersion, ...): it does not run on
   * configurations nixkit read only in part, where what it misses may be in the part it could not read.
   */
  reportsAbsence?: boolean;
  checkConfiguration?(ctx: ConfigurationContext): void;
  checkFile?(ctx: FileContext): void;
  checkProject?(ctx: ProjectContext): void;
}
