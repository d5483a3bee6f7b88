// A SHA-256 crypt ($5$) hash stopped working when NixOS moved crypt(3) to a libxcrypt with strong hashes only
// (23.05); before that glibc verified it. password-hash-invalid says so by the configuration's release.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { checkPaths } from '../../../server/analysis/check-files';
import { tempDir } from '../../helpers';

const HASH = '$5$rounds=5000$abcdefgh$1234567890123456789012345678901234567890123';

async function verdict(flakeRef: string | undefined): Promise<string[]> {
  const dir = tempDir('hash-release');
  if (flakeRef)
    fs.writeFileSync(
      path.join(dir, 'flake.nix'),
      `{
  inputs.nixpkgs.url = "${flakeRef}";
  outputs = { nixpkgs, ... }: {
    nixosConfigurations.vm = nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./configuration.nix ]; };
  };
}
`,
    );
  fs.writeFileSync(
    path.join(dir, 'configuration.nix'),
    `{ ... }:
{
  users.users.root.hashedPassword = "${HASH}";
}
`,
  );
  const r = await checkPaths([dir]);
  return r.findings.filter((f) => f.code === 'password-hash-invalid').map((f) => f.severity);
}

test('a $5$ hash: fine before 23.05, an error from 23.05 on, a warning when the release is unknown', async () => {
  assert.deepEqual(await verdict('github:NixOS/nixpkgs/nixos-22.05'), []);
  assert.deepEqual(await verdict('github:NixOS/nixpkgs/nixos-24.11'), ['error']);
  assert.deepEqual(await verdict(undefined), ['warning']);
});
