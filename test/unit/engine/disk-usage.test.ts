// A disk under LVM, LUKS or md RAID: the probe records holders (/sys/block/*/holders, /sys/block/*/*/holders) and
// preflight and the wizard refuse any disk something is built on, naming the chain. The records below are what the
// probe script prints for a machine whose / is on LVM on sda2 (the shapes the VM tier records for real in
// test/vm/holders.test.ts), plus md RAID, LUKS on md, LUKS on LVM and an old report without holders.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseProbeOutput } from '../../../engine/probe/probe-parse';
import { diskUsage } from '../../../engine/probe/disk-usage';
import { checkDisk, PreflightError } from '../../../engine/install/steps/preflight';
import { diskChoices } from '../../../extension/panels/install-wizard-model';
import type { InstallOptions } from '../../../protocol/install-state';
import type { ProbeReport } from '../../../protocol/probe-report';
import { validateProbeReport } from '../../../protocol/probe-report-schema';

function records(list: [string, string][]): Buffer {
  return Buffer.concat(
    list.map(([n, v]) => {
      const nb = Buffer.from(n);
      const vb = Buffer.from(v);
      return Buffer.concat([Buffer.from(`R ${nb.length} ${vb.length}\n`), nb, vb, Buffer.from('\n')]);
    }),
  );
}

const GiB = String((8 * 2 ** 30) / 512);
const MOUNTINFO = [
  '22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/mapper/vg-root rw',
  '23 22 8:1 / /boot/efi rw - vfat /dev/sda1 rw',
  '24 22 254:5 / /data rw - ext4 /dev/mapper/inner rw',
  '25 22 0:25 / /sys/firmware/efi/efivars rw - efivarfs efivarfs rw',
].join('\n');

/** One block device's records as the script prints them. */
function blk(n: string, dev: string, extra: [string, string][] = []): [string, string][] {
  return [
    [`blk/${n}/size`, GiB],
    [`blk/${n}/dev`, dev],
    ...extra.map(([k, v]): [string, string] => [`blk/${n}/${k}`, v]),
  ];
}
function part(disk: string, n: string, num: number, dev: string, holders?: string): [string, string][] {
  const r: [string, string][] = [
    [`part/${disk}/${n}/partition`, String(num)],
    [`part/${disk}/${n}/start`, String(2048 * num)],
    [`part/${disk}/${n}/size`, '2048'],
    [`part/${disk}/${n}/dev`, dev],
  ];
  if (holders) r.push([`part/${disk}/${n}/holders`, holders]);
  return r;
}

const RECORDED: [string, string][] = [
  ['meta/version', '1'],
  ['meta/uid', '0'],
  ['mnt/mountinfo', MOUNTINFO + '\n'],
  [
    'mnt/swaps',
    'Filename\tType\tSize\tUsed\tPriority\n/dev/dm-1                               partition\t1048572\t0\t-2\n',
  ],
  // sda: ESP mounted, sda2 the LVM PV of vg (root mounted at /, swap active)
  ...blk('sda', '8:0'),
  ...part('sda', 'sda1', 1, '8:1'),
  ...part('sda', 'sda2', 2, '8:2', 'dm-0 dm-1'),
  ...blk('dm-0', '254:0', [
    ['dm-name', 'vg-root'],
    ['dm-uuid', 'LVM-abcdefabcdef'],
  ]),
  ...blk('dm-1', '254:1', [
    ['dm-name', 'vg-swap'],
    ['dm-uuid', 'LVM-abcdefabcd01'],
  ]),
  // sdb + sdc: md0 raid1, with an open LUKS mapping on it and nothing mounted
  ...blk('sdb', '8:16'),
  ...part('sdb', 'sdb1', 1, '8:17', 'md0'),
  ...blk('sdc', '8:32', [['holders', 'md0']]),
  ...blk('md0', '9:0', [
    ['md-level', 'raid1'],
    ['holders', 'dm-2'],
  ]),
  ...blk('dm-2', '254:2', [
    ['dm-name', 'cryptdata'],
    ['dm-uuid', 'CRYPT-LUKS2-0123456789abcdef-cryptdata'],
  ]),
  // sdd: LUKS on LVM on sdd1, mounted at /data
  ...blk('sdd', '8:48'),
  ...part('sdd', 'sdd1', 1, '8:49', 'dm-4'),
  ...blk('dm-4', '254:4', [
    ['dm-name', 'vg2-secret'],
    ['dm-uuid', 'LVM-0000'],
    ['holders', 'dm-5'],
  ]),
  ...blk('dm-5', '254:5', [
    ['dm-name', 'inner'],
    ['dm-uuid', 'CRYPT-LUKS2-ffff-inner'],
  ]),
  // sde: free
  ...blk('sde', '8:64'),
  ...part('sde', 'sde1', 1, '8:65'),
  ['byid/ata-DISK_A', '../../sda'],
  ['byid/ata-DISK_E', '../../sde'],
  ['meta/end', '1'],
];

const report = (): ProbeReport => parseProbeOutput(records(RECORDED));
const disk = (r: ProbeReport, n: string) => r.disks.find((d) => d.name === n)!;
const opts = (d: string): InstallOptions => ({
  flake: '/f',
  configuration: 'c',
  target: 'root@h',
  disk: d,
  confirmedDisk: d,
  buildOn: 'local',
  root: '/mnt',
  reboot: false,
});

describe('holders in the probe', () => {
  it('are recorded for disks and partitions, with dm names and uuids and md levels; the report validates', () => {
    const r = report();
    assert.deepEqual(disk(r, 'sda').partitions.find((p) => p.name === 'sda2')!.holders, ['dm-0', 'dm-1']);
    assert.deepEqual(disk(r, 'sdc').holders, ['md0']);
    assert.deepEqual(disk(r, 'dm-0').dm, { name: 'vg-root', uuid: 'LVM-abcdefabcdef' });
    assert.deepEqual(disk(r, 'md0').md, { level: 'raid1' });
    assert.deepEqual(disk(r, 'sde').holders, []);
    const v = validateProbeReport(JSON.parse(JSON.stringify(r)));
    assert.ok(v.ok, v.ok ? '' : v.errors.join('\n'));
  });

  it('/ on LVM on sda2 makes sda the live system, though nothing on sda itself is mounted at /', () => {
    const r = report();
    assert.equal(disk(r, 'sda').liveSystem, true);
    assert.equal(disk(r, 'sdd').liveSystem, false);
    assert.equal(disk(r, 'sde').liveSystem, false);
  });
});

describe('diskUsage names the chain', () => {
  it('LVM root and LVM swap on sda2, the ESP on sda1', () => {
    const texts = diskUsage(report(), disk(report(), 'sda')).map((u) => u.text);
    assert.deepEqual(texts.sort(), [
      '/dev/sda1 mounted at /boot/efi',
      '/dev/sda2 holds dm-0 (LVM volume vg-root), mounted at /',
      '/dev/sda2 holds dm-1 (LVM volume vg-swap), in use as swap (/dev/dm-1)',
    ]);
  });

  it('an md member (partition or whole disk) under an open LUKS mapping', () => {
    const r = report();
    assert.deepEqual(
      diskUsage(r, disk(r, 'sdb')).map((u) => [u.kind, u.text]),
      [['luks', '/dev/sdb1 holds md0 (md RAID array raid1) which holds dm-2 (open LUKS mapping cryptdata)']],
    );
    assert.deepEqual(
      diskUsage(r, disk(r, 'sdc')).map((u) => u.text),
      ['/dev/sdc holds md0 (md RAID array raid1) which holds dm-2 (open LUKS mapping cryptdata)'],
    );
  });

  it('LUKS on LVM, mounted', () => {
    const r = report();
    assert.deepEqual(
      diskUsage(r, disk(r, 'sdd')).map((u) => u.text),
      [
        '/dev/sdd1 holds dm-4 (LVM volume vg2-secret) which holds dm-5 (open LUKS mapping inner), mounted at /data',
      ],
    );
  });

  it('a free disk has no use; a report from before holders were probed still gives direct mounts', () => {
    const r = report();
    assert.deepEqual(diskUsage(r, disk(r, 'sde')), []);
    const old = JSON.parse(JSON.stringify(r)) as ProbeReport;
    for (const d of old.disks) {
      delete d.holders;
      for (const p of d.partitions) delete p.holders;
    }
    assert.deepEqual(
      diskUsage(old, old.disks.find((d) => d.name === 'sda')!).map((u) => u.text),
      ['/dev/sda1 mounted at /boot/efi'],
    );
  });

  it('a hostile report with a holder cycle ends', () => {
    const r = report();
    disk(r, 'dm-5').holders = ['dm-4'];
    assert.ok(diskUsage(r, disk(r, 'sdd')).length >= 1);
  });
});

describe('preflight and the wizard refuse a disk under LVM, LUKS or md', () => {
  const refused = (r: ProbeReport, n: string) => {
    let message = '';
    assert.throws(
      () => checkDisk(r, opts(`/dev/disk/by-id/x-${n}`), `/dev/${n}`),
      (e: unknown) => e instanceof PreflightError && ((message = e.message), true),
    );
    return message;
  };

  it('the disk holding / through LVM is the running system, and the chain is named', () => {
    const m = refused(report(), 'sda');
    assert.match(
      m,
      /holds the running system \(\/dev\/sda2 holds dm-0 \(LVM volume vg-root\), mounted at \/\)/,
    );
  });

  it('an open LUKS mapping on an md array, LUKS on LVM: refused with the chain and what to do', () => {
    const r = report();
    assert.match(refused(r, 'sdb'), /in use: \/dev\/sdb1 holds md0 \(md RAID array raid1\) which holds dm-2/);
    assert.match(refused(r, 'sdc'), /cryptsetup close.*vgchange -an.*mdadm --stop/s);
    assert.match(refused(r, 'sdd'), /mounted at \/data/);
  });

  it('an active volume group with nothing mounted on it is refused too', () => {
    const r = report();
    disk(r, 'dm-5').mountpoints = [];
    disk(r, 'dm-4').holders = [];
    assert.match(refused(r, 'sdd'), /\/dev\/sdd1 holds dm-4 \(LVM volume vg2-secret\)/);
  });

  it('a free disk passes', () => {
    const r = report();
    assert.equal(checkDisk(r, opts('/dev/disk/by-id/ata-DISK_E'), '/dev/sde').name, 'sde');
  });

  it('the wizard blocks the same disks with the same chains', () => {
    const choices = diskChoices(report());
    const by = (p: string) => choices.find((c) => c.path === p)!;
    assert.match(by('/dev/sda').blocked ?? '', /running system runs from this disk \(\/dev\/sda2 holds dm-0/);
    assert.match(by('/dev/sdc').blocked ?? '', /^in use \(\/dev\/sdc holds md0/);
    assert.match(by('/dev/sdd').blocked ?? '', /open LUKS mapping inner\), mounted at \/data/);
    assert.equal(by('/dev/sde').blocked, null);
  });
});
