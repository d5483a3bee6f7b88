// Syntax errors from a tree-sitter tree, as a person wants them: one finding per real mistake, placed where
// the mistake is, with a readable message. tree-sitter's recovery decides *that* a file is broken; bracket
// matching and (when given) a Nix-grammar recogniser decide *where* and *what*.
import type { Node, Tree } from 'web-tree-sitter';
import type { Span } from './positions';
import { describeToken } from './tokens';

export interface SyntaxProblem {
  span: Span;
  message: string;
  related?: { span: Span; message: string };
}

/** The first error exactly as Nix's own parser finds it (see recognizer.ts). */
export interface FirstError {
  start: number;
  end: number;
  message: string;
  /** Where Nix itself reports it, when that differs from `start` (at the end of the file: the last lexeme). */
  nixOffset?: number;
}

// A prototype-less map: `'toString' in OPENERS` must be false for an identifier called toString.
const OPENERS: Record<string, string> = Object.assign(Object.create(null) as Record<string, string>, {
  '{': '}',
  '${': '}',
  '[': ']',
  '(': ')',
});
const CLOSERS = new Set(['}', ']', ')']);
const MAX_PROBLEMS = 50;
const MAX_LOOKBACK = 64;
const MAX_INDENT_LINES = 5000;
export const PIPE_MESSAGE =
  "the pipe operators '|>' and '<|' are not supported (an experimental Nix feature; neither nixkit's parser nor Nix before 2.24 knows them)";

/**
 * Where a pipe operator starts when Nix 2.8 stops at `at`: it rejects the `|` of `|>` and of `<|` (after
 * taking the `<` for less-than), so `<|` starts one character before.
 */
function pipeOperatorAt(text: string, at: number): number | undefined {
  if (text.startsWith('|>', at)) return at;
  if (text.startsWith('<|', at - 1) && text[at + 1] !== '|') return at - 1;
  return undefined;
}

interface Leaf {
  type: string;
  start: number;
  end: number;
  text: string;
  /** An error-free subtree standing in for its tokens. */
  opaque?: Node;
}

export function syntaxErrors(
  tree: Tree,
  text: string,
  firstError?: (text: string) => FirstError | null,
  /** Also ask Nix's grammar when tree-sitter found nothing (it accepts a few things Nix refuses, like `a == b == c`). */
  thorough = true,
): SyntaxProblem[] {
  const root = tree.rootNode;
  if (!root.hasError && !(firstError && thorough)) return [];
  // Nix's own grammar (recognizer.ts) has the last word on whether and where the file is broken; tree-sitter's
  // recovery then only adds the later, independent mistakes.
  const found = firstError ? firstError(text) : null;
  if (firstError && !found) return [];
  const precise =
    found && found.nixOffset !== undefined && found.nixOffset < found.start
      ? { ...found, start: found.nixOffset, end: Math.max(found.end, found.nixOffset) }
      : found;
  if (!root.hasError && precise)
    return [
      refineMissingSemicolon(
        { span: { start: precise.start, end: precise.end }, message: precise.message },
        text,
      ),
    ];
  const leaves = collectLeaves(root, text);
  const problems: SyntaxProblem[] = [];
  let unclosed = findUnclosed(leaves, text);
  let cutoff = Infinity; // tree-sitter sites after an unclosed bracket are its cascade

  // At a NUL byte Nix's input ends (parse-bounds.ts): that, not a bracket left open before it, is the news. A
  // `${` where Nix takes none (`''${${x}}''`, zsh's `${${(M)…}}` pasted into a string) throws tree-sitter's
  // brackets off for the rest of the file: Nix's own place is the one to give.
  const strayInterpolation = !!precise && /^unexpected '\$\{'/.test(precise.message);
  // (and tree-sitter's recovery after it is no guide to further mistakes)
  if (strayInterpolation) cutoff = Math.max(precise.end, precise.start + 1);
  if (
    unclosed &&
    !strayInterpolation &&
    (!precise || (unclosed.start <= precise.start && text[precise.start] !== '\0'))
  ) {
    // Bracket matching finds *an* unclosed bracket; indentation often shows which one was left open.
    const inner = unclosedByIndentation(text, root, unclosed.start, precise ? precise.start : text.length);
    if (inner && inner.start > unclosed.start) unclosed = inner;
    const bracket = bracketOf(unclosed) ?? unclosed.text;
    problems.push({
      span: { start: unclosed.start, end: unclosed.end },
      message: `'${bracket}' is not closed (expected '${OPENERS[bracket] ?? '}'}')`,
      related: {
        span: { start: text.length, end: text.length },
        message: 'the file ends before it is closed',
      },
    });
    cutoff = unclosed.start;
  }
  const sites = errorSites(root)
    .slice(0, MAX_PROBLEMS)
    .map((site) => describeSite(site, leaves, text))
    .filter((p): p is SyntaxProblem => !!p && p.span.start < cutoff);
  if (precise && precise.start < cutoff) {
    let span = { start: precise.start, end: Math.max(precise.end, precise.start) };
    let message = precise.message;
    if (/^unterminated/.test(message)) {
      // Nix notices at the end of the file; the person needs the quote that opened it.
      const opening = sites.find((p) => p.message === message && p.span.start <= precise.start);
      if (opening) span = opening.span;
    }
    const pipeAt = pipeOperatorAt(text, precise.start);
    if (pipeAt !== undefined) {
      span = { start: pipeAt, end: pipeAt + 2 };
      message = PIPE_MESSAGE;
    }
    problems.push({ span, message });
    for (const p of sites) if (p.span.start > precise.end) problems.push(p);
  } else if (!precise) for (const p of sites) problems.push(p);
  return onePerLine(
    problems.map((p) => refineMissingSemicolon(p, text)),
    text,
  );
}

/** A line without its trailing `# comment` (a `#` inside a string does not start one), right-trimmed. */
function codeBeforeComment(line: string): string {
  let inString = false;
  for (let k = 0; k < line.length; k++) {
    const c = line[k];
    if (c === '\\' && inString) k++;
    else if (c === '"') inString = !inString;
    else if (c === '#' && !inString && (k === 0 || /\s/.test(line[k - 1]))) return line.slice(0, k).trimEnd();
  }
  return line.trimEnd();
}

/** Keeps the first finding of each line: a broken line yields one message, not one per recovered fragment. */
function onePerLine(problems: SyntaxProblem[], text: string): SyntaxProblem[] {
  problems.sort((a, b) => a.span.start - b.span.start);
  const out: SyntaxProblem[] = [];
  let lastLineStart = -1;
  for (const p of problems) {
    const lineStart = text.lastIndexOf('\n', p.span.start - 1) + 1;
    if (lineStart === lastLineStart) continue;
    lastLineStart = lineStart;
    out.push(p);
  }
  return out;
}

const ATTRPATH_LINE = /^[ \t]*[A-Za-z_"$][A-Za-z0-9_'"\-.${} ]*$/;

/**
 * A missing `;` is noticed at the next token, often on the next line: `a = 1\n}` complains about `}`, and
 * `a = 1\n  b = 2;` parses as `a = 1 b` until the second `=`. A person sees a missing `;` at the end of the
 * binding that lacks it: report it there.
 */
function refineMissingSemicolon(p: SyntaxProblem, text: string): SyntaxProblem {
  if (!/expected ';'/.test(p.message)) return p;
  const at = p.span.start;
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  const before = text.slice(lineStart, at);
  let newBinding = false;
  if (!/^[ \t]*$/.test(before)) {
    if (text[at] !== '=' || text[at + 1] === '=' || !ATTRPATH_LINE.test(before)) return p;
    newBinding = true;
  }
  let i = lineStart - 1;
  // Walk back over line breaks, blank lines and whole-line comments to the previous binding's last character.
  for (;;) {
    while (i >= 0 && /\s/.test(text[i])) i--;
    if (i < 0) return p;
    const ls = text.lastIndexOf('\n', i) + 1;
    if (/^[ \t]*#/.test(text.slice(ls, i + 1))) {
      i = ls - 1;
      continue;
    }
    // A trailing comment: the `;` belongs before it.
    const code = codeBeforeComment(text.slice(ls, i + 1));
    i = ls + code.length - 1;
    break;
  }
  if (
    ';{(['.includes(text[i]) ||
    /(^|[^\w'-])(let|rec|in|then|else)$/.test(text.slice(Math.max(0, i - 5), i + 1))
  )
    return p;
  return {
    span: { start: i + 1, end: i + 1 },
    message: newBinding ? "expected ';' (the next line starts a new binding)" : "expected ';'",
  };
}

/**
 * The tokens on the paths from the root to the errors. A subtree without errors is balanced and correct by
 * construction, so it stands in as one opaque leaf: a broken 1 MB file costs as much as the broken part.
 * Walked with a cursor, without recursion: `Node.child(i)` is not constant-time in web-tree-sitter (it
 * re-walks hidden nodes), which made 10,000 open parentheses take seconds, and a file may nest 50,000 deep.
 */
function collectLeaves(root: Node, text: string): Leaf[] {
  const leaves: Leaf[] = [];
  const cursor = root.walk();
  try {
    // Inside an ERROR node every token counts: the brace that lost its partner may be in a correct-looking
    // subtree. `outer` holds that flag for the levels above the cursor.
    const outer: boolean[] = [];
    let insideError = false;
    for (;;) {
      const n = cursor.currentNode;
      const isError = n.isError;
      let descend = false;
      if (n.childCount === 0) {
        const missing = n.isMissing;
        if ((n.startIndex !== n.endIndex || missing) && n.type !== 'comment') {
          leaves.push({
            type: missing ? `MISSING ${n.type}` : n.type,
            start: n.startIndex,
            end: n.endIndex,
            text: missing ? '' : text.slice(n.startIndex, n.endIndex),
          });
        }
      } else if (!insideError && !n.hasError && !isError) {
        leaves.push({ type: n.type, start: n.startIndex, end: n.endIndex, text: '', opaque: n });
      } else descend = true;
      if (descend && cursor.gotoFirstChild()) {
        outer.push(insideError);
        insideError ||= isError;
        continue;
      }
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return leaves;
        insideError = outer.pop() ?? false;
      }
    }
  } finally {
    cursor.delete();
  }
}

/** The last real token of a leaf. */
function lastToken(leaf: Leaf, text: string): Leaf {
  return leaf.opaque ? edgeToken(leaf.opaque, text, true) : leaf;
}

/** The first real token of a leaf (opaque subtrees are expanded on demand, for messages). */
function firstToken(leaf: Leaf, text: string): Leaf {
  return leaf.opaque ? edgeToken(leaf.opaque, text, false) : leaf;
}

/** The first (or last) token of a subtree that is neither a comment nor empty, found with a cursor. */
function edgeToken(node: Node, text: string, last: boolean): Leaf {
  const cursor = node.walk();
  try {
    descend: while (last ? cursor.gotoLastChild() : cursor.gotoFirstChild()) {
      while (cursor.nodeType === 'comment' || cursor.endIndex <= cursor.startIndex) {
        if (!(last ? cursor.gotoPreviousSibling() : cursor.gotoNextSibling())) {
          cursor.gotoParent();
          break descend;
        }
      }
    }
    const start = cursor.startIndex;
    const end = cursor.endIndex;
    return { type: cursor.nodeType, start, end, text: text.slice(start, end) };
  } finally {
    cursor.delete();
  }
}

/** Tokens the grammar treats as one leaf but that open or close a bracket. */
function bracketOf(leaf: Leaf): string | undefined {
  if (leaf.type.startsWith('MISSING') || leaf.opaque) return undefined;
  if (leaf.type in OPENERS || CLOSERS.has(leaf.type)) return leaf.type;
  // Inside ERROR nodes tree-sitter may report raw characters.
  if (leaf.text in OPENERS || CLOSERS.has(leaf.text)) return leaf.text;
  return undefined;
}

/**
 * Indentation of the line holding an offset, for offsets visited in increasing order: the line start and its
 * indentation are found once per line, so a single 100,000-character line costs one scan, not one per bracket.
 */
function lineIndenter(text: string): (offset: number) => { indent: number; firstOnLine: boolean } {
  let lineStart = 0;
  let lineEnd = -1;
  let indentEnd = 0;
  return (offset) => {
    if (offset > lineEnd || offset < lineStart) {
      lineStart = text.lastIndexOf('\n', offset - 1) + 1;
      lineEnd = text.indexOf('\n', offset);
      if (lineEnd < 0) lineEnd = text.length;
      indentEnd = lineStart;
      while (indentEnd < lineEnd && (text[indentEnd] === ' ' || text[indentEnd] === '\t')) indentEnd++;
    }
    return { indent: indentEnd - lineStart, firstOnLine: indentEnd === offset };
  };
}

/**
 * Matches brackets over all tokens (ERROR nodes included). A closer that sits alone at the start of its line
 * is matched to the opener whose line has the same indentation, so in
 *   { a = {        <- this one is reported
 *       b = 1;
 *     c = 2;
 *   }
 * the inner `{` is the unclosed one, not the outer.
 */
function findUnclosed(leaves: Leaf[], text: string): Leaf | undefined {
  const stack: { leaf: Leaf; indent: number; closer: string }[] = [];
  const unclosed: Leaf[] = [];
  const indentOfLine = lineIndenter(text);
  for (const leaf of leaves) {
    const b = bracketOf(leaf);
    if (!b) continue;
    if (b in OPENERS) {
      stack.push({ leaf, indent: indentOfLine(leaf.start).indent, closer: OPENERS[b] });
      continue;
    }
    const { indent, firstOnLine } = indentOfLine(leaf.start);
    let target = -1;
    // Looks back at most MAX_LOOKBACK openers: hostile input (50,000 `{` then 50,000 `)`) stays linear.
    for (let i = stack.length - 1; i >= 0 && i >= stack.length - MAX_LOOKBACK; i--) {
      if (stack[i].closer !== b) continue;
      if (target === -1) target = i;
      if (!firstOnLine || stack[i].indent === indent) {
        target = i;
        break;
      }
      if (stack[i].indent < indent) break;
    }
    if (target === -1) continue; // a stray closer: the ERROR node reports it
    for (let i = stack.length - 1; i > target; i--) unclosed.push(stack[i].leaf);
    stack.length = target;
  }
  for (const s of stack) unclosed.push(s.leaf);
  if (!unclosed.length) return undefined;
  return unclosed.sort((a, b) => a.start - b.start)[0];
}

function errorSites(root: Node): Node[] {
  const sites: Node[] = [];
  const cursor = root.walk();
  try {
    walk: for (;;) {
      const n = cursor.currentNode;
      if (n.isError || n.isMissing) {
        sites.push(n);
        if (sites.length >= MAX_PROBLEMS * 4) break;
      } else if (n.hasError && cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) if (!cursor.gotoParent()) break walk;
    }
  } finally {
    cursor.delete();
  }
  return sites.sort((a, b) => a.startIndex - b.startIndex);
}

function leafIndexAt(leaves: Leaf[], offset: number): number {
  let lo = 0;
  let hi = leaves.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (leaves[mid].start < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function describeSite(site: Node, leaves: Leaf[], text: string): SyntaxProblem | undefined {
  const lastLeaf = leaves[leaves.length - 1];
  const last = lastLeaf ? lastToken(lastLeaf, text) : undefined;
  const eof = (expected?: string): SyntaxProblem => {
    const at = last ? { start: last.start, end: last.end } : { start: 0, end: 0 };
    return { span: at, message: `unexpected end of file${expected ? ` (expected ${expected})` : ''}` };
  };
  if (site.isMissing) {
    const type = site.type;
    const idx = leafIndexAt(leaves, site.startIndex);
    if (type === 'identifier' || !/^[^a-z_]+$|^(in|then|else)$/.test(type)) {
      // An expression is missing: say what came instead.
      const found = leaves.slice(idx).find((l) => !l.type.startsWith('MISSING'));
      if (!found) return eof('an expression');
      const next = firstToken(found, text);
      return {
        span: { start: next.start, end: next.end },
        message: `unexpected ${describeToken(next.type, next.text)} (expected an expression)`,
      };
    }
    const prev =
      leaves[idx - 1] ??
      leaves
        .slice(0, idx)
        .reverse()
        .find((l) => !l.type.startsWith('MISSING'));
    const at = prev ? prev.end : site.startIndex;
    return { span: { start: at, end: at }, message: `expected '${type}'` };
  }
  // An ERROR node: its first token is the one the parser could not use.
  const idx = leafIndexAt(leaves, site.startIndex);
  const first = leaves[idx] ? firstToken(leaves[idx], text) : undefined;
  if (!first || first.start >= site.endIndex) {
    return eof();
  }
  const pipeAt =
    pipeOperatorAt(text, first.start) ??
    (text.startsWith('|>', first.start - 1) ? first.start - 1 : undefined) ??
    (text.startsWith('<|', first.start) ? first.start : undefined);
  if (pipeAt !== undefined) return { span: { start: pipeAt, end: pipeAt + 2 }, message: PIPE_MESSAGE };
  if (first.type === '"' || first.type === "''") {
    return { span: { start: first.start, end: first.end }, message: 'unterminated string' };
  }
  const parentType = site.parent?.type;
  const expected =
    parentType === 'binding'
      ? "';'"
      : parentType === 'list_expression'
        ? "']'"
        : parentType === 'parenthesized_expression'
          ? "')'"
          : undefined;
  if (parentType === 'source_code' && site.endIndex >= (last?.end ?? 0) && idx === 0) {
    // The whole file failed to reduce: the parser ran out of input.
    return eof();
  }
  return {
    span: { start: first.start, end: first.end },
    message: `unexpected ${describeToken(first.type, first.text)}${expected ? ` (expected ${expected})` : ''}`,
  };
}

const CLOSER_OF: Record<string, string> = { '{': '}', '[': ']', '(': ')' };

/**
 * The first opener in [from, limit) that indentation shows unclosed: it ends its line, the lines after it are
 * indented deeper, and the first line back at (or left of) its indentation does not start with its closer:
 *   services.tlp = {         <- this one
 *     enable = true;
 *   services.logind.lidSwitch = "suspend";
 * Lines inside strings and comments do not count (the tree tells), and a flat style (`a = {` followed by a
 * line that is not deeper) shows nothing. Looks at MAX_INDENT_LINES lines at most.
 */
function unclosedByIndentation(text: string, root: Node, from: number, limit: number): Leaf | undefined {
  interface Block {
    at: number;
    indent: number;
    bracket: string;
  }
  const blocks: Block[] = [];
  let pending: Block | undefined;
  let best: number | undefined;
  const flag = (b: Block) => {
    if (b.at >= from && b.at < limit && (best === undefined || b.at < best)) best = b.at;
  };
  let lineStart = text.lastIndexOf('\n', from - 1) + 1;
  for (let n = 0; n < MAX_INDENT_LINES && lineStart < text.length && lineStart <= limit; n++) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const line = text.slice(lineStart, lineEnd);
    const indent = /^[ \t]*/.exec(line)![0].length;
    const code = codeBeforeComment(line);
    const firstAt = lineStart + indent;
    if (code.length > indent && !insideToken(root, firstAt)) {
      if (pending && indent > pending.indent) blocks.push(pending);
      pending = undefined;
      while (blocks.length && blocks[blocks.length - 1].indent > indent) flag(blocks.pop()!);
      const top = blocks[blocks.length - 1];
      if (top && top.indent === indent && line[indent] !== CLOSER_OF[top.bracket]) flag(blocks.pop()!);
      else if (top && line[indent] === CLOSER_OF[top.bracket]) blocks.pop();
      const lastAt = lineStart + code.length - 1;
      const last = text[lastAt];
      if (last in CLOSER_OF && root.descendantForIndex(lastAt, lastAt + 1)?.type === last)
        pending = { at: lastAt, indent, bracket: last };
    }
    lineStart = lineEnd + 1;
  }
  if (best === undefined) return undefined;
  return { type: text[best], start: best, end: best + 1, text: text[best] };
}

/** Whether `offset` is inside a string or comment token (its line's indentation then means nothing). */
function insideToken(root: Node, offset: number): boolean {
  const n = root.descendantForIndex(offset, offset + 1);
  if (!n) return false;
  if (n.type === 'comment') return n.startIndex < offset;
  return (
    /string_fragment|escape_sequence|dollar_escape/.test(n.type) ||
    (n.type.includes('string') && n.startIndex < offset)
  );
}

/** Whether the text holds nothing but whitespace and complete comments (line comments and closed block comments). */
export function hasNoTokens(text: string): boolean {
  for (let i = 0; i < text.length; ) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
    else if (c === '#') {
      while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) return false;
      i = end + 2;
    } else return false;
  }
  return true;
}
