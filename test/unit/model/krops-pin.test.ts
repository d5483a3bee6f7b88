// The nixpkgs branch a krops source pins is the release of the machine it deploys; anything less certain is none.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kropsNixpkgsRef } from '../../../server/model/project';

test('a krops source pinning a NixOS/nixpkgs branch gives that branch', () => {
  assert.equal(
    kropsNixpkgsRef('nixpkgs.git = { ref = "nixos-20.09"; url = "https://github.com/NixOS/nixpkgs"; };'),
    'github:NixOS/nixpkgs/nixos-20.09',
  );
  assert.equal(
    kropsNixpkgsRef(
      'nixpkgs.git.url = https://github.com/NixOS/nixpkgs.git;\nnixpkgs.git.ref = "release-22.05";',
    ),
    'github:NixOS/nixpkgs/release-22.05',
  );
});

test('a fork, an interpolated ref or no url says nothing', () => {
  assert.equal(
    kropsNixpkgsRef('nixpkgs.git = { ref = "nixos-20.09"; url = "https://github.com/me/nixpkgs"; };'),
    undefined,
  );
  assert.equal(
    kropsNixpkgsRef('nixpkgs.git = { ref = "${rev}"; url = "https://github.com/NixOS/nixpkgs"; };'),
    undefined,
  );
  assert.equal(kropsNixpkgsRef('nixpkgs.git.ref = "nixos-20.09";'), undefined);
  assert.equal(kropsNixpkgsRef('nixpkgs.file = toString <nixpkgs>;'), undefined);
});
