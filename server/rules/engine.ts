// Runs the rules over a project and turns their reports into findings, per file. Configuration rules run
// once per configuration (findings in files shared by several configurations are reported once), file rules
// once per file, project rules once.
import type { Finding, Severity } from '../findings';
import type { NixosConfiguration } from '../model/configuration';
import type { AnalysisUnit, Project } from '../model/project';
import type { SourceProvider } from '../model/sources';
import type { Report, Rule } from './rule';
import type { ProbeReport } from '../../extension/engine/probe/probe-parse';
import { attachProbe } from './probe-facts';

export interface RuleSettings {
  /** Per-code severity overrides; `off` disables a rule. */
  severity?: Record<string, Severity | 'off'>;
}

function toFinding(
  rule: Rule,
  r: Report,
  sources: SourceProvider,
  severity: Severity,
  overridden = false,
): Finding | undefined {
  const parsed = sources.parsed(r.at.file);
  if (!parsed) return undefined;
  const rangeIn = (file: string, span: { start: number; end: number }) => {
    const p = file === r.at.file ? parsed : sources.parsed(file);
    return p ? p.lines.rangeOf(span) : undefined;
  };
  const range = parsed.lines.rangeOf(r.at.span);
  return {
    file: r.at.file,
    range,
    severity: r.severity && !overridden ? r.severity : severity,
    code: rule.code,
    message: r.message,
    related: r.related
      ?.map((x) => ({ file: x.at.file, range: rangeIn(x.at.file, x.at.span), message: x.message }))
      .filter((x): x is { file: string; range: NonNullable<typeof x.range>; message: string } => !!x.range),
    fixes: r.fixes?.map((f) => ({
      title: f.title,
      preferred: f.preferred,
      edits: f.edits
        .map((e) => ({ file: e.at.file, range: rangeIn(e.at.file, e.at.span), newText: e.newText }))
        .filter((e): e is { file: string; range: NonNullable<typeof e.range>; newText: string } => !!e.range),
    })),
  };
}

function severityOf(rule: Rule, settings: RuleSettings): Severity | 'off' {
  return settings.severity?.[rule.code] ?? rule.severity;
}

/** Whether the user set this rule's severity (then a report's own severity does not apply). */
function overridden(rule: Rule, settings: RuleSettings): boolean {
  return settings.severity?.[rule.code] !== undefined;
}

export function runConfigurationRules(
  rules: Rule[],
  unit: AnalysisUnit,
  config: NixosConfiguration,
  project: Project,
  settings: RuleSettings = {},
  /** The probe of the configuration's target machine, when one is attached. */
  probe?: ProbeReport,
): Finding[] {
  const out: Finding[] = [];
  // Helpers that rules share (stable device names) find the probe through the configuration.
  attachProbe(config, probe);
  for (const rule of rules) {
    const severity = severityOf(rule, settings);
    if (!rule.checkConfiguration || severity === 'off') continue;
    if (rule.reportsAbsence && config.status !== 'read') continue;
    rule.checkConfiguration({
      config,
      unit,
      project,
      probe,
      sources: project.sources,
      force: (t) => unit.evaluator.force(t),
      report: (r) => {
        const f = toFinding(rule, r, project.sources, severity, overridden(rule, settings));
        if (f) out.push(f);
      },
    });
  }
  return out;
}

export function runFileRules(
  rules: Rule[],
  file: string,
  sources: SourceProvider,
  settings: RuleSettings = {},
  /** The configurations that read a file (for rules that fix a file with what its configurations know). */
  configurationsOf: (file: string) => NixosConfiguration[] = () => [],
): Finding[] {
  const parsed = sources.parsed(file);
  if (!parsed) return [];
  const out: Finding[] = [];
  for (const rule of rules) {
    const severity = severityOf(rule, settings);
    if (!rule.checkFile || severity === 'off') continue;
    rule.checkFile({
      file,
      parsed,
      text: parsed.lines.text,
      configurations: () => configurationsOf(file),
      report: (r) => {
        const f = toFinding(rule, r, sources, severity, overridden(rule, settings));
        if (f) out.push(f);
      },
    });
  }
  return out;
}

export function runProjectRules(
  rules: Rule[],
  project: Project,
  files: string[],
  settings: RuleSettings = {},
): Finding[] {
  const out: Finding[] = [];
  for (const rule of rules) {
    const severity = severityOf(rule, settings);
    if (!rule.checkProject || severity === 'off') continue;
    rule.checkProject({
      project,
      files,
      sources: project.sources,
      report: (r) => {
        const f = toFinding(rule, r, project.sources, severity, overridden(rule, settings));
        if (f) out.push(f);
      },
    });
  }
  return out;
}

/** The same finding from two configurations that share a file is one finding. */
export function dedupeFindings(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const k = `${f.file}|${f.range.start.line}:${f.range.start.character}|${f.code}|${f.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
