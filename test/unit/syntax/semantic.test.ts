import assert from 'node:assert/strict';
import { test } from 'node:test';
import { syntaxFindings } from '../../../server/analysis/syntax-findings';
import { parse } from '../../helpers';

async function codes(text: string): Promise<string[]> {
  const doc = await parse(text);
  const out = syntaxFindings(doc, '/x.nix').map(
    (f) => `${f.code}@${f.range.start.line}:${f.range.start.character}`,
  );
  doc.dispose();
  return out;
}

test('attributes defined twice are reported where the second definition is, as Nix does', async () => {
  assert.deepEqual(await codes('{ a = 1; a = 2; }'), ['duplicate-definition@0:9']);
  assert.deepEqual(await codes('{ a.b = 1; a = 2; }'), ['duplicate-definition@0:11']);
  assert.deepEqual(
    await codes('{ inherit a; inherit a; }').then((c) => c.filter((x) => x.startsWith('dup'))),
    ['duplicate-definition@0:21'],
  );
  assert.deepEqual(await codes('let a = 1; a = 2; in a'), ['duplicate-definition@0:11']);
  assert.deepEqual(await codes('{ "a" = 1; a = 2; }'), ['duplicate-definition@0:11']);
});

test('sets that Nix merges are not duplicates', async () => {
  assert.deepEqual(await codes('{ a.b = 1; a.c = 2; }'), []);
  assert.deepEqual(await codes('{ a = { b = 1; }; a = { c = 2; }; }'), []);
  assert.deepEqual(await codes('{ a = { b = { x = 1; }; }; a.b.y = 2; }'), []);
  assert.deepEqual(await codes('{ boot.loader.grub.enable = true; boot.loader.grub.device = "nodev"; }'), []);
  assert.deepEqual(await codes('{ a = { b = 1; }; a = { b = 2; }; }'), ['duplicate-definition@0:7']);
  // Recursively, as current Nix merges them (Nix 2.8 refused these; nixpkgs users build with a newer Nix).
  assert.deepEqual(await codes('{ nix.settings.max-jobs = 4; nix = { settings.cores = 4; }; }'), []);
  assert.deepEqual(await codes('{ a = { b = { x = 1; }; }; a = { b = { y = 2; }; }; }'), []);
  assert.deepEqual(
    await codes('{ a = { b = { x = 1; }; }; a = { b = { x = 2; }; }; }').then((c) => c.length),
    1,
  );
});

test('undefined variables are found; with, let, rec, formals and globals bind names', async () => {
  assert.deepEqual(await codes('x'), ['undefined-variable@0:0']);
  assert.deepEqual(await codes('{ config, lib, ... }: { a = lib.mkIf config.x pkgs.hello; }'), [
    'undefined-variable@0:46',
  ]);
  assert.deepEqual(await codes('{ pkgs }: with pkgs; [ hello git ]'), []);
  assert.deepEqual(await codes('let a = b; b = 1; in a'), []);
  assert.deepEqual(await codes('rec { a = b; b = 1; }'), []);
  assert.deepEqual(await codes('{ a = b; b = 1; }'), ['undefined-variable@0:6']);
  assert.deepEqual(await codes('{ a ? b, b ? 1 }: a'), []);
  assert.deepEqual(await codes('args@{ ... }: args'), []);
  assert.deepEqual(
    await codes('[ true false null builtins import map toString __curPos __add derivation ]'),
    [],
  );
  assert.deepEqual(await codes('let inherit a; in a'), ['undefined-variable@0:3']);
  assert.deepEqual(await codes('x: let inherit (x) a; in a'), []);
  assert.deepEqual(await codes('[ fetchurl ]'), ['undefined-variable@0:2']);
});

test('duplicate formal arguments and trailing-slash paths are errors, as in Nix', async () => {
  assert.deepEqual(await codes('{ a, a }: a'), ['syntax-error@0:5']);
  // The name after `@` counts as a formal; Nix reports it where the function starts.
  assert.deepEqual(await codes('a @ { a }: a'), ['syntax-error@0:0']);
  assert.deepEqual(await codes('x:\n  { b, a } @ a: a'), ['syntax-error@1:2']);
  assert.deepEqual(await codes('a @ { b }: a'), []);
  assert.deepEqual(await codes('./foo/'), ['syntax-error@0:0']);
  assert.deepEqual(await codes('./foo'), []);
});

test('dynamic attributes are not checked for duplicates (they are only known when evaluated)', async () => {
  assert.deepEqual(await codes('x: { ${x} = 1; ${x} = 2; }'), []);
});

test('sets Nix merges at parse time keep the scope of the first definition', async () => {
  // `a.b` creates a plain set; the `rec` merged into it later loses its `rec`.
  assert.deepEqual(await codes('{ a.b = 1; a = rec { c = b; }; }'), ['undefined-variable@0:25']);
  assert.deepEqual(await codes('let a.b = 1; a = rec { c = b; }; in a'), ['undefined-variable@0:27']);
  // A `rec` set defined first gets the later attributes, and its scope sees them.
  assert.deepEqual(await codes('{ a = rec { c = b; }; a.b = 1; }'), []);
  assert.deepEqual(await codes('{ a = rec { c = b; }; a.b.d = 1; }'), []);
  assert.deepEqual(await codes('rec { a = rec { b = 1; }; a.c = b; }'), []);
  // A plain set merged into an earlier `rec` one is evaluated in its scope.
  assert.deepEqual(await codes('{ a = rec { b = 1; }; a = { c = b; }; }'), []);
  assert.deepEqual(await codes('{ a = { b = 1; }; a = rec { c = b; }; }'), ['undefined-variable@0:32']);
  // The merged set's dynamic attributes are dropped by Nix 2.8, so nothing in them is checked.
  assert.deepEqual(await codes('{ a.b = 1; a = rec { ${x} = 1; }; }'), []);
  // A dynamic key binds no variable in a `rec` set.
  assert.deepEqual(await codes('x: rec { ${x} = 1; b = a; }'), ['undefined-variable@0:23']);
});
