// Definitions kept for older and newer releases side by side (`mkIf (config.system.nixos.release < "24.11") {
// hardware.opengl… }`): when the release nixkit knows rules the condition out, NixOS drops them and removed-option
// says nothing; otherwise the hedged warning stays.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { checkPaths } from '../../../server/analysis/check-files';
import { releaseGuardHolds } from '../../../server/data/release-guard';
import { UNSTABLE } from '../../../server/data/releases';
import { tempDir } from '../../helpers';

test('release guards decided by the known release, undecided otherwise', () => {
  const exact = { release: '26.05', exact: true, from: 'flake.lock' };
  const bound = { release: '24.05', exact: false, from: 'system.stateVersion' };
  const cases: [string, boolean | undefined, boolean | undefined][] = [
    ['mkIf (config.system.nixos.release < "24.11") {', false, undefined],
    ['lib.mkIf (lib.versionOlder config.system.nixos.release "24.11") {', false, undefined],
    ['lib.mkIf (lib.versionAtLeast lib.version "24.11") {', true, undefined],
    ['mkIf (lib.versionOlder "24.11" lib.trivial.release) {', true, undefined],
    ['mkIf ("24.11" > config.system.nixos.release) {', false, undefined],
    ['mkIf (config.system.nixos.release < "24.05") {', false, false],
    ['mkIf (cfg.enable && config.system.nixos.release < "24.11") {', false, undefined],
    ['mkIf (cfg.enable || config.system.nixos.release < "24.11") {', undefined, undefined],
    ['mkIf (config.system.nixos.release >= "27.05") {', false, undefined],
    ['mkIf cfg.enable {', undefined, undefined],
    // a let-bound `version` is no NixOS release
    ['mkIf (version < "24.11") {', undefined, undefined],
  ];
  for (const [text, withExact, withBound] of cases) {
    assert.equal(releaseGuardHolds(text, exact), withExact, `${text} on 26.05`);
    assert.equal(releaseGuardHolds(text, bound), withBound, `${text} on 24.05 or later`);
  }
  assert.equal(releaseGuardHolds('mkIf (config.system.nixos.release < "24.11") {', undefined), undefined);
  // unstable: newer than every shipped release, not known how far beyond
  const unstable = { release: UNSTABLE, exact: true, from: 'flake.nix' };
  assert.equal(releaseGuardHolds('mkIf (config.system.nixos.release < "24.11") {', unstable), false);
  assert.equal(releaseGuardHolds('mkIf (lib.versionAtLeast lib.version "24.11") {', unstable), true);
  assert.equal(releaseGuardHolds('mkIf (config.system.nixos.release < "99.05") {', unstable), undefined);
});

/** removed-option's findings on a machine of a flake pinned to `ref`, or a standalone one (release unknown). */
async function removedOptionFindings(ref: string | undefined): Promise<string[]> {
  const dir = tempDir('release-guard');
  if (ref)
    fs.writeFileSync(
      path.join(dir, 'flake.nix'),
      `{
  inputs.nixpkgs.url = "${ref}";
  outputs = { nixpkgs, ... }: {
    nixosConfigurations.box = nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./old.nix ]; };
  };
}
`,
    );
  else fs.writeFileSync(path.join(dir, 'configuration.nix'), '{ ... }: { imports = [ ./old.nix ]; }\n');
  fs.writeFileSync(
    path.join(dir, 'old.nix'),
    `{ config, lib, ... }:
{
  config = lib.mkIf (config.system.nixos.release < "24.11") {
    sound.enable = true;
  };
}
`,
  );
  const r = await checkPaths([dir]);
  return r.findings.filter((f) => f.code === 'removed-option').map((f) => `${f.severity} ${f.message}`);
}

test('removed-option: an option under a release guard the pinned release rules out is not reported', async () => {
  assert.deepEqual(await removedOptionFindings('github:NixOS/nixpkgs/nixos-25.05'), []);
  // a release the guard lets through still has the option: nothing to report either
  assert.deepEqual(await removedOptionFindings('github:NixOS/nixpkgs/nixos-24.05'), []);
  assert.deepEqual(await removedOptionFindings('github:NixOS/nixpkgs/nixos-unstable'), []);
  const unknown = await removedOptionFindings(undefined);
  assert.equal(unknown.length, 1, unknown.join('\n'));
  assert.match(unknown[0], /^warning sound\.enable was removed in NixOS 24\.11/);
});
