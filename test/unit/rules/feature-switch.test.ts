// A module's own feature switch (`options.my.i3.enable = mkEnableOption …; config = mkIf cfg.enable { … }`):
// NixOS drops the definitions inside on a machine that leaves the switch off, so removed-option says nothing
// there; on a machine that turns it on the finding is sure (no "when the mkIf applies"); where nixkit cannot
// tell, the hedged warning stays. One finding per place, the sure one when machines disagree.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { checkPaths } from '../../../server/analysis/check-files';
import { tempDir } from '../../helpers';

const HOST = (extra: string) => `{ ... }:
{
  boot.loader.systemd-boot.enable = true;
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
  fileSystems."/boot" = { device = "/dev/disk/by-label/ESP"; fsType = "vfat"; };
  users.users.me = { isNormalUser = true; initialPassword = "x"; extraGroups = [ "wheel" ]; };
  system.stateVersion = "24.11";
${extra}
}
`;

/** A flake with one machine per entry of `hosts` (name → extra lines), all importing the feature modules. */
async function removedOptions(hosts: Record<string, string>, features: Record<string, string>) {
  const dir = tempDir('feature-switch');
  const names = Object.keys(features).map((f) => `./${f}`);
  fs.writeFileSync(
    path.join(dir, 'flake.nix'),
    `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = { nixpkgs, ... }: {
${Object.keys(hosts)
  .map(
    (h) =>
      `    nixosConfigurations.${h} = nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./${h}.nix ${names.join(' ')} ]; };`,
  )
  .join('\n')}
  };
}
`,
  );
  for (const [h, extra] of Object.entries(hosts)) fs.writeFileSync(path.join(dir, `${h}.nix`), HOST(extra));
  for (const [f, text] of Object.entries(features)) fs.writeFileSync(path.join(dir, f), text);
  const r = await checkPaths([dir]);
  return r.findings
    .filter((f) => f.code === 'removed-option')
    .map((f) => `${path.basename(f.file)}:${f.range.start.line + 1} ${f.message}`);
}

const I3 = `{ config, lib, ... }:
let cfg = config.my.i3; in
{
  options.my.i3.enable = lib.mkEnableOption "i3";
  config = lib.mkIf cfg.enable {
    services.xserver.displayManager.defaultSession = "none+i3";
  };
}
`;
const KODI = `{ config, lib, ... }:
{
  options.my.kodi = { enable = lib.mkOption { type = lib.types.bool; default = false; }; };
  config = lib.mkIf config.my.kodi.enable {
    services.xserver.displayManager.autoLogin.user = "kodi";
  };
}
`;
const HEDGE = '(when the mkIf around it applies)';

test('a feature switch left off (set false, or never set with default false): nothing to report', async () => {
  const found = await removedOptions(
    { laptop: '  my.i3.enable = false;', desk: '' },
    { 'i3.nix': I3, 'kodi.nix': KODI },
  );
  assert.deepEqual(found, []);
});

test('a feature switch turned on: the finding is sure; machines that disagree give the sure one once', async () => {
  const found = await removedOptions(
    { laptop: '  my.i3.enable = false;', desk: '  my.i3.enable = true;' },
    { 'i3.nix': I3 },
  );
  assert.equal(found.length, 1, found.join('\n'));
  assert.match(found[0], /^i3\.nix:6 services\.xserver\.displayManager\.defaultSession was renamed/);
  assert.ok(!found[0].includes(HEDGE), found[0]);
  const mixed = await removedOptions(
    { desk: '  my.i3.enable = true;', lab: '  my.i3.enable = builtins.getEnv "I3" == "1";' },
    { 'i3.nix': I3 },
  );
  assert.equal(mixed.length, 1, mixed.join('\n'));
  assert.ok(!mixed[0].includes(HEDGE), mixed[0]);
});

test('a switch nixkit cannot decide, or a condition that is no option, keeps the hedged warning', async () => {
  const undecided = await removedOptions(
    { lab: '  my.i3.enable = builtins.getEnv "I3" == "1";' },
    { 'i3.nix': I3 },
  );
  assert.equal(undecided.length, 1);
  assert.ok(undecided[0].endsWith(HEDGE), undecided[0]);
  // a switch declared with no default, and one nixpkgs declares (its default is not nixkit's to guess)
  const other = await removedOptions(
    { desk: '' },
    {
      'x.nix': `{ config, lib, ... }:
{
  options.my.x.enable = lib.mkOption { type = lib.types.bool; };
  config = lib.mkMerge [
    (lib.mkIf config.my.x.enable { services.xserver.displayManager.defaultSession = "x"; })
    (lib.mkIf config.services.xserver.enable { services.xserver.displayManager.sddm.enable = true; })
  ];
}
`,
    },
  );
  assert.equal(other.length, 2, other.join('\n'));
  for (const f of other) assert.ok(f.endsWith(HEDGE), f);
  // an mkIf inside one that is off: off; inside one that is on but with another condition: undecided
  const nested = await removedOptions(
    { desk: '  my.i3.enable = true;' },
    {
      'i3.nix': `{ config, lib, pkgs, ... }:
{
  options.my.i3.enable = lib.mkEnableOption "i3";
  options.my.i3.gaps = lib.mkEnableOption "gaps";
  config = lib.mkIf config.my.i3.enable (lib.mkMerge [
    (lib.mkIf config.my.i3.gaps { services.xserver.displayManager.defaultSession = "none+i3"; })
    (lib.mkIf pkgs.stdenv.isx86_64 { services.xserver.displayManager.sddm.enable = true; })
  ]);
}
`,
    },
  );
  assert.equal(nested.length, 1, nested.join('\n'));
  assert.match(nested[0], /sddm.*\(when the mkIf around it applies\)$/);
});

test('a branch Nix never takes (its condition is known) is not read; an undecidable one is, hedged', async () => {
  const found = await removedOptions(
    { desk: '' },
    {
      'known.nix': `{ options, lib, ... }:
{
  config = if true then builtins.getAttr "x" options else { services.xserver.displayManager.defaultSession = "x"; };
}
`,
      'undecided.nix': `{ options, lib, ... }:
{
  config = { } // (if options ? sops then { } else { services.xserver.displayManager.sddm.enable = true; });
}
`,
    },
  );
  assert.equal(found.length, 1, found.join('\n'));
  assert.match(
    found[0],
    /^undecided\.nix:3 services\.xserver\.displayManager\.sddm .*\(when the mkIf around it applies\)$/,
  );
});

test('a value in a branch this machine may never take (`if _class == "nixos" then … else 6`) is not judged', async () => {
  const dir = tempDir('feature-switch-class');
  fs.writeFileSync(
    path.join(dir, 'configuration.nix'),
    `{ _class, lib, ... }:
{
  boot.isContainer = true;
  networking.hostName = if _class == "nixos" then "box" else "box.example.org";
  system.stateVersion = if _class == "nixos" then "24.11" else 6;
  users.users.root.hashedPassword = if _class == "nixos" then "!" else "not-a-hash";
}
`,
  );
  const r = await checkPaths([dir]);
  const codes: string[] = r.findings.map((f) => f.code);
  for (const code of ['state-version-invalid', 'hostname-invalid', 'password-hash-invalid'])
    assert.ok(!codes.includes(code), `${code}: ${JSON.stringify(r.findings)}`);
});
