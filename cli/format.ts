// The three output formats of `nixkit check`. Other tools rely on them: change them only compatibly.
//   json   {"version":1,"diagnostics":[{file, range, severity, code, message}],
//           "configurations":[{name, file, range, platform?, status, reasons}]}, 0-based LSP positions
//   text   file:line:col: severity [code] message, 1-based, a summary line, then what was understood
//   sarif  SARIF 2.1.0 for GitHub code scanning; the configurations in the run's properties
import * as path from 'node:path';
import { builtinDescription } from '../protocol/diagnostic-codes';
import type { Finding, Severity } from '../server/findings';
import { coverageText, type ConfigurationCoverage } from '../server/analysis/coverage';

export type OutputFormat = 'text' | 'json' | 'sarif';

const rel = (cwd: string, file: string) => {
  const r = path.relative(cwd, file);
  return (r === '' ? path.basename(file) : r).split(path.sep).join('/');
};

const coverageJson = (list: ConfigurationCoverage[], cwd: string) =>
  list.map((c) => ({ ...c, file: rel(cwd, c.file) }));

export function formatJson(
  findings: Finding[],
  cwd: string,
  configurations?: ConfigurationCoverage[],
): string {
  const diagnostics = findings.map((f) => ({
    file: rel(cwd, f.file),
    range: f.range,
    severity: f.severity,
    code: f.code,
    message: f.message,
  }));
  const out: Record<string, unknown> = { version: 1, diagnostics };
  if (configurations) out.configurations = coverageJson(configurations, cwd);
  return JSON.stringify(out, null, 2) + '\n';
}

export function formatText(
  findings: Finding[],
  cwd: string,
  filesChecked: number,
  configurations?: ConfigurationCoverage[],
): string {
  const lines = findings.map(
    (f) =>
      `${rel(cwd, f.file)}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.severity} [${f.code}] ${oneLine(f.message)}`,
  );
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  const errors = count('error');
  const warnings = count('warning');
  const others = findings.length - errors - warnings;
  const parts = [plural(errors, 'error'), plural(warnings, 'warning')];
  if (others) parts.push(plural(others, 'note'));
  lines.push(`${parts.join(', ')} in ${plural(filesChecked, 'file')} checked`);
  if (configurations)
    lines.push(
      ...coverageText(configurations, filesChecked, (c) => `${rel(cwd, c.file)}:${c.range.start.line + 1}`),
    );
  return lines.join('\n') + '\n';
}

const SARIF_LEVEL: Record<Severity, string> = {
  error: 'error',
  warning: 'warning',
  information: 'note',
  hint: 'note',
};

export function formatSarif(
  findings: Finding[],
  cwd: string,
  describe: (code: string) => string | undefined,
  configurations?: ConfigurationCoverage[],
): string {
  const codes = [...new Set(findings.map((f) => f.code))].sort();
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'nixkit',
            informationUri: 'https://github.com/nixkit/nixkit',
            version: '0.1.0',
            rules: codes.map((id) => ({
              id,
              shortDescription: { text: describe(id) ?? builtinDescription(id) ?? id },
              helpUri: `https://github.com/nixkit/nixkit/blob/main/docs/rules/${id}.md`,
            })),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToUri(cwd) } },
        ...(configurations ? { properties: { configurations: coverageJson(configurations, cwd) } } : {}),
        results: findings.map((f) => ({
          ruleId: f.code,
          ruleIndex: codes.indexOf(f.code),
          level: SARIF_LEVEL[f.severity],
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: encodeURI(rel(cwd, f.file)), uriBaseId: '%SRCROOT%' },
                // SARIF counts lines and columns from 1, columns in UTF-16 code units by default: as LSP does.
                region: {
                  startLine: f.range.start.line + 1,
                  startColumn: f.range.start.character + 1,
                  endLine: f.range.end.line + 1,
                  endColumn: f.range.end.character + 1,
                },
              },
            },
          ],
        })),
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}

function pathToUri(dir: string): string {
  const p = dir.split(path.sep).join('/');
  return 'file://' + encodeURI(p.endsWith('/') ? p : p + '/');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ');
}
