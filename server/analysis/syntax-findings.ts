// Turns a document's syntax and parse-time problems into findings (code `syntax-error`, plus the two Nix
// parse-time checks that have codes of their own: `duplicate-definition` and `undefined-variable`).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../findings';
import type { SyntaxDocument } from '../syntax/document';
import { hasNoTokens, PIPE_MESSAGE } from '../syntax/errors';

/** Only the parser's errors: cheap after an incremental reparse (no AST is built). */
export function syntaxOnlyFindings(doc: SyntaxDocument, file: string, thorough = true): Finding[] {
  const lines = doc.lineIndex;
  return doc.syntaxProblems(thorough).map((p) => ({
    file,
    range: lines.rangeOf(p.span),
    severity: 'error',
    code: 'syntax-error',
    message: p.message,
    related: p.related
      ? [{ file, range: lines.rangeOf(p.related.span), message: p.related.message }]
      : undefined,
  }));
}

export function syntaxFindings(doc: SyntaxDocument, file: string): Finding[] {
  const lines = doc.lineIndex;
  const syntax = syntaxOnlyFindings(doc, file);
  if (syntax[0]?.message === PIPE_MESSAGE && pipeOperatorsEnabled(file)) {
    // Valid for the Nix this flake asks for; nixkit (like Nix before 2.24) cannot read it. One note, and the
    // errors of tree-sitter's recovery after the first pipe are not the user's.
    return [
      {
        file,
        range: syntax[0].range,
        severity: 'information',
        code: 'syntax-unsupported',
        message:
          "this file uses the pipe operators ('|>', '<|'), which its flake enables (nixConfig: pipe-operators); nixkit cannot read them yet, so what the file holds is unknown",
      },
    ];
  }
  const limit = doc.parseLimit;
  if (limit) {
    // Nix's verdict is known (the recogniser), the contents are not: say so once, and nothing else.
    syntax.push({
      file,
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      severity: 'information',
      code: 'parse-limit',
      message: `nixkit checked only whether Nix can parse this file: ${limit}`,
    });
    return syntax;
  }
  // Only a file without a single token (blank, or comments only) "has no expression"; a truncated one (`let`,
  // `if`, `x:`) keeps the parser's "unexpected end of file (expected …)", as Nix says.
  const empty = () => !doc.sourceFile().expr && hasNoTokens(doc.text);
  if (syntax.length && !(syntax.length === 1 && /^unexpected end of file/.test(syntax[0].message) && empty()))
    return syntax;
  if (empty()) {
    // Nix refuses an empty file; say so plainly instead of "unexpected end of file" at 1:1.
    return [
      {
        file,
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        severity: 'error',
        code: 'syntax-error',
        message: 'the file has no expression (Nix needs one, for example `{ }`)',
      },
    ];
  }
  return doc.semanticProblems().map((p) => ({
    file,
    range: lines.rangeOf(p.span),
    severity: 'error',
    code: p.code,
    message: p.message,
    related: p.related
      ? [{ file, range: lines.rangeOf(p.related.span), message: p.related.message }]
      : undefined,
  }));
}

/** Flakes by folder: whether their nixConfig turns on the pipe operators (valid while flake.nix's mtime and size are). */
const pipeFlakes = new Map<string, { mtimeMs: number; size: number; enabled: boolean }>();

/**
 * Whether the nearest flake.nix above a file enables the experimental pipe operators
 * (`nixConfig.extra-experimental-features = [ "pipe-operators" ]`), which Nix applies to the flake's evaluation.
 */
export function pipeOperatorsEnabled(file: string): boolean {
  let dir = path.dirname(file);
  for (let steps = 0; steps < 64; steps++) {
    const flake = path.join(dir, 'flake.nix');
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(flake);
    } catch {
      st = undefined;
    }
    if (st?.isFile()) {
      const known = pipeFlakes.get(dir);
      if (known && known.mtimeMs === st.mtimeMs && known.size === st.size) return known.enabled;
      let enabled = false;
      try {
        if (st.size < 1024 * 1024)
          enabled = /nixConfig[\s\S]*pipe-operators/.test(fs.readFileSync(flake, 'utf8'));
      } catch {
        enabled = false;
      }
      pipeFlakes.set(dir, { mtimeMs: st.mtimeMs, size: st.size, enabled });
      return enabled;
    }
    const up = path.dirname(dir);
    if (up === dir) return false;
    dir = up;
  }
  return false;
}
