// The bootloader and filesystem rules over whole workspaces: exact findings on configurations with mistakes,
// silence on real-world-shaped clean ones (test/fixtures/configs/, reusable by other tests and the benchmark),
// and the cases where the model cannot know enough and every rule must stay quiet.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { checkPaths } from '../../../server/analysis/check-files';
import type { Finding } from '../../../server/findings';
import { registerDeviceNameSource } from '../../../server/facts/stable-names';
import { REPO_ROOT, tempDir } from '../../helpers';

const CODES = new Set([
  'esp-missing',
  'bootloader-missing',
  'grub-device-missing',
  'root-filesystem-missing',
  'unstable-device-path',
  'luks-not-in-initrd',
  'esp-mount-mismatch',
]);
const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'configs');

/** The text of files with fixes, as they were when checked (inline workspaces are deleted afterwards). */
const texts = new Map<string, string>();

interface Found extends Finding {
  where: string;
}

async function check(dir: string): Promise<Found[]> {
  const result = await checkPaths([dir]);
  assert.deepEqual(
    result.findings.filter((f) => f.code === 'syntax-error').map((f) => f.file),
    [],
    'fixtures are valid Nix',
  );
  for (const f of result.findings)
    for (const fix of f.fixes ?? [])
      for (const e of fix.edits) if (!texts.has(e.file)) texts.set(e.file, fs.readFileSync(e.file, 'utf8'));
  return result.findings
    .filter((f) => CODES.has(f.code))
    .map((f) => ({ ...f, where: `${f.code} ${path.relative(dir, f.file)}:${f.range.start.line + 1}` }));
}

async function checkFiles(files: Record<string, string>): Promise<Found[]> {
  const dir = tempDir('boot');
  try {
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    }
    return await check(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const wheres = (found: Found[]) => found.map((f) => f.where).sort();

/** Applies a fix's edits (all in one file) to that file's text. */
function applyFix(f: Found, index = 0): string {
  const fix = f.fixes?.[index];
  assert.ok(fix, `${f.where} has fix #${index}`);
  const file = fix.edits[0].file;
  let text = texts.get(file) ?? fs.readFileSync(file, 'utf8');
  const offset = (p: { line: number; character: number }) =>
    text.split('\n').slice(0, p.line).join('\n').length + (p.line ? 1 : 0) + p.character;
  for (const e of [...fix.edits].sort((a, b) => offset(b.range.start) - offset(a.range.start))) {
    assert.equal(e.file, file);
    text = text.slice(0, offset(e.range.start)) + e.newText + text.slice(offset(e.range.end));
  }
  return text;
}

// ---- clean, real-world-shaped configurations ---------------------------------------------------------------

const CLEAN = [
  'laptop-systemd-boot',
  'server-grub-bios',
  'vps-grub-sda',
  'hetzner-mirrored-boots',
  'desktop-disko-luks-btrfs',
  'raspberry-pi-extlinux',
  'container',
  'vm-qemu-guest',
  'impermanence-tmpfs-root',
  'fleet-helpers',
  'server-disko-zfs',
  'dualboot-grub-efi',
  'external-modules',
  'images',
  'nixos-anywhere-hybrid',
  'readdir-hosts',
];

for (const name of CLEAN) {
  test(`clean configuration ${name}: no bootloader or filesystem finding`, async () => {
    const found = await check(path.join(FIXTURES, name));
    assert.deepEqual(wheres(found), [], JSON.stringify(found, null, 1));
  });
}

// ---- configurations with mistakes: exact findings ----------------------------------------------------------

test('fleet-with-mistakes: one finding per mistake, in the file and line of the mistake', async () => {
  const found = await check(path.join(FIXTURES, 'fleet-with-mistakes'));
  assert.deepEqual(wheres(found), [
    'bootloader-missing hosts/kiosk/default.nix:4',
    'esp-missing hosts/edge/default.nix:5',
    'grub-device-missing hosts/web/default.nix:7',
    'luks-not-in-initrd hosts/nas/default.nix:12',
    'root-filesystem-missing flake.nix:14',
    'unstable-device-path hosts/db/hardware-configuration.nix:11',
    'unstable-device-path hosts/db/hardware-configuration.nix:7',
    'unstable-device-path hosts/nas/default.nix:7',
  ]);
  for (const f of found) {
    const expected = f.code === 'unstable-device-path' ? 'warning' : 'error';
    assert.equal(f.severity, expected, f.where);
  }
});

test('grub-device-missing (UEFI GRUB without device) inserts device = "nodev" beside grub.enable', async () => {
  const found = await check(path.join(FIXTURES, 'fleet-with-mistakes'));
  const f = found.find((x) => x.code === 'grub-device-missing')!;
  assert.match(f.message, /nodev/);
  const fixed = applyFix(f);
  assert.match(fixed, /grub\.enable = true;\n {4}grub\.device = "nodev";\n {4}grub\.efiSupport = true;/);
});

test('unstable-device-path offers by-uuid only where the UUID is known (blkid output in a comment)', async () => {
  const found = await check(path.join(FIXTURES, 'fleet-with-mistakes'));
  const sda1 = found.find((x) => x.where === 'unstable-device-path hosts/db/hardware-configuration.nix:7')!;
  const sdb1 = found.find((x) => x.where === 'unstable-device-path hosts/db/hardware-configuration.nix:11')!;
  assert.match(applyFix(sda1), /device = "\/dev\/disk\/by-uuid\/6f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";/);
  assert.deepEqual(sdb1.fixes, []);
  // GRUB's install-time device is not reported.
  assert.ok(!found.some((x) => x.where.includes('hosts/db/default.nix')));
});

test('luks-not-in-initrd offers the one LUKS name the initrd opens', async () => {
  const found = await check(path.join(FIXTURES, 'fleet-with-mistakes'));
  const f = found.find((x) => x.code === 'luks-not-in-initrd')!;
  assert.match(f.message, /"root".*"cryptroot"/);
  assert.match(applyFix(f), /device = "\/dev\/mapper\/cryptroot";/);
});

test('luks-not-in-initrd: LVM on LUKS (`cryptvg-root` in the container "crypt") is no unopened LUKS name', async () => {
  const files = (root: string) => ({
    'configuration.nix': `{ ... }:
{
  boot.loader.systemd-boot.enable = true;
  boot.initrd.luks.devices."crypt" = { device = "/dev/disk/by-uuid/82a1c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d"; preLVM = true; };
  fileSystems."/" = { device = "${root}"; fsType = "ext4"; };
  fileSystems."/boot" = { device = "/dev/disk/by-label/boot"; fsType = "vfat"; };
  users.users.root.hashedPassword = "!";
  system.stateVersion = "24.11";
}
`,
  });
  assert.deepEqual(
    wheres(await checkFiles(files('/dev/mapper/cryptvg-root'))).filter((w) => w.startsWith('luks')),
    [],
  );
  // the name nixos-generate-config gives a LUKS device is no volume group's
  assert.deepEqual(
    wheres(await checkFiles(files('/dev/mapper/luks-0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e'))).filter((w) =>
      w.startsWith('luks'),
    ),
    ['luks-not-in-initrd configuration.nix:5'],
  );
});

test('efi-only-disko-grub: a BIOS device on a GPT disk without BIOS boot partition, fixed to "nodev"', async () => {
  const found = await check(path.join(FIXTURES, 'efi-only-disko-grub'));
  assert.deepEqual(wheres(found), ['grub-device-missing configuration.nix:8']);
  assert.match(applyFix(found[0]), /device = "nodev";/);
});

test('no-bootloader: a configuration that chooses no bootloader draws bootloader-missing only', async () => {
  const found = await check(path.join(FIXTURES, 'no-bootloader'));
  assert.deepEqual(wheres(found), ['bootloader-missing configuration.nix:1']);
});

// ---- inline workspaces --------------------------------------------------------------------------------------

const ROOT_AND_ESP = `  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
  fileSystems."/boot" = { device = "/dev/disk/by-label/boot"; fsType = "vfat"; };
`;

test('a flake helper in a let, applied per host: findings in the host that has the mistake', async () => {
  const found = await checkFiles({
    'flake.nix': `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = { nixpkgs, ... }:
    let
      mkHost = name: nixpkgs.lib.nixosSystem {
        system = "x86_64-linux";
        modules = [ ./common.nix (./hosts + "/\${name}.nix") ];
      };
    in {
      nixosConfigurations = {
        good = mkHost "good";
        bad = mkHost "bad";
      };
    };
}
`,
    'common.nix': `{ lib, ... }:
{
  boot.loader.systemd-boot.enable = lib.mkDefault true;
}
`,
    'hosts/good.nix': `{ ... }:
{
${ROOT_AND_ESP}}
`,
    'hosts/bad.nix': `{ ... }:
{
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
}
`,
  });
  assert.deepEqual(wheres(found), ['esp-missing common.nix:3']);
  assert.match(found[0].message, /configuration "bad"/);
});

test('BIOS GRUB without a device is reported without a fix (nixkit does not know the disk)', async () => {
  const found = await checkFiles({
    'configuration.nix': `{ config, pkgs, ... }:
{
  boot.loader.grub.enable = true;
  boot.loader.grub.configurationLimit = 20;
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
}
`,
  });
  assert.deepEqual(wheres(found), ['grub-device-missing configuration.nix:3']);
  assert.deepEqual(found[0].fixes, []);
});

test('GRUB devices given as a list item on an EFI-only disko disk: the item is reported and fixed', async () => {
  const found = await checkFiles({
    'configuration.nix': `{ config, lib, pkgs, ... }:
{
  imports = [ ./disko.nix ];
  boot.loader.grub.efiSupport = true;
  boot.loader.efi.canTouchEfiVariables = true;
  boot.loader.grub.devices = [ "/dev/disk/by-id/nvme-eui.0025388b91c5a123" ];
}
`,
    'disko.nix': `{
  disko.devices.disk.nvme = {
    device = "/dev/disk/by-id/nvme-eui.0025388b91c5a123";
    content = {
      type = "gpt";
      partitions.ESP = { size = "1G"; type = "EF00"; content = { type = "filesystem"; format = "vfat"; mountpoint = "/boot"; }; };
      partitions.root = { size = "100%"; content = { type = "filesystem"; format = "xfs"; mountpoint = "/"; }; };
    };
  };
}
`,
  });
  assert.deepEqual(wheres(found), ['grub-device-missing configuration.nix:6']);
  assert.match(applyFix(found[0]), /devices = \[ "nodev" \];/);
});

test('a hybrid disko disk with a BIOS boot partition is fine with a real GRUB device', async () => {
  const found = await checkFiles({
    'configuration.nix': `{ config, lib, pkgs, ... }:
{
  boot.loader.grub = { efiSupport = true; efiInstallAsRemovable = true; device = "/dev/sda"; };
  disko.devices.disk.sda = {
    device = "/dev/sda";
    content.type = "gpt";
    content.partitions.bios = { size = "1M"; type = "EF02"; };
    content.partitions.ESP = { size = "512M"; type = "EF00"; content = { type = "filesystem"; format = "vfat"; mountpoint = "/boot"; }; };
    content.partitions.root = { size = "100%"; content = { type = "filesystem"; format = "ext4"; mountpoint = "/"; }; };
  };
}
`,
  });
  assert.deepEqual(wheres(found), []);
});

test('no filesystems and no bootloader: root-filesystem-missing speaks, bootloader-missing waits', async () => {
  const found = await checkFiles({
    'configuration.nix': `{ config, pkgs, ... }:
{
  networking.hostName = "blank";
  system.stateVersion = "24.11";
}
`,
  });
  assert.deepEqual(wheres(found), ['root-filesystem-missing configuration.nix:1']);
});

test('systemd-boot with GRUB left at its default: neither bootloader rule reports', async () => {
  const found = await checkFiles({
    'configuration.nix': `{ config, lib, pkgs, ... }:
{
  boot.loader.systemd-boot.enable = true;
  boot.loader.grub.enable = lib.mkDefault false;
${ROOT_AND_ESP}}
`,
  });
  assert.deepEqual(wheres(found), []);
});

test('GRUB for EFI is the ESP loader only when GRUB is the loader: an unknown other loader keeps the ESP rules quiet', async () => {
  // The ESP is at /boot; efiSupport with the ESP at /boot/efi would be a mismatch if GRUB were certainly the loader.
  const files = (sdBoot: string) => ({
    'configuration.nix': `{ config, lib, pkgs, ... }:
{
  boot.loader.systemd-boot.enable = ${sdBoot};
  boot.loader.grub = { efiSupport = true; device = "nodev"; };
  boot.loader.efi.efiSysMountPoint = "/boot/efi";
${ROOT_AND_ESP}}
`,
  });
  assert.deepEqual(wheres(await checkFiles(files('false'))), ['esp-mount-mismatch configuration.nix:7']);
  assert.deepEqual(wheres(await checkFiles(files('import ./sd.nix'))), []);
});

test('systemd-boot left on by a shared mkDefault beside GRUB on mirrored ESPs: no ESP finding with a wrong cause', async () => {
  const host = (systemdBoot: string) => ({
    'configuration.nix': `{ lib, ... }:
{
  boot.loader.systemd-boot.enable = ${systemdBoot};
  boot.loader.grub = {
    enable = true;
    efiSupport = true;
    devices = lib.mkForce [ ];
    mirroredBoots = [
      { path = "/boot1"; devices = [ "nodev" ]; }
      { path = "/boot2"; devices = [ "nodev" ]; }
    ];
  };
  fileSystems."/" = { device = "/dev/disk/by-label/root"; fsType = "ext4"; };
  fileSystems."/boot1" = { device = "/dev/disk/by-label/esp1"; fsType = "vfat"; };
  fileSystems."/boot2" = { device = "/dev/disk/by-label/esp2"; fsType = "vfat"; };
}
`,
  });
  // NixOS refuses two loaders; "systemd-boot installs to /boot" would name the wrong cause and a fix that fails.
  assert.deepEqual(wheres(await checkFiles(host('lib.mkDefault true'))), []);
  // With systemd-boot alone, the ESP outside /boot is the mistake.
  const alone = await checkFiles({
    'configuration.nix': `{ ... }:
{
  boot.loader.systemd-boot.enable = true;
  fileSystems."/" = { device = "/dev/disk/by-label/root"; fsType = "ext4"; };
  fileSystems."/boot1" = { device = "/dev/disk/by-label/esp1"; fsType = "vfat"; };
}
`,
  });
  assert.deepEqual(wheres(alone), ['esp-mount-mismatch configuration.nix:5']);
});

test('swap and resume devices by kernel name are reported; disko disk devices and GRUB devices are not', async () => {
  const found = await checkFiles({
    'configuration.nix': `{ config, lib, pkgs, ... }:
{
  boot.loader.grub.device = "/dev/vda";
  boot.loader.grub.devices = [ "/dev/vdb" ];
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
  swapDevices = [
    { device = "/dev/vda2"; }
    { device = "/dev/disk/by-label/swap"; }
  ];
  boot.resumeDevice = "/dev/mmcblk0p3";
}
`,
  });
  assert.deepEqual(wheres(found), [
    'unstable-device-path configuration.nix:10',
    'unstable-device-path configuration.nix:7',
  ]);
});

test('stableNameFor: a registered source (the probe, later) turns into a by-uuid fix', async () => {
  const unregister = registerDeviceNameSource((config, device) =>
    config.name === 'probed' && device === '/dev/nvme0n1p2'
      ? { path: '/dev/disk/by-uuid/11111111-2222-4333-8444-555555555555', from: 'the probe of probed' }
      : undefined,
  );
  try {
    const dir = tempDir('boot');
    fs.mkdirSync(path.join(dir, 'probed'));
    fs.writeFileSync(
      path.join(dir, 'probed', 'configuration.nix'),
      `{ config, pkgs, ... }:
{
  boot.loader.grub.device = "/dev/nvme0n1";
  fileSystems."/" = { device = "/dev/nvme0n1p2"; fsType = "ext4"; };
}
`,
    );
    const found = await check(dir);
    assert.deepEqual(wheres(found), ['unstable-device-path probed/configuration.nix:4']);
    assert.equal(
      found[0].fixes?.[0].title,
      'Use /dev/disk/by-uuid/11111111-2222-4333-8444-555555555555 (from the probe of probed)',
    );
    fs.rmSync(dir, { recursive: true, force: true });
  } finally {
    unregister();
  }
});

test('LVM names in /dev/mapper, stage-2 crypttab and filesystem-level encryption are not reported', async () => {
  const found = await checkFiles({
    'a/configuration.nix': `{ config, lib, pkgs, ... }:
{
  boot.loader.grub.device = "/dev/disk/by-id/ata-disk";
  fileSystems."/" = { device = "/dev/mapper/vg0-root"; fsType = "ext4"; };
  fileSystems."/srv" = { device = "/dev/mapper/my--vg-srv"; fsType = "ext4"; };
}
`,
    'b/configuration.nix': `{ config, lib, pkgs, ... }:
{
  boot.loader.grub.device = "/dev/disk/by-id/ata-disk";
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
  fileSystems."/home" = { device = "/dev/mapper/home"; fsType = "ext4"; };
  environment.etc."crypttab".text = "home /dev/disk/by-uuid/0f0f0f0f-1111-4222-8333-444444444444 /etc/home.key";
}
`,
    'c/configuration.nix': `{ config, lib, pkgs, ... }:
{
  boot.loader.grub.device = "/dev/disk/by-id/ata-disk";
  fileSystems."/" = {
    device = "/dev/mapper/enc";
    fsType = "ext4";
    encrypted = { enable = true; label = "enc"; blkDev = "/dev/disk/by-partlabel/root"; };
  };
}
`,
  });
  assert.deepEqual(wheres(found), []);
});

test('disko LUKS names count as opened; a mapper name nobody opens is reported', async () => {
  const disko = (name: string) => `{ lib, ... }:
{
  boot.loader.systemd-boot.enable = true;
  disko.devices.disk.main = {
    device = "/dev/disk/by-id/nvme-x";
    content.type = "gpt";
    content.partitions.ESP = { size = "1G"; type = "EF00"; content = { type = "filesystem"; format = "vfat"; mountpoint = "/boot"; }; };
    content.partitions.luks = {
      size = "100%";
      content = { type = "luks"; name = "${name}"; content = { type = "lvm_pv"; vg = "pool"; }; };
    };
  };
  fileSystems."/data" = { device = "/dev/mapper/cryptdata"; fsType = "ext4"; };
  fileSystems."/" = { device = "/dev/mapper/pool-root"; fsType = "ext4"; };
}
`;
  assert.deepEqual(wheres(await checkFiles({ 'configuration.nix': disko('cryptdata') })), []);
  assert.deepEqual(wheres(await checkFiles({ 'configuration.nix': disko('crypted') })), [
    'luks-not-in-initrd configuration.nix:13',
  ]);
});

test('unsure configurations stay quiet: unknown conditions, unknown sets, missing and opaque modules', async () => {
  const found = await checkFiles({
    // The root filesystem under a condition nixkit cannot decide.
    'cond/configuration.nix': `{ config, lib, pkgs, ... }:
{
  boot.loader.systemd-boot.enable = true;
  fileSystems."/" = lib.mkIf config.custom.enable { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
}
`,
    // fileSystems from an expression nixkit cannot evaluate.
    'dyn/configuration.nix': `{ config, lib, pkgs, ... }:
{
  boot.loader.systemd-boot.enable = true;
  fileSystems = lib.mapAttrs' (n: v: lib.nameValuePair n v) config.custom.mounts;
}
`,
    // The hardware configuration lives on the machine only (kept out of the repository).
    'ignored/configuration.nix': `{ config, lib, pkgs, ... }:
{
  imports = [ ./hardware-configuration.nix ];
  boot.loader.systemd-boot.enable = true;
}
`,
    // An ESP of unset type (mount's "auto").
    'auto/configuration.nix': `{ config, lib, pkgs, ... }:
{
  boot.loader.systemd-boot.enable = true;
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
  fileSystems."/boot" = { device = "/dev/disk/by-label/ESP"; };
}
`,
    // The bootloader comes from a module of another flake.
    'opaque/flake.nix': `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  inputs.hw.url = "github:example/hardware";
  outputs = { nixpkgs, hw, ... }: {
    nixosConfigurations.box = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ hw.nixosModules.boot ./box.nix ];
    };
  };
}
`,
    'opaque/box.nix': `{ ... }:
{
  boot.loader.grub.enable = false;
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
}
`,
    // A root named through mountPoint; a disko tmpfs root named by its key.
    'mp/configuration.nix': `{ config, lib, pkgs, ... }:
{
  boot.loader.grub.device = "nodev";
  boot.loader.grub.efiSupport = true;
  fileSystems.root = { mountPoint = "/"; device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
  fileSystems.esp = { mountPoint = "/boot"; device = "/dev/disk/by-label/ESP"; fsType = "vfat"; };
}
`,
    'nodev/configuration.nix': `{ config, lib, pkgs, ... }:
{
  boot.loader.systemd-boot.enable = true;
  disko.devices.nodev."/" = { fsType = "tmpfs"; mountOptions = [ "size=2G" "mode=755" ]; };
  disko.devices.disk.main = {
    device = "/dev/disk/by-id/ata-x";
    content.type = "gpt";
    content.partitions.ESP = { size = "1G"; type = "EF00"; content = { type = "filesystem"; format = "vfat"; mountpoint = "/boot"; }; };
    content.partitions.nix = { size = "100%"; content = { type = "filesystem"; format = "ext4"; mountpoint = "/nix"; }; };
  };
}
`,
    // Old disko layouts list their partitions: nixkit does not read them, so it says nothing.
    'olddisko/configuration.nix': `{ config, lib, pkgs, ... }:
{
  boot.loader.systemd-boot.enable = true;
  disko.devices.disk.main = {
    device = "/dev/disk/by-id/ata-x";
    content = {
      type = "table";
      format = "gpt";
      partitions = [
        { name = "ESP"; start = "1MiB"; end = "512MiB"; fs-type = "fat32"; content = { type = "filesystem"; format = "vfat"; mountpoint = "/boot"; }; }
        { name = "root"; start = "512MiB"; end = "100%"; content = { type = "filesystem"; format = "ext4"; mountpoint = "/"; }; }
      ];
    };
  };
}
`,
  });
  assert.deepEqual(wheres(found), []);
});

test('a hardware-configuration.nix that is not imported: root-filesystem-missing leaves it to hardware-config-not-imported', async () => {
  const found = await checkFiles({
    'configuration.nix': `{ config, lib, pkgs, ... }:
{
  boot.loader.systemd-boot.enable = true;
}
`,
    'hardware-configuration.nix': `{ config, lib, pkgs, ... }:
{
${ROOT_AND_ESP}}
`,
  });
  assert.deepEqual(wheres(found), []);
});

test('a configuration.nix that another one imports is a shared module, not a machine', async () => {
  const found = await checkFiles({
    'hosts/a/configuration.nix': `{ config, lib, pkgs, ... }:
{
  imports = [ ../../common/configuration.nix ];
  boot.loader.grub.device = "/dev/disk/by-id/ata-disk";
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
}
`,
    'common/configuration.nix': `{ config, lib, pkgs, ... }:
{
  services.openssh.enable = true;
}
`,
  });
  assert.deepEqual(wheres(found), []);
});

test("GRUB's mirroredBoots install to each mirror's ESP: ESPs at the mirrors' paths are right, others are reported", async () => {
  const layout = (a: string) => `{ ... }:
{
  boot.loader.grub = {
    enable = true;
    efiSupport = true;
    efiInstallAsRemovable = true;
    mirroredBoots = [
      { devices = [ "nodev" ]; path = "/efi/a"; }
      { devices = [ "nodev" ]; path = "/boot-b"; efiSysMountPoint = "/efi/b"; }
    ];
  };
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
  fileSystems."${a}" = { device = "/dev/disk/by-label/ESP-A"; fsType = "vfat"; };
  fileSystems."/efi/b" = { device = "/dev/disk/by-label/ESP-B"; fsType = "vfat"; };
}
`;
  assert.deepEqual(wheres(await checkFiles({ 'configuration.nix': layout('/efi/a') })), []);
  // The only ESP is at /boot/efi, where no mirror installs GRUB.
  const missed = await checkFiles({
    'configuration.nix': layout('/boot/efi').replace(
      'fileSystems."/efi/b" = { device = "/dev/disk/by-label/ESP-B"; fsType = "vfat"; };\n',
      '',
    ),
  });
  assert.deepEqual(wheres(missed), ['esp-mount-mismatch configuration.nix:13']);
});

test('a netboot image built by a module of the repository needs no bootloader', async () => {
  const netboot = (build: string) => ({
    'configuration.nix': `{ config, lib, pkgs, ... }:
{
  # booted over iPXE / kexec: nothing is installed to a disk
  boot.loader.grub.enable = false;
  fileSystems."/" = ${build.includes('tmpfs') ? build : '{ device = "/dev/disk/by-label/nixos"; fsType = "ext4"; }'};
  ${build.includes('tmpfs') ? '' : build}
  system.stateVersion = "24.11";
}
`,
  });
  // nixpkgs' way of mounting an image's root, or what its netboot module builds
  assert.deepEqual(wheres(await checkFiles(netboot('lib.mkImageMediaOverride { fsType = "tmpfs"; }'))), []);
  assert.deepEqual(
    wheres(await checkFiles(netboot('system.build.netbootIpxeScript = pkgs.writeText "netboot.ipxe" "";'))),
    [],
  );
  // an installed machine with GRUB turned off and nothing else still has no bootloader
  assert.deepEqual(wheres(await checkFiles(netboot(''))), ['bootloader-missing configuration.nix:4']);
});

test('GRUB off on a guest its launcher boots (root on tmpfs, the store over virtiofs): no bootloader wanted', async () => {
  const guest = (storeFs: string) => `{ ... }:
{
  boot.loader.grub.enable = false;
  fileSystems."/" = { device = "tmpfs"; fsType = "tmpfs"; options = [ "mode=0755" ]; };
  fileSystems."/nix/.ro-store" = ${storeFs};
  fileSystems."/nix/.rw-store" = { fsType = "tmpfs"; neededForBoot = true; };
  fileSystems."/nix/store".overlay = { lowerdir = [ "/nix/.ro-store" ]; upperdir = "/nix/.rw-store/upper"; workdir = "/nix/.rw-store/work"; };
  system.stateVersion = "24.05";
}
`;
  const virtiofs = '{ device = "ro-store"; fsType = "virtiofs"; options = [ "ro" ]; neededForBoot = true; }';
  assert.deepEqual(wheres(await checkFiles({ 'configuration.nix': guest(virtiofs) })), []);
  // The same guest with its store on a disk of its own needs a bootloader after all.
  const disk = '{ device = "/dev/disk/by-label/store"; fsType = "ext4"; neededForBoot = true; }';
  assert.deepEqual(wheres(await checkFiles({ 'configuration.nix': guest(disk) })), [
    'bootloader-missing configuration.nix:3',
  ]);
});

test('unstable-device-path: quiet in a container and under WSL, whose disks NixOS does not mount', async () => {
  const machine = (extra: string) => `{ ... }:
{
  ${extra}
  fileSystems."/" = { device = "/dev/sdd"; fsType = "ext4"; };
  system.stateVersion = "24.11";
}
`;
  for (const quiet of ['boot.isContainer = true;', 'wsl.enable = true;'])
    assert.deepEqual(
      wheres(await checkFiles({ 'configuration.nix': machine(quiet) })).filter((w) =>
        w.startsWith('unstable'),
      ),
      [],
      quiet,
    );
  assert.deepEqual(
    wheres(
      await checkFiles({
        'configuration.nix': machine('boot.loader.grub.device = "/dev/disk/by-id/ata-x";'),
      }),
    ).filter((w) => w.startsWith('unstable')),
    ['unstable-device-path configuration.nix:4'],
  );
});

test('unstable-device-path on a filesystem made at boot (autoFormat): the disk by id or path, never a UUID', async () => {
  const found = await checkFiles({
    'configuration.nix': `{ ... }:
{
  # $ blkid
  # /dev/nvme1n1: UUID="0b9c8d7e-6f5a-4b3c-9d2e-1f0a9b8c7d6e" TYPE="ext4"
  boot.loader.systemd-boot.enable = true;
${ROOT_AND_ESP}  fileSystems."/mnt/backup" = { device = "/dev/nvme1n1"; fsType = "ext4"; autoFormat = true; };
  fileSystems."/mnt/data" = { device = "/dev/nvme1n1"; fsType = "ext4"; };
  system.stateVersion = "24.11";
}
`,
  });
  const at = (line: number) =>
    found.find((f) => f.where === `unstable-device-path configuration.nix:${line}`)!;
  assert.match(
    at(8).message,
    /use \/dev\/disk\/by-id\/… or \/dev\/disk\/by-path\/… \(autoFormat makes the filesystem/,
  );
  assert.deepEqual(at(8).fixes, []);
  assert.match(at(9).message, /use \/dev\/disk\/by-uuid\/… or \/dev\/disk\/by-label\/…$/);
  assert.equal(at(9).fixes?.length, 1);
});

test('unstable-device-path on a randomly encrypted swap: by partuuid or id, never a UUID that is overwritten', async () => {
  const found = await checkFiles({
    'configuration.nix': `{ ... }:
{
  boot.loader.systemd-boot.enable = true;
${ROOT_AND_ESP}  swapDevices = [
    { device = "/dev/nvme0n1p2"; randomEncryption.enable = true; }
    { device = "/dev/nvme0n1p3"; randomEncryption = true; }
    { device = "/dev/nvme0n1p4"; }
  ];
  system.stateVersion = "24.11";
}
`,
  });
  const at = (line: number) =>
    found.find((f) => f.where === `unstable-device-path configuration.nix:${line}`)!;
  for (const line of [7, 8])
    assert.match(
      at(line).message,
      /use \/dev\/disk\/by-partuuid\/… or \/dev\/disk\/by-id\/… \(randomEncryption/,
    );
  assert.match(at(9).message, /use \/dev\/disk\/by-uuid\/… or \/dev\/disk\/by-label\/…$/);
});

test('a configuration that installs its own bootloader (system.build.installBootLoader) draws no bootloader-missing', async () => {
  const flake = `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = { nixpkgs, ... }: {
    nixosConfigurations.pi = nixpkgs.lib.nixosSystem { system = "aarch64-linux"; modules = [ ./pi.nix ]; };
  };
}
`;
  const pi = (own: string) => `{ pkgs, ... }:
{
  boot.loader.grub.enable = false;
${own}  fileSystems."/" = { device = "/dev/disk/by-label/NIXOS_SD"; fsType = "ext4"; };
  system.stateVersion = "24.05";
}
`;
  // A Raspberry Pi firmware copier set directly: NixOS runs it as the bootloader install.
  const own = await checkFiles({
    'flake.nix': flake,
    'pi.nix': pi('  system.build.installBootLoader = "/run/current-system/sw/bin/copy-firmware";\n'),
  });
  assert.deepEqual(wheres(own), []);
  // Without it the machine has none: the finding stays.
  const none = await checkFiles({ 'flake.nix': flake, 'pi.nix': pi('') });
  assert.deepEqual(wheres(none), ['bootloader-missing pi.nix:3']);
  // An aarch64 board is not told about BIOS.
  assert.match(none[0].message, /generic-extlinux-compatible/);
  assert.doesNotMatch(none[0].message, /BIOS/);
});

test('efiSysMountPoint "/boot/" is the ESP mounted at /boot: no esp-mount-mismatch; "/boot/efi" still is one', async () => {
  const files = (point: string) => ({
    'configuration.nix': `{ ... }:
{
  boot.loader.systemd-boot.enable = true;
  boot.loader.efi.efiSysMountPoint = "${point}";
${ROOT_AND_ESP}  system.stateVersion = "24.05";
}
`,
  });
  assert.deepEqual(wheres(await checkFiles(files('/boot/'))), []);
  assert.deepEqual(wheres(await checkFiles(files('/boot/efi'))), ['esp-mount-mismatch configuration.nix:6']);
});

test('unstable-device-path on bcachefs advises names of the partition, not its UUID (udev may not read it)', async () => {
  const found = await checkFiles({
    'configuration.nix': `{ ... }:
{
  boot.loader.systemd-boot.enable = true;
  fileSystems."/" = { device = "/dev/nvme0n1p3"; fsType = "bcachefs"; };
  fileSystems."/boot" = { device = "/dev/disk/by-label/boot"; fsType = "vfat"; };
  system.stateVersion = "24.05";
}
`,
  });
  assert.deepEqual(wheres(found), ['unstable-device-path configuration.nix:4']);
  assert.match(found[0].message, /by-partuuid.*bcachefs/);
  assert.doesNotMatch(found[0].message, /by-uuid/);
});

test("Xen's /dev/xvdX names are fixed by the domain's configuration: no unstable-device-path; /dev/vdX still is one", async () => {
  const files = (dev: string) => ({
    'configuration.nix': `{ ... }:
{
  boot.loader.grub.device = "/dev/xvda";
  fileSystems."/" = { device = "${dev}"; fsType = "ext4"; };
  system.stateVersion = "24.05";
}
`,
  });
  assert.deepEqual(wheres(await checkFiles(files('/dev/xvda3'))), []);
  assert.deepEqual(wheres(await checkFiles(files('/dev/vda3'))), [
    'unstable-device-path configuration.nix:4',
  ]);
});
