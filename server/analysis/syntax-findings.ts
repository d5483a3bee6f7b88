// Turns a document's syntax and parse-time problems into findings (code `syntax-error`, plus the two Nix
// parse-time checks that have codes of their own: `duplicate-definition` and `undefined-variable`).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../findings';
import type { SyntaxDocument } from '../syntax/document';
import { hasNoTokens, PIPE_MESSAGE } from '../syntax/errors';
import { repositoryTop, statOrUndefined } from '../model/repository-top';

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
    // The repository asks for the pipe operators, and nixkit (which reads them, SyntaxDocument) still could not
    // read this file with them. One note, and the errors of tree-sitter's recovery after the first pipe are not
    // the user's.
    return [
      {
        file,
        range: syntax[0].range,
        severity: 'information',
        code: 'syntax-unsupported',
        message:
          "this file uses the pipe operators ('|>', '<|'), which its repository runs Nix with (nixConfig or experimental-features: pipe-operators); nixkit could not read this file with them (Nix 2.24's grammar), so what it holds is unknown",
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

/** Whether a repository (by its topmost flake's folder) shows that it runs with the pipe operators on. */
const pipeRepos = new Map<string, { stamp: string; enabled: boolean }>();

const MAX_EVIDENCE_FILES = 20_000;
const MAX_EVIDENCE_BYTES = 1024 * 1024;

/**
 * Whether the repository a file is in runs with the experimental pipe operators on, as far as its own files
 * show: a flake above the file turns them on in `nixConfig` (Nix applies it to the flake's evaluation; a
 * sub-flake that only supplies inputs is evaluated by the one above it), a flake.nix above it uses them itself
 * (nothing could evaluate it otherwise), or one of its .nix files lists `pipe-operators` among the features its
 * machines run Nix with (`nix.settings.experimental-features`): its author builds with them on. Only asked
 * when a file uses them, so repositories without pipes pay nothing.
 */
export function pipeOperatorsEnabled(file: string): boolean {
  const flakes: { dir: string; st: fs.Stats }[] = [];
  let dir = path.dirname(file);
  for (let steps = 0; steps < 64; steps++) {
    const st = statOrUndefined(path.join(dir, 'flake.nix'));
    if (st?.isFile()) flakes.push({ dir, st });
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  // Without a flake, the repository's top: the folder with `.git`, else the highest folder whose parent still
  // holds .nix files (a checkout without its .git).
  const root = flakes.length ? flakes[flakes.length - 1].dir : repositoryTop(path.dirname(file));
  // Valid while the flakes above are unchanged (the language server calls this again after edits).
  const stamp = flakes.map((f) => `${f.dir}:${f.st.mtimeMs}:${f.st.size}`).join('|');
  const known = pipeRepos.get(root);
  if (known?.stamp === stamp) return known.enabled;
  const enabled =
    flakes.some((f) => {
      const text = readSmall(path.join(f.dir, 'flake.nix'));
      return text !== undefined && (/nixConfig[\s\S]*pipe-operators?\b/.test(text) || /\|>|<\|/.test(text));
    }) ||
    // A nix.conf kept in the repository (`export NIX_CONFIG="$(< ./nix.conf)"` before building).
    /pipe-operators?\b/.test(readSmall(path.join(root, 'nix.conf')) ?? '') ||
    someNixFileMentions(root, /pipe-operators?\b/);
  pipeRepos.set(root, { stamp, enabled });
  return enabled;
}

function readSmall(p: string): string | undefined {
  try {
    const st = fs.statSync(p);
    return st.isFile() && st.size < MAX_EVIDENCE_BYTES ? fs.readFileSync(p, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a .nix file below `root` matches `needle` (bounded; hidden folders and node_modules skipped). Any
 * spelling counts: a list item, a space-separated string (`"flakes nix-command pipe-operators"`), Lix's
 * `pipe-operator`.
 */
function someNixFileMentions(root: string, needle: RegExp): boolean {
  const stack = [root];
  let seen = 0;
  while (stack.length && seen < MAX_EVIDENCE_FILES) {
    const d = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile() && e.name.endsWith('.nix') && ++seen <= MAX_EVIDENCE_FILES) {
        const text = readSmall(p);
        if (text !== undefined && needle.test(text)) return true;
      }
    }
  }
  return false;
}
