// The evaluator's promises beyond agreeing with Nix (test/differential/eval-differential.test.ts does that):
// - an unknown input never becomes a wrong known value;
// - hostile input (self-application, self-reference, deep nesting, long chains, huge lists and strings,
//   exponential recursion, catastrophic regular expressions) ends with unknown, without an exception;
// - the nixpkgs lib model: `lib.extend`, `lib // other.lib`, `inherit (nixpkgs) lib`, lib reached through
//   inputs nixkit does not know, mk* markers modules.ts reads.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { WorkspaceSources } from '../../../server/analysis/workspace-sources';
import type { Expr } from '../../../server/syntax/ast';
import { Evaluator, rootEnv } from '../../../server/model/evaluator';
import { printValue } from '../../../server/model/nix-print';
import { collectModules } from '../../../server/model/modules';
import { nixpkgsLib } from '../../../server/model/nixpkgs-lib';
import { known, type Value } from '../../../server/model/value';
import { parser, tempDir } from '../../helpers';

let dirCount = 0;
const root = tempDir('evaluator');

/** Writes the files (main.nix first) to a fresh folder and evaluates main.nix. */
async function evaluate(
  main: string,
  files: Record<string, string> = {},
): Promise<{ ev: Evaluator; value: Value; text: string | undefined }> {
  const dir = path.join(root, String(dirCount++));
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries({ 'main.nix': main, ...files })) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  const sources = new WorkspaceSources(await parser(), 64 * 1024 * 1024);
  const ev = new Evaluator(sources);
  let value = ev.force(ev.fileThunk(path.join(dir, 'main.nix')));
  if (value.t === 'lambda' && value.expr.formals?.some((f) => f.name.name === 'lib'))
    value = ev.apply(
      value,
      known({ t: 'attrs', attrs: new Map([['lib', known(nixpkgsLib(ev))]]), dynamic: false }),
    );
  return { ev, value, text: printValue(ev, value) };
}

// ---- unknown never becomes a wrong known value ----------------------------------------------------------

/** Expressions with a hole X. */
const TEMPLATES = [
  'X + 1',
  'X - 1',
  'X * 2',
  '"a" + X',
  'X == 1',
  'X != "a"',
  '[ X ] == [ 1 ]',
  '{ a = X; } == { a = 1; }',
  'X < 2',
  'X && true',
  'X || false',
  'true && X',
  'false || X',
  'X -> false',
  '!X',
  'if X then 1 else 2',
  'X.a or 3',
  'X ? a',
  '(X // { b = 1; }).b',
  '({ b = 1; } // X).b',
  'builtins.attrNames X',
  'builtins.length X',
  'builtins.head X',
  'builtins.typeOf X',
  'builtins.isString X',
  'toString X',
  '"${X}"',
  'builtins.map (y: y) X',
  'builtins.filter (y: y) [ X true ]',
  'builtins.elem X [ 1 2 ]',
  'builtins.elem 1 [ X 1 ]',
  'builtins.any (y: y) [ X ]',
  'builtins.all (y: y == 1) [ 1 X ]',
  'builtins.sort (a: b: a < b) [ X 1 ]',
  'builtins.concatStringsSep "," [ "a" X ]',
  'builtins.listToAttrs [ { name = X; value = 1; } ]',
  'builtins.hasAttr "a" X',
  'builtins.stringLength X',
  'builtins.match "a.*" X',
  'builtins.tryEval X',
  'builtins.seq X 1',
  'builtins.deepSeq [ X ] 1',
  'builtins.toJSON [ X ]',
  "builtins.foldl' (a: b: a + b) 0 [ 1 X ]",
  '(y: 1) X',
  '({ a ? 1 }: a) X',
  '({ a, ... }: a) { a = X; }',
  'let s = { ${X} = 1; }; in s ? a',
  'with { a = 1; }; with X; a',
  'with X; a',
  'assert X; 1',
  'lib.optional X 1',
  'lib.optionalString X "s"',
  'lib.optionalAttrs X { a = 1; }',
  'lib.hasPrefix "a" X',
  'lib.genAttrs [ X ] (n: 1)',
  "lib.mapAttrs' (n: v: lib.nameValuePair X v) { a = 1; }",
  'lib.filterAttrs (n: v: v == X) { a = 1; }',
  'lib.recursiveUpdate { a.b = 1; } X',
  'lib.recursiveUpdate X { a.b = 1; }',
  'lib.attrByPath [ "a" ] 0 X',
  'lib.unique [ 1 X 1 ]',
];

/** Values X might really have. */
const CANDIDATES = [
  '0',
  '1',
  '2',
  '"a"',
  '""',
  'true',
  'false',
  'null',
  '[ ]',
  '[ 1 ]',
  '{ }',
  '{ a = 1; }',
  '(x: x)',
];

test('an unknown input never becomes a known value that some real input would contradict', async () => {
  const problems: string[] = [];
  for (const t of TEMPLATES) {
    const main = (x: string) => `{ lib }: let X = ${x}; in ${t}`;
    const withUnknown = await evaluate(main('builtins.currentSystem'));
    if (withUnknown.text === undefined) continue;
    for (const c of CANDIDATES) {
      const real = await evaluate(main(c));
      if (real.text !== undefined && real.text !== withUnknown.text)
        problems.push(
          `${t}: with X unknown nixkit says ${withUnknown.text}, with X = ${c} it is ${real.text}`,
        );
    }
  }
  assert.deepEqual(problems, []);
});

test('operations on an unknown stay unknown, a failure stays a failure', async () => {
  const u = (e: string) => `let u = builtins.currentSystem; in ${e}`;
  for (const e of [
    'u + 1',
    'u.a.b',
    '[ u ]',
    '{ a = u; }',
    'builtins.attrNames { ${u} = 1; }',
    'u u',
    '"${u}"',
  ])
    assert.equal((await evaluate(u(e))).text, undefined, e);
  // What does not depend on the unknown is still known.
  assert.equal((await evaluate(u('false && u'))).text, 'false');
  assert.equal((await evaluate(u('(x: 1) u'))).text, '1');
  assert.equal((await evaluate(u('builtins.length [ u u ]'))).text, '2');
  assert.equal((await evaluate(u('{ a = u; b = 2; }.b'))).text, '2');
  // A throw is a failure tryEval can see; an unknown is not.
  assert.equal((await evaluate('builtins.tryEval (throw "x")')).text, '{ success = false; value = false; }');
  assert.equal((await evaluate(u('builtins.tryEval u'))).text, undefined);
  const failed = (await evaluate('1 + throw "boom"')).value;
  assert.equal(failed.t === 'unknown' && failed.error, 'boom');
});

test('files of the machine running nixkit are not the machine being configured: unknown', async () => {
  for (const e of [
    'builtins.pathExists /sys/firmware/efi',
    'builtins.readFile /etc/hostname',
    'builtins.readDir /proc',
    'import /dev/zero',
    'builtins.readFile /dev/zero',
  ])
    assert.equal((await evaluate(e)).text, undefined, e);
});

// ---- hostile input ----------------------------------------------------------------------------------------

const HOSTILE_TIMEOUT = { timeout: 60_000 };

test('self-application, self-reference and infinite recursion end as unknown', HOSTILE_TIMEOUT, async () => {
  for (const e of [
    '(x: x x) (x: x x)',
    'rec { a = a; }.a',
    'let x = x; in x',
    'let x = { a = x.a; }; in x.a',
    'let f = x: f x; in f 1',
    'let f = x: f (x + 1); in f 0',
    'let f = x: [ (f x) ]; in builtins.deepSeq (f 1) 1',
    'let f = n: if n == 0 then 0 else f (n - 1) + f (n - 1); in f 40',
    'let xs = [ 1 ] ++ xs; in builtins.length xs',
    'import ./main.nix',
    'let m = { __functor = self: self; }; in m 1 2 3',
  ]) {
    const r = await evaluate(e);
    assert.equal(r.text, undefined, e);
  }
});

test('deep nesting and long chains end within the bounds', HOSTILE_TIMEOUT, async () => {
  const n = 50_000;
  const cases: [string, string | undefined][] = [
    ['('.repeat(n) + '1' + ')'.repeat(n), '1'], // parentheses are a loop, not a recursion
    ['[ '.repeat(n) + ']'.repeat(n), undefined],
    ['{ a = '.repeat(n) + '1' + '; }'.repeat(n), undefined],
    ['let x = ' + '1 + '.repeat(n) + '1; in x', undefined],
    ["builtins.foldl' (acc: x: [ acc ]) [ ] (builtins.genList (x: x) 20000) == [ ]", 'false'],
    ["builtins.toJSON (builtins.foldl' (acc: x: [ acc ]) [ ] (builtins.genList (x: x) 50000))", undefined],
    [
      "let deep = builtins.foldl' (acc: x: { a = acc; }) { } (builtins.genList (x: x) 50000); in builtins.deepSeq deep 1",
      undefined,
    ],
  ];
  for (const [e, want] of cases) {
    const r = await evaluate(e);
    assert.equal(r.text, want, e.slice(0, 60));
  }
});

test('a 100,000-key attribute path binds without recursion', HOSTILE_TIMEOUT, async () => {
  // Built as a syntax tree: tree-sitter itself is quadratic on such a text (the syntax layer bounds that).
  const span = { start: 0, end: 1 };
  const keys = Array.from({ length: 100_000 }, () => ({ span, name: 'a' }));
  const e: Expr = {
    kind: 'attrs',
    rec: false,
    open: span,
    span,
    inherits: [],
    bindings: [{ span, pathSpan: span, path: keys, value: { kind: 'int', value: 1, text: '1', span } }],
  };
  const ev = new Evaluator(new WorkspaceSources(await parser()));
  let v = ev.eval(e, rootEnv(), path.join(root, 'long-path.nix'));
  let depth = 0;
  while (v.t === 'attrs' && v.attrs.has('a')) {
    v = ev.force(v.attrs.get('a')!);
    depth++;
  }
  assert.equal(depth, 100_000);
  assert.equal(printValue(ev, v), '1');
});

test('a 3,000-long import chain ends as unknown past the depth bound', HOSTILE_TIMEOUT, async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 3000; i++) files[`f${i}.nix`] = i === 2999 ? '1' : `import ./f${i + 1}.nix`;
  assert.equal((await evaluate('import ./f0.nix', files)).text, undefined);
  // A short chain is followed.
  assert.equal((await evaluate('import ./f2990.nix', files)).text, '1');
});

test('huge lists, strings and regular expressions end as unknown', HOSTILE_TIMEOUT, async () => {
  for (const e of [
    'builtins.length (builtins.genList (x: x) 100000000)',
    'let f = n: s: if n == 0 then s else f (n - 1) (s + s); in builtins.stringLength (f 40 "x")',
    'let f = n: l: if n == 0 then l else f (n - 1) (l ++ l); in builtins.length (f 40 [ 1 ])',
    `builtins.match "(a*)*b" "${'a'.repeat(100)}"`,
    `builtins.match "(a|aa)+c" "${'a'.repeat(100)}"`,
    'builtins.concatStringsSep "" (builtins.genList (x: "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx") 1000000)',
  ])
    assert.equal((await evaluate(e)).text, undefined, e.slice(0, 60));
});

// ---- the nixpkgs lib model ----------------------------------------------------------------------------------

test('lib.extend, lib // other.lib, inherit (nixpkgs) lib; lib reached through unknown inputs by name', async () => {
  // nixpkgs as discovery gives it (its lib is the model); fleet is an input nixkit does not know.
  const r = await evaluate(`{ lib }:
let
  nixpkgs = { inherit lib; };
  fleet = builtins.currentSystem;
  extended = nixpkgs.lib.extend (final: prev: { mine = x: "mine-\${x}"; twice = x: final.mine (final.mine x); });
  joined = nixpkgs.lib // fleet.lib;
  inherited = let inherit (nixpkgs) lib; in lib.optionalString true "s";
in
{
  a = nixpkgs.lib.genAttrs [ "h1" "h2" ] (n: n);
  b = extended.twice "x";
  c = joined.hasPrefix "a" "ab";
  e = inherited;
  f = extended.filterAttrs (n: v: v) { x = true; y = false; };
}`);
  assert.equal(
    r.text,
    '{ a = { h1 = "h1"; h2 = "h2"; }; b = "mine-mine-x"; c = true; e = "s"; f = { x = true; }; }',
  );
  // Through inputs nixkit does not know: lib functions by name, anything else unknown.
  const byName = await evaluate(`let nixpkgs = builtins.currentSystem; fleet = builtins.currentSystem; in {
  a = nixpkgs.lib.genAttrs [ "h1" ] (n: n);
  b = (nixpkgs.lib.extend (f: p: { x = 1; })).x;
  c = (let inherit (nixpkgs) lib; in lib.nixosSystem { modules = [ ]; });
  d = fleet.lib.mkHost { };
}`);
  const get = (k: string) =>
    byName.value.t === 'attrs' ? byName.ev.force(byName.value.attrs.get(k)!) : undefined;
  assert.equal(printValue(byName.ev, get('a')!), '{ h1 = "h1"; }');
  assert.equal(printValue(byName.ev, get('b')!), '1');
  assert.equal(get('c')?.t, 'nixosSystem');
  assert.equal(get('d')?.t, 'unknown');
});

test('mk* functions of the lib model are the markers the module reader unwraps', async () => {
  const r = await evaluate(`{ lib }: {
  a = lib.mkIf true 1;
  b = lib.mkDefault 2;
  c = lib.mkForce 3;
  d = lib.mkMerge [ { x = 1; } ];
  e = lib.mkOverride 900 4;
  f = lib.modules.mkBefore [ 1 ];
  g = with lib; mkIf false 1;
  h = lib.optionalAttrs builtins.currentSystem { y = 1; };
}`);
  assert.equal(r.value.t, 'attrs');
  const get = (k: string) => (r.value.t === 'attrs' ? r.ev.force(r.value.attrs.get(k)!) : undefined);
  const kinds = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((k) => {
    const v = get(k);
    return v?.t === 'mk' ? `${v.kind}${v.priority ?? ''}` : v?.t;
  });
  assert.deepEqual(kinds, ['if', 'priority1000', 'priority50', 'merge', 'priority900', 'order', 'if', 'if']);
});

test('a string made from a local path is that file for imports, and an unknown value for options', async () => {
  const r = await evaluate('{ imports = [ "${./hw.nix}" ]; boot.label = "${./hw.nix}"; }', {
    'hw.nix': '{ lib, ... }: { networking.hostName = lib.mkDefault "box"; }',
  });
  const main = (r.value.src as { file: string }).file;
  const collected = collectModules(r.ev, [known({ t: 'path', v: main })], undefined);
  const byPath = new Map(collected.definitions.map((d) => [d.path.join('.'), d]));
  assert.deepEqual(
    collected.modules.map((m) => (m.kind === 'file' ? path.basename(m.file) : m.kind)),
    ['main.nix', 'hw.nix'],
  );
  assert.equal(byPath.get('boot.label')?.value.t, 'unknown');
  const host = byPath.get('networking.hostName');
  assert.equal(host?.value.t === 'str' && host.value.v, 'box');
  assert.equal(host?.priority, 1000);
});
