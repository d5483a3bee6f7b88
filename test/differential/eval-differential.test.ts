// nixkit's evaluator against Nix 2.8's (`nix-instantiate --eval --strict`), on the corpus test/corpus/eval:
// - lang/, builtins/: every attribute of each file must evaluate, and print exactly as Nix prints it;
// - lib/: functions of `{ lib }:` the same, with lib = nixkit's nixpkgs lib model (its prelude is plain Nix,
//   so Nix evaluates the same source);
// - errors/: Nix fails on each file, so nixkit must not claim a value;
// - unknown/: what nixkit does claim (per attribute) must be what Nix says.
// Plus a folder tree made on the fly for readDir/readFile/pathExists and imports of folders.
// Nix's answers are cached by content hash (NIXKIT_NIX_CACHE, default $TMPDIR/nixkit-nix-verdicts).
import { test, before } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { WorkspaceSources } from '../../server/analysis/workspace-sources';
import { Evaluator } from '../../server/model/evaluator';
import { printValue } from '../../server/model/nix-print';
import { nixpkgsLib } from '../../server/model/nixpkgs-lib';
import { NIXPKGS_LIB_SOURCE } from '../../server/model/nixpkgs-lib-source';
import type { Value } from '../../server/model/value';
import { parser, REPO_ROOT, tempDir } from '../helpers';
import { nixValues, type NixValue } from './eval-oracle';
import { requireNix } from './nix-oracle';

const CORPUS = join(REPO_ROOT, 'test', 'corpus', 'eval');

interface Case {
  group: string;
  file: string;
  /** The attribute compared, or undefined for the whole file. */
  attr?: string;
  nix?: NixValue;
  nixkit?: string;
}

const cases: Case[] = [];
let sources: WorkspaceSources;
let preludeFile = '';

function listNix(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.nix'))
    .sort()
    .map((f) => join(dir, f));
}

/** The file's value in nixkit: `{ lib }:` files get nixkit's lib. */
function nixkitTop(ev: Evaluator, file: string): Value {
  const v = ev.force(ev.fileThunk(file));
  if (v.t === 'lambda' && v.expr.formals?.some((f) => f.name.name === 'lib')) {
    const lib = nixpkgsLib(ev);
    return ev.apply(v, { value: { t: 'attrs', attrs: new Map([['lib', { value: lib }]]), dynamic: false } });
  }
  return v;
}

function nixExpr(file: string, attr: string | undefined, group: string): string {
  const top = group === 'lib' ? `(import ${file} { lib = import ${preludeFile} { }; })` : `(import ${file})`;
  return attr === undefined ? top : `${top}.${JSON.stringify(attr)}`;
}

before(async () => {
  requireNix();
  await parser();
  sources = new WorkspaceSources(await parser());
  const work = tempDir('eval-differential');
  preludeFile = join(work, 'nixpkgs-lib.nix');
  writeFileSync(preludeFile, NIXPKGS_LIB_SOURCE);
  const tree = makeTree(join(work, 'tree'));

  const groups: [string, string[]][] = [
    ['lang', listNix(join(CORPUS, 'lang'))],
    ['builtins', listNix(join(CORPUS, 'builtins'))],
    ['lib', listNix(join(CORPUS, 'lib'))],
    ['errors', listNix(join(CORPUS, 'errors'))],
    ['unknown', listNix(join(CORPUS, 'unknown'))],
    ['tree', [join(tree, 'main.nix')]],
  ];
  for (const [group, files] of groups) {
    for (const file of files) {
      // A fresh evaluator per file: one file's fuel or failures never affect another's.
      const ev = new Evaluator(sources);
      const top = nixkitTop(ev, file);
      if (group !== 'errors' && top.t === 'attrs' && !top.dynamic) {
        for (const attr of [...top.attrs.keys()].sort()) {
          const v = ev.force(top.attrs.get(attr)!);
          cases.push({ group, file, attr, nixkit: printValue(ev, v) });
        }
      } else cases.push({ group, file, nixkit: printValue(ev, top) });
    }
  }
  const answers = await nixValues(
    cases.map((c) => ({
      expr: nixExpr(c.file, c.attr, c.group),
      cwd: CORPUS,
      // The answer depends on the file and where it is (paths print absolute), and for lib on the prelude.
      key: `${c.file}\0${readFileSync(c.file, 'utf8')}\0${c.group === 'lib' ? NIXPKGS_LIB_SOURCE : ''}${
        c.group === 'tree' ? Math.random() : ''
      }`,
    })),
    2,
  );
  answers.forEach((a, i) => (cases[i].nix = a));
});

/** A folder tree for the file builtins: files, folders with default.nix, a symlink. */
function makeTree(root: string): string {
  mkdirSync(join(root, 'hosts', 'alpha'), { recursive: true });
  mkdirSync(join(root, 'hosts', 'beta'), { recursive: true });
  mkdirSync(join(root, 'lib'), { recursive: true });
  writeFileSync(join(root, 'hosts', 'alpha', 'default.nix'), '{ name = "alpha"; n = 1; }\n');
  writeFileSync(join(root, 'hosts', 'beta', 'default.nix'), '{ name = "beta"; n = 2; }\n');
  writeFileSync(join(root, 'hosts', 'README'), 'not nix\n');
  writeFileSync(join(root, 'lib', 'default.nix'), '{ double = x: x * 2; more = import ./more.nix; }\n');
  writeFileSync(join(root, 'lib', 'more.nix'), '[ 1 2 ]\n');
  writeFileSync(join(root, 'data.json'), '{"hosts": ["alpha", "beta"], "port": 22}');
  writeFileSync(join(root, 'data.toml'), 'name = "t"\n[server]\nport = 8080\n');
  writeFileSync(join(root, 'text.txt'), 'line 1\nline 2\n');
  symlinkSync('text.txt', join(root, 'link.txt'));
  writeFileSync(
    join(root, 'main.nix'),
    `let
  entries = builtins.readDir ./hosts;
  hostNames = builtins.filter (n: entries.\${n} == "directory") (builtins.attrNames entries);
  hosts = builtins.listToAttrs (map (n: { name = n; value = import ./hosts/\${n}; }) hostNames);
  mylib = import ./lib;
in
{
  entries = entries;
  top = builtins.readDir ./.;
  hosts = hosts;
  viaPlus = (import (./hosts + "/alpha")).name;
  lib = [ (mylib.double 21) mylib.more ];
  exists = [ (builtins.pathExists ./hosts/alpha) (builtins.pathExists ./nope) (builtins.pathExists ./text.txt) ];
  text = builtins.readFile ./text.txt;
  linked = builtins.readFile ./link.txt;
  json = builtins.fromJSON (builtins.readFile ./data.json);
  toml = builtins.fromTOML (builtins.readFile ./data.toml);
  strPath = builtins.readFile (toString ./text.txt);
}
`,
  );
  return root;
}

function label(c: Case): string {
  return `${relative(REPO_ROOT, c.file)}${c.attr === undefined ? '' : ` .${c.attr}`}`;
}

function check(groups: string[], rule: (c: Case) => string | undefined): void {
  const bad: string[] = [];
  const mine = cases.filter((c) => groups.includes(c.group));
  assert.ok(mine.length > 0, 'no cases');
  for (const c of mine) {
    const problem = rule(c);
    if (problem) bad.push(`${label(c)}: ${problem}`);
  }
  assert.deepEqual(bad, [], `${bad.length} of ${mine.length} disagree with Nix:\n${bad.join('\n')}`);
}

const sameValue = (c: Case): string | undefined => {
  if (!c.nix?.ok) return `Nix failed (${c.nix?.text}), the corpus must hold values Nix computes`;
  if (c.nixkit === undefined) return `nixkit does not know it; Nix says ${c.nix.text}`;
  if (c.nixkit !== c.nix.text) return `\n  nixkit ${c.nixkit}\n  nix    ${c.nix.text}`;
  return undefined;
};

test('the language and the builtins give the values Nix gives', () => {
  check(['lang', 'builtins'], sameValue);
});

test("nixkit's nixpkgs lib model gives what the same Nix source gives under Nix", () => {
  check(['lib'], sameValue);
});

test('readDir, readFile, pathExists and imports of folders give what Nix gives', () => {
  check(['tree'], sameValue);
});

test('where Nix fails, nixkit claims no value', () => {
  check(['errors'], (c) => {
    if (c.nix?.ok) return `Nix succeeds (${c.nix.text}): not an error case`;
    if (c.nixkit !== undefined) return `nixkit claims ${c.nixkit}; Nix: ${c.nix?.text}`;
    return undefined;
  });
});

test('what nixkit claims about impure or partly unknown expressions is what Nix says', () => {
  check(['unknown'], (c) => {
    if (c.nixkit === undefined) return undefined;
    if (!c.nix?.ok) return `nixkit claims ${c.nixkit}; Nix fails: ${c.nix?.text}`;
    return c.nixkit === c.nix.text ? undefined : `\n  nixkit ${c.nixkit}\n  nix    ${c.nix.text}`;
  });
});
