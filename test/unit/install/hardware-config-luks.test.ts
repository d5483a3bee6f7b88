// hardware-configuration.nix of an encrypted root: the LUKS device the initrd opens, as nixos-generate-config
// writes it (the container by UUID, after fileSystems."/"), found from the layout and the probe of the target.
// test/vm/luks.test.ts does the same on a real LUKS container.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateHardwareConfig } from '../../../engine/hwconfig/generate';
import type { InstallOptions } from '../../../protocol/install-state';
import { HardwareConfigError, withLuksDevice } from '../../../engine/install/steps/hardware-config';
import type { Partition, ProbeReport } from '../../../protocol/probe-report';
import { fakeReport } from './fixtures';

const LUKS_UUID = '0b6e3c6e-6f0e-4d8e-9a39-6a1f2b3c4d5e';
const EXT4_UUID = '5d3c2b1a-0000-4000-8000-00000000e4e4';
const VFAT_UUID = 'ABCD-1234';
const DISK = '/dev/disk/by-id/virtio-target';

function part(n: number, type: string, uuid: string): Partition {
  return {
    name: `vdb${n}`,
    path: `/dev/vdb${n}`,
    number: n,
    startSector: 2048 * n,
    sizeBytes: 1 << 26,
    type: null,
    typeName: null,
    partuuid: null,
    partlabel: null,
    fs: { type, uuid, label: null, version: null },
    mountpoints: [],
  };
}

/** The probe after the mount step: vdb1 the ESP, vdbN the LUKS container, its mapping dm-0 (ext4) at /mnt. */
function report(rootPart: Partition): ProbeReport {
  const r = fakeReport();
  const vdb = r.disks.find((d) => d.name === 'vdb')!;
  vdb.byId = ['virtio-target'];
  vdb.partitions = [part(1, 'vfat', VFAT_UUID), rootPart];
  r.disks.push({
    ...vdb,
    name: 'dm-0',
    path: '/dev/dm-0',
    majorMinor: '253:0',
    byId: [],
    partitions: [],
    fs: { type: 'ext4', uuid: EXT4_UUID, label: 'nixos', version: '1.0' },
  });
  const mount = (mountPoint: string, source: string, fsType: string, majorMinor: string) => ({
    mountPoint,
    fsType,
    source,
    root: '/',
    majorMinor,
    options: ['rw'],
    superOptions: ['rw'],
  });
  r.mounts.push(
    mount('/mnt', '/dev/mapper/cryptroot', 'ext4', '253:0'),
    mount('/mnt/boot', '/dev/vdb1', 'vfat', '254:17'),
  );
  return r;
}

const options = (o: Partial<InstallOptions> = {}): InstallOptions => ({
  flake: '/f',
  configuration: 'demo',
  target: 'root@t',
  buildOn: 'local',
  root: '/mnt',
  reboot: false,
  disk: DISK,
  confirmedDisk: DISK,
  layout: { espSizeMiB: 64, rootFs: 'ext4', luks: { name: 'cryptroot' } },
  ...o,
});

describe('hardware-configuration.nix of a LUKS root', () => {
  it('unlocks the container by UUID right after fileSystems."/", which is the ext4 by UUID', () => {
    const r = report(part(2, 'crypto_LUKS', LUKS_UUID));
    const text = withLuksDevice(generateHardwareConfig(r, { root: '/mnt' }), options(), r, '/dev/vdb');
    assert.ok(
      text.includes(
        `  fileSystems."/" =\n    { device = "/dev/disk/by-uuid/${EXT4_UUID}";\n      fsType = "ext4";\n    };\n\n` +
          `  boot.initrd.luks.devices."cryptroot".device = "/dev/disk/by-uuid/${LUKS_UUID}";\n\n` +
          `  fileSystems."/boot" =`,
      ),
      text,
    );
  });

  it('finds the disk by its by-id name when preflight recorded no device node; swap makes root partition 3', () => {
    const r = report(part(3, 'crypto_LUKS', LUKS_UUID));
    const layout = { espSizeMiB: 64, rootFs: 'ext4' as const, swapSizeMiB: 64, luks: { name: 'c.r+y_p-t' } };
    const text = withLuksDevice(generateHardwareConfig(r), options({ layout }), r, undefined);
    assert.match(
      text,
      /^ {2}boot\.initrd\.luks\.devices\."c\.r\+y_p-t"\.device = "\/dev\/disk\/by-uuid\/0b6e3c6e-/m,
    );
  });

  it('leaves an unencrypted root alone', () => {
    const r = report(part(2, 'ext4', EXT4_UUID));
    const plain = generateHardwareConfig(r);
    assert.equal(
      withLuksDevice(plain, options({ layout: { espSizeMiB: 64, rootFs: 'ext4' } }), r, '/dev/vdb'),
      plain,
    );
    assert.equal(withLuksDevice(plain, options({ disk: undefined }), r, undefined), plain);
  });

  it('refuses when the probe shows no LUKS container where the root partition is', () => {
    const r = report(part(2, 'ext4', EXT4_UUID));
    assert.throws(
      () => withLuksDevice(generateHardwareConfig(r), options(), r, '/dev/vdb'),
      (e: unknown) =>
        e instanceof HardwareConfigError &&
        /no LUKS container on partition 2 of \/dev\/vdb \(found ext4\)/.test(e.message),
    );
  });
});
