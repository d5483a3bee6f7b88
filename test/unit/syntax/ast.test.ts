import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Expr } from '../../../server/syntax/ast';
import { unparen } from '../../../server/syntax/ast';
import { parse } from '../../helpers';

async function expr(text: string): Promise<Expr> {
  const doc = await parse(text);
  const e = doc.sourceFile().expr;
  doc.dispose();
  assert.ok(e, 'has an expression');
  return e;
}

test('strings decode escapes and keep interpolations as expressions', async () => {
  const e = await expr('"a\\nb\\${c}${d}$${e}"');
  assert.equal(e.kind, 'string');
  if (e.kind !== 'string') return;
  assert.equal(e.parts[0], 'a\nb${c}');
  assert.equal((e.parts[1] as Expr).kind, 'var');
  assert.equal(e.parts[2], '$${e}');
  assert.equal(e.value, undefined);
});

test('indented strings strip common indentation and decode their escapes', async () => {
  const e = await expr("''\n    line one\n      two ''$x '''\n  ''");
  assert.equal(e.kind, 'string');
  if (e.kind !== 'string') return;
  assert.equal(e.value, "line one\n  two $x ''\n");
});

test('paths know their kind and static value', async () => {
  const kinds = await Promise.all(['./a/b.nix', '/etc/nixos', '~/x', '<nixpkgs>'].map(expr));
  assert.deepEqual(
    kinds.map((k) => (k.kind === 'path' ? [k.pathKind, k.value] : k.kind)),
    [
      ['relative', './a/b.nix'],
      ['absolute', '/etc/nixos'],
      ['home', '~/x'],
      ['search', 'nixpkgs'],
    ],
  );
  const interp = await expr('./hosts/${name}.nix');
  assert.equal(interp.kind === 'path' && interp.value, undefined);
});

test('bindings keep their attribute paths, static and dynamic, with spans', async () => {
  const e = await expr('{ a.b."c.d" = 1; ${x} = 2; inherit (p) q "r"; }');
  assert.equal(e.kind, 'attrs');
  if (e.kind !== 'attrs') return;
  assert.deepEqual(
    e.bindings[0].path.map((k) => k.name),
    ['a', 'b', 'c.d'],
  );
  assert.equal(e.bindings[1].path[0].name, undefined);
  assert.equal(e.bindings[1].path[0].dynamic?.kind, 'var');
  assert.deepEqual(
    e.inherits[0].names.map((k) => k.name),
    ['q', 'r'],
  );
  assert.equal(e.inherits[0].from?.kind, 'var');
  assert.deepEqual(e.bindings[0].pathSpan, { start: 2, end: 11 });
});

test('functions, application, select with default, and operators', async () => {
  const e = await expr('{ a, b ? 1, ... }@args: (f a).x.y or b + -1');
  assert.equal(e.kind, 'lambda');
  if (e.kind !== 'lambda') return;
  assert.deepEqual(
    e.formals?.map((f) => f.name.name),
    ['a', 'b'],
  );
  assert.equal(e.ellipsis, true);
  assert.equal(e.param?.name, 'args');
  const body = e.body;
  assert.equal(body.kind, 'binary');
  if (body.kind !== 'binary') return;
  assert.equal(body.op, '+');
  const sel = body.left;
  assert.equal(sel.kind, 'select');
  if (sel.kind !== 'select') return;
  assert.deepEqual(
    sel.path.map((k) => k.name),
    ['x', 'y'],
  );
  assert.equal(unparen(sel.target).kind, 'apply');
  assert.equal(sel.default?.kind, 'var');
  assert.equal(body.right.kind, 'unary');
});

test('a broken file still yields an AST (with error nodes, or none at all), never a throw', async () => {
  const doc = await parse('{ a = ; b = 2; c = [ 1 ');
  const e = doc.sourceFile().expr;
  assert.ok(e === undefined || ['attrs', 'error'].includes(e.kind));
  const partial = await expr('{ a = ; b = 2; }');
  assert.equal(partial.kind, 'attrs');
  if (partial.kind === 'attrs') assert.equal(partial.bindings[0].value.kind, 'error');
  doc.dispose();
});
