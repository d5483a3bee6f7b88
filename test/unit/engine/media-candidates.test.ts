// Which disks `nixkit media write` may touch, decided on lsblk's JSON of a workstation (test/fixtures/media/): the
// NVMe holding / through LVM on LUKS, a SATA data disk, USB sticks (a normal one with a hostile label, a mounted one,
// one with an active LVM volume, one with an open LUKS mapping, one used as swap, a write-protected one), an empty
// card reader, a 512 GB USB SSD, an SD card, and the devices that are not disks at all (loop, CD drive, zram).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { blockers, findCandidate, parseByIdLines, parseCandidates } from '../../../engine/media/candidates';
import { splitListOutput } from '../../../engine/media/list';
import { BYID_MARK } from '../../../engine/media/media-scripts';
import { displayText, type WriteCandidate } from '../../../protocol/media';
import { REPO_ROOT } from '../../helpers';

const DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'media');
const LSBLK = fs.readFileSync(path.join(DIR, 'lsblk-workstation.json'), 'utf8');
const BYID = fs.readFileSync(path.join(DIR, 'by-id-workstation.txt'), 'utf8');
const list = parseCandidates({ kind: 'local' }, LSBLK, BYID);
const get = (name: string): WriteCandidate => {
  const c = list.devices.find((d) => d.name === name);
  assert.ok(c, `${name} listed`);
  return c;
};
const kinds = (c: WriteCandidate) => c.refusals.map((r) => r.kind);

describe('media write candidates from lsblk', () => {
  it('lists whole disks only: no loop device, CD drive or zram', () => {
    assert.deepEqual(
      list.devices.map((d) => d.name),
      ['sda', 'sdb', 'sdc', 'sdd', 'sde', 'sdf', 'sdg', 'sdh', 'sdi', 'mmcblk0', 'nvme0n1'],
    );
    assert.deepEqual(list.warnings, []);
  });

  it('accepts a normal USB stick with no override, by path, kernel name or by-id name', () => {
    const c = get('sdb');
    assert.deepEqual(c.refusals, []);
    assert.deepEqual(c.overrides, []);
    assert.equal(c.removable, true);
    assert.equal(c.transport, 'usb');
    assert.equal(c.model, 'Ultra Fit');
    assert.equal(c.vendor, 'SanDisk', 'lsblk pads vendors; trimmed');
    assert.equal(c.serial, '4C530001230517116105');
    assert.deepEqual(c.byId, ['/dev/disk/by-id/usb-SanDisk_Ultra_Fit_4C530001230517116105-0:0']);
    assert.deepEqual(blockers(c, []), []);
    for (const id of [
      '/dev/sdb',
      'sdb',
      '/dev/disk/by-id/usb-SanDisk_Ultra_Fit_4C530001230517116105-0:0',
      'usb-SanDisk_Ultra_Fit_4C530001230517116105-0:0',
    ])
      assert.equal(findCandidate(list, id)?.name, 'sdb', id);
    assert.equal(findCandidate(list, 'sdb1'), undefined, 'a partition is not a write target');
    assert.equal(c.confirmName, 'sdb');
  });

  it('refuses the disk holding / through LVM on LUKS, naming the chain, with no override', () => {
    const c = get('nvme0n1');
    assert.deepEqual(kinds(c), ['mounted', 'live-system', 'swap']);
    assert.equal(c.refusals[0].text, '/dev/nvme0n1p1 mounted at /boot: unmount it first');
    assert.equal(
      c.refusals[1].text,
      '/dev/nvme0n1p2 holds dm-0 (open LUKS/dm-crypt mapping cryptroot) which holds dm-1 (LVM volume vg-root), ' +
        'mounted at /: the running system',
    );
    assert.match(c.refusals[2].text, /dm-2 \(LVM volume vg-swap\), in use as swap$/);
    // Overrides do not lift refusals.
    assert.ok(blockers(c, ['large', 'non-removable']).length >= 3);
  });

  it('refuses a USB stick with a mounted partition until it is unmounted (by hand or --unmount)', () => {
    const c = get('sdc');
    assert.deepEqual(c.refusals, [
      {
        kind: 'mounted',
        text: '/dev/sdc1 mounted at /media/user/STICK: unmount it first (or --unmount)',
        unmountable: true,
      },
    ]);
    assert.equal(blockers(c, []).length, 1);
    assert.deepEqual(blockers(c, [], { unmount: true }), []);
    // /boot is never offered for unmounting, nor a mount through LVM/LUKS, nor anything on the system disk.
    assert.equal(get('nvme0n1').refusals[0].unmountable, undefined);
    assert.ok(blockers(get('nvme0n1'), [], { unmount: true }).length >= 2);
    assert.deepEqual(
      get('sda').refusals[0].unmountable,
      undefined,
      '/data is not where removable media are mounted',
    );
  });

  it('refuses a stick that an active LVM volume or an open LUKS mapping is built on, or that is swap', () => {
    assert.deepEqual(get('sde').refusals, [
      {
        kind: 'holder',
        text: '/dev/sde1 holds dm-3 (LVM volume vg--usb-data), is in use: close or deactivate it first',
      },
    ]);
    assert.deepEqual(kinds(get('sdi')), ['holder']);
    assert.match(get('sdi').refusals[0].text, /dm-4 \(open LUKS\/dm-crypt mapping luks-usb\)/);
    assert.deepEqual(kinds(get('sdg')), ['swap']);
  });

  it('refuses a write-protected stick and an empty card reader', () => {
    assert.deepEqual(kinds(get('sdh')), ['read-only']);
    assert.deepEqual(kinds(get('sdf')), ['empty']);
  });

  it('needs an override for a non-removable disk and for one larger than 256 GiB', () => {
    const data = get('sda');
    assert.deepEqual(kinds(data), ['mounted']);
    assert.deepEqual(data.overrides, ['large', 'non-removable']);
    const ssd = get('sdd');
    assert.deepEqual(ssd.refusals, []);
    assert.deepEqual(ssd.overrides, ['large'], 'a USB transport counts as removable without the RM flag');
    assert.equal(blockers(ssd, []).length, 1);
    assert.match(blockers(ssd, [])[0], /larger than 256 GiB.*--allow-large/);
    assert.deepEqual(blockers(ssd, ['large']), []);
    assert.deepEqual(blockers(ssd, ['non-removable']).length, 1, 'the other override does not help');
  });

  it('treats an SD card (mmcblk) as removable', () => {
    const c = get('mmcblk0');
    assert.equal(c.removable, true);
    assert.deepEqual(c.overrides, []);
    assert.deepEqual(c.labels, ['CARD']);
  });

  it('keeps a hostile label as data and shows it escaped, never interpreted', () => {
    const c = get('sdb');
    assert.deepEqual(c.labels, ['NIXOS "ISO" $(reboot) `id`\n\x1b[31mred']);
    const shown = displayText(c.labels[0]);
    assert.equal(shown, 'NIXOS "ISO" $(reboot) `id`\\x0a\\x1b[31mred');
    assert.ok(!shown.includes('\n') && !shown.includes('\x1b'), 'no raw newline or escape');
  });

  it('reads an older lsblk (strings, MOUNTPOINT) the same way', () => {
    const old = JSON.stringify({
      blockdevices: [
        {
          name: 'sdb',
          path: '/dev/sdb',
          size: '15376318464',
          type: 'disk',
          rm: '1',
          ro: '0',
          tran: 'usb',
          model: 'Ultra Fit',
          serial: 'X',
          mountpoint: null,
          children: [{ name: 'sdb1', path: '/dev/sdb1', size: '100', type: 'part', mountpoint: '/mnt/x' }],
        },
      ],
    });
    const c = parseCandidates({ kind: 'local' }, old, '').devices[0];
    assert.equal(c.sizeBytes, 15376318464);
    assert.equal(c.removable, true);
    assert.deepEqual(kinds(c), ['mounted']);
  });

  it('warns instead of throwing on missing or broken lsblk output', () => {
    assert.deepEqual(parseCandidates({ kind: 'local' }, '', '').devices, []);
    assert.match(parseCandidates({ kind: 'local' }, '', '').warnings[0], /printed nothing/);
    assert.match(parseCandidates({ kind: 'local' }, '{"blockdevices": [', '').warnings[0], /not JSON/);
    assert.deepEqual(parseCandidates({ kind: 'local' }, '{"blockdevices": 3}', '').devices, []);
  });

  it('orders by-id names people recognise first and ignores malformed lines', () => {
    const m = parseByIdLines(BYID + 'garbage\n\t/dev/sdz\n/dev/disk/by-id/x\tnot-a-dev\n');
    assert.deepEqual(m.get('/dev/nvme0n1'), [
      '/dev/disk/by-id/nvme-Samsung_SSD_970_EVO_Plus_1TB_S4EWNX0N123456',
      '/dev/disk/by-id/nvme-eui.0025385b91234567',
    ]);
    assert.equal(m.get('/dev/sdz'), undefined);
  });

  it('splits the list script output at the by-id mark', () => {
    const s = splitListOutput(`{"blockdevices":[]}\n${BYID_MARK}\n/dev/disk/by-id/a\t/dev/sda\n`);
    assert.equal(s.lsblk, '{"blockdevices":[]}\n');
    assert.equal(s.byId, '/dev/disk/by-id/a\t/dev/sda\n');
  });
});
