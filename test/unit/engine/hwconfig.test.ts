// hardware-configuration.nix generation: a golden file for a UEFI qemu guest, hostile strings escaped (checked by
// evaluating the output with nix-instantiate when it is installed), and determinism.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
  generateHardwareConfig,
  HwconfigError,
  nixString,
  udevEncode,
} from '../../../engine/hwconfig/generate';
import { hwconfigCommand } from '../../../cli/hwconfig-command';
import type { CliIO } from '../../../cli/io';
import { validateProbeReport } from '../../../protocol/probe-report-schema';
import type { ProbeReport } from '../../../protocol/probe-report';

const HOSTILE = 'l"b\'$(touch /tmp/x)`id`\n\\${x}$${y}';

function vmReport(): ProbeReport {
  const fs0 = (type: string, uuid: string, label: string | null) => ({ type, uuid, label, version: null });
  const part = (n: number, fs: ReturnType<typeof fs0>, mountpoints: string[] = []) => ({
    name: `vda${n}`,
    path: `/dev/vda${n}`,
    number: n,
    startSector: null,
    sizeBytes: null,
    type: null,
    typeName: null,
    partuuid: null,
    partlabel: null,
    fs,
    mountpoints,
  });
  return {
    version: 1,
    probedAt: '2024-01-01T00:00:00.000Z',
    target: 'root@vm',
    user: { uid: 0 },
    system: {
      arch: 'x86_64',
      nixSystem: 'x86_64-linux',
      kernel: '6.1.0',
      hostname: 'vm',
      os: null,
      nixos: false,
      nixosInstaller: false,
      nix: { present: false, version: null },
      memory: { totalBytes: 2 ** 31, availableBytes: null, kexecFits: true },
      virtualisation: { type: 'qemu', source: 'systemd-detect-virt' },
      kernelCmdline: null,
    },
    firmware: {
      mode: 'uefi',
      platformBits: 64,
      efivarsMounted: true,
      efivarsWritable: true,
      secureBoot: 'disabled',
    },
    cpu: {
      vendor: 'GenuineIntel',
      model: 'x',
      cores: 2,
      kvmModule: 'kvm-intel',
      microcode: 'intel',
      hypervisorFlag: true,
      governors: [],
    },
    disks: [
      {
        name: 'vda',
        path: '/dev/vda',
        majorMinor: '254:0',
        sizeBytes: 4 * 2 ** 30,
        model: null,
        serial: null,
        vendor: null,
        wwn: null,
        transport: 'virtio',
        rotational: false,
        removable: false,
        readOnly: false,
        byId: [],
        partitionTable: { type: 'gpt', uuid: null },
        partitions: [
          part(1, fs0('vfat', '1234-ABCD', 'ESP'), ['/mnt/boot']),
          part(2, fs0('btrfs', 'b0b0b0b0-0000-4000-8000-000000000001', HOSTILE), [
            '/mnt',
            '/mnt/home',
            '/mnt/srv',
          ]),
          part(3, fs0('swap', 'aaaaaaaa-0000-4000-8000-000000000003', 'swap')),
          part(4, fs0('ext4', 'cccccccc-0000-4000-8000-000000000004', null), ['/mnt/we"ird ${dir}']),
        ],
        fs: null,
        mountpoints: [],
        liveSystem: false,
        module: 'virtio_blk',
        loop: null,
      },
    ],
    controllers: [
      {
        kind: 'usb',
        address: '0000:00:05.0',
        pciClass: '0x0c0330',
        vendorId: null,
        deviceId: null,
        driver: 'xhci_hcd',
        module: 'xhci_pci',
      },
      {
        kind: 'storage',
        address: '0000:00:04.0',
        pciClass: '0x010000',
        vendorId: null,
        deviceId: null,
        driver: 'virtio-pci',
        module: 'virtio_pci',
      },
      {
        kind: 'storage',
        address: '0000:00:1f.2',
        pciClass: '0x010601',
        vendorId: null,
        deviceId: null,
        driver: 'ahci',
        module: 'ahci',
      },
      {
        kind: 'network',
        address: '0000:00:03.0',
        pciClass: '0x020000',
        vendorId: null,
        deviceId: null,
        driver: 'virtio-pci',
        module: 'virtio_pci',
      },
      {
        kind: 'block',
        address: 'vda',
        pciClass: null,
        vendorId: null,
        deviceId: null,
        driver: 'virtio_blk',
        module: 'virtio_blk',
      },
      {
        kind: 'storage',
        address: '0000:00:06.0',
        pciClass: '0x010000',
        vendorId: null,
        deviceId: null,
        driver: null,
        module: null,
      },
    ],
    network: {
      interfaces: [
        {
          name: 'eth0',
          mac: null,
          driver: 'virtio_net',
          state: 'up',
          virtual: false,
          addresses: [],
          predicted: { name: 'enp0s3', source: 'udevadm', reason: '' },
        },
        {
          name: 'wg0',
          mac: null,
          driver: null,
          state: 'up',
          virtual: true,
          addresses: [],
          predicted: { name: null, source: 'none', reason: '' },
        },
      ],
      defaultRoutes: [],
      dns: [],
      searchDomains: [],
    },
    mounts: [
      {
        mountPoint: '/',
        fsType: 'tmpfs',
        source: 'tmpfs',
        root: '/',
        majorMinor: '0:20',
        options: ['rw'],
        superOptions: ['rw'],
      },
      {
        mountPoint: '/mnt',
        fsType: 'btrfs',
        source: '/dev/vda2',
        root: '/@',
        majorMinor: '0:40',
        options: ['rw'],
        superOptions: ['rw', 'subvol=/@'],
      },
      {
        mountPoint: '/mnt/boot',
        fsType: 'vfat',
        source: '/dev/vda1',
        root: '/',
        majorMinor: '254:1',
        options: ['rw'],
        superOptions: ['rw', 'fmask=0022', 'dmask=0022', 'codepage=437'],
      },
      {
        mountPoint: '/mnt/home',
        fsType: 'btrfs',
        source: '/dev/vda2',
        root: '/@home',
        majorMinor: '0:40',
        options: ['rw'],
        superOptions: ['rw'],
      },
      {
        mountPoint: '/mnt/proc',
        fsType: 'proc',
        source: 'proc',
        root: '/',
        majorMinor: '0:5',
        options: ['rw'],
        superOptions: ['rw'],
      },
      {
        mountPoint: '/mnt/tmp',
        fsType: 'tmpfs',
        source: 'tmpfs',
        root: '/',
        majorMinor: '0:30',
        options: ['rw'],
        superOptions: ['rw'],
      },
      {
        mountPoint: '/mnt/we"ird ${dir}',
        fsType: 'ext4',
        source: '/dev/vda4',
        root: '/',
        majorMinor: '254:4',
        options: ['rw'],
        superOptions: ['rw'],
      },
      {
        mountPoint: '/mntx',
        fsType: 'ext4',
        source: '/dev/vdz',
        root: '/',
        majorMinor: '254:9',
        options: ['rw'],
        superOptions: ['rw'],
      },
    ],
    swaps: [
      { device: '/dev/vda3', type: 'partition', sizeKiB: 1000 },
      { device: '/dev/zram0', type: 'partition', sizeKiB: 1000 },
      { device: '/swapfile', type: 'file', sizeKiB: 1000 },
    ],
    missing: [],
    warnings: [],
  };
}

const GOLDEN = `# Do not modify this file!  It was generated by nixkit from a hardware probe of the target
# (the equivalent of \`nixos-generate-config --show-hardware-config\`) and may be overwritten by
# future invocations.  Please make changes to your configuration.nix instead.
{ config, lib, pkgs, modulesPath, ... }:

{
  imports =
    [ (modulesPath + "/profiles/qemu-guest.nix")
    ];

  boot.initrd.availableKernelModules = [ "ahci" "virtio_blk" "virtio_pci" "xhci_pci" ];
  boot.initrd.kernelModules = [ ];
  boot.kernelModules = [ "kvm-intel" ];
  boot.extraModulePackages = [ ];

  fileSystems."/" =
    { device = "/dev/disk/by-uuid/b0b0b0b0-0000-4000-8000-000000000001";
      fsType = "btrfs";
      options = [ "subvol=@" ];
    };

  fileSystems."/boot" =
    { device = "/dev/disk/by-uuid/1234-ABCD";
      fsType = "vfat";
      options = [ "fmask=0022" "dmask=0022" ];
    };

  fileSystems."/home" =
    { device = "/dev/disk/by-uuid/b0b0b0b0-0000-4000-8000-000000000001";
      fsType = "btrfs";
      options = [ "subvol=@home" ];
    };

  fileSystems."/we\\"ird \\\${dir}" =
    { device = "/dev/disk/by-uuid/cccccccc-0000-4000-8000-000000000004";
      fsType = "ext4";
    };

  swapDevices =
    [ { device = "/dev/disk/by-uuid/aaaaaaaa-0000-4000-8000-000000000003"; }
    ];

  # Enables DHCP on each ethernet and wireless interface. In case of scripted networking
  # (the default) this is the recommended approach. When using systemd-networkd it's
  # still possible to use this option, but it's recommended to use it in conjunction
  # with explicit per-interface declarations with \`networking.interfaces.<interface>.useDHCP\`.
  networking.useDHCP = lib.mkDefault true;
  # networking.interfaces.enp0s3.useDHCP = lib.mkDefault true;

  nixpkgs.hostPlatform = lib.mkDefault "x86_64-linux";
  hardware.cpu.intel.updateMicrocode = lib.mkDefault config.hardware.enableRedistributableFirmware;
}
`;

const NIX = ['/usr/bin/nix-instantiate', '/run/current-system/sw/bin/nix-instantiate'].find((p) =>
  fs.existsSync(p),
);
const nixEnv = { ...process.env, NIX_CONFIG: 'build-users-group =' };

/** Evaluates the generated module with stub arguments and returns `attrPath` as JSON. */
function evalAttr(text: string, attrPath: string): unknown {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-hw-'));
  try {
    const file = path.join(dir, 'hardware-configuration.nix');
    fs.writeFileSync(file, text);
    execFileSync(NIX!, ['--store', 'dummy://', '--parse', file], { env: nixEnv, stdio: 'pipe' });
    const expr = `(import ${file} { config = { hardware.enableRedistributableFirmware = true; }; lib = { mkDefault = x: x; }; pkgs = {}; modulesPath = "/m"; })${attrPath}`;
    const out = execFileSync(NIX!, ['--store', 'dummy://', '--eval', '--strict', '--json', '--expr', expr], {
      env: nixEnv,
      stdio: 'pipe',
    });
    return JSON.parse(out.toString());
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('generateHardwareConfig', () => {
  it('matches the golden file (UEFI qemu guest, btrfs subvolumes, vfat masks, swap, odd mount point)', () => {
    assert.equal(generateHardwareConfig(vmReport(), { root: '/mnt' }), GOLDEN);
  });

  it('is deterministic and independent of the probe time and target name', () => {
    const a = vmReport();
    const b = { ...vmReport(), probedAt: '2030-01-01T00:00:00Z', target: 'other' };
    assert.equal(generateHardwareConfig(a), generateHardwareConfig(b));
  });

  it('by label uses the udev-encoded label; --interfaces sets the predicted names', () => {
    const text = generateHardwareConfig(vmReport(), { byLabel: true, interfaces: true });
    assert.ok(text.includes(`device = ${nixString('/dev/disk/by-label/' + udevEncode(HOSTILE))};`));
    assert.ok(text.includes('  networking.interfaces.enp0s3.useDHCP = lib.mkDefault true;\n'));
    assert.ok(!text.includes('wg0'));
  });

  it('a bare-metal Intel machine without virtualisation imports not-detected.nix', () => {
    const r = vmReport();
    r.system.virtualisation = { type: 'none', source: 'systemd-detect-virt' };
    assert.match(generateHardwareConfig(r), /\(modulesPath \+ "\/installer\/scan\/not-detected.nix"\)/);
    r.system.virtualisation = { type: 'docker', source: 'systemd-detect-virt' };
    assert.match(generateHardwareConfig(r), /imports = \[ \];/);
  });

  it('udevEncode matches udev by-label names', () => {
    assert.equal(udevEncode('my disk/1'), 'my\\x20disk\\x2f1');
    assert.equal(udevEncode('EFI-SYS_1.x#+:=@'), 'EFI-SYS_1.x#+:=@');
  });

  it(
    'the output parses and hostile strings evaluate to exactly themselves',
    { skip: !NIX && 'nix-instantiate not installed', timeout: 60_000 },
    () => {
      const text = generateHardwareConfig(vmReport(), { byLabel: true, interfaces: true });
      const fsAttrs = evalAttr(text, '.fileSystems') as Record<string, { device: string }>;
      assert.deepEqual(Object.keys(fsAttrs).sort(), ['/', '/boot', '/home', '/we"ird ${dir}'].sort());
      assert.equal(fsAttrs['/'].device, '/dev/disk/by-label/' + udevEncode(HOSTILE));
      const hostileLiteral = evalAttr(`{ ... }: { s = ${nixString(HOSTILE)}; }`, '.s');
      assert.equal(hostileLiteral, HOSTILE);
      assert.deepEqual(evalAttr(GOLDEN, '.boot.kernelModules'), ['kvm-intel']);
    },
  );
});

describe('probe reports the schema allows but the generator did not expect', () => {
  it('a stored report without cpu.governors (the schema allows it) generates, without a governor line', async () => {
    const r = vmReport() as unknown as { cpu: Record<string, unknown> };
    r.cpu.governors = ['ondemand'];
    assert.match(
      generateHardwareConfig(r as unknown as ProbeReport),
      /cpuFreqGovernor = lib.mkDefault "ondemand"/,
    );
    delete r.cpu.governors;
    const valid = validateProbeReport(JSON.parse(JSON.stringify(r)));
    assert.ok(valid.ok, 'the schema accepts a report without governors');
    const text = generateHardwareConfig(valid.report);
    assert.ok(!text.includes('cpuFreqGovernor'));
    assert.equal(text, GOLDEN, 'otherwise the same file');
    // and through the CLI, which reads a stored report
    const { code, out, err } = await runHwconfig(r);
    assert.equal(code, 0, err);
    assert.equal(out, GOLDEN);
  });

  const nulCases: [string, (r: ProbeReport) => void, RegExp][] = [
    ['a mount point', (r) => (r.mounts[6].mountPoint = '/mnt/da\0ta'), /mount point/],
    [
      'a filesystem UUID',
      (r) => (r.disks[0].partitions[3].fs!.uuid = 'cc\0cc'),
      /device \(mounted at \/mnt\/we/,
    ],
    ['a swap device', (r) => (r.swaps[0].device = '/dev/vdz\0'), /swap device/],
    ['a NIC name', (r) => (r.network.interfaces[0].predicted.name = 'enp\0s3'), /network interface name/],
    ['a mount option', (r) => r.mounts[2].superOptions.push('fmask=00\x0022'), /mount option/],
  ];
  for (const [what, plant, field] of nulCases)
    it(`a NUL byte in ${what} is refused, naming the field (never written raw: Nix would cut the string)`, async () => {
      const r = vmReport();
      plant(r);
      assert.throws(
        () => generateHardwareConfig(r),
        (e: unknown) => e instanceof HwconfigError && field.test(e.message) && /NUL byte/.test(e.message),
      );
      const { code, out, err } = await runHwconfig(r);
      assert.equal(code, 2);
      assert.equal(out, '');
      assert.match(err, /holds a NUL byte, which a Nix string cannot hold/);
      assert.match(err, field);
    });

  it('a NUL byte in a label: by UUID the label is not written; by label it is udev-encoded as \\x00', () => {
    const r = vmReport();
    r.disks[0].partitions[1].fs!.label = 'ro\0ot';
    assert.equal(generateHardwareConfig(r), GOLDEN);
    const text = generateHardwareConfig(r, { byLabel: true });
    assert.ok(text.includes('device = "/dev/disk/by-label/ro\\\\x00ot";'), text);
    assert.ok(!text.includes('\0'));
  });
});

async function runHwconfig(report: unknown): Promise<{ code: number; out: string; err: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-hwcli-'));
  try {
    fs.writeFileSync(path.join(dir, 'probe.json'), JSON.stringify(report));
    let out = '';
    let err = '';
    const io: CliIO = {
      stdout: (t) => (out += t),
      stderr: (t) => (err += t),
      cwd: dir,
      env: {},
      signal: new AbortController().signal,
    };
    const code = await hwconfigCommand(['probe.json'], io);
    return { code, out, err };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
