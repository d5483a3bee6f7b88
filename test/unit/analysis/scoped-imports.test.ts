// Files loaded with `scopedImport` get names from their scope: `undefined-variable` must not call those
// undefined (a public repository had about a hundred such errors), and must still report the others.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { checkPaths } from '../../../server/analysis/check-files';
import { tempDir } from '../../helpers';

async function undefinedIn(files: Record<string, string>): Promise<string[]> {
  const dir = tempDir('scoped-import');
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  const r = await checkPaths([dir]);
  return r.findings
    .filter((f) => f.code === 'undefined-variable')
    .map((f) => `${path.relative(dir, f.file)} ${f.severity} ${/'([^']*)'/.exec(f.message)?.[1]}`)
    .sort();
}

test('a file loaded with a written-out scope: the names it gives are defined, the others are still errors', async () => {
  assert.deepEqual(
    await undefinedIn({
      'default.nix':
        'let helpers = scopedImport { inherit (builtins) toString; hostName = "a"; } ./helpers.nix; in helpers',
      'helpers.nix': '{ name = hostName; motd = "${greeting} from ${toString hostName}"; }\n',
      // the same names in a file loaded with plain import are undefined
      'plain.nix': '{ name = hostName; }\n',
    }),
    ['helpers.nix error greeting', 'plain.nix error hostName'],
  );
});

test('a folder loaded with builtins.scopedImport: its default.nix gets the scope', async () => {
  assert.deepEqual(
    await undefinedIn({
      'flake.nix': '{ outputs = { ... }: { lib = builtins.scopedImport { Library = 1; } ./lib { }; }; }\n',
      'lib/default.nix': '{ ... }: Library + Other\n',
    }),
    ['lib/default.nix error Other'],
  );
});

test('a scope nixkit cannot list, or one that passes itself on through `import`: information that says so', async () => {
  const dir = {
    'default.nix': `let
  scope = { inherit lib; import = f: scopedImport scope f; };
  lib = { };
in scopedImport scope ./tree/a.nix
`,
    'tree/a.nix': 'import ./b.nix // { x = fromScope; }\n',
    'tree/b.nix': '{ y = alsoFromScope; }\n',
    'other/c.nix': '{ z = notInScope; }\n',
  };
  // `scope` is a variable, not a set written out: nixkit cannot list it. And its `import` loads whatever file it
  // is given with that scope (a computed path), so any file of the repository may have those names.
  assert.deepEqual(await undefinedIn(dir), [
    'other/c.nix information notInScope',
    'tree/a.nix information fromScope',
    'tree/b.nix information alsoFromScope',
  ]);
});

test('a loader function of the repository (a computed path): any file may be loaded with its scope', async () => {
  assert.deepEqual(
    await undefinedIn({
      'lib.nix': '{ load = file: scopedImport { x = 1; } file; }\n',
      'deep/a.nix': '{ a = x; b = y; }\n',
    }),
    ['deep/a.nix error y'],
  );
});

test('files of an ekala atom (a folder with atom.toml) get their scope from its loader: information', async () => {
  assert.deepEqual(
    await undefinedIn({
      'at/hosts/atom.toml': '[atom]\nid = "hosts"\nversion = "0.1.0"\n',
      'at/hosts/src/mod.nix': '{ micro = mod.host; inherit (deps) nixpkgs; }\n',
      // outside the atom the same name is an error
      'lib/plain.nix': '{ x = mod; }\n',
    }),
    [
      'at/hosts/src/mod.nix information deps',
      'at/hosts/src/mod.nix information mod',
      'lib/plain.nix error mod',
    ],
  );
});
