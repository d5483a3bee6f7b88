// Runs the rules over a project and turns their reports into findings, per file. Configuration rules run
// once per configuration (findings in files shared by several configurations are reported once), file rules
// once per file, project rules once.
import type { Finding, Severity } from '../findings';
import type { NixosConfiguration } from '../model/configuration';
import type { AnalysisUnit, Project } from '../model/project';
import type { SourceProvider } from '../model/sources';
import type { Report, Rule } from '../rule-api/rule';
import type { ProbeReport } from '../../protocol/probe-report';
import { attachProbe } from '../facts/probe';
import type { RuleCode } from '../../protocol/diagnostic-codes';
import { configurationFacts } from '../facts/configuration-facts';
import type { Thunk } from '../model/value';

export interface RuleSettings {
  /** Per-code severity overrides; `off` disables a rule. */
  severity?: Partial<Record<RuleCode, Severity | 'off'>>;
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
    ...(r.hedged ? { hedged: true } : {}),
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

export const INTERNAL_ERROR_CODE = 'internal-error';

/**
 * Runs one rule's check so that its bug cannot take the other rules' findings with it: what it reported before
 * it threw is dropped (it may be half a story), and one `internal-error` finding says which check is missing,
 * with the error's message and no stack trace.
 */
function isolated(
  rule: Rule,
  out: Finding[],
  /** Where to say so (asked only when the rule failed); undefined when there is no file to put it in. */
  where: () => { file: string; range?: Finding['range']; what: string } | undefined,
  run: (report: (f: Finding) => void) => void,
): void {
  const mine: Finding[] = [];
  try {
    run((f) => mine.push(f));
    out.push(...mine);
  } catch (e) {
    const w = where();
    if (!w) return;
    out.push({
      file: w.file,
      range: w.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      severity: 'information',
      code: INTERNAL_ERROR_CODE,
      message: `nixkit's ${rule.code} check failed on ${w.what} (${errorMessage(e)}); its findings are missing here. This is a bug in nixkit.`,
    });
  }
}

function errorMessage(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  const line = m.split('\n')[0];
  return line.length > 200 ? line.slice(0, 200) + '…' : line;
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
  const where = () => {
    const at = config.entry.at;
    const range = at ? project.sources.parsed(at.file)?.lines.rangeOf(at.span) : undefined;
    return { file: at && range ? at.file : config.entry.file, range, what: `configuration ${config.name}` };
  };
  const force = (t: Thunk) => unit.evaluator.force(t);
  const facts = configurationFacts(config, force);
  for (const rule of rules) {
    const severity = severityOf(rule, settings);
    const check = rule.checkConfiguration;
    if (!check || severity === 'off') continue;
    if (rule.reportsAbsence && config.status !== 'read') continue;
    isolated(rule, out, where, (push) =>
      check({
        config,
        unit,
        project,
        probe,
        sources: project.sources,
        force,
        facts,
        report: (r) => {
          const f = toFinding(rule, r, project.sources, severity, overridden(rule, settings));
          if (f) push(f);
        },
      }),
    );
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
    const check = rule.checkFile;
    if (!check || severity === 'off') continue;
    isolated(
      rule,
      out,
      () => ({ file, what: 'this file' }),
      (push) =>
        check({
          file,
          parsed,
          text: parsed.lines.text,
          configurations: () => configurationsOf(file),
          report: (r) => {
            const f = toFinding(rule, r, sources, severity, overridden(rule, settings));
            if (f) push(f);
          },
        }),
    );
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
    const check = rule.checkProject;
    if (!check || severity === 'off') continue;
    // A project rule's failure has no better place than the first file of the workspace.
    const where = () => {
      const first = files.find((f) => project.sources.parsed(f));
      return first ? { file: first, what: 'the workspace' } : undefined;
    };
    isolated(rule, out, where, (push) =>
      check({
        project,
        files,
        sources: project.sources,
        report: (r) => {
          const f = toFinding(rule, r, project.sources, severity, overridden(rule, settings));
          if (f) push(f);
        },
      }),
    );
  }
  return out;
}

/**
 * The same finding from two configurations that share a file is one finding. So is a hedged one (Report.hedged:
 * a configuration that cannot decide the condition around it) beside a sure one of the same rule at the same
 * place (a configuration that can): the sure one says it all.
 */
export function dedupeFindings(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  const place = (f: Finding) => `${f.file}|${f.range.start.line}:${f.range.start.character}|${f.code}`;
  const sure = new Set(findings.filter((f) => !f.hedged).map(place));
  return findings.filter((f) => {
    const here = place(f);
    const k = `${here}|${f.message}`;
    if (seen.has(k) || (f.hedged && sure.has(here))) return false;
    seen.add(k);
    return true;
  });
}
