// The lib prelude's file is virtual whichever module loads first: the evaluator and the lib model import each other,
// and a constant defined in one of them was still undefined while the other loaded (its file became
// "undefinednixpkgs-lib.nix", so values from the prelude carried a location and reasons named that file).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../../helpers';

const OUT = path.join(REPO_ROOT, 'out', 'server', 'model');

test('the prelude file is <nixkit>/… in a fresh process, the evaluator or the lib model loaded first', () => {
  for (const first of ['evaluator.js', 'nixpkgs-lib.js', 'project.js']) {
    const file = execFileSync(
      process.execPath,
      [
        '-e',
        `require(${JSON.stringify(path.join(OUT, first))}); ` +
          `process.stdout.write(require(${JSON.stringify(path.join(OUT, 'nixpkgs-lib.js'))}).NIXPKGS_LIB_FILE)`,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(file, '<nixkit>/nixpkgs-lib.nix', `${first} loaded first`);
  }
});
