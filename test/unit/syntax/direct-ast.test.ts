// The direct AST builder (server/syntax/direct-ast.ts) against the two things it must agree with: Nix's verdict
// (the recogniser, itself checked against Nix 2.8) and the tree-sitter builder (build-ast.ts) that documents
// being edited use. Where tree-sitter-nix misreads valid Nix, the direct builder follows Nix; those cases are
// asserted here one by one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Expr } from '../../../server/syntax/ast';
import { directAst } from '../../../server/syntax/direct-ast';
import { buildAst } from '../../../server/syntax/build-ast';
import { recognize } from '../../../server/syntax/recognizer';
import { parser, REPO_ROOT } from '../../helpers';
import { mutants } from '../../differential/mutate';
import { RECOGNIZER_CASES } from '../recognizer-cases';

function nixFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...nixFiles(p));
    else if (e.name.endsWith('.nix')) out.push(p);
  }
  return out.sort();
}

const CORPUS_DIRS = ['test/corpus', 'examples'].map((d) => join(REPO_ROOT, d));

/** tree-sitter's reading, and whether it stumbled (its recovery then shapes the AST) though Nix accepts the text. */
async function treeSitterAst(text: string): Promise<{ expr?: Expr; hasError: boolean }> {
  const tree = (await parser()).parse(text);
  assert.ok(tree);
  try {
    return { expr: buildAst(tree.rootNode, text).expr, hasError: tree.rootNode.hasError };
  } finally {
    tree.delete();
  }
}

const plain = (e: Expr | undefined): unknown => JSON.parse(JSON.stringify(e ?? null));

test('on every corpus and example file it answers for, Nix accepts the file and the AST is tree-sitter’s', async () => {
  let compared = 0;
  let answered = 0;
  for (const file of CORPUS_DIRS.flatMap(nixFiles)) {
    const text = readFileSync(file, 'utf8');
    const direct = directAst(text);
    if (!direct) continue;
    answered++;
    assert.equal(recognize(text), null, `${file}: answered, but Nix rejects it`);
    const ts = await treeSitterAst(text);
    if (ts.hasError) continue; // tree-sitter-nix misreads it (see the cases below)
    compared++;
    // (as JSON: a property set to undefined and one left out mean the same)
    assert.deepEqual(plain(direct.expr), plain(ts.expr), file);
  }
  // The corpora are mostly valid Nix: a builder that declined everything must not pass.
  assert.ok(answered > 150, `answered for ${answered} files`);
  assert.ok(compared > 150, `compared ${compared} files`);
});

test('on mutated files it answers only where Nix accepts', async () => {
  const valid = join(REPO_ROOT, 'test', 'corpus', 'valid');
  const sources = nixFiles(valid).map((f) => ({ name: f, text: readFileSync(f, 'utf8') }));
  const texts = [...mutants(sources, 20, 11).map((m) => m.text), ...RECOGNIZER_CASES.map((c) => c.src)];
  let answered = 0;
  let declinedValid = 0;
  for (const text of texts) {
    const direct = directAst(text);
    const verdict = recognize(text);
    if (!direct) {
      if (!verdict && !text.includes('\r') && !text.includes('\0')) declinedValid++;
      continue;
    }
    answered++;
    assert.equal(verdict, null, `answered, but Nix rejects: ${JSON.stringify(text.slice(0, 200))}`);
  }
  assert.ok(answered > 200, `answered for ${answered} mutants`);
  // Declining valid text is allowed (tree-sitter then reads it) but should stay rare.
  assert.ok(declinedValid < answered / 10, `declined ${declinedValid} valid texts`);
});

const exprOf = (text: string): Expr => {
  const r = directAst(text);
  assert.ok(r?.expr, `answers for ${JSON.stringify(text)}`);
  return r.expr;
};

test('it reads valid Nix that tree-sitter-nix misreads the way Nix does', () => {
  // A trailing comma after the last formal (tree-sitter adds a formal without a name).
  const lambda = exprOf('{ a, b, }: a');
  assert.equal(lambda.kind, 'lambda');
  if (lambda.kind === 'lambda')
    assert.deepEqual(
      lambda.formals?.map((f) => f.name.name),
      ['a', 'b'],
    );
  // `x//y` is `x // y`, and `f x//y` is `(f x) // y` (tree-sitter reads one path token).
  const update = exprOf('f x//y');
  assert.equal(update.kind, 'binary');
  if (update.kind === 'binary') {
    assert.equal(update.op, '//');
    assert.equal(update.left.kind, 'apply');
  }
  // `f or` applies f to a variable called `or`.
  const orApply = exprOf('[ f or ]');
  assert.equal(orApply.kind, 'list');
  if (orApply.kind === 'list') {
    assert.equal(orApply.items.length, 1);
    assert.equal(orApply.items[0].kind, 'apply');
  }
  // `?` is left-associative in Nix 2.8 (`(a ? b) ? c`).
  const has = exprOf('a ? b ? c');
  assert.equal(has.kind, 'hasAttr');
  if (has.kind === 'hasAttr') assert.equal(has.target.kind, 'hasAttr');
});

test('it declines what Nix refuses and what it leaves to tree-sitter', () => {
  const declined: [string, string][] = [
    ['a == b == c', 'non-associative operators'],
    ['a < b <= c', 'non-associative operators'],
    ['{ ... , a }: 1', 'a formal after ...'],
    ['{ a b }: 1', 'formals without a comma'],
    ['let ${"a" + "b"} = 1; in 1', 'a dynamic attribute in let'],
    ['let a = {}; in { inherit (a) ${"x" + "y"}; }', 'a dynamic attribute in inherit'],
    ['{ a = 1; } /* unclosed', 'an unclosed comment'],
    ['{ a = 099999999999999999999; }', 'an integer Nix cannot hold'],
    ['./a/', 'a path with a trailing slash'],
    ['', 'an empty file'],
    ['# only a comment\n', 'a file without an expression'],
    ['{ a = 1;\r b = 2; }', 'a lone CR (tree-sitter reads it differently)'],
    ['{ a = 1; }\0junk', 'a NUL byte'],
    [`{ ${Array.from({ length: 3000 }, (_, i) => `a${i}`).join(', ')} }: 1`, 'formals beyond Bison’s stack'],
    ['('.repeat(2000) + '1' + ')'.repeat(2000), 'nesting deeper than the builder follows'],
    ['['.repeat(2000) + ']'.repeat(2000), 'lists nested deeper than the builder follows'],
    ['a |> b', 'a character Nix does not know'],
  ];
  for (const [text, why] of declined) assert.equal(directAst(text), undefined, why);
  // The same constructs where Nix accepts them.
  for (const text of ['(a == b) == c', '{ a, ... }: 1', 'let ${"a"} = 1; in a', '{ inherit ${"x"}; }'])
    assert.ok(directAst(text), text);
});

test('strings, indented strings and paths hold the values Nix gives them', () => {
  const s = exprOf('"a\\nb\\${c}${d}$${e}"');
  assert.equal(s.kind, 'string');
  if (s.kind === 'string') {
    assert.equal(s.parts[0], 'a\nb${c}');
    assert.equal(s.parts[2], '$${e}');
  }
  const ind = exprOf("''\n    line one\n      two ''$x '''\n  ''");
  assert.equal(ind.kind === 'string' ? ind.value : undefined, "line one\n  two $x ''\n");
  const p = exprOf('./hosts/${name}/default.nix');
  assert.equal(p.kind, 'path');
  if (p.kind === 'path') {
    assert.equal(p.pathKind, 'relative');
    assert.equal(p.parts[0], './hosts/');
    assert.equal(p.parts[2], '/default.nix');
  }
  const home = exprOf('~/x');
  assert.equal(home.kind === 'path' ? home.pathKind : undefined, 'home');
  const search = exprOf('<nixpkgs/lib>');
  assert.equal(search.kind === 'path' ? search.value : undefined, 'nixpkgs/lib');
});

test('with the pipe operators on (Nix 2.24 grammar), `|>` and `<|` are calls; off, the text is refused', () => {
  /** The expression as calls: `f(x)`; anything else by its source text. */
  const show = (text: string, e: Expr): string =>
    e.kind === 'apply' ? `${show(text, e.fn)}(${show(text, e.arg)})` : text.slice(e.span.start, e.span.end);
  const read = (text: string) => {
    const ast = directAst(text, { pipes: true });
    return ast?.expr ? show(text, ast.expr) : undefined;
  };
  assert.equal(read('x |> f |> g'), 'g(f(x))');
  assert.equal(read('g <| f <| x'), 'g(f(x))');
  // operands are operator expressions: `a + 1 |> f` pipes the sum; an application binds tighter
  assert.equal(read('a + 1 |> map f'), 'map(f)(a + 1)');
  assert.equal(read("builtins.foldl' add 0 <| xs ++ ys"), "builtins.foldl'(add)(0)(xs ++ ys)");
  // at the level of `if`: a lambda's or a branch's body may be a pipeline
  assert.match(read('xs: xs |> map f') ?? '', /^xs: xs \|> map f$/);
  assert.equal(directAst('x: x |> f', { pipes: true })?.expr?.kind, 'lambda');
  // mixing them without parentheses is an error for Nix 2.24 too
  assert.equal(directAst('x |> f <| y', { pipes: true }), undefined);
  assert.equal(directAst('f <| x |> g', { pipes: true }), undefined);
  assert.equal(read('(x |> f) |> g'), 'g((x |> f))');
  // off (Nix 2.8, and Nix without the feature): refused
  assert.equal(directAst('x |> f'), undefined);
  assert.equal(directAst('f <| x'), undefined);
  // `||` and `<=` are still themselves
  assert.equal(directAst('a || b |> f', { pipes: true })?.expr?.kind, 'apply');
  assert.equal(directAst('a <= b', { pipes: true })?.expr?.kind, 'binary');
});
