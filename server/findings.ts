// A finding is what every layer reports (syntax, model rules, probe rules) and what both the language server
// and `nixkit check` print. Positions are LSP's: 0-based lines, UTF-16 columns.
import type { DiagnosticCode } from '../protocol/diagnostic-codes';
import type { Range } from './syntax/positions';

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, information: 2, hint: 3 };

export interface TextEdit {
  /** Absolute path of the file to change. */
  file: string;
  range: Range;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
  /** The fix a user most likely wants (VS Code marks it preferred). */
  preferred?: boolean;
}

export interface Finding {
  /** Absolute path of the file the finding is in. */
  file: string;
  range: Range;
  severity: Severity;
  code: DiagnosticCode;
  message: string;
  related?: { file: string; range: Range; message: string }[];
  /** Hedged by a condition one configuration could not decide (Report.hedged); not shown, only compared. */
  hedged?: boolean;
  fixes?: Fix[];
}

/**
 * A value quoted in a message, cut to `max` characters (a 138 KB string must not become a 138 KB message): the
 * start and the end, with "…" between.
 */
export function clip(text: string, max = 80): string {
  if (text.length <= max) return text;
  const half = Math.floor((max - 1) / 2);
  return `${text.slice(0, half)}…${text.slice(text.length - half)} (${text.length} characters)`;
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    a.range.start.line - b.range.start.line ||
    a.range.start.character - b.range.start.character ||
    a.code.localeCompare(b.code)
  );
}
