// Multi-file tests of the platform, users, state version, removed option, module and host name rules: exact
// findings, their fixes applied and re-checked (the finding goes, no syntax error comes), and silence on
// real-world-shaped clean configurations.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { checkPaths } from '../../../server/analysis/check-files';
import type { Finding } from '../../../server/findings';
import { findCorruptions } from '../../../server/rules/host-platform-corrupted';
import { checkPasswordHash } from '../../../server/rules/password-hash-invalid';
import { checkPlatform, closestSystem } from '../../../server/data/systems';
import { isNixosRelease, nixosReleases, releaseOfNixpkgsRef, UNSTABLE } from '../../../server/data/releases';
import { REPO_ROOT, tempDir } from '../../helpers';

const MINE = [
  'host-platform-corrupted',
  'host-platform-unknown',
  'host-platform-conflict',
  'lockout-risk',
  'password-hash-invalid',
  'state-version-missing',
  'state-version-invalid',
  'removed-option',
  'module-not-found',
  'hardware-config-not-imported',
  'hostname-invalid',
];

type Files = Record<string, string>;

interface Located extends Finding {
  where: string;
}

function write(files: Files): string {
  const dir = tempDir('platform-users');
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

async function check(dir: string): Promise<Located[]> {
  const r = await checkPaths([dir]);
  return r.findings.map((f) => ({ ...f, where: `${path.relative(dir, f.file)}:${f.range.start.line + 1}` }));
}

/** Findings of one code (or of all of this file's rules) as `path:line`. */
function where(findings: Located[], code?: string): string[] {
  return findings
    .filter((f) => (code ? f.code === code : MINE.includes(f.code)))
    .map((f) => f.where)
    .sort();
}

function offsetOf(text: string, pos: { line: number; character: number }): number {
  let off = 0;
  for (let i = 0; i < pos.line; i++) off = text.indexOf('\n', off) + 1;
  return off + pos.character;
}

/** Applies one fix of a finding to the files on disk. */
function apply(finding: Finding, title?: RegExp): void {
  const fix = title ? finding.fixes?.find((f) => title.test(f.title)) : finding.fixes?.[0];
  assert.ok(fix, `a fix for ${finding.code}: ${finding.message}`);
  const byFile = new Map<string, typeof fix.edits>();
  for (const e of fix.edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  for (const [file, edits] of byFile) {
    let text = fs.readFileSync(file, 'utf8');
    const spans = edits
      .map((e) => ({
        start: offsetOf(text, e.range.start),
        end: offsetOf(text, e.range.end),
        newText: e.newText,
      }))
      .sort((a, b) => b.start - a.start);
    for (const s of spans) text = text.slice(0, s.start) + s.newText + text.slice(s.end);
    fs.writeFileSync(file, text);
  }
}

/** Runs the check, applies the first fix of every finding of `code` (one at a time), and re-checks. */
async function fixAll(dir: string, code: string, title?: RegExp): Promise<Located[]> {
  for (let round = 0; round < 40; round++) {
    const f = (await check(dir)).find((x) => x.code === code && x.fixes?.length);
    if (!f) break;
    apply(f, title);
  }
  return check(dir);
}

function read(dir: string, rel: string): string {
  return fs.readFileSync(path.join(dir, rel), 'utf8');
}

const flake = (modules: string, extra = '', url = 'github:NixOS/nixpkgs/nixos-24.11') => `{
  inputs.nixpkgs.url = "${url}";
  outputs = { nixpkgs, ... }: {
    nixosConfigurations.box = nixpkgs.lib.nixosSystem {${extra}
      modules = [ ${modules} ];
    };
  };
}
`;

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJqIDjZXtgGz20XLopUuM6INIZ5LWP9USC/dYFiqrNey me@laptop';
const YESCRYPT = '$y$j9T$F5Jx5fExrKuJp1k8qoz0X.$pdytyw03jKhz5rTErqBRDGpNO6gzt4Ezt6Dscxadns2';
/** A module that keeps the lockout rule quiet (root has a key). */
const ROOT_KEY = `  users.users.root.openssh.authorizedKeys.keys = [ "${KEY}" ];\n`;

describe('clean real-world configurations draw none of these findings', () => {
  const fixtures = [
    'laptop-home-manager',
    'server-root-keys',
    'sops-nix-user',
    'agenix-root',
    'immutable-users',
    'specialargs-username',
    'mkif-modules',
    'genattrs-hosts',
  ];
  for (const name of fixtures) {
    test(name, async () => {
      const dir = path.join(REPO_ROOT, 'test', 'fixtures', 'configs', name);
      const findings = await check(dir);
      assert.deepEqual(
        findings
          .filter((f) => MINE.includes(f.code) || f.code === 'syntax-error')
          .map((f) => `${f.code} ${f.where}: ${f.message}`),
        [],
      );
    });
  }

  test('the example workspace shows exactly the mistakes it documents (examples/README.md)', async () => {
    const findings = await check(path.join(REPO_ROOT, 'examples'));
    // `where` lists this suite's rules only; the others are asserted in test/unit/examples-workspace.test.ts.
    assert.deepEqual(where(findings), [
      'hosts/demo/configuration.nix:10',
      'hosts/demo/configuration.nix:12',
      'hosts/demo/configuration.nix:45',
      'hosts/demo/hardware-configuration.nix:38',
    ]);
  });
});

describe('host-platform-corrupted', () => {
  const BROKEN = `{ config, lib, pkgs, modulesPath, ... }:

{
  imports = [ (modulesPath + "/installer/scan/not-detected.nix") ];

  boot.initrd.availableKernelModules = [ "xhci_pci" "ahci" "nvme" ];
  fileSystems."/" = { device = "/dev/disk/by-uuid/0e7a9d1c-3f7b-4c55-9a51-0c3a1e2b4f60"; fsType = "ext4"; };

  nixpkgs.hostPlatform = lib.mkDefault warning: the group 'nixbld' specified in 'build-users-group' does not exist; = lib.mkDefault config.hardware.enableRedistributableFirmware;
  hardware.cpu.intel.updateMicrocode = lib.mkDefault config.hardware.enableRedistributableFirmware;
}
`;

  test('a warning that broke the syntax: fixed with the flake system, leaving valid Nix', async () => {
    const dir = write({
      'flake.nix': flake('./configuration.nix', '\n      system = "aarch64-linux";'),
      'configuration.nix': `{ ... }:\n{\n  imports = [ ./hardware-configuration.nix ];\n${ROOT_KEY}  system.stateVersion = "24.11";\n}\n`,
      'hardware-configuration.nix': BROKEN,
    });
    const before = await check(dir);
    assert.deepEqual(where(before, 'host-platform-corrupted'), ['hardware-configuration.nix:9']);
    assert.ok(
      before.some((f) => f.code === 'syntax-error'),
      'the file does not parse',
    );
    const f = before.find((x) => x.code === 'host-platform-corrupted')!;
    assert.equal(f.severity, 'error');
    assert.match(f.message, /warning: the group 'nixbld'/);
    assert.match(f.fixes![0].title, /aarch64-linux/);
    apply(f);
    const after = await check(dir);
    assert.deepEqual(where(after, 'host-platform-corrupted'), []);
    assert.deepEqual(where(after, 'syntax-error'), []);
    assert.match(
      read(dir, 'hardware-configuration.nix'),
      /\n {2}nixpkgs\.hostPlatform = lib\.mkDefault "aarch64-linux";\n {2}hardware\.cpu\.intel/,
    );
  });

  test('a warning inside the string, standalone configuration: falls back to x86_64-linux', async () => {
    const dir = write({
      'configuration.nix': `{ lib, ... }:
{
  imports = [ ./hardware-configuration.nix ];
${ROOT_KEY}  system.stateVersion = "24.11";
}
`,
      'hardware-configuration.nix': `{ lib, ... }:
{
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
  nixpkgs.hostPlatform = lib.mkDefault "evaluation warning: 'system' has been renamed to/replaced by 'stdenv.hostPlatform.system'
x86_64-linux";
}
`,
    });
    const before = await check(dir);
    assert.deepEqual(where(before, 'host-platform-corrupted'), ['hardware-configuration.nix:4']);
    assert.deepEqual(where(before, 'host-platform-unknown'), [], 'reported once, by the corrupted rule');
    apply(before.find((x) => x.code === 'host-platform-corrupted')!);
    const after = await check(dir);
    assert.deepEqual(where(after), []);
    assert.deepEqual(where(after, 'syntax-error'), []);
    assert.match(
      read(dir, 'hardware-configuration.nix'),
      /nixpkgs\.hostPlatform = lib\.mkDefault "x86_64-linux";\n\}/,
    );
  });

  test('a bare warning line followed by the platform on the next line', async () => {
    const dir = write({
      'configuration.nix': `{ lib, ... }:
{
  nixpkgs.hostPlatform = lib.mkDefault error: cannot connect to socket at '/nix/var/nix/daemon-socket/socket'
"x86_64-linux";
${ROOT_KEY}  system.stateVersion = "24.11";
}
`,
    });
    const before = await check(dir);
    assert.deepEqual(where(before, 'host-platform-corrupted'), ['configuration.nix:3']);
    apply(before.find((x) => x.code === 'host-platform-corrupted')!);
    const after = await check(dir);
    assert.deepEqual(where(after, 'host-platform-corrupted'), []);
    assert.deepEqual(where(after, 'syntax-error'), []);
  });

  test('the system of nixosSystem', async () => {
    const dir = write({
      'flake.nix': flake('./configuration.nix', '\n      system = "trace: evaluating x86_64-linux";'),
      'configuration.nix': `{ ... }:\n{\n${ROOT_KEY}  system.stateVersion = "24.11";\n}\n`,
    });
    const before = await check(dir);
    assert.deepEqual(where(before, 'host-platform-corrupted'), ['flake.nix:5']);
    apply(before.find((x) => x.code === 'host-platform-corrupted')!);
    const after = await check(dir);
    assert.deepEqual(where(after), []);
    assert.match(read(dir, 'flake.nix'), /system = "x86_64-linux";/);
  });

  test('quiet on comments, throws and other "system" keys', () => {
    assert.deepEqual(
      findCorruptions(`{
  # nixpkgs.hostPlatform = warning: this was broken once
  nixpkgs.hostPlatform = "x86_64-linux"; # error: not really
  system = if true then "x86_64-linux" else throw "error: unsupported platform";
  foo.system = "warning: not a platform option";
  system.stateVersion = "24.11";
  environment.etc."x".text = "system = warning: just text";
}`),
      [],
    );
  });
});

describe('host-platform-unknown', () => {
  test('typos and other kernels, with the closest Linux system as the fix', async () => {
    const dir = write({
      'flake.nix': flake('./configuration.nix ./other.nix', '\n      system = "x86_64-linxu";'),
      'configuration.nix': `{ lib, ... }:
{
  nixpkgs.hostPlatform = lib.mkDefault "x86-64-linux";
${ROOT_KEY}  system.stateVersion = "24.11";
}
`,
      'other.nix': `{ ... }:
{
  nixpkgs.hostPlatform = { system = "aarch64-darwin"; };
}
`,
    });
    const before = await check(dir);
    assert.deepEqual(where(before, 'host-platform-unknown'), [
      'configuration.nix:3',
      'flake.nix:5',
      'other.nix:3',
    ]);
    // Only other.nix's plain hostPlatform is read: the mkDefault one and the flake's `system` lose to it.
    assert.deepEqual(
      before.filter((f) => f.code === 'host-platform-unknown').map((f) => `${f.where} ${f.severity}`),
      ['configuration.nix:3 information', 'flake.nix:5 information', 'other.nix:3 error'],
    );
    const darwin = before.find((f) => f.code === 'host-platform-unknown' && f.where === 'other.nix:3')!;
    assert.match(darwin.message, /not a Linux system/);
    assert.equal(darwin.fixes![0].edits[0].newText, '"aarch64-linux"');
    const after = await fixAll(dir, 'host-platform-unknown');
    assert.deepEqual(where(after, 'host-platform-unknown'), []);
    assert.deepEqual(where(after, 'syntax-error'), []);
    assert.match(read(dir, 'configuration.nix'), /lib\.mkDefault "x86_64-linux"/);
    assert.match(read(dir, 'flake.nix'), /system = "x86_64-linux"/);
  });

  test('quiet on lib.systems.examples, config triples, and every Linux double', async () => {
    const dir = write({
      'configuration.nix': `{ lib, ... }:
{
  imports = [ ./cross.nix ];
  nixpkgs.hostPlatform = lib.systems.examples.raspberryPi;
${ROOT_KEY}  system.stateVersion = "24.11";
}
`,
      'cross.nix': `{ lib, ... }:
{
  nixpkgs.buildPlatform = "aarch64-darwin";
  nixpkgs.localSystem.system = "aarch64-unknown-linux-gnu";
}
`,
    });
    assert.deepEqual(where(await check(dir)), []);
    for (const s of [
      'x86_64-linux',
      'aarch64-linux',
      'riscv64-linux',
      'powerpc64le-linux',
      'loongarch64-linux',
    ])
      assert.deepEqual(checkPlatform(s), { ok: true });
    assert.equal(closestSystem('x86_64-linxu'), 'x86_64-linux');
    assert.equal(closestSystem('amd64-linux'), 'x86_64-linux');
    assert.equal(closestSystem('arm64-linux'), 'aarch64-linux');
    assert.equal(closestSystem('banana'), undefined);
  });
});

describe('host-platform-conflict', () => {
  test('the flake says one platform, hardware-configuration.nix another', async () => {
    const dir = write({
      'flake.nix': flake('./configuration.nix', '\n      system = "x86_64-linux";'),
      'configuration.nix': `{ ... }:\n{\n  imports = [ ./hardware-configuration.nix ];\n${ROOT_KEY}  system.stateVersion = "24.11";\n}\n`,
      'hardware-configuration.nix': `{ lib, ... }:\n{\n  nixpkgs.hostPlatform = lib.mkDefault "aarch64-linux";\n}\n`,
    });
    const findings = await check(dir);
    assert.deepEqual(where(findings, 'host-platform-conflict'), ['flake.nix:5']);
    const f = findings.find((x) => x.code === 'host-platform-conflict')!;
    assert.equal(f.related?.[0].range.start.line, 2);
  });

  test('quiet when they agree, or when hostPlatform is conditional', async () => {
    const dir = write({
      'flake.nix': flake('./configuration.nix', '\n      system = "x86_64-linux";'),
      'configuration.nix': `{ config, lib, ... }:
{
  nixpkgs.hostPlatform = lib.mkIf config.my.arm "aarch64-linux";
${ROOT_KEY}  system.stateVersion = "24.11";
}
`,
    });
    assert.deepEqual(where(await check(dir)), []);
  });
});

describe('host-platform-conflict in fleets', () => {
  const HOST = (platform: string) =>
    `{ lib, ... }:\n{\n  nixpkgs.hostPlatform = lib.mkDefault "${platform}";\n${ROOT_KEY}  system.stateVersion = "24.11";\n}\n`;

  test("quiet when a builder gives every machine one system and each machine's own module says its platform", async () => {
    const dir = write({
      'flake.nix': `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = { nixpkgs, ... }: {
    nixosConfigurations = builtins.mapAttrs (name: _: nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./hosts/\${name}.nix ];
    }) { arm = null; intel = null; };
  };
}
`,
      'hosts/arm.nix': HOST('aarch64-linux'),
      'hosts/intel.nix': HOST('x86_64-linux'),
    });
    assert.deepEqual(where(await check(dir), 'host-platform-conflict'), []);
  });

  test('reported when one shared module gives machines of different systems the same platform', async () => {
    const dir = write({
      'flake.nix': `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = { nixpkgs, ... }: {
    nixosConfigurations = nixpkgs.lib.genAttrs [ "x86_64-linux" "aarch64-linux" ] (system:
      nixpkgs.lib.nixosSystem { inherit system; modules = [ ./host.nix ]; });
  };
}
`,
      'host.nix': HOST('x86_64-linux'),
    });
    assert.deepEqual(where(await check(dir), 'host-platform-conflict'), ['flake.nix:4']);
  });
});

describe('lockout-risk', () => {
  test('a wheel user without any credential, reported at the configuration', async () => {
    const dir = write({
      'flake.nix': flake('./configuration.nix', '\n      system = "x86_64-linux";'),
      'configuration.nix': `{ ... }:
{
  users.users.alice = { isNormalUser = true; extraGroups = [ "wheel" ]; };
  users.users.guest = { isNormalUser = true; password = "guest"; };
  system.stateVersion = "24.11";
}
`,
    });
    const findings = await check(dir);
    assert.deepEqual(where(findings, 'lockout-risk'), ['flake.nix:4']);
    const f = findings.find((x) => x.code === 'lockout-risk')!;
    // information: with mutable users a password set with nixos-install or passwd stays (NixOS' own way)
    assert.equal(f.severity, 'information');
    assert.match(f.message, /guest can log in but is not in wheel/);
    assert.match(f.message, /after an install that sets no root password \(nixkit, nixos-anywhere/);
  });

  test('with mutableUsers = false it is an error (NixOS refuses to build)', async () => {
    const dir = write({
      'configuration.nix': `{ ... }:
{
  users.mutableUsers = false;
  users.users.root.hashedPassword = "!";
  users.users.ops = { isNormalUser = true; extraGroups = [ "wheel" ]; };
  system.stateVersion = "24.11";
}
`,
    });
    const findings = await check(dir);
    assert.deepEqual(where(findings, 'lockout-risk'), ['configuration.nix:4']);
    assert.equal(findings.find((x) => x.code === 'lockout-risk')!.severity, 'error');
  });

  test('a machine built as a cloud image variant (image.modules) may get its keys from the image: quiet', async () => {
    const body = (extra: string) =>
      `{ ... }:\n{\n  users.users.alice = { isNormalUser = true; extraGroups = [ "wheel" ]; };\n${extra}  system.stateVersion = "24.11";\n}\n`;
    assert.deepEqual(where(await check(write({ 'configuration.nix': body('') })), 'lockout-risk'), [
      'configuration.nix:3',
    ]);
    const image = write({
      'configuration.nix': body('  image.modules.google-compute = { image.baseName = "img"; };\n'),
    });
    assert.deepEqual(where(await check(image), 'lockout-risk'), []);
  });

  test("a screen locker's PAM service is no way in; another PAM service may be", async () => {
    const body = (pam: string) =>
      `{ ... }:\n{\n  users.users.alice = { isNormalUser = true; extraGroups = [ "wheel" ]; };\n  ${pam}\n  system.stateVersion = "24.11";\n}\n`;
    const locker = write({ 'configuration.nix': body('security.pam.services.swaylock = { };') });
    assert.deepEqual(where(await check(locker), 'lockout-risk'), ['configuration.nix:3']);
    const u2f = write({ 'configuration.nix': body('security.pam.services.login.u2fAuth = true;') });
    assert.deepEqual(where(await check(u2f), 'lockout-risk'), []);
  });

  const quiet: Record<string, string> = {
    'root has a password': `users.users.root.initialPassword = "changeme";`,
    'a wheel user with a hashedPasswordFile': `users.users.a = { isNormalUser = true; extraGroups = [ "wheel" ]; hashedPasswordFile = "/run/secrets/a"; };`,
    'a wheel user with keyFiles': `users.users.a = { isNormalUser = true; group = "wheel"; openssh.authorizedKeys.keyFiles = [ ./a.pub ]; };`,
    'an empty password': `users.users.a = { isNormalUser = true; extraGroups = [ "wheel" ]; hashedPassword = ""; };`,
    'getty autologin': `services.getty.autologinUser = "a";\n  users.users.a.isNormalUser = true;`,
    'users from a function nixkit cannot read': `users.users = lib.mapAttrs' mkUser people;`,
    'a user made by an unknown function': `users.users.a = mkUser "a";`,
    'groups from an expression': `users.users.a = { isNormalUser = true; password = "x"; extraGroups = [ "docker" ] ++ extra; };`,
    'a credential under an unknown condition': `users.users.a = lib.mkIf config.my.enable { isNormalUser = true; extraGroups = [ "wheel" ]; password = "x"; };`,
    'an explicit opt-out': `users.allowNoPasswordLogin = true;`,
    'a container': `boot.isContainer = true;`,
    'keys from an import': `users.users.root.openssh.authorizedKeys.keys = import ./keys.nix;`,
  };
  for (const [name, body] of Object.entries(quiet)) {
    test(`quiet: ${name}`, async () => {
      const dir = write({
        'configuration.nix': `{ config, lib, mkUser, people, extra, ... }:\n{\n  ${body}\n  system.stateVersion = "24.11";\n}\n`,
        'a.pub': KEY + '\n',
        'keys.nix': `[ "${KEY}" ]\n`,
      });
      assert.deepEqual(where(await check(dir), 'lockout-risk'), []);
    });
  }

  test('quiet: modules nixkit cannot read', async () => {
    const dir = write({
      'flake.nix': `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  inputs.private.url = "git+ssh://git@example.com/me/private";
  outputs = { nixpkgs, private, ... }: {
    nixosConfigurations.box = nixpkgs.lib.nixosSystem {
      modules = [ private.nixosModules.users ./configuration.nix ];
    };
  };
}
`,
      'configuration.nix': `{ ... }:\n{\n  system.stateVersion = "24.11";\n}\n`,
    });
    assert.deepEqual(where(await check(dir)), []);
  });
});

describe('password-hash-invalid', () => {
  test('a plain password in hashedPassword: fixed by making it an initialPassword', async () => {
    const dir = write({
      'configuration.nix': `{ ... }:
{
  users.users.root.hashedPassword = "hunter2";
  users.users.alice = {
    isNormalUser = true;
    initialHashedPassword = "$y$j9T$F5Jx5fExrKuJp1k8qoz0X.$pdytyw03jKhz5rTErqBRDGpNO6gzt4E";
  };
  users.users.bob.hashedPassword = "$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/";
  users.users.carol.hashedPassword = "!";
  system.stateVersion = "24.11";
}
`,
    });
    const before = await check(dir);
    assert.deepEqual(where(before, 'password-hash-invalid'), [
      'configuration.nix:3',
      'configuration.nix:6',
      'configuration.nix:8',
    ]);
    const msgs = before.filter((f) => f.code === 'password-hash-invalid').map((f) => f.message);
    assert.match(msgs[0], /plain password/);
    assert.match(msgs[1], /not shaped like one/);
    assert.match(msgs[2], /MD5/);
    // Text that is no hash is NixOS's own "may be invalid" warning; a broken or unverifiable hash is an error.
    const severities = before.filter((f) => f.code === 'password-hash-invalid').map((f) => f.severity);
    assert.deepEqual(severities, ['warning', 'error', 'error']);
    apply(before.find((f) => f.where === 'configuration.nix:3' && f.code === 'password-hash-invalid')!);
    const after = await check(dir);
    assert.deepEqual(where(after, 'password-hash-invalid'), ['configuration.nix:6', 'configuration.nix:8']);
    assert.deepEqual(where(after, 'syntax-error'), []);
    assert.match(read(dir, 'configuration.nix'), /users\.users\.root\.initialPassword = "hunter2";/);
  });

  test('the hash shapes NixOS verifies', () => {
    for (const ok of [
      YESCRYPT,
      '$gy$j9T$abcdefghijklmnop$oW7qUwrflOfLjQTs4u5j/CooIGb7njfg6ZrarX34ag5',
      '$7$CU..../....abcdefghijklmnop$Sq.34kg1gPTFUeOPpE6fyMzMfdgqET/x8Nv3KaQxh9.',
      '$2b$12$ULQVxD7kYxdTIjq8gsnPpecFJpbVZ.I/TvPNA/OPC8.Lv2224THQi',
      '$6$rounds=5000$saltsalt$qFmFH.bQmmtXzyBY0s9v7Oicd2z4XSIecDzlB5KiA2/jctKu9YterLp8wwnSq.qc.eoxqOmSuNp2xS0ktL3nh/',
      '$6$zW0V/djO5oWhf6W8$OmZ..IbY9UlNVumrTEtRN3ANqLxBvuDS7n7ugphnzrKJvYfjIhlesrdqlmmV4LgnYPO18VtEUZcV8t0KKDuxm1',
      '!',
      '',
      '*',
      '!' + YESCRYPT,
    ])
      assert.deepEqual(checkPasswordHash(ok), { ok: true }, ok);
    for (const bad of [
      'password',
      '$5$saltsalt$gOjOtoMpVhru2uyjeJSEc/JaLQWOXMNmlOnj6T4AtC.',
      '$6$salt$tooShort',
      '$2b$12$ULQVxD7kYxdTIjq8gsnPpe',
      '$y$j9T$salt:colon$' + 'a'.repeat(43),
      '$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA',
    ])
      assert.equal(checkPasswordHash(bad).ok, false, bad);
  });
});

describe('state-version', () => {
  test('missing: set it to the flake nixpkgs release in the first module', async () => {
    const dir = write({
      'flake.nix': flake(
        './configuration.nix',
        '\n      system = "x86_64-linux";',
        'github:NixOS/nixpkgs/nixos-25.05',
      ),
      'configuration.nix': `{ ... }:\n{\n${ROOT_KEY}}\n`,
    });
    const before = await check(dir);
    assert.deepEqual(where(before, 'state-version-missing'), ['flake.nix:4']);
    apply(before.find((f) => f.code === 'state-version-missing')!);
    const after = await check(dir);
    assert.deepEqual(where(after), []);
    assert.deepEqual(where(after, 'syntax-error'), []);
    assert.match(read(dir, 'configuration.nix'), /\{\n {2}system\.stateVersion = "25\.05";\n {2}users/);
  });

  test('missing: quiet when a module nixkit cannot read might set it', async () => {
    const dir = write({
      'flake.nix': flake('./configuration.nix inputs.common.nixosModules.default'),
      'configuration.nix': `{ ... }:\n{\n${ROOT_KEY}}\n`,
    });
    assert.deepEqual(where(await check(dir), 'state-version-missing'), []);
  });

  test('missing: still said beside modules of libraries that never set it (disko, sops-nix, nixos-hardware)', async () => {
    const dir = write({
      'flake.nix': `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  inputs.disko.url = "github:nix-community/disko";
  inputs.sops-nix.url = "github:Mic92/sops-nix";
  inputs.hw.url = "github:NixOS/nixos-hardware";
  inputs.fleet.url = "github:example-org/fleet";
  outputs = { nixpkgs, disko, sops-nix, hw, fleet, ... }: {
    nixosConfigurations.box = nixpkgs.lib.nixosSystem {
      modules = [ ./configuration.nix disko.nixosModules.disko sops-nix.nixosModules.sops hw.nixosModules.common-cpu-amd ];
    };
    nixosConfigurations.fleet = nixpkgs.lib.nixosSystem {
      modules = [ ./configuration.nix disko.nixosModules.disko fleet.nixosModules.base ];
    };
  };
}
`,
      'configuration.nix': `{ ... }:\n{\n${ROOT_KEY}}\n`,
    });
    // `fleet`'s module, which nixkit does not know, may set it: quiet there.
    assert.deepEqual(where(await check(dir), 'state-version-missing'), ['flake.nix:8']);
  });

  test('invalid: a full version string, a release that never was, a number', async () => {
    const dir = write({
      'configuration.nix': `{ ... }:
{
  imports = [ ./a.nix ./b.nix ];
${ROOT_KEY}  system.stateVersion = "25.05.20251202.cdff0c1";
}
`,
      'a.nix': `{ lib, ... }:\n{\n  system.stateVersion = lib.mkDefault "24.13";\n}\n`,
      'b.nix': `{ lib, ... }:\n{\n  system.stateVersion = lib.mkOverride 1500 "18.09";\n}\n`,
    });
    const before = await check(dir);
    assert.deepEqual(where(before, 'state-version-invalid'), ['a.nix:3', 'configuration.nix:5']);
    const full = before.find((f) => f.code === 'state-version-invalid' && f.where === 'configuration.nix:5')!;
    assert.equal(full.fixes![0].edits[0].newText, '"25.05"');
    assert.deepEqual(before.find((f) => f.where === 'a.nix:3')!.fixes, []);
    apply(full);
    assert.deepEqual(where(await check(dir), 'state-version-invalid'), ['a.nix:3']);
  });

  test('releases', () => {
    const now = new Date('2026-11-22T00:00:00Z');
    assert.ok(isNixosRelease('24.11', now) && isNixosRelease('26.11', now) && isNixosRelease('13.10', now));
    assert.ok(
      !isNixosRelease('24.13', now) && !isNixosRelease('21.04', now) && !isNixosRelease('28.05', now),
    );
    // unstable's version from September 2020 to January 2021, which nixos-generate-config wrote then; nixpkgs
    // kept its stateVersion comparisons working when 21.03 was delayed to 21.05 (NixOS/nixpkgs#108899)
    assert.ok(isNixosRelease('21.03', now));
    assert.equal(nixosReleases(now).at(-1), '27.05');
    assert.equal(releaseOfNixpkgsRef('github:NixOS/nixpkgs/nixos-24.05'), '24.05');
    assert.equal(releaseOfNixpkgsRef('github:nixos/nixpkgs?ref=nixos-23.11'), '23.11');
    assert.equal(releaseOfNixpkgsRef('https://flakehub.com/f/NixOS/nixpkgs/0.2405.*.tar.gz'), '24.05');
    assert.equal(releaseOfNixpkgsRef('https://github.com/NixOS/nixpkgs/archive/nixos-23.05.tar.gz'), '23.05');
    assert.equal(releaseOfNixpkgsRef('https://nixos.org/channels/nixos-24.11/nixexprs.tar.xz'), '24.11');
    assert.equal(
      releaseOfNixpkgsRef('https://github.com/NixOS/nixpkgs/archive/nixos-23.05x.tar.gz'),
      undefined,
    );
    assert.equal(releaseOfNixpkgsRef('github:NixOS/nixpkgs/nixos-unstable'), UNSTABLE);
    assert.equal(releaseOfNixpkgsRef('github:NixOS/nixpkgs'), UNSTABLE);
    assert.equal(releaseOfNixpkgsRef('nixpkgs'), undefined);
  });
});

describe('removed-option', () => {
  test('renamed options are rewritten in dotted, nested and whole-set forms', async () => {
    const dir = write({
      'flake.nix': flake('./configuration.nix ./desktop.nix', '\n      system = "x86_64-linux";'),
      'configuration.nix': `{ pkgs, ... }:
{
  nix.maxJobs = 4;
  nix = {
    buildCores = 2;
    trustedUsers = [ "root" "@wheel" ];
  };
  services.openssh = {
    enable = true;
    permitRootLogin = "no";
  };
  networking.interfaces.eth0.ip4 = [ { address = "192.0.2.2"; prefixLength = 24; } ];
  boot.cleanTmpDir = true;
${ROOT_KEY}  system.stateVersion = "24.11";
}
`,
      'desktop.nix': `{ pkgs, ... }:
{
  hardware.opengl = {
    enable = true;
    driSupport32Bit = true;
    extraPackages = [ pkgs.intel-media-driver ];
  };
  services.xserver = {
    enable = true;
    layout = "de";
    xkbVariant = "nodeadkeys";
  };
  services.xserver.libinput = {
    enable = true;
    touchpad.tapping = true;
  };
  services.xserver.displayManager.sddm.enable = true;
}
`,
    });
    const before = await check(dir);
    assert.deepEqual(where(before, 'removed-option'), [
      'configuration.nix:10',
      'configuration.nix:12',
      'configuration.nix:13',
      'configuration.nix:3',
      'configuration.nix:5',
      'configuration.nix:6',
      'desktop.nix:10',
      'desktop.nix:11',
      'desktop.nix:13',
      'desktop.nix:17',
      'desktop.nix:4',
      'desktop.nix:5',
      'desktop.nix:6',
    ]);
    for (const f of before.filter((x) => x.code === 'removed-option')) assert.equal(f.severity, 'warning');
    const after = await fixAll(dir, 'removed-option');
    assert.deepEqual(where(after, 'removed-option'), []);
    assert.deepEqual(where(after, 'syntax-error'), []);
    const conf = read(dir, 'configuration.nix');
    assert.match(conf, /nix\.settings\.max-jobs = 4;/);
    assert.match(conf, /nix = \{\n {4}settings\.cores = 2;\n {4}settings\.trusted-users = /);
    assert.match(conf, /settings\.PermitRootLogin = "no";/);
    assert.match(conf, /networking\.interfaces\.eth0\.ipv4\.addresses = \[/);
    assert.match(conf, /boot\.tmp\.cleanOnBoot = true;/);
    const desk = read(dir, 'desktop.nix');
    assert.match(
      desk,
      /hardware\.graphics = \{\n {4}enable = true;\n {4}enable32Bit = true;\n {4}extraPackages = /,
    );
    assert.match(desk, /xkb\.layout = "de";\n {4}xkb\.variant = "nodeadkeys";/);
    assert.match(desk, /services\.libinput = \{/);
    assert.match(desk, /services\.displayManager\.sddm\.enable = true;/);
  });

  test('removed options are errors, deprecated ones warnings; those without a replacement are deleted', async () => {
    const dir = write({
      'configuration.nix': `{ ... }:
{
  sound.enable = true;
  boot.loader.grub = {
    enable = true;
    version = 2;
    device = "/dev/disk/by-id/ata-DISK";
  };
  networking.interfaces.eth0.ipAddress = "192.0.2.2";
${ROOT_KEY}  system.stateVersion = "25.05";
}
`,
    });
    const before = await check(dir);
    const mine = before.filter((f) => f.code === 'removed-option');
    assert.deepEqual(where(before, 'removed-option'), [
      'configuration.nix:3',
      'configuration.nix:6',
      'configuration.nix:9',
    ]);
    // grub.version is still declared by nixpkgs and only warns (a deprecation), sound.enable is removed.
    assert.deepEqual(
      mine.map((f) => f.severity),
      ['error', 'warning', 'warning'],
    );
    assert.equal(
      mine[1].message,
      'boot.loader.grub.version has no effect since NixOS 23.05; evaluation warns: delete the line: NixOS only has GRUB 2',
    );
    assert.match(mine[2].message, /different value/);
    assert.deepEqual(mine[2].fixes, []);
    const after = await fixAll(dir, 'removed-option');
    assert.deepEqual(where(after, 'removed-option'), ['configuration.nix:7']);
    assert.deepEqual(where(after, 'syntax-error'), []);
    assert.equal(
      read(dir, 'configuration.nix'),
      `{ ... }:
{
  boot.loader.grub = {
    enable = true;
    device = "/dev/disk/by-id/ata-DISK";
  };
  networking.interfaces.eth0.ipAddress = "192.0.2.2";
${ROOT_KEY}  system.stateVersion = "25.05";
}
`,
    );
  });

  test('quiet when the nixpkgs release still has the option; only removals warn when it is unknown', async () => {
    const older = write({
      'flake.nix': flake('./configuration.nix', '', 'github:NixOS/nixpkgs/nixos-24.05'),
      'configuration.nix': `{ ... }:\n{\n  hardware.opengl.enable = true;\n  sound.enable = true;\n${ROOT_KEY}  system.stateVersion = "24.05";\n}\n`,
    });
    assert.deepEqual(where(await check(older), 'removed-option'), []);
    const unknown = write({
      'configuration.nix': `{ ... }:\n{\n  hardware.opengl.enable = true;\n  sound.enable = true;\n${ROOT_KEY}}\n`,
    });
    const found = (await check(unknown)).filter((f) => f.code === 'removed-option');
    assert.deepEqual(
      found.map((f) => `${f.where} ${f.severity} ${f.message}`),
      [
        'configuration.nix:4 warning sound.enable was removed in NixOS 24.11: evaluation fails with NixOS 24.11 or later (nixkit cannot tell which NixOS release this configuration is built with); delete the line: PipeWire or PulseAudio work without it; hardware.alsa configures ALSA itself if you need that',
      ],
    );
  });
});

describe('module-not-found', () => {
  test('a typo, a folder without default.nix, a missing module in the flake', async () => {
    const dir = write({
      'flake.nix': flake('./hosts/box ./modules/missing.nix'),
      'hosts/box/default.nix': `{ ... }:
{
  imports = [ ./hardware-configuraton.nix ../../profiles ];
${ROOT_KEY}  system.stateVersion = "24.11";
}
`,
      'hosts/box/hardware-configuration.nix': `{ ... }:\n{\n  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };\n}\n`,
      'profiles/base.nix': `{ ... }:\n{\n}\n`,
    });
    const before = await check(dir);
    assert.deepEqual(where(before, 'module-not-found'), [
      'flake.nix:5',
      'hosts/box/default.nix:3',
      'hosts/box/default.nix:3',
    ]);
    const msgs = before.filter((f) => f.code === 'module-not-found').map((f) => f.message);
    assert.ok(msgs.some((m) => /\.\.\/\.\.\/profiles is a folder without a default\.nix/.test(m)));
    assert.ok(msgs.some((m) => /did you mean hardware-configuration\.nix/.test(m)));
    const typo = before.find((f) => /did you mean/.test(f.message))!;
    apply(typo);
    const after = await check(dir);
    assert.equal(where(after, 'module-not-found').length, 2);
    assert.match(
      read(dir, 'hosts/box/default.nix'),
      /imports = \[ \.\/hardware-configuration\.nix \.\.\/\.\.\/profiles \];/,
    );
  });
});

describe('module-not-found in an /etc/nixos layout', () => {
  test('hardware-configuration.nix missing beside a standalone configuration.nix is information; in a flake an error', async () => {
    const configuration = `{ ... }:
{
  imports = [ ./hardware-configuration.nix ];
${ROOT_KEY}  system.stateVersion = "24.11";
}
`;
    const etc = await check(write({ 'configuration.nix': configuration }));
    const info = etc.filter((f) => f.code === 'module-not-found');
    assert.deepEqual(
      info.map((f) => [f.where, f.severity]),
      [['configuration.nix:3', 'information']],
    );
    assert.match(info[0].message, /nixos-generate-config writes it on each machine/);
    // Another missing file beside it is still an error.
    const other = await check(
      write({ 'configuration.nix': configuration.replace('hardware-configuration.nix', 'networking.nix') }),
    );
    assert.deepEqual(
      other.filter((f) => f.code === 'module-not-found').map((f) => f.severity),
      ['error'],
    );
    // A flake evaluates only what git has: there the same import fails.
    const inFlake = await check(
      write({ 'flake.nix': flake('./hosts/box'), 'hosts/box/default.nix': configuration }),
    );
    assert.deepEqual(
      inFlake.filter((f) => f.code === 'module-not-found').map((f) => [f.where, f.severity]),
      [['hosts/box/default.nix:3', 'error']],
    );
  });
});

describe('module-not-found: a committed symlink out of the repository', () => {
  test("hardware-configuration.nix -> /etc/nixos/…: the machine's own file, not an error; a link inside still is", async () => {
    const dir = write({
      'flake.nix': flake('./hardware-configuration.nix ./common.nix'),
      'common.nix': `{ ... }:\n{\n${ROOT_KEY}  system.stateVersion = "24.11";\n}\n`,
    });
    fs.symlinkSync(
      '/nonexistent-nixkit-test/etc/nixos/hardware-configuration.nix',
      path.join(dir, 'hardware-configuration.nix'),
    );
    const found = await check(dir);
    assert.deepEqual(where(found, 'module-not-found'), []);
    const r = await checkPaths([dir]);
    assert.match(
      r.configurations[0].reasons.join('; '),
      /hardware-configuration\.nix links to \/nonexistent-nixkit-test\/etc\/nixos\/hardware-configuration\.nix, outside the repository/,
    );
    // a link to a file of the repository that is gone is still a missing module
    fs.rmSync(path.join(dir, 'hardware-configuration.nix'));
    fs.symlinkSync('hw/gone.nix', path.join(dir, 'hardware-configuration.nix'));
    assert.deepEqual(where(await check(dir), 'module-not-found'), ['flake.nix:5']);
  });
});

describe('hardware-config-not-imported', () => {
  test('reported and fixed by importing it from the configuration beside it', async () => {
    const dir = write({
      'flake.nix': flake('./hosts/box/configuration.nix'),
      'hosts/box/configuration.nix': `{ ... }:\n{\n  networking.hostName = "box";\n${ROOT_KEY}  system.stateVersion = "24.11";\n}\n`,
      'hosts/box/hardware-configuration.nix': `{ lib, ... }:\n{\n  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };\n}\n`,
    });
    const before = await check(dir);
    assert.deepEqual(where(before, 'hardware-config-not-imported'), [
      'hosts/box/hardware-configuration.nix:1',
    ]);
    apply(before.find((f) => f.code === 'hardware-config-not-imported')!);
    const after = await check(dir);
    assert.deepEqual(where(after), []);
    assert.deepEqual(where(after, 'syntax-error'), []);
    assert.match(
      read(dir, 'hosts/box/configuration.nix'),
      /\{\n {2}imports = \[ \.\/hardware-configuration\.nix \];\n/,
    );
  });

  test('quiet with opaque modules, or without any configuration', async () => {
    const opaque = write({
      'flake.nix': flake('./hosts/box/configuration.nix inputs.haumea.lib.load'),
      'hosts/box/configuration.nix': `{ ... }:\n{\n  system.stateVersion = "24.11";\n}\n`,
      'hosts/box/hardware-configuration.nix': `{ ... }:\n{\n}\n`,
    });
    assert.deepEqual(where(await check(opaque), 'hardware-config-not-imported'), []);
    const none = write({ 'hardware-configuration.nix': `{ ... }:\n{\n}\n` });
    assert.deepEqual(where(await check(none), 'hardware-config-not-imported'), []);
  });

  test('quiet for an alternative whose import is commented out, or a copy in a folder no machine reads', async () => {
    const hw = (label: string) =>
      `{ lib, ... }:\n{\n  fileSystems."/" = { device = "/dev/disk/by-label/${label}"; fsType = "ext4"; };\n}\n`;
    const config = (vmLine: string) =>
      `{ ... }:\n{\n  imports = [\n${vmLine}    ./computers/desk/hardware-configuration.nix\n  ];\n  boot.loader.grub.device = "/dev/disk/by-id/ata-disk";\n${ROOT_KEY}  system.stateVersion = "24.11";\n}\n`;
    const files = {
      'computers/desk/hardware-configuration.nix': hw('desk'),
      'computers/vm/hardware-configuration.nix': hw('vm'),
    };
    const commented = write({
      ...files,
      'configuration.nix': config('    # ./computers/vm/hardware-configuration.nix\n'),
    });
    assert.deepEqual(where(await check(commented), 'hardware-config-not-imported'), []);
    const unmentioned = write({ ...files, 'configuration.nix': config('') });
    // Not even mentioned: a copy in a folder no machine reads belongs to no machine nixkit knows.
    assert.deepEqual(where(await check(unmentioned), 'hardware-config-not-imported'), []);
  });
});

describe('hostname-invalid', () => {
  test('by release: quiet on a nixpkgs before 20.09 (any name went), a warning where the release is unknown', async () => {
    const host = `{ ... }:\n{\n  networking.hostName = "flexo.example.org";\n${ROOT_KEY}}\n`;
    const severities = async (files: Files) =>
      (await check(write(files))).filter((f) => f.code === 'hostname-invalid').map((f) => f.severity);
    assert.deepEqual(
      await severities({
        'flake.nix': flake('./box.nix', '', 'github:NixOS/nixpkgs/nixos-20.03'),
        'box.nix': host,
      }),
      [],
    );
    assert.deepEqual(
      await severities({
        'flake.nix': flake('./box.nix', '', 'github:NixOS/nixpkgs/nixos-20.09'),
        'box.nix': host,
      }),
      ['error'],
    );
    assert.deepEqual(await severities({ 'configuration.nix': host }), ['warning']);
  });

  test('an FQDN is split into hostName and domain', async () => {
    const dir = write({
      'configuration.nix': `{ ... }:
{
  networking.hostName = "web.example.org";
${ROOT_KEY}  system.stateVersion = "24.11";
}
`,
    });
    const before = await check(dir);
    assert.deepEqual(where(before, 'hostname-invalid'), ['configuration.nix:3']);
    apply(before.find((f) => f.code === 'hostname-invalid')!);
    const after = await check(dir);
    assert.deepEqual(where(after), []);
    assert.match(
      read(dir, 'configuration.nix'),
      /networking\.hostName = "web";\n {2}networking\.domain = "example\.org";/,
    );
  });

  test('other invalid names, and the valid ones', async () => {
    const dir = write({
      'configuration.nix': `{ ... }:
{
  imports = [ ./a.nix ./b.nix ./c.nix ];
  networking.hostName = "my laptop";
${ROOT_KEY}  system.stateVersion = "24.11";
}
`,
      'a.nix': `{ lib, ... }:\n{\n  networking.hostName = lib.mkDefault "-edge-";\n}\n`,
      'b.nix': `{ lib, ... }:\n{\n  networking.hostName = lib.mkDefault "";\n}\n`,
      'c.nix': `{ lib, ... }:\n{\n  networking.hostName = lib.mkOverride 1200 "db_primary-01";\n}\n`,
    });
    const findings = await check(dir);
    assert.deepEqual(where(findings, 'hostname-invalid'), ['a.nix:3', 'configuration.nix:4']);
    assert.equal(
      findings.find((f) => f.where === 'configuration.nix:4' && f.code === 'hostname-invalid')!.fixes![0]
        .edits[0].newText,
      '"my-laptop"',
    );
  });
});
