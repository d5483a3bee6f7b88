// Probe output parsing: record framing, hostile values, and the real script run here under dash and under a
// busybox-only PATH (a rescue system without lsblk, udevadm, sfdisk, ...).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { ProbeError } from '../../../engine/errors';
import { parseMountinfo } from '../../../engine/probe/tool-parsers';
import { decodeUdevEscapes } from '../../../protocol/udev-escapes';
import { parseProbeOutput } from '../../../engine/probe/probe-parse';
import { parseRecords } from '../../../engine/probe/records';
import { EFI_GLOBAL_GUID, LSBLK_COLUMN_SETS, PROBE_SCRIPT } from '../../../engine/probe/probe-script';
import { validateProbeReport } from '../../../protocol/probe-report-schema';
import { predictName } from '../../../engine/probe/predicted-names';

/** Encodes records exactly as the script's rec() does. */
export function records(list: [string, string][]): Buffer {
  return Buffer.concat(
    list.map(([n, v]) => {
      const nb = Buffer.from(n);
      const vb = Buffer.from(v);
      return Buffer.concat([Buffer.from(`R ${nb.length} ${vb.length}\n`), nb, vb, Buffer.from('\n')]);
    }),
  );
}

const HOSTILE = 'l"b\'$(touch /tmp/nixkit-parse-pwned)`id`\n\\${x}';

describe('record framing', () => {
  it('reads values with newlines and record-like text inside them', () => {
    const r = parseRecords(
      records([
        ['a', 'x\nR 1 1\nyz\n'],
        ['b', ''],
      ]),
    );
    assert.deepEqual(
      r.map((x) => [x.name, x.value.toString()]),
      [
        ['a', 'x\nR 1 1\nyz\n'],
        ['b', ''],
      ],
    );
  });
  it('refuses broken or truncated framing', () => {
    assert.throws(() => parseRecords(Buffer.from('R 1 5\nab\n')), ProbeError);
    assert.throws(() => parseRecords(Buffer.from('garbage\n')), ProbeError);
    assert.throws(() => parseRecords(Buffer.from('R 1 1\nab')), ProbeError);
    assert.throws(() => parseRecords(Buffer.from('R 1 1\nabc\n')), ProbeError);
  });
  it('refuses another script version', () => {
    assert.throws(() => parseProbeOutput(records([['meta/version', '2']])), /version 2/);
  });
});

describe('parsing captured outputs', () => {
  const lsblk = JSON.stringify({
    blockdevices: [
      {
        name: 'vda',
        kname: 'vda',
        'maj:min': '254:0',
        type: 'disk',
        size: 8589934592,
        model: 'QEMU "disk" $(x)',
        serial: 'S1',
        tran: null,
        rota: false,
        pttype: 'gpt',
        ptuuid: 'AAAA',
        children: [
          {
            name: 'vda1',
            kname: 'vda1',
            'maj:min': '254:1',
            type: 'part',
            parttype: 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b',
            partuuid: 'P1',
            partlabel: HOSTILE,
            fstype: 'vfat',
            uuid: '1234-ABCD',
            label: 'EFI',
            mountpoints: [null],
          },
          {
            name: 'vda2',
            kname: 'vda2',
            'maj:min': '254:2',
            type: 'part',
            fstype: 'btrfs',
            uuid: 'u2',
            label: HOSTILE,
            mountpoints: ['/mnt'],
          },
        ],
      },
    ],
  });
  const base: [string, string][] = [
    ['meta/version', '1'],
    ['meta/uid', '0'],
    ['sys/arch', 'aarch64\n'],
    ['sys/kernel', '6.6.1\n'],
    [
      'sys/os-release',
      'ID=nixos\nNAME="NixOS"\nPRETTY_NAME="NixOS 24.05 (Uakari)"\nVARIANT_ID=installer\nVERSION_ID="24.05"\n',
    ],
    ['sys/etc-nixos', '1'],
    ['sys/nix-version', 'nix (Nix) 2.18.5\n'],
    ['sys/meminfo', 'MemTotal:        1024000 kB\nMemAvailable:     512000 kB\n'],
    ['sys/detect-virt', 'kvm\n'],
    [
      'cpu/first',
      'processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon\nflags\t\t: fpu vmx hypervisor\n\n',
    ],
    ['cpu/count', '4\n'],
    ['fw/efi', '1'],
    [`fw/SecureBoot-${EFI_GLOBAL_GUID}`, '   1\n'],
    [
      'mnt/mountinfo',
      '22 1 0:20 / / rw - tmpfs tmpfs rw\n30 22 0:25 / /sys/firmware/efi/efivars rw,nosuid - efivarfs efivarfs rw\n40 22 254:2 / /mnt rw - btrfs /dev/vda2 rw\n41 22 11:0 / /iso ro - iso9660 /dev/sr0 ro\n',
    ],
    ['mnt/swaps', 'Filename\tType\tSize\tUsed\tPriority\n'],
    ['blk/lsblk', lsblk],
    ['blk/vda/size', '16777216'],
    ['blk/vda/dev', '254:0'],
    ['blk/vda/rotational', '0'],
    ['blk/vda/model', 'QEMU "disk" $(x)'],
    ['blk/vda/module', '../../../../module/virtio_blk'],
    ['part/vda/vda1/partition', '1'],
    ['part/vda/vda1/start', '2048'],
    ['part/vda/vda1/size', '1048576'],
    ['part/vda/vda2/partition', '2'],
    ['part/vda/vda2/start', '1050624'],
    ['part/vda/vda2/size', '15000000'],
    [
      'blkid/vda2',
      `ID_FS_LABEL=x\nID_FS_LABEL_ENC=${'l\\x22b\\x27\\x24\\x28touch\\x20\\x2ftmp\\x2fnixkit-parse-pwned\\x29\\x60id\\x60\\x0a\\x5c\\x24\\x7bx\\x7d'}\nID_FS_UUID=u2\nID_FS_UUID_ENC=u2\nID_FS_TYPE=btrfs\n`,
    ],
    ['blk/sr0/size', '2000'],
    ['blk/sr0/dev', '11:0'],
    ['blk/sr0/removable', '1'],
    ['byid/virtio-S1', '../../vda'],
    ['byid/virtio-S1-part1', '../../vda1'],
    ['pci/0000:00:04.0/class', '0x010000'],
    ['pci/0000:00:04.0/driver', '../../../bus/pci/drivers/virtio-pci'],
    ['pci/0000:00:04.0/module', '../../../../module/virtio_pci'],
    ['pci/0000:00:05.0/class', '0x0c0330'],
    ['pci/0000:00:05.0/module', '../module/xhci_pci'],
    ['usb/1-1:1.0/class', '03'],
    ['usb/1-1:1.0/subclass', '01'],
    ['usb/1-1:1.0/protocol', '01'],
    ['usb/1-1:1.0/module', '../module/usbhid'],
    ['net/eth0/name', 'eth0'],
    ['net/eth0/address', '52:54:00:12:34:56'],
    ['net/eth0/operstate', 'up'],
    ['net/eth0/type', '1'],
    ['net/eth0/devpath', '/sys/devices/pci0000:00/0000:00:01.0/virtio0'],
    ['net/eth0/driver', '../../../bus/virtio/drivers/virtio_net'],
    [
      'net/eth0/net-id',
      'ID_NET_NAMING_SCHEME=v252\nID_NET_NAME_MAC=enx525400123456\nID_NET_NAME_PATH=enp0s1\n',
    ],
    ['net/lo/name', 'lo'],
    ['net/lo/type', '772'],
    [
      'ip/addr',
      '2: eth0    inet 10.0.2.15/24 brd 10.0.2.255 scope global dynamic eth0\\       valid_lft 86000sec\n2: eth0    inet6 fe80::1/64 scope link \\       valid_lft forever\n',
    ],
    ['ip/route4', 'default via 10.0.2.2 dev eth0 proto dhcp\n'],
    ['dns/resolv', '# x\nnameserver 10.0.2.3\nsearch example.org lan\n'],
    ['meta/end', '1'],
  ];
  const r = parseProbeOutput(records(base), { target: 'root@vm', now: new Date(0) });

  it('is a schema-valid report', () => {
    const v = validateProbeReport(JSON.parse(JSON.stringify(r)));
    assert.ok(v.ok, v.ok ? '' : v.errors.join('\n'));
  });
  it('system, firmware, cpu', () => {
    assert.equal(r.system.nixSystem, 'aarch64-linux');
    assert.equal(r.system.nixos, true);
    assert.equal(r.system.nixosInstaller, true);
    assert.deepEqual(r.system.nix, { present: true, version: '2.18.5' });
    assert.deepEqual(r.system.memory, {
      totalBytes: 1024000 * 1024,
      availableBytes: 512000 * 1024,
      kexecFits: false,
    });
    assert.deepEqual(r.system.virtualisation, { type: 'kvm', source: 'systemd-detect-virt' });
    assert.deepEqual(r.firmware, {
      mode: 'uefi',
      platformBits: null,
      efivarsMounted: true,
      efivarsWritable: true,
      secureBoot: 'enabled',
    });
    assert.equal(r.cpu.kvmModule, 'kvm-intel');
    assert.equal(r.cpu.microcode, 'intel');
    assert.equal(r.cpu.cores, 4);
    assert.ok(r.warnings.some((w) => /1\.5 GiB/.test(w)));
  });
  it('disks: hostile strings exact, by-id, live medium marked', () => {
    const vda = r.disks.find((d) => d.name === 'vda')!;
    assert.equal(vda.model, 'QEMU "disk" $(x)');
    assert.deepEqual(vda.byId, ['virtio-S1']);
    assert.equal(vda.partitionTable?.type, 'gpt');
    assert.equal(vda.partitions[0].partlabel, HOSTILE);
    assert.equal(vda.partitions[0].fs?.type, 'vfat');
    assert.equal(vda.partitions[1].fs?.label, 'l"b\'$(touch /tmp/nixkit-parse-pwned)`id`\n\\${x}');
    assert.deepEqual(vda.partitions[1].mountpoints, ['/mnt']);
    assert.equal(vda.liveSystem, false);
    assert.equal(r.disks.find((d) => d.name === 'sr0')!.liveSystem, true);
    assert.ok(!fs.existsSync('/tmp/nixkit-parse-pwned'));
  });
  it('controllers and NICs', () => {
    assert.deepEqual(
      r.controllers.map((c) => [c.kind, c.module]),
      [
        ['storage', 'virtio_pci'],
        ['usb', 'xhci_pci'],
        ['usb-hid', 'usbhid'],
        ['block', 'virtio_blk'],
      ],
    );
    assert.equal(r.network.interfaces.length, 1);
    const eth0 = r.network.interfaces[0];
    assert.equal(eth0.driver, 'virtio_net');
    assert.deepEqual(eth0.predicted, { name: 'enp0s1', source: 'udevadm', reason: 'ID_NET_NAME_PATH' });
    assert.deepEqual(
      eth0.addresses.map((a) => `${a.address}/${a.prefixLength}`),
      ['10.0.2.15/24', 'fe80::1/64'],
    );
    // The lease is marked dynamic (ip's `dynamic` flag), the link-local address is not; the route says who made it.
    assert.deepEqual(
      eth0.addresses.map((a) => a.dynamic),
      [true, false],
    );
    assert.deepEqual(r.network.defaultRoutes, [
      { family: 'inet', gateway: '10.0.2.2', dev: 'eth0', proto: 'dhcp' },
    ]);
    assert.deepEqual(r.network.dns, ['10.0.2.3']);
    assert.deepEqual(r.network.searchDomains, ['example.org', 'lan']);
    assert.equal(r.network.domain, null);
  });
  it('Secure Boot from the UEFI global variables (SecureBoot, SetupMode)', () => {
    // The spec's EFI_GLOBAL_VARIABLE GUID: with another one the script read nothing and always said "unknown".
    assert.equal(EFI_GLOBAL_GUID, '8be4df61-93ca-11d2-aa0d-00e098032b8c');
    for (const v of ['SecureBoot', 'SetupMode'])
      assert.ok(PROBE_SCRIPT.includes(`/sys/firmware/efi/efivars/${v}-${EFI_GLOBAL_GUID}`), v);
    const sb = (secure: string, setup: string) =>
      parseProbeOutput(
        records([
          ['meta/version', '1'],
          ['fw/efi', '1'],
          [`fw/SecureBoot-${EFI_GLOBAL_GUID}`, secure],
          [`fw/SetupMode-${EFI_GLOBAL_GUID}`, setup],
          ['meta/end', '1'],
        ]),
      ).firmware.secureBoot;
    assert.equal(sb('   1\n', '   0\n'), 'enabled');
    assert.equal(sb('   0\n', '   0\n'), 'disabled');
    assert.equal(sb('   0\n', '   1\n'), 'setup-mode'); // OVMF without enrolled keys (the VM target)
  });
  it('an incomplete output still parses, with a warning', () => {
    const partial = parseProbeOutput(records(base.slice(0, 5)));
    assert.ok(partial.warnings.some((w) => /incomplete/.test(w)));
    assert.equal(partial.disks.length, 0);
  });
});

describe('helpers', () => {
  it('decodes udev \\x escapes to UTF-8', () => {
    assert.equal(decodeUdevEscapes('a\\x20b\\xc3\\xa9'), 'a bé');
    // Characters outside the escapes (astral ones too) stay; a broken escape is kept as text.
    assert.equal(decodeUdevEscapes('ß🙂\\x2fx\\xz'), 'ß🙂/x\\xz');
  });
  it('decodes mountinfo octal escapes', () => {
    const [m] = parseMountinfo(
      '36 35 98:0 /sub /mnt/with\\040space rw,noatime master:1 - btrfs /dev/sda1 rw,subvol=/sub\n',
    );
    assert.equal(m.mountPoint, '/mnt/with space');
    assert.equal(m.root, '/sub');
    assert.equal(m.fsType, 'btrfs');
    assert.deepEqual(m.superOptions, ['rw', 'subvol=/sub']);
  });
  it('predicts NIC names from /sys when udevadm is absent', () => {
    const base = { name: 'eth0', type: 1, devPath: '/sys/devices/pci0000:00/0000:00:1c.0/0000:03:00.0' };
    assert.equal(predictName(base).name, 'enp3s0');
    assert.equal(predictName({ ...base, acpiIndex: 1 }).name, 'eno1');
    assert.equal(predictName({ ...base, slots: { '0000:03:00': '4' } }).name, 'ens4');
    assert.equal(predictName({ ...base, devPath: '/sys/devices/pci0000:00/0000:00:02.3' }).name, 'enp0s2f3');
    assert.equal(predictName({ ...base, devPath: '/sys/devices/platform/soc/eth' }).name, null);
    assert.equal(predictName({ name: 'veth0' }).name, null);
    assert.equal(
      predictName({ ...base, netIdOutput: 'ID_NET_NAME_SLOT=ens3\nID_NET_NAME_PATH=enp0s3\n' }).name,
      'ens3',
    );
  });
});

describe('the real script on this machine', () => {
  it('runs under dash and parses', { timeout: 30_000 }, () => {
    const out = execFileSync('dash', ['-c', PROBE_SCRIPT], {
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const r = parseProbeOutput(out);
    assert.equal(r.system.arch, os.machine());
    assert.ok(r.disks.length > 0);
    assert.ok(!r.missing.includes('lsblk'));
    // lsblk answered (whatever util-linux this is: 2.38 refuses the newest column list and printed nothing)
    const lsblk = parseRecords(out).find((x) => x.name === 'blk/lsblk');
    assert.ok(lsblk, 'an lsblk record');
    assert.ok(Array.isArray(JSON.parse(lsblk.value.toString()).blockdevices), lsblk.value.toString());
  });

  for (const [version, unknown, used] of [
    ['2.38 (Debian 12, Ubuntu 22.04)', ['PARTN'], 1],
    ['2.34 (Ubuntu 20.04)', ['PARTN', 'FSVER', 'PARTTYPENAME', 'MOUNTPOINTS'], 2],
  ] as const) {
    it(`falls back to the lsblk columns util-linux ${version} knows`, { timeout: 30_000 }, () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-lsblk-'));
      try {
        for (const tool of ['sh', 'cat', 'head', 'sed', 'grep', 'od', 'readlink', 'uname', 'id']) {
          const real = ['/usr/bin', '/bin'].map((d) => path.join(d, tool)).find((p) => fs.existsSync(p));
          if (real) fs.symlinkSync(real, path.join(dir, tool));
        }
        // Like the real one: a list with one column it does not know is refused as a whole, nothing on stdout.
        fs.writeFileSync(
          path.join(dir, 'lsblk'),
          `#!/bin/sh
for c in ${unknown.join(' ')}; do
  case ",$4," in *",$c,"*) echo "lsblk: unknown column: $c" >&2; exit 1 ;; esac
done
echo "$4" >> ${dir}/calls
printf '{"blockdevices": [{"name": "vdz", "serial": "S 1"}]}\n'
`,
          { mode: 0o755 },
        );
        const out = execFileSync(path.join(dir, 'sh'), ['-c', PROBE_SCRIPT], {
          env: { NIXKIT_PROBE_PATH: dir },
          maxBuffer: 64 * 1024 * 1024,
          stdio: ['ignore', 'pipe', 'ignore'],
        });
        const lsblk = parseRecords(out).find((x) => x.name === 'blk/lsblk');
        assert.deepEqual(JSON.parse(lsblk?.value.toString() ?? 'null'), {
          blockdevices: [{ name: 'vdz', serial: 'S 1' }],
        });
        assert.deepEqual(fs.readFileSync(path.join(dir, 'calls'), 'utf8'), `${LSBLK_COLUMN_SETS[used]}\n`);
        for (const c of unknown) assert.ok(!LSBLK_COLUMN_SETS[used].split(',').includes(c), c);
        assert.ok(LSBLK_COLUMN_SETS[used].includes('SERIAL'));
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((p) => fs.existsSync(p));
  it(
    'runs with only busybox (tools missing: the report degrades, never fails)',
    { timeout: 30_000, skip: !busybox && 'busybox not installed' },
    () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-bb-'));
      try {
        for (const applet of ['sh', 'cat', 'head', 'sed', 'grep', 'od', 'readlink', 'uname', 'id', 'blkid']) {
          fs.symlinkSync(busybox!, path.join(dir, applet));
        }
        const out = execFileSync(path.join(dir, 'sh'), ['-c', PROBE_SCRIPT], {
          env: { NIXKIT_PROBE_PATH: dir },
          maxBuffer: 64 * 1024 * 1024,
          stdio: ['ignore', 'pipe', 'ignore'],
        });
        const r = parseProbeOutput(out);
        // (busybox's standalone shell still finds its own applets, e.g. ip, whatever PATH says)
        for (const tool of ['lsblk', 'sfdisk', 'udevadm', 'systemd-detect-virt', 'nix'])
          assert.ok(r.missing.includes(tool), tool);
        assert.equal(r.system.arch, os.machine());
        assert.equal(r.system.kernel, os.release());
        assert.ok(r.system.memory.totalBytes! > 0);
        assert.equal(r.system.nix.present, false);
        assert.ok(r.disks.length > 0, 'disks from /sys');
        assert.ok(r.network.interfaces.length > 0, 'NICs from /sys');
        assert.ok(
          r.network.defaultRoutes.length > 0 ||
            !fs.readFileSync('/proc/net/route', 'utf8').includes('\t00000000\t'),
        );
        assert.ok(r.warnings.some((w) => /Tools missing/.test(w)));
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
