// Text edits that rewrite what is already written: rename the keys of an option path in place, delete a
// definition, add a binding or an import to a module. Each returns undefined when it cannot be sure the result
// is valid Nix.
import type { Definition } from '../model/modules';
import type { SourceProvider } from '../model/sources';
import type { Source } from '../model/value';
import {
  childExprs,
  staticPath,
  unparen,
  type AttrKey,
  type AttrsExpr,
  type Binding,
  type Expr,
} from '../syntax/ast';
import { attrPath } from './edits';
import type { RuleEdit } from './rule';

export interface WrittenKeys {
  /** Where each key of `def.path` is written in the bindings around the definition (undefined where unknown). */
  spans: (Source | undefined)[];
  /** For each key, the index of the first key of the dotted path it is written in. */
  starts: (number | undefined)[];
}

/**
 * Where the keys of a definition's path are written: its own binding and the bindings of the sets around it,
 * as far as they spell the path (through `lib.mkIf … { }` and the like, not through variables). More precise
 * than `pathAt`, which names the first binding that created a shared prefix (`services.` of an earlier line).
 */
export function writtenKeys(def: Definition, sources: SourceProvider): WrittenKeys {
  const spans: (Source | undefined)[] = def.path.map(() => undefined);
  const starts: (number | undefined)[] = def.path.map(() => undefined);
  const target = def.binding;
  const ast = target && sources.parsed(target.file)?.ast;
  if (!target || !ast?.expr) return { spans, starts };
  const chain = bindingsAround(ast.expr, target.span);
  const inner = chain[chain.length - 1];
  if (!inner || inner.span.start !== target.span.start || inner.span.end !== target.span.end)
    return { spans, starts };
  let i = def.path.length;
  for (let c = chain.length - 1; c >= 0; c--) {
    const b = chain[c];
    const names = staticPath(b.path);
    if (!names || names.length > i) break;
    const first = i - names.length;
    if (!names.every((n, j) => def.path[first + j] === n)) break;
    names.forEach((_, j) => {
      spans[first + j] = { file: target.file, span: b.path[j].span };
      starts[first + j] = first;
    });
    i = first;
  }
  return { spans, starts };
}

/**
 * The bindings of sets that hold `span`, outermost first. Descends straight to it (a binary search among a set's
 * bindings or a list's items) instead of walking the file: rules ask this for every definition they report, and a
 * set of 3,000 bindings made each question cost the whole file.
 */
export function bindingsAround(root: Expr, span: { start: number; end: number }): Binding[] {
  const within = (s: { start: number; end: number }) => s.start <= span.start && span.end <= s.end;
  const chain: Binding[] = [];
  let e: Expr | undefined = root;
  for (let depth = 0; e && within(e.span) && depth < 10_000; depth++) {
    let next: Expr | undefined;
    if (e.kind === 'attrs' || e.kind === 'let') {
      const b: Binding | undefined = lastStartingBefore<Binding>(e.bindings, span.start);
      if (b && within(b.span)) {
        if (e.kind === 'attrs') chain.push(b);
        next = within(b.value.span)
          ? b.value
          : b.path.find((k: AttrKey) => k.dynamic && within(k.dynamic.span))?.dynamic;
      } else if (e.kind === 'let' && within(e.body.span)) next = e.body;
      else next = childExprs(e).find((c) => within(c.span)); // inherit (from) expressions
    } else if (e.kind === 'list') {
      const item = lastStartingBefore(e.items, span.start);
      next = item && within(item.span) ? item : undefined;
    } else next = childExprs(e).find((c) => within(c.span));
    e = next;
  }
  return chain;
}

/** The last of `xs` (in source order) that starts at or before `offset`. */
function lastStartingBefore<T extends { span: { start: number } }>(xs: T[], offset: number): T | undefined {
  let lo = 0;
  let hi = xs.length - 1;
  let found: T | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid].span.start <= offset) {
      found = xs[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * Replaces keys `from..to` (inclusive, indices into `def.path`) by `newKeys`, when they are exactly the start of
 * one dotted path (`services.xserver.libinput = {`, `nix.maxJobs = 4;`). The keys before `from` are written in
 * enclosing sets, and stay as they are.
 */
export function renameKeys(
  def: Definition,
  from: number,
  to: number,
  newKeys: string[],
  sources: SourceProvider,
  written = writtenKeys(def, sources),
): RuleEdit | undefined {
  const first = written.spans[from];
  const last = written.spans[to];
  if (!first || !last || written.starts[from] !== from || written.starts[to] !== from) return undefined;
  return {
    at: { file: first.file, span: { start: first.span.start, end: last.span.end } },
    newText: attrPath(newKeys),
  };
}

/** Deletes the binding that defines `def` (and its line when nothing else is on it). */
export function deleteDefinition(def: Definition, sources: SourceProvider): RuleEdit | undefined {
  if (!def.binding || def.bindingKeys === undefined) return undefined;
  const text = sources.parsed(def.binding.file)?.lines.text;
  if (text === undefined) return undefined;
  let { start, end } = def.binding.span;
  if (text[end - 1] !== ';') return undefined;
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  let lineEnd = text.indexOf('\n', end);
  if (lineEnd < 0) lineEnd = text.length;
  if (/^[ \t]*$/.test(text.slice(lineStart, start)) && /^[ \t]*$/.test(text.slice(end, lineEnd))) {
    start = lineStart;
    end = Math.min(lineEnd + 1, text.length);
  }
  return { at: { file: def.binding.file, span: { start, end } }, newText: '' };
}

/** The attribute set a module file's definitions are written in (`{ ... }: { … }`), if it is a plain one. */
export function moduleBody(file: string, sources: SourceProvider): AttrsExpr | undefined {
  const ast = sources.parsed(file)?.ast;
  if (!ast?.expr) return undefined;
  let e: Expr = unparen(ast.expr);
  if (e.kind === 'lambda') e = unparen(e.body);
  // `let … in { … }` and `with lib; { … }` are common module shapes.
  for (let i = 0; i < 4 && (e.kind === 'let' || e.kind === 'with'); i++) e = unparen(e.body);
  if (e.kind !== 'attrs' || e.rec) return undefined;
  if (e.bindings.some((b) => b.path[0]?.name === 'config' || b.path[0]?.name === 'options')) return undefined;
  return e;
}

/** Adds `binding` (`a.b = v;`) as the first binding of a module's body. */
export function insertIntoModule(
  file: string,
  binding: string,
  sources: SourceProvider,
): RuleEdit | undefined {
  const body = moduleBody(file, sources);
  const text = sources.parsed(file)?.lines.text;
  if (!body || text === undefined) return undefined;
  const first = body.bindings[0] ?? body.inherits[0];
  const indent = first ? indentAt(text, first.span.start) : indentAt(text, body.span.start) + '  ';
  const at = body.open.end;
  return { at: { file, span: { start: at, end: at } }, newText: `\n${indent}${binding}` };
}

/** Adds a path to a module's `imports` list (creating `imports = [ … ];` when there is none). */
export function addImport(file: string, importPath: string, sources: SourceProvider): RuleEdit | undefined {
  const body = moduleBody(file, sources);
  const text = sources.parsed(file)?.lines.text;
  if (!body || text === undefined) return undefined;
  const imports = body.bindings.filter((b) => b.path.length === 1 && b.path[0].name === 'imports');
  if (imports.length > 1) return undefined;
  if (imports.length === 1) {
    const value = unparen(imports[0].value);
    if (value.kind !== 'list') return undefined;
    const at = value.span.start + 1;
    return { at: { file, span: { start: at, end: at } }, newText: ` ${importPath}` };
  }
  return insertIntoModule(file, `imports = [ ${importPath} ];`, sources);
}

function indentAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}
