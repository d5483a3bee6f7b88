// Turns a document's syntax and parse-time problems into findings (code `syntax-error`, plus the two Nix
// parse-time checks that have codes of their own: `duplicate-definition` and `undefined-variable`).
import type { Finding } from '../findings';
import type { SyntaxDocument } from '../syntax/document';
import { hasNoTokens } from '../syntax/errors';

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
