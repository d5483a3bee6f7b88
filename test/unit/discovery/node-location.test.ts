// Where a machine is said to be: a colmena node brought in with `inherit web;` points at its definition, not at
// the top of the file (the inherit has no key of its own).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { checkPaths } from '../../../server/analysis/check-files';
import { tempDir } from '../../helpers';

test('a colmena node inherited from a let is located at its definition', async () => {
  const dir = tempDir('node-location');
  fs.writeFileSync(
    path.join(dir, 'flake.nix'),
    `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
  outputs = { nixpkgs, ... }: let
    web = {
      deployment.targetHost = "web.example.org";
      imports = [ ./web.nix ];
    };
  in {
    colmena = {
      meta.nixpkgs = import nixpkgs { system = "x86_64-linux"; };
      inherit web;
    };
  };
}
`,
  );
  fs.writeFileSync(path.join(dir, 'web.nix'), '{ ... }: { networking.hostName = "web"; }\n');
  const r = await checkPaths([dir]);
  assert.deepEqual(
    r.configurations.map((c) => [c.name, c.range.start.line]),
    [['web', 3]],
  );
});
