// Quick fixes: the fixes of the published findings under the cursor, "fix all of this kind in the file", the
// whole file's fixes for `source.fixAll.nixkit` (fix on save), and "ignore this code on this line".
import {
  CodeActionKind,
  type CodeAction,
  type CodeActionParams,
  type Diagnostic,
  type TextEdit as LspTextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { suppressedCodes } from '../../analysis/suppressions';
import type { Finding, Fix, TextEdit } from '../../findings';
import { stringAt } from '../../model/option-path';
import { toDiagnostic } from '../convert';
import type { ServerState } from '../server';
import type { Feature } from './';
import { editsOverlap, fileOfUri, rangesTouch, uriOfFile } from './util';

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.nixkit`;

/** Codes whose findings cannot be silenced with a comment (the file is not read as Nix at all). */
const NOT_SUPPRESSIBLE = new Set(['not-text', 'file-too-large', 'file-encrypted']);

function workspaceEdit(state: ServerState, edits: TextEdit[]): WorkspaceEdit {
  const changes: Record<string, LspTextEdit[]> = {};
  for (const e of edits)
    (changes[uriOfFile(state, e.file)] ??= []).push({ range: e.range, newText: e.newText });
  return { changes };
}

/** The client's diagnostic for a finding when it sent one (so the editor links them), else ours. */
function diagnosticFor(f: Finding, sent: Diagnostic[]): Diagnostic {
  const code = (d: Diagnostic) => (typeof d.code === 'object' ? undefined : d.code);
  return (
    sent.find(
      (d) =>
        code(d) === f.code &&
        d.range.start.line === f.range.start.line &&
        d.range.start.character === f.range.start.character &&
        d.message === f.message,
    ) ?? toDiagnostic(f)
  );
}

const sameEdit = (a: TextEdit, b: TextEdit) =>
  a.file === b.file &&
  a.newText === b.newText &&
  a.range.start.line === b.range.start.line &&
  a.range.start.character === b.range.start.character &&
  a.range.end.line === b.range.end.line &&
  a.range.end.character === b.range.end.character;

/**
 * One edit set applying each finding's preferred (or first) fix; a fix whose edits overlap edits already
 * taken is left out (it would be applied on stale text), an identical edit is taken once.
 */
export function combineFixes(findings: Finding[]): { edits: TextEdit[]; fixed: Finding[] } {
  const edits: TextEdit[] = [];
  const fixed: Finding[] = [];
  for (const f of findings) {
    const fix = chosenFix(f);
    if (!fix || !fix.edits.length) continue;
    const fresh = fix.edits.filter((e) => !edits.some((x) => sameEdit(x, e)));
    const clash = fresh.some((e) => edits.some((x) => x.file === e.file && editsOverlap(x.range, e.range)));
    if (clash) continue;
    edits.push(...fresh);
    fixed.push(f);
  }
  return { edits, fixed };
}

function chosenFix(f: Finding): Fix | undefined {
  return f.fixes?.find((x) => x.preferred) ?? f.fixes?.[0];
}

/** Codes of a file whose findings all have a fix. */
function fixableCodes(findings: Finding[]): string[] {
  const codes = new Set(findings.map((f) => f.code));
  return [...codes].filter((c) =>
    findings.filter((f) => f.code === c).every((f) => chosenFix(f)?.edits.length),
  );
}

function wanted(kind: string, only: string[] | undefined): boolean {
  return !only || only.some((k) => kind === k || kind.startsWith(k + '.'));
}

export function codeActions(state: ServerState, params: CodeActionParams): CodeAction[] {
  const file = fileOfUri(state, params.textDocument.uri);
  const findings = state.published.get(file) ?? [];
  const only = params.context.only;
  const sent = params.context.diagnostics ?? [];
  const out: CodeAction[] = [];
  const here = findings.filter((f) => rangesTouch(f.range, params.range));

  if (wanted(CodeActionKind.QuickFix, only)) {
    for (const f of here) {
      for (const fix of f.fixes ?? []) {
        if (!fix.edits.length) continue;
        out.push({
          title: fix.title,
          kind: CodeActionKind.QuickFix,
          isPreferred: !!fix.preferred,
          diagnostics: [diagnosticFor(f, sent)],
          edit: workspaceEdit(state, fix.edits),
        });
      }
    }
    const fixable = fixableCodes(findings);
    for (const code of [...new Set(here.map((f) => f.code))]) {
      const all = findings.filter((f) => f.code === code);
      if (all.length < 2 || !fixable.includes(code)) continue;
      const { edits, fixed } = combineFixes(all);
      if (fixed.length < 2) continue;
      out.push({
        title: `Fix all ${code} problems in this file`,
        kind: CodeActionKind.QuickFix,
        diagnostics: fixed.map((f) => diagnosticFor(f, sent)),
        edit: workspaceEdit(state, edits),
      });
    }
    for (const f of here) {
      const ignore = ignoreAction(state, file, f);
      if (ignore) out.push({ ...ignore, diagnostics: [diagnosticFor(f, sent)] });
    }
  }

  // Fix on save / "Fix all" asks for source.fixAll (or ours explicitly); never offered unasked.
  if (only && wanted(FIX_ALL_KIND, only)) {
    const fixable = new Set(fixableCodes(findings));
    const { edits, fixed } = combineFixes(findings.filter((f) => fixable.has(f.code)));
    if (fixed.length)
      out.push({
        title: 'Fix all auto-fixable nixkit problems in this file',
        kind: FIX_ALL_KIND,
        diagnostics: fixed.map((f) => diagnosticFor(f, sent)),
        edit: workspaceEdit(state, edits),
      });
  }
  return out;
}

/** `# nixkit: ignore <code>` on the line before the finding, indented like it; or added to such a comment. */
function ignoreAction(
  state: ServerState,
  file: string,
  f: Finding,
): Omit<CodeAction, 'diagnostics'> | undefined {
  if (NOT_SUPPRESSIBLE.has(f.code)) return undefined;
  const parsed = state.sources.parsed(file);
  if (!parsed) return undefined;
  const lines = parsed.lines;
  const line = f.range.start.line;
  const lineStart = lines.lineStart(line);
  // A comment inside a multi-line string would become part of the string.
  const str = stringAt(parsed.ast, lineStart);
  if (str && str.span.start < lineStart) return undefined;
  const title = `Ignore ${f.code} on this line`;
  const lineText = lines.text.slice(lineStart, lines.lineEnd(line));
  const indent = /^[ \t]*/.exec(lineText)![0];
  if (line > 0) {
    const prevStart = lines.lineStart(line - 1);
    const prev = lines.text.slice(prevStart, lines.lineEnd(line - 1));
    const directive = /^\s*#\s*nixkit:\s*ignore\s+[a-z0-9-]+(?:[\s,]+[a-z0-9-]+)*/.exec(prev);
    if (directive && !suppressedCodes(prev).includes(f.code)) {
      const at = lines.positionAt(prevStart + directive[0].length);
      return {
        title,
        kind: CodeActionKind.QuickFix,
        edit: workspaceEdit(state, [{ file, range: { start: at, end: at }, newText: ` ${f.code}` }]),
      };
    }
  }
  const eol = /\r\n/.test(lines.text) ? '\r\n' : '\n';
  const at = { line, character: 0 };
  return {
    title,
    kind: CodeActionKind.QuickFix,
    edit: workspaceEdit(state, [
      { file, range: { start: at, end: at }, newText: `${indent}# nixkit: ignore ${f.code}${eol}` },
    ]),
  };
}

export const codeActionsFeature: Feature = {
  capabilities: {
    codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], resolveProvider: false },
  },
  register(connection, state) {
    connection.onCodeAction((params) => {
      const s = state();
      return s ? codeActions(s, params) : [];
    });
  },
};
