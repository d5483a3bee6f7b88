import assert from 'node:assert/strict';
import { test } from 'node:test';
import { syntaxFindings } from '../../../server/analysis/syntax-findings';
import { parse } from '../../helpers';

async function findings(text: string) {
  const doc = await parse(text);
  const out = syntaxFindings(doc, '/x.nix');
  doc.dispose();
  return out;
}

test('a valid module has no findings', async () => {
  const text = `{ config, lib, pkgs, ... }:
{
  imports = [ ./hardware-configuration.nix ];
  boot.loader.systemd-boot.enable = true;
  networking.hostName = "demo";
  environment.systemPackages = with pkgs; [ git vim ];
  users.users.alice = { isNormalUser = true; extraGroups = [ "wheel" ]; };
  system.stateVersion = "24.05";
}
`;
  assert.deepEqual(await findings(text), []);
});

test('a missing semicolon is reported at the end of the binding that lacks it', async () => {
  const f = await findings('{\n  a = 1;\n  b = 2\n}\n');
  assert.equal(f.length, 1);
  assert.equal(f[0].code, 'syntax-error');
  assert.deepEqual(f[0].range.start, { line: 2, character: 7 });
  assert.match(f[0].message, /expected ';'/);
});

test('an unclosed brace points at the brace that is not closed, and only there', async () => {
  const f = await findings('{\n  a = {\n    b = 1;\n  c = 2;\n}\n');
  assert.equal(f.length, 1, JSON.stringify(f));
  assert.deepEqual(f[0].range.start, { line: 1, character: 6 });
  assert.match(f[0].message, /'\{' is not closed/);
  assert.ok(f[0].related?.length, 'says where the file ends');
});

test('an unclosed outer brace is reported at the first line', async () => {
  const f = await findings('{\n  a = 1;\n  b = { c = 2; };\n');
  assert.equal(f.length, 1, JSON.stringify(f));
  assert.deepEqual(f[0].range.start, { line: 0, character: 0 });
});

test('an unterminated string is reported at its opening quote', async () => {
  const f = await findings('{ a = "abc; }');
  assert.equal(f.length, 1);
  assert.deepEqual(f[0].range.start, { line: 0, character: 6 });
  assert.match(f[0].message, /unterminated string/);
});

test('the line nixos-generate-config corrupted gives one finding on that line, and the rest of the file parses', async () => {
  const text = `{ config, lib, ... }:
{
  boot.initrd.availableKernelModules = [ "ahci" "xhci_pci" ];
  nixpkgs.hostPlatform = lib.mkDefault warning: the group 'nixbld' specified in 'build-users-group' does not exist; = lib.mkDefault config.hardware.enableRedistributableFirmware;
  hardware.cpu.intel.updateMicrocode = lib.mkDefault true;
}
`;
  const f = await findings(text);
  assert.equal(f.length, 1, JSON.stringify(f, null, 1));
  assert.equal(f[0].range.start.line, 3);
  assert.ok(
    f[0].range.start.character >= 'nixpkgs.hostPlatform = lib.mkDefault'.length + 2,
    JSON.stringify(f[0].range),
  );
});

test('the pipe operator gives one clear finding', async () => {
  const f = await findings('{ pkgs }: pkgs.hello |> toString');
  assert.equal(f.length, 1, JSON.stringify(f));
  assert.match(f[0].message, /pipe operator/);
  assert.deepEqual(f[0].range.start, { line: 0, character: 21 });
  // Nix 2.8 stops at the `|` of `<|` (it took the `<` for less-than); the finding covers both characters.
  for (const text of ['f: x: f <| x', 'f: x: f <|x']) {
    const g = await findings(text);
    assert.equal(g.length, 1, JSON.stringify(g));
    assert.match(g[0].message, /pipe operator/);
    assert.deepEqual([g[0].range.start.character, g[0].range.end.character], [8, 10]);
  }
});

test('an empty file and a comment-only file are one clear error each', async () => {
  for (const text of ['', '# just a comment\n']) {
    const f = await findings(text);
    assert.equal(f.length, 1);
    assert.match(f[0].message, /no expression/);
  }
  // A file cut off after its first tokens has an expression that ends too early, as Nix says.
  for (const [text, message] of [
    ['let', "unexpected end of file (expected 'in' or an attribute name)"],
    ['if', 'unexpected end of file (expected an expression)'],
    ['rec', "unexpected end of file (expected '{')"],
    ['# header\nwith', 'unexpected end of file (expected an expression)'],
  ]) {
    const f = await findings(text);
    assert.deepEqual(
      f.map((x) => x.message),
      [message],
      text,
    );
  }
});

test('an inner brace left open is found by indentation, even when the outer one has the same closer', async () => {
  const text = [
    '{',
    '  services.tlp = {',
    '    enable = true;',
    '  services.logind.lidSwitch = "suspend";',
    '  services.openssh = {',
    '    enable = true;',
    '  };',
    '}',
    '',
  ].join('\n');
  const f = await findings(text);
  assert.equal(f.length, 1, JSON.stringify(f));
  assert.match(f[0].message, /'\{' is not closed/);
  assert.deepEqual(f[0].range.start, { line: 1, character: 17 });
  // Lines inside an indented string do not count.
  const g = await findings(
    [
      '{',
      "  script = ''",
      '    if x; then {',
      '  echo',
      "  '';",
      '  a = {',
      '    b = 1;',
      '  c = 2;',
      '}',
      '',
    ].join('\n'),
  );
  assert.deepEqual(
    g.map((x) => [x.range.start.line, x.message]),
    [[5, "'{' is not closed (expected '}')"]],
  );
});

test('CRLF line endings parse like LF', async () => {
  assert.deepEqual(await findings('{\r\n  a = 1;\r\n  b = "x";\r\n}\r\n'), []);
  const f = await findings('{\r\n  a = 1;\r\n  b = 2\r\n}\r\n');
  assert.equal(f.length, 1);
  assert.deepEqual(f[0].range.start, { line: 2, character: 7 });
});

test('several independent mistakes give one finding each, not a cascade', async () => {
  const text = '{\n  a = 1\n  b = 2;\n  c = [ 1 2;\n  d = 4;\n}\n';
  const f = await findings(text);
  assert.ok(f.length >= 1 && f.length <= 3, JSON.stringify(f, null, 1));
  const lines = f.map((x) => x.range.start.line);
  assert.equal(new Set(lines).size, lines.length, 'one finding per line');
});

test("a `${` where Nix takes none (zsh's `${${…}}` pasted into a string) is reported where Nix reports it", async () => {
  // Nix 2.8: "syntax error, unexpected DOLLAR_CURLY" at the inner `${`, not an unclosed bracket before it
  const zsh = `{ config, ... }:
{
  home.file.".p10k.zsh".text = ''
    typeset -g PROMPT=" \${\${(M)$((i%6)):#3}:+x}"
  '';
  programs.zsh.enable = true;
}
`;
  const f = await findings(zsh);
  assert.equal(f.length, 1);
  assert.equal(f[0].range.start.line, 3);
  assert.equal(zsh.split('\n')[3].slice(f[0].range.start.character, f[0].range.start.character + 4), '${(M');
  assert.match(f[0].message, /unexpected '\$\{'/);
  const quoted = await findings('{\n  a = 1;\n  x = "${ ${b} }";\n  y = 2;\n}\n');
  assert.deepEqual(
    quoted.map((x) => [x.range.start.line, x.range.start.character]),
    [[2, 10]],
  );
});
