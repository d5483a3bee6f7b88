// The probe-aware rules over whole workspaces with realistic probes: a UEFI qemu VM (virtio disks, enp0s1), a
// BIOS Hetzner-like dedicated server (two SATA disks behind ahci, eth0 that NixOS names enp0s31f6) and a busybox
// rescue system where most tools are missing. Exact findings where the configuration disagrees with the target,
// silence where it matches, and silence on everything the probe does not know. Also: `--probe` on the CLI and
// `.nixkit/hosts/<name>.json` lookup.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { generateHardwareConfig } from '../../../engine/hwconfig/generate';
import type { Controller, Mount, NetworkInterface, ProbeReport } from '../../../protocol/probe-report';
import { validateProbeReport } from '../../../protocol/probe-report-schema';
import { checkPaths, type CheckOptions } from '../../../server/analysis/check-files';
import { WorkspaceAnalysis } from '../../../server/analysis/workspace-analysis';
import { WorkspaceSources } from '../../../server/analysis/workspace-sources';
import { probesFeature } from '../../../server/lsp/features/probes';
import type { ServerState } from '../../../server/lsp/server';
import { main } from '../../../cli/main';
import type { Finding } from '../../../server/findings';
import { emptyProbe, exampleDisk } from '../../../server/facts/probe';
import { parser, tempDir } from '../../helpers';

const PROBE_CODES = new Set([
  'bootloader-firmware-mismatch',
  'device-not-on-target',
  'fs-type-mismatch',
  'initrd-module-missing',
  'interface-not-on-target',
]);

// --- probes

const mount = (mountPoint: string, fsType: string, source: string): Mount => ({
  mountPoint,
  fsType,
  source,
  root: '/',
  majorMinor: '0:0',
  options: ['rw'],
  superOptions: ['rw'],
});
const SYS = mount('/sys', 'sysfs', 'sysfs');
const pci = (
  address: string,
  cls: string,
  module: string | null,
  kind: Controller['kind'] = 'storage',
): Controller => ({
  kind,
  address,
  pciClass: cls,
  vendorId: null,
  deviceId: null,
  driver: module,
  module,
});
const nic = (
  name: string,
  predicted: string | null,
  over: Partial<NetworkInterface> = {},
): NetworkInterface => ({
  name,
  mac: '52:54:00:12:34:56',
  driver: null,
  state: 'up',
  virtual: false,
  addresses: [],
  predicted: predicted
    ? { name: predicted, source: 'udevadm', reason: 'ID_NET_NAME_PATH' }
    : { name: null, source: 'none', reason: 'not a PCI device; unknown without udevadm' },
  ...over,
});

const VM_ROOT = '6a3f0d1c-2b4e-4f5a-8c7d-9e0f1a2b3c4d';
const VM_DATA = 'c0ffee00-1111-4222-8333-444455556666';
/** A UEFI qemu guest from a Debian live ISO: /dev/vda installed to and mounted at /mnt, a data disk vdb. */
function vmProbe(): ProbeReport {
  const base = emptyProbe();
  return emptyProbe({
    target: 'root@192.0.2.10',
    system: {
      ...base.system,
      hostname: 'debian',
      virtualisation: { type: 'qemu', source: 'systemd-detect-virt' },
    },
    disks: [
      exampleDisk(
        'vda',
        [
          { type: 'vfat', uuid: '7C1E-3A2B', label: 'ESP', partType: 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b' },
          { type: 'ext4', uuid: VM_ROOT, label: 'nixos' },
          { type: 'swap', uuid: '0d9e8f7a-6b5c-4d3e-2f1a-0b9c8d7e6f5a', label: 'swap' },
        ],
        { transport: 'virtio', module: 'virtio_blk', byId: ['virtio-nixkit-root'] },
      ),
      exampleDisk('vdb', [{ type: 'xfs', uuid: VM_DATA, label: 'data' }], {
        transport: 'virtio',
        module: 'virtio_blk',
        byId: ['virtio-nixkit-data'],
      }),
      exampleDisk('sr0', [], {
        transport: 'ata',
        removable: true,
        readOnly: true,
        liveSystem: true,
        partitionTable: null,
      }),
    ],
    controllers: [
      pci('0000:00:01.0', '0x020000', 'virtio_pci', 'network'),
      pci('0000:00:04.0', '0x010000', 'virtio_pci'),
      pci('0000:00:05.0', '0x010000', 'virtio_pci'),
      pci('0000:00:1f.2', '0x010601', 'ahci'),
      pci('0000:00:1d.0', '0x0c0330', 'xhci_pci', 'usb'),
      { ...pci('vda', '', 'virtio_blk', 'block'), pciClass: null },
      { ...pci('vdb', '', 'virtio_blk', 'block'), pciClass: null },
    ],
    network: {
      interfaces: [nic('enp0s1', 'enp0s1', { driver: 'virtio_net' })],
      defaultRoutes: [{ family: 'inet', gateway: '192.0.2.1', dev: 'enp0s1' }],
      dns: ['192.0.2.1'],
      searchDomains: [],
    },
    mounts: [
      SYS,
      mount('/', 'overlay', 'overlay'),
      mount('/run/live/medium', 'iso9660', '/dev/sr0'),
      mount('/mnt', 'ext4', '/dev/vda2'),
      mount('/mnt/boot', 'vfat', '/dev/vda1'),
    ],
    swaps: [{ device: '/dev/vda3', type: 'partition', sizeKiB: 1048576 }],
  });
}

/** A Hetzner-like dedicated server in its BIOS rescue system: two SATA disks (GPT with a BIOS boot partition). */
function hetznerProbe(): ProbeReport {
  const disk = (name: string, serial: string, root: string) =>
    exampleDisk(
      name,
      [
        { type: '', uuid: '', partType: '21686148-6449-6e6f-744e-656564454649' },
        { type: 'ext4', uuid: root, label: name === 'sda' ? 'nixos' : 'spare' },
        { type: 'swap', uuid: `${root.slice(0, 8)}-0000-4000-8000-000000000001` },
      ],
      {
        transport: 'sata',
        module: 'sd_mod',
        model: 'ST4000NM0035',
        byId: [`ata-ST4000NM0035-1V4107_${serial}`, `wwn-0x5000c500${serial.toLowerCase()}`],
      },
    );
  const disks = [
    disk('sda', 'ZC1A2B3C', '11111111-2222-4333-8444-555555555555'),
    disk('sdb', 'ZC4D5E6F', '99999999-2222-4333-8444-555555555555'),
  ];
  for (const d of disks) d.partitions[0].fs = null;
  return emptyProbe({
    target: 'root@203.0.113.7',
    system: {
      ...emptyProbe().system,
      hostname: 'rescue',
      virtualisation: { type: 'none', source: 'systemd-detect-virt' },
    },
    firmware: {
      mode: 'bios',
      platformBits: null,
      efivarsMounted: false,
      efivarsWritable: null,
      secureBoot: null,
    },
    disks,
    controllers: [
      pci('0000:00:17.0', '0x010601', 'ahci'),
      pci('0000:00:14.0', '0x0c0330', 'xhci_pci', 'usb'),
      pci('0000:00:1f.6', '0x020000', 'e1000e', 'network'),
      { ...pci('sda', '', 'sd_mod', 'block'), pciClass: null },
      { ...pci('sdb', '', 'sd_mod', 'block'), pciClass: null },
    ],
    network: {
      interfaces: [
        nic('eth0', 'enp0s31f6', {
          mac: '90:1b:0e:8a:3c:11',
          driver: 'e1000e',
          addresses: [{ family: 'inet', address: '203.0.113.7', prefixLength: 26, scope: 'global' }],
        }),
      ],
      defaultRoutes: [{ family: 'inet', gateway: '203.0.113.1', dev: 'eth0' }],
      dns: [],
      searchDomains: [],
    },
    mounts: [SYS, mount('/', 'tmpfs', 'tmpfs')],
  });
}

/** A busybox rescue system: no lsblk/blkid/sfdisk/udevadm/ip, no /proc/self/mountinfo, NICs not on PCI. */
function busyboxProbe(): ProbeReport {
  const d = exampleDisk('sda', [
    { type: 'x', uuid: 'x' },
    { type: 'x', uuid: 'x' },
  ]);
  for (const p of d.partitions) {
    p.fs = null;
    p.partuuid = null;
  }
  d.partitionTable = null;
  d.module = 'sd_mod';
  return emptyProbe({
    target: 'root@rescue.example',
    missing: ['blkid', 'ip', 'lsblk', 'nix', 'sfdisk', 'systemd-detect-virt', 'udevadm'],
    system: { ...emptyProbe().system, virtualisation: { type: 'none', source: 'none' } },
    firmware: {
      mode: 'bios',
      platformBits: null,
      efivarsMounted: false,
      efivarsWritable: null,
      secureBoot: null,
    },
    disks: [d],
    controllers: [{ ...pci('sda', '', 'sd_mod', 'block'), pciClass: null }],
    network: { interfaces: [nic('eth0', null)], defaultRoutes: [], dns: [], searchDomains: [] },
    mounts: [],
  });
}

// --- running the checks

interface Found extends Finding {
  where: string;
}

async function check(
  files: Record<string, string>,
  probe: ProbeReport | undefined,
  options: { via?: 'hosts' | 'option'; name?: string; all?: boolean } = {},
): Promise<Found[]> {
  const dir = tempDir('probe-rules');
  try {
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    }
    const checkOptions: CheckOptions = {};
    if (probe) {
      assert.ok(
        validateProbeReport(JSON.parse(JSON.stringify(probe))).ok,
        'the test probe is a valid report',
      );
      if (options.via === 'option') checkOptions.probe = { report: probe, file: 'probe.json' };
      else {
        const name = options.name ?? path.basename(dir);
        fs.mkdirSync(path.join(dir, '.nixkit', 'hosts'), { recursive: true });
        fs.writeFileSync(path.join(dir, '.nixkit', 'hosts', `${name}.json`), JSON.stringify(probe));
      }
    }
    const result = await checkPaths([dir], checkOptions);
    assert.deepEqual(
      result.findings.filter((f) => f.code === 'syntax-error'),
      [],
      'test configurations are valid Nix',
    );
    return result.findings
      .filter((f) => options.all || PROBE_CODES.has(f.code))
      .map((f) => ({ ...f, where: `${f.code} ${path.relative(dir, f.file)}:${f.range.start.line + 1}` }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const wheres = (found: Found[]) => found.map((f) => f.where).sort();
const one = (found: Found[], code: string) => {
  const list = found.filter((f) => f.code === code);
  assert.equal(list.length, 1, JSON.stringify(found, null, 1));
  return list[0];
};

const configuration = (body: string) => `{ config, lib, pkgs, ... }:
{
  imports = [ ./hardware-configuration.nix ];
${body}
  users.users.root.openssh.authorizedKeys.keys = [ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx0nixkitTestKey root@laptop" ];
  services.openssh.enable = true;
  system.stateVersion = "24.11";
}
`;

// --- the UEFI VM

describe('a UEFI qemu VM (virtio disks, enp0s1)', () => {
  const generated = generateHardwareConfig(vmProbe(), { root: '/mnt', interfaces: true });
  const clean = {
    'configuration.nix': configuration(`  boot.loader.systemd-boot.enable = true;
  boot.loader.efi.canTouchEfiVariables = true;
  networking.hostName = "vm";
  networking.interfaces.enp0s1.ipv4.addresses = [ { address = "192.0.2.10"; prefixLength = 24; } ];
  networking.defaultGateway = { address = "192.0.2.1"; interface = "enp0s1"; };
  fileSystems."/srv" = { device = "/dev/disk/by-label/data"; fsType = "xfs"; };`),
    'hardware-configuration.nix': generated,
  };

  test('the generated hardware configuration with a matching configuration: no probe finding at all', async () => {
    assert.match(generated, /by-uuid\/6a3f0d1c/);
    assert.deepEqual(wheres(await check(clean, vmProbe(), { all: true })), []);
  });

  test('a hand-written hardware configuration without the qemu-guest profile lacks the virtio drivers', async () => {
    const found = await check(
      {
        'configuration.nix': configuration('  boot.loader.systemd-boot.enable = true;'),
        'hardware-configuration.nix': `{ ... }:
{
  boot.initrd.availableKernelModules = [
    "ahci"
    "xhci_pci"
    "sd_mod"
  ];
  fileSystems."/" = { device = "/dev/disk/by-uuid/${VM_ROOT}"; fsType = "ext4"; };
  fileSystems."/boot" = { device = "/dev/disk/by-uuid/7C1E-3A2B"; fsType = "vfat"; };
}
`,
      },
      vmProbe(),
    );
    assert.deepEqual(wheres(found), ['initrd-module-missing hardware-configuration.nix:3']);
    const f = found[0];
    assert.equal(f.severity, 'error');
    assert.match(f.message, /lacks virtio_blk, virtio_pci: the target's disk vda \(virtio\) needs them/);
    assert.match(f.message, /virtio_pci drives its storage controller 0000:00:04\.0/);
    assert.equal(f.fixes?.[0].title, 'Add "virtio_blk" "virtio_pci" to boot.initrd.availableKernelModules');
    assert.deepEqual(
      f.fixes?.[0].edits.map((e) => e.newText),
      ['\n    "virtio_blk"\n    "virtio_pci"'],
    );
  });

  test('the same with the qemu-guest profile imported, or the modules listed: quiet', async () => {
    for (const extra of [
      'imports = [ (modulesPath + "/profiles/qemu-guest.nix") ];',
      'boot.initrd.kernelModules = [ "virtio-pci" "virtio_blk" ];',
    ]) {
      const found = await check(
        {
          'configuration.nix': configuration('  boot.loader.systemd-boot.enable = true;'),
          'hardware-configuration.nix': `{ modulesPath, ... }:
{
  ${extra}
  boot.initrd.availableKernelModules = [ "ahci" "xhci_pci" ];
  fileSystems."/" = { device = "/dev/disk/by-uuid/${VM_ROOT}"; fsType = "ext4"; };
  fileSystems."/boot" = { device = "/dev/disk/by-uuid/7C1E-3A2B"; fsType = "vfat"; };
}
`,
        },
        vmProbe(),
      );
      assert.deepEqual(wheres(found), [], extra);
    }
  });

  test('device-not-on-target: a UUID from another machine, with the fix to what is mounted at /mnt', async () => {
    const found = await check(
      {
        'configuration.nix': configuration('  boot.loader.systemd-boot.enable = true;'),
        'hardware-configuration.nix': generated.replace(VM_ROOT, '0f3c9d2e-6b1a-4c7e-9f10-2a3b4c5d6e7f'),
      },
      vmProbe(),
    );
    const f = one(found, 'device-not-on-target');
    assert.equal(found.length, 1);
    assert.match(
      f.message,
      /^fileSystems."\/" is \/dev\/disk\/by-uuid\/0f3c9d2e-6b1a-4c7e-9f10-2a3b4c5d6e7f, but the target has no filesystem with UUID 0f3c9d2e-6b1a-4c7e-9f10-2a3b4c5d6e7f; its disks have: vda1 \(vfat, UUID 7C1E-3A2B, label "ESP"\); vda2 \(ext4, UUID 6a3f0d1c/,
    );
    assert.match(f.message, /\(the probe of root@192\.0\.2\.10, 2025-01-01\)$/);
    assert.equal(f.fixes?.[0].title, `Use /dev/disk/by-uuid/${VM_ROOT} (mounted at /mnt on the target)`);
    assert.equal(f.fixes?.[0].edits[0].newText, `"/dev/disk/by-uuid/${VM_ROOT}"`);
  });

  test('device-not-on-target: a FAT UUID in the wrong case (udev names are case-sensitive)', async () => {
    const found = await check(
      {
        'configuration.nix': configuration('  boot.loader.systemd-boot.enable = true;'),
        'hardware-configuration.nix': generated.replace('7C1E-3A2B', '7c1e-3a2b'),
      },
      vmProbe(),
    );
    const f = one(found, 'device-not-on-target');
    assert.match(f.message, /it has \/dev\/disk\/by-uuid\/7C1E-3A2B: udev names are case-sensitive/);
    assert.equal(f.fixes?.[0].edits[0].newText, '"/dev/disk/by-uuid/7C1E-3A2B"');
  });

  test('device-not-on-target: by-id, labels, PARTUUIDs and kernel names the target lacks', async () => {
    const found = await check(
      {
        'configuration.nix': configuration(`  boot.loader.grub.enable = true;
  boot.loader.grub.device = "/dev/disk/by-id/virtio-other-disk";
  fileSystems."/srv" = { device = "/dev/disk/by-label/archive"; fsType = "xfs"; };
  fileSystems."/var/tmp" = { device = "/dev/vdc1"; fsType = "ext4"; };
  swapDevices = [ { device = "/dev/disk/by-id/virtio-nixkit-root-part3"; } ];`),
        'hardware-configuration.nix': `{ ... }:
{
  imports = [ ];
  fileSystems."/" = { device = "/dev/disk/by-uuid/${VM_ROOT}"; fsType = "ext4"; };
  boot.initrd.availableKernelModules = [ "virtio_pci" "virtio_blk" ];
}
`,
      },
      vmProbe(),
    );
    assert.deepEqual(wheres(found), [
      'bootloader-firmware-mismatch configuration.nix:5', // GRUB for BIOS only, on a UEFI machine
      'device-not-on-target configuration.nix:5',
      'device-not-on-target configuration.nix:6',
      'device-not-on-target configuration.nix:7',
    ]);
    const [grub, label, kernel] = found
      .filter((f) => f.code === 'device-not-on-target')
      .sort((a, b) => a.range.start.line - b.range.start.line);
    assert.match(
      grub.message,
      /^boot\.loader\.grub\.device is \/dev\/disk\/by-id\/virtio-other-disk, but the target has no disk or partition \/dev\/disk\/by-id\/virtio-other-disk; its disks are: virtio-nixkit-root; virtio-nixkit-data/,
    );
    assert.match(
      label.message,
      /no filesystem labelled "archive"; its disks have: vda1 \(vfat, UUID 7C1E-3A2B, label "ESP"\)/,
    );
    // The only xfs filesystem no other entry names is vdb1: a safe guess.
    assert.equal(
      label.fixes?.[0].title,
      `Use /dev/disk/by-uuid/${VM_DATA} (the target's only other xfs filesystem, vdb1)`,
    );
    assert.match(kernel.message, /has no block device \/dev\/vdc1/);
  });

  test('fs-type-mismatch: btrfs configured on the ext4 root, and a LUKS-less swap partition mounted', async () => {
    const found = await check(
      {
        'configuration.nix': configuration(`  boot.loader.systemd-boot.enable = true;
  fileSystems."/swap" = { device = "/dev/disk/by-label/swap"; fsType = "ext4"; };`),
        'hardware-configuration.nix': generated.replace('fsType = "ext4"', 'fsType = "btrfs"'),
      },
      vmProbe(),
    );
    assert.deepEqual(
      found.map((f) => f.code),
      ['fs-type-mismatch', 'fs-type-mismatch'],
    );
    const root = found.find((f) => f.where.includes('hardware-configuration.nix'))!;
    assert.match(
      root.message,
      /^fileSystems."\/" has fsType "btrfs", but \/dev\/disk\/by-uuid\/6a3f.* on the target is ext4 \(vda2/,
    );
    assert.equal(root.fixes?.[0].edits[0].newText, '"ext4"');
    const swap = found.find((f) => f.where.endsWith(' configuration.nix:5'))!;
    assert.match(swap.message, /is swap space: list it in swapDevices/);
    assert.deepEqual(swap.fixes, []);
  });

  test('interface-not-on-target: ens3 from another VM; no rename where enp0s1 is configured already', async () => {
    const found = await check(
      {
        'configuration.nix': configuration(`  boot.loader.systemd-boot.enable = true;
  networking.interfaces.ens3.useDHCP = true;
  networking.interfaces.br0.useDHCP = true;
  networking.bridges.br0.interfaces = [ "ens3" ];`),
        'hardware-configuration.nix': generated,
      },
      vmProbe(),
    );
    const f = one(found, 'interface-not-on-target');
    assert.equal(f.where, 'interface-not-on-target configuration.nix:5');
    assert.match(
      f.message,
      /^networking\.interfaces\.ens3: the target has no NIC that NixOS will name ens3; it will name its NICs enp0s1 52:54:00:12:34:56/,
    );
    assert.deepEqual(f.fixes, [], 'renaming would define networking.interfaces.enp0s1 twice');
    const alone = await check(
      {
        'configuration.nix': configuration(`  boot.loader.systemd-boot.enable = true;
  networking.interfaces.ens3.useDHCP = true;`),
        'hardware-configuration.nix': generateHardwareConfig(vmProbe(), { root: '/mnt' }),
      },
      vmProbe(),
    );
    assert.deepEqual(
      one(alone, 'interface-not-on-target').fixes?.map((x) => [x.title, x.edits.map((e) => e.newText)]),
      [['Rename to enp0s1', ['enp0s1']]],
    );
  });

  test('bootloader-firmware-mismatch: GRUB for BIOS only on a UEFI machine warns', async () => {
    const found = await check(
      {
        'configuration.nix': configuration(`  boot.loader.grub.enable = true;
  boot.loader.grub.device = "/dev/disk/by-id/virtio-nixkit-root";`),
        'hardware-configuration.nix': generated,
      },
      vmProbe(),
    );
    const f = one(found, 'bootloader-firmware-mismatch');
    assert.equal(f.severity, 'warning');
    assert.match(
      f.message,
      /GRUB is installed for BIOS only .* but the target boots with UEFI \(the probe of root@192\.0\.2\.10\)/,
    );
  });

  test('unstable-device-path: with a probe, /dev/vda2 gets its by-uuid name as a fix', async () => {
    const found = await check(
      {
        'configuration.nix': configuration('  boot.loader.systemd-boot.enable = true;'),
        'hardware-configuration.nix': generated.replace(`/dev/disk/by-uuid/${VM_ROOT}`, '/dev/vda2'),
      },
      vmProbe(),
      { all: true },
    );
    const f = one(found, 'unstable-device-path');
    assert.equal(f.fixes?.[0].title, `Use /dev/disk/by-uuid/${VM_ROOT} (from the probe of root@192.0.2.10)`);
    assert.equal(found.filter((x) => PROBE_CODES.has(x.code)).length, 0);
  });

  test('without a probe, none of this is reported', async () => {
    const found = await check(
      {
        'configuration.nix': configuration(`  boot.loader.grub.enable = true;
  boot.loader.grub.device = "/dev/disk/by-id/virtio-other-disk";
  networking.interfaces.ens3.useDHCP = true;`),
        'hardware-configuration.nix': generated
          .replace(VM_ROOT, '0f3c9d2e-6b1a-4c7e-9f10-2a3b4c5d6e7f')
          .replace('fsType = "ext4"', 'fsType = "btrfs"'),
      },
      undefined,
    );
    assert.deepEqual(wheres(found), []);
  });
});

// --- the BIOS dedicated server

describe('a BIOS Hetzner-like server (ahci SATA disks, eth0 → enp0s31f6)', () => {
  const hardware = `{ config, lib, modulesPath, ... }:
{
  imports = [ (modulesPath + "/installer/scan/not-detected.nix") ];
  boot.initrd.availableKernelModules = [ "ahci" "xhci_pci" "sd_mod" ];
  boot.kernelModules = [ "kvm-intel" ];
  fileSystems."/" = { device = "/dev/disk/by-uuid/11111111-2222-4333-8444-555555555555"; fsType = "ext4"; };
  swapDevices = [ { device = "/dev/disk/by-uuid/11111111-0000-4000-8000-000000000001"; } ];
  nixpkgs.hostPlatform = lib.mkDefault "x86_64-linux";
}
`;
  const clean = {
    'configuration.nix': configuration(`  boot.loader.grub.enable = true;
  boot.loader.grub.devices = [ "/dev/disk/by-id/ata-ST4000NM0035-1V4107_ZC1A2B3C" "/dev/disk/by-id/ata-ST4000NM0035-1V4107_ZC4D5E6F" ];
  networking.hostName = "web1";
  networking.useDHCP = false;
  networking.interfaces.enp0s31f6.ipv4.addresses = [ { address = "203.0.113.7"; prefixLength = 26; } ];
  networking.defaultGateway = { address = "203.0.113.1"; interface = "enp0s31f6"; };`),
    'hardware-configuration.nix': hardware,
  };

  test('a configuration that matches the machine: no finding at all', async () => {
    assert.deepEqual(wheres(await check(clean, hetznerProbe(), { all: true })), []);
  });

  test('eth0 from the rescue system: both the interface and the gateway, with renames', async () => {
    const files = {
      ...clean,
      'configuration.nix': clean['configuration.nix'].replace(/enp0s31f6/g, 'eth0'),
    };
    const found = await check(files, hetznerProbe());
    assert.deepEqual(wheres(found), [
      'interface-not-on-target configuration.nix:8',
      'interface-not-on-target configuration.nix:9',
    ]);
    const [iface, gw] = found.sort((a, b) => a.range.start.line - b.range.start.line);
    assert.equal(
      iface.message,
      'networking.interfaces.eth0: the NIC is eth0 on the target now, but NixOS will name it enp0s31f6 ' +
        '(ID_NET_NAME_PATH, from udevadm; MAC 90:1b:0e:8a:3c:11, the probe of root@203.0.113.7): nothing called ' +
        'eth0 will exist and the machine may come up without network',
    );
    assert.deepEqual(
      iface.fixes?.map((f) => [f.title, f.edits.map((e) => e.newText)]),
      [['Rename to enp0s31f6', ['enp0s31f6']]],
    );
    assert.match(gw.message, /^networking\.defaultGateway\.interface is eth0: the NIC is eth0/);
    assert.equal(gw.fixes?.[0].edits[0].newText, '"enp0s31f6"');
  });

  test('eth0 with predictable names turned off, or renamed by a .link file: quiet', async () => {
    for (const extra of [
      'networking.usePredictableInterfaceNames = false;',
      'systemd.network.links."10-eth0" = { matchConfig.MACAddress = "90:1b:0e:8a:3c:11"; linkConfig.Name = "eth0"; };',
      'boot.kernelParams = [ "net.ifnames=0" ];',
    ]) {
      const files = {
        ...clean,
        'configuration.nix': clean['configuration.nix']
          .replace(/enp0s31f6/g, 'eth0')
          .replace('networking.useDHCP', `${extra}\n  networking.useDHCP`),
      };
      assert.deepEqual(wheres(await check(files, hetznerProbe())), [], extra);
    }
  });

  test('systemd-boot on BIOS: reported; no automatic fix with two disks to choose from', async () => {
    const files = {
      ...clean,
      'configuration.nix': configuration('  boot.loader.systemd-boot.enable = true;'),
    };
    const found = await check(files, hetznerProbe());
    const f = one(found, 'bootloader-firmware-mismatch');
    assert.equal(f.where, 'bootloader-firmware-mismatch configuration.nix:4');
    assert.match(
      f.message,
      /^systemd-boot needs UEFI, but the target booted with legacy BIOS \(no \/sys\/firmware\/efi, the probe of root@203\.0\.113\.7\)/,
    );
    assert.deepEqual(f.fixes, []);
  });

  test('systemd-boot on BIOS with one disk that has a BIOS boot partition: the fix switches to GRUB by id', async () => {
    const probe = hetznerProbe();
    probe.disks = probe.disks.slice(0, 1);
    const found = await check(
      { ...clean, 'configuration.nix': configuration('  boot.loader.systemd-boot.enable = true;') },
      probe,
    );
    const f = one(found, 'bootloader-firmware-mismatch');
    assert.equal(f.fixes?.[0].title, 'Use GRUB for BIOS on /dev/disk/by-id/ata-ST4000NM0035-1V4107_ZC1A2B3C');
    assert.deepEqual(
      f.fixes?.[0].edits.map((e) => e.newText),
      [
        'false',
        '\n  boot.loader.grub.enable = true;\n  boot.loader.grub.device = "/dev/disk/by-id/ata-ST4000NM0035-1V4107_ZC1A2B3C";',
      ],
    );
  });

  test('EFI-only GRUB on BIOS', async () => {
    const found = await check(
      {
        ...clean,
        'configuration.nix': configuration(`  boot.loader.grub.enable = true;
  boot.loader.grub.efiSupport = true;
  boot.loader.grub.device = "nodev";`),
      },
      hetznerProbe(),
    );
    assert.deepEqual(wheres(found), ['bootloader-firmware-mismatch configuration.nix:5']);
    assert.match(found[0].message, /^GRUB is built for EFI only/);
  });

  test('initrd without ahci and without the default modules', async () => {
    const found = await check(
      {
        ...clean,
        'hardware-configuration.nix': hardware
          .replace('"ahci" ', '')
          .replace('boot.kernelModules', 'boot.initrd.includeDefaultModules = false;\n  boot.kernelModules'),
      },
      hetznerProbe(),
    );
    assert.deepEqual(wheres(found), ['initrd-module-missing hardware-configuration.nix:4']);
    assert.match(
      found[0].message,
      /lacks ahci: the target's disk sda \(sata\) needs it \(ahci drives its storage controller 0000:00:17\.0\)/,
    );
    assert.equal(found[0].fixes?.[0].edits[0].newText, ' "ahci"');
  });

  test('the probe from --probe applies to every configuration, or only the one --probe-for names', async () => {
    const flake = {
      'flake.nix': `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = { nixpkgs, ... }: {
    nixosConfigurations.web1 = nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./configuration.nix ]; };
  };
}
`,
      ...clean,
      'configuration.nix': clean['configuration.nix'].replace(/enp0s31f6/g, 'eth0'),
    };
    assert.equal((await check(flake, hetznerProbe(), { via: 'option' })).length, 2);
    assert.equal((await check(flake, hetznerProbe(), { name: 'web1' })).length, 2);
    assert.equal((await check(flake, hetznerProbe(), { name: 'web2' })).length, 0);
  });
});

// --- the busybox rescue system

describe('a busybox rescue system with most tools missing', () => {
  test('every probe-aware rule stays quiet on what the probe does not know', async () => {
    const found = await check(
      {
        'configuration.nix': configuration(`  boot.loader.systemd-boot.enable = true;
  networking.interfaces.eth0.useDHCP = true;
  networking.interfaces.enp1s0.useDHCP = true;`),
        'hardware-configuration.nix': `{ ... }:
{
  boot.initrd.availableKernelModules = [ "ahci" ];
  fileSystems."/" = { device = "/dev/disk/by-uuid/0f3c9d2e-6b1a-4c7e-9f10-2a3b4c5d6e7f"; fsType = "btrfs"; };
  fileSystems."/boot" = { device = "/dev/disk/by-label/ESP"; fsType = "vfat"; };
  fileSystems."/data" = { device = "/dev/disk/by-partuuid/5d1e6f7a-02"; fsType = "xfs"; };
  fileSystems."/srv" = { device = "/dev/disk/by-id/ata-SOMETHING-part1"; fsType = "xfs"; };
  swapDevices = [ { device = "/dev/sda2"; } ];
}
`,
      },
      busyboxProbe(),
    );
    assert.deepEqual(wheres(found), []);
  });

  test('the busybox report is a valid probe report', () => {
    assert.ok(validateProbeReport(JSON.parse(JSON.stringify(busyboxProbe()))).ok);
  });
});

// --- the CLI and probe files

describe('nixkit check --probe', () => {
  async function run(args: string[], cwd: string) {
    let stdout = '';
    let stderr = '';
    const code = await main(args, {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      cwd,
      env: {},
      signal: new AbortController().signal,
    });
    return { code, stdout, stderr };
  }

  function workspace(): string {
    const dir = tempDir('probe-cli');
    fs.mkdirSync(path.join(dir, '.git'));
    fs.mkdirSync(path.join(dir, 'hosts', 'web1'), { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'flake.nix'),
      `{
  outputs = { nixpkgs, ... }: {
    nixosConfigurations.web1 = nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./hosts/web1/configuration.nix ]; };
    nixosConfigurations.web2 = nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./hosts/web1/configuration.nix ]; };
  };
}
`,
    );
    fs.writeFileSync(
      path.join(dir, 'hosts', 'web1', 'configuration.nix'),
      `{ ... }:
{
  boot.loader.grub.device = "/dev/disk/by-id/ata-ST4000NM0035-1V4107_ZC1A2B3C";
  fileSystems."/" = { device = "/dev/disk/by-uuid/11111111-2222-4333-8444-000000000000"; fsType = "ext4"; };
  users.users.root.hashedPassword = "!";
  system.stateVersion = "24.11";
}
`,
    );
    fs.writeFileSync(path.join(dir, 'probe.json'), JSON.stringify(hetznerProbe()));
    return dir;
  }

  test('a probe given on the command line adds the probe-aware findings (JSON output)', async () => {
    const dir = workspace();
    try {
      const r = await run(['check', '.', '--probe', 'probe.json', '--format', 'json'], dir);
      const out = JSON.parse(r.stdout) as { diagnostics: { code: string; file: string }[] };
      assert.deepEqual(
        out.diagnostics.filter((f) => f.code === 'device-not-on-target').map((f) => f.file),
        ['hosts/web1/configuration.nix'],
        r.stdout,
      );
      assert.equal(r.code, 1);
      const only = await run(['check', '.', '--probe', 'probe.json', '--probe-for', 'nope'], dir);
      assert.doesNotMatch(only.stdout, /device-not-on-target/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a bad probe file: a clear message and exit 2', async () => {
    const dir = workspace();
    try {
      fs.writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ ...hetznerProbe(), version: 2 }));
      fs.writeFileSync(path.join(dir, 'broken.json'), '{ "version": 1,');
      let r = await run(['check', '.', '--probe', 'bad.json'], dir);
      assert.equal(r.code, 2);
      assert.match(
        r.stderr,
        /^nixkit check: bad\.json: not a nixkit probe report \(version 1\): \/version must be equal to constant/,
      );
      r = await run(['check', '.', '--probe', 'broken.json'], dir);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /^nixkit check: broken\.json: not valid JSON/);
      r = await run(['check', '.', '--probe', 'missing.json'], dir);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /missing\.json: cannot read it \(no such file\)/);
      r = await run(['check', '.', '--probe-for', 'web1'], dir);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /--probe-for needs --probe FILE/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('.nixkit/hosts/<name>.json at the repository root applies to that configuration; a broken one is a note', async () => {
    const dir = workspace();
    try {
      fs.mkdirSync(path.join(dir, '.nixkit', 'hosts'), { recursive: true });
      fs.writeFileSync(path.join(dir, '.nixkit', 'hosts', 'web1.json'), JSON.stringify(hetznerProbe()));
      fs.writeFileSync(path.join(dir, '.nixkit', 'hosts', 'web2.json'), '[]');
      const r = await run(['check', '.'], dir);
      assert.match(r.stdout, /device-not-on-target/);
      assert.match(
        r.stderr,
        /note: .*web2\.json: not a nixkit probe report \(version 1\): \(top\) must be object; this probe is not used/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// --- the language server: probes are read at start and re-read when .nixkit/hosts changes

test('the server attaches .nixkit/hosts probes and follows changes to them', async () => {
  const dir = tempDir('probe-lsp');
  try {
    const file = path.join(dir, 'configuration.nix');
    fs.writeFileSync(
      file,
      `{ ... }:
{
  fileSystems."/" = { device = "/dev/disk/by-uuid/0f3c9d2e-6b1a-4c7e-9f10-2a3b4c5d6e7f"; fsType = "ext4"; };
}
`,
    );
    const p = await parser();
    const sources = new WorkspaceSources(p);
    const analysis = new WorkspaceAnalysis(sources, () => [file]);
    let republished = 0;
    const sent: { uri: string; codes: string[] }[] = [];
    const state: ServerState = {
      docs: new Map(),
      sources,
      analysis,
      published: new Map(),
      roots: [dir],
      parser: p,
      republish: () => republished++,
    };
    const connection = {
      console: { log: () => undefined },
      sendDiagnostics: async (d: { uri: string; diagnostics: { code?: string | number }[] }) => {
        sent.push({ uri: d.uri, codes: d.diagnostics.map((x) => String(x.code)) });
      },
    };
    probesFeature.register(connection as never, () => state);
    probesFeature.initialize!(state);
    analysis.full();
    const codes = () =>
      analysis
        .findingsFor(file)
        .map((f) => f.code)
        .filter((c) => PROBE_CODES.has(c));
    assert.deepEqual(codes(), []);
    assert.deepEqual(probesFeature.watch, [{ globPattern: '**/.nixkit/hosts/*.json' }]);

    const probeFile = path.join(dir, '.nixkit', 'hosts', `${path.basename(dir)}.json`);
    fs.mkdirSync(path.dirname(probeFile), { recursive: true });
    fs.writeFileSync(probeFile, JSON.stringify(hetznerProbe()));
    probesFeature.watchedFilesChanged!([probeFile]);
    assert.deepEqual(codes(), ['device-not-on-target']);
    assert.equal(republished, 1);

    fs.writeFileSync(probeFile, '{ "version": 1');
    probesFeature.watchedFilesChanged!([probeFile]);
    assert.deepEqual(codes(), []);
    assert.deepEqual(sent.at(-1)?.codes, ['probe-invalid']);

    fs.rmSync(probeFile);
    probesFeature.watchedFilesChanged!([probeFile]);
    assert.deepEqual(sent.at(-1)?.codes, [], 'the diagnostic on the fixed (removed) probe file is cleared');
    probesFeature.watchedFilesChanged!([file.replace('.nix', '.txt')]);
    assert.equal(republished, 3, 'other files do not re-run the analysis');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
