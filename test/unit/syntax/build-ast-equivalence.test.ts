// The cursor-based AST builder (server/syntax/build-ast.ts) must build exactly what the Node-API builder it
// replaced built (kept as build-ast-reference.ts): same kinds, fields, spans, decoded strings and comments. Checked
// on every .nix file of the repository, generated modules, broken variants, incremental re-parses after random
// edits, and deep nesting (where the old builder overflowed the stack and the new one must not).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { Parser, Tree } from 'web-tree-sitter';
import type { Expr } from '../../../server/syntax/ast';
import { childExprs } from '../../../server/syntax/ast';
import { buildAst } from '../../../server/syntax/build-ast';
import { parser, REPO_ROOT } from '../../helpers';
import { breakText, deepNesting, generateExpr, generateModule, prng, randomEdit } from '../../nix-generator';
import { buildAstReference } from './build-ast-reference';

function nixFiles(dir: string, out: string[] = []): string[] {
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) nixFiles(p, out);
    else if (entry.name.endsWith('.nix')) out.push(p);
  }
  return out;
}

/** The inputs of tree-sitter-nix's own corpus tests (`=== name ===` header, input, `---`, expected tree). */
function grammarCorpus(): { name: string; text: string }[] {
  const dir = path.join(REPO_ROOT, 'node_modules/tree-sitter-nix/corpus');
  if (!fs.existsSync(dir)) return [];
  const out: { name: string; text: string }[] = [];
  for (const file of fs.readdirSync(dir)) {
    const content = fs.readFileSync(path.join(dir, file), 'utf8');
    const re = /^=+\n(.*)\n=+\n([\s\S]*?)\n-{3,}\n/gm;
    for (const m of content.matchAll(re)) out.push({ name: `${file}: ${m[1]}`, text: m[2] });
  }
  return out;
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `at ${i}:\n  new:       …${a.slice(Math.max(0, i - 120), i + 80)}\n  reference: …${b.slice(Math.max(0, i - 120), i + 80)}`;
}

/** Builds with both builders from the same tree and fails with the first difference. */
function assertSame(tree: Tree, text: string, label: string, strict = false): void {
  const fresh = buildAst(tree.rootNode, text);
  const reference = buildAstReference(tree.rootNode);
  const a = JSON.stringify(fresh);
  const b = JSON.stringify(reference);
  if (a !== b)
    assert.fail(
      `${label}: the AST differs ${firstDifference(a, b)}\n  input: ${JSON.stringify(text.slice(0, 300))}`,
    );
  // Also the keys whose value is undefined (JSON drops them; deepStrictEqual does not).
  if (strict) assert.deepStrictEqual(fresh, reference, label);
}

function check(p: Parser, text: string, label: string, strict = false): void {
  const tree = p.parse(text)!;
  try {
    assertSame(tree, text, label, strict);
  } finally {
    tree.delete();
  }
}

test('every .nix file in test/ and examples/, the grammar corpus, and broken variants of each', async () => {
  const p = await parser();
  const files = [...nixFiles(path.join(REPO_ROOT, 'test')), ...nixFiles(path.join(REPO_ROOT, 'examples'))];
  assert.ok(files.length > 10, `found only ${files.length} .nix files`);
  const sources = files.map((f) => ({ name: path.relative(REPO_ROOT, f), text: fs.readFileSync(f, 'utf8') }));
  sources.push(...grammarCorpus());
  const extra = path.join(REPO_ROOT, 'node_modules/tree-sitter-nix/test.nix');
  if (fs.existsSync(extra))
    sources.push({ name: 'tree-sitter-nix/test.nix', text: fs.readFileSync(extra, 'utf8') });
  for (const { name, text } of sources) {
    check(p, text, name, true);
    breakText(text, 6, hash(name)).forEach((broken, i) => check(p, broken, `${name} (broken #${i})`, true));
  }
});

test('generated modules of many sizes and seeds, and small expressions of every shape', async () => {
  const p = await parser();
  for (const [bytes, seeds] of [
    [500, 40],
    [5_000, 20],
    [50_000, 4],
    [250_000, 1],
  ]) {
    for (let seed = 1; seed <= seeds; seed++)
      check(p, generateModule(bytes, seed), `module ${bytes}B seed ${seed}`);
  }
  for (let seed = 1; seed <= 400; seed++) check(p, generateExpr(seed), `expression seed ${seed}`, true);
});

test('broken variants of generated modules', async () => {
  const p = await parser();
  for (let seed = 1; seed <= 12; seed++) {
    const text = generateModule(3_000 + seed * 500, 100 + seed);
    breakText(text, 25, seed).forEach((broken, i) =>
      check(p, broken, `module seed ${100 + seed} broken #${i}`, true),
    );
  }
});

test('incremental re-parses after random edits', async () => {
  const p = await parser();
  for (const seed of [7, 8, 9]) {
    const rand = prng(seed);
    let text = generateModule(8_000, seed);
    let tree = p.parse(text)!;
    for (let i = 0; i < 150; i++) {
      const e = randomEdit(text, rand);
      const newText = text.slice(0, e.start) + e.text + text.slice(e.end);
      const point = (t: string, offset: number) => {
        const before = t.slice(0, offset);
        const row = before.split('\n').length - 1;
        return { row, column: offset - (before.lastIndexOf('\n') + 1) };
      };
      tree.edit({
        startIndex: e.start,
        oldEndIndex: e.end,
        newEndIndex: e.start + e.text.length,
        startPosition: point(text, e.start),
        oldEndPosition: point(text, e.end),
        newEndPosition: point(newText, e.start + e.text.length),
      });
      const next = p.parse(newText, tree)!;
      tree.delete();
      tree = next;
      text = newText;
      assertSame(tree, text, `seed ${seed} edit ${i}`);
    }
    tree.delete();
  }
});

test('the text is optional: without it the builder reads it from the tree', async () => {
  const p = await parser();
  for (const text of [
    '  \n# lead\n  { a = "x"; /* c */ b = ./p; }  \n',
    '',
    '   ',
    '# only a comment\n',
    'x',
  ]) {
    const tree = p.parse(text)!;
    assert.deepStrictEqual(buildAst(tree.rootNode), buildAst(tree.rootNode, text));
    assertSame(tree, text, JSON.stringify(text), true);
    tree.delete();
  }
});

/** Nesting depth of an AST, without recursion. */
function depthOf(e: Expr): number {
  let max = 0;
  const stack: [Expr, number][] = [[e, 1]];
  while (stack.length) {
    const [x, d] = stack.pop()!;
    max = Math.max(max, d);
    for (const c of childExprs(x)) stack.push([c, d + 1]);
  }
  return max;
}

test('deep nesting builds without overflowing the stack, and moderate nesting matches the reference', async () => {
  const p = await parser();
  const cases: [Parameters<typeof deepNesting>[0], number, number][] = [
    // kind, depth, expected AST depth per level
    ['list', 5_000, 1],
    ['concat', 20_000, 1],
    ['paren', 5_000, 1],
    ['attrs', 3_000, 1],
    ['lambda', 5_000, 1],
    ['let', 3_000, 1],
  ];
  for (const [kind, depth, perLevel] of cases) {
    const text = deepNesting(kind, depth);
    const tree = p.parse(text)!;
    try {
      const file = buildAst(tree.rootNode, text);
      assert.ok(file.expr, kind);
      assert.ok(depthOf(file.expr) >= depth * perLevel, `${kind}: depth ${depthOf(file.expr)}`);
    } finally {
      tree.delete();
    }
    check(p, deepNesting(kind, 200), `${kind} x200`);
  }
});
