import assert from 'node:assert/strict';
import { test } from 'node:test';
import { outline, type OutlineSymbol } from '../../../server/syntax/symbols';
import { parse } from '../../helpers';

const names = (s: OutlineSymbol[]): unknown =>
  s.map((x) => (x.children.length ? [x.name, names(x.children)] : x.name));

test('the outline shows a module body through its function head, nested sets as children', async () => {
  const doc = await parse(`{ lib, ... }:
let port = 22; in
{
  boot.loader.systemd-boot.enable = true;
  services.openssh = { enable = true; ports = [ port ]; settings.PermitRootLogin = "no"; };
  networking = { hostName = "demo"; };
}`);
  const syms = outline(doc.sourceFile().expr, doc.lineIndex);
  assert.deepEqual(names(syms), [
    'port',
    'boot.loader.systemd-boot.enable',
    ['services.openssh', ['enable', 'ports', 'settings.PermitRootLogin']],
    ['networking', ['hostName']],
  ]);
  const ssh = syms[2];
  assert.equal(ssh.kind, 'namespace');
  assert.deepEqual(ssh.selectionRange.start, { line: 4, character: 2 });
  doc.dispose();
});

test('a flake outline reaches nixosConfigurations through the outputs function', async () => {
  const doc = await parse(`{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.05";
  outputs = { self, nixpkgs }: {
    nixosConfigurations.demo = nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./configuration.nix ]; };
  };
}`);
  const syms = outline(doc.sourceFile().expr, doc.lineIndex);
  assert.deepEqual(names(syms), ['inputs.nixpkgs.url', ['outputs', ['nixosConfigurations.demo']]]);
  assert.equal(syms[1].kind, 'function');
  doc.dispose();
});
