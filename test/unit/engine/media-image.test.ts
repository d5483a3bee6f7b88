// What an image is before it is written: hybrid ISO (boots from USB) vs CD-only ISO (explained), a disk image, an
// unknown file; the checksum file given or lying beside the image; unreadable and empty files. The ISOs are made
// in the test by xorriso (Debian's, as the VM tier uses) when it is there, and crafted byte by byte always.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { bootOf, expectedSha, imageProblemsFor, inspectImage, layoutOf } from '../../../engine/media/image';
import type { WriteCandidate } from '../../../protocol/media';
import { tempDir } from '../../helpers';

/** An ISO 9660 head: descriptors from sector 16 (an El Torito boot record when asked), then the terminator. */
function isoBytes(
  options: { elTorito?: boolean; mbr?: boolean; gpt?: boolean; volumeId?: string } = {},
): Buffer {
  const b = Buffer.alloc(64 * 1024);
  let sector = 16;
  const desc = (type: number) => {
    const o = sector++ * 2048;
    b[o] = type;
    b.write('CD001', o + 1, 'latin1');
    b[o + 6] = 1;
    return o;
  };
  const pvd = desc(1);
  b.write((options.volumeId ?? 'NIXOS_ISO').padEnd(32, ' '), pvd + 40, 'latin1');
  if (options.elTorito) b.write('EL TORITO SPECIFICATION', desc(0) + 7, 'latin1');
  desc(255);
  if (options.mbr) b.writeUInt16BE(0x55aa, 510);
  if (options.gpt) b.write('EFI PART', 512, 'latin1');
  return b;
}

function xorriso(): boolean {
  try {
    execFileSync('xorriso', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const stick = (sizeBytes: number): WriteCandidate => ({
  name: 'sdb',
  path: '/dev/sdb',
  byId: [],
  sizeBytes,
  model: null,
  vendor: null,
  serial: null,
  transport: 'usb',
  removable: true,
  labels: [],
  refusals: [],
  overrides: [],
  confirmName: 'sdb',
});

describe('image inspection', () => {
  it('tells a hybrid ISO (MBR and/or GPT) from a CD-only one, and says what to do with the latter', () => {
    assert.equal(bootOf(layoutOf(isoBytes({ elTorito: true, mbr: true }))).boot, 'hybrid-iso');
    assert.equal(bootOf(layoutOf(isoBytes({ elTorito: true, mbr: true, gpt: true }))).boot, 'hybrid-iso');
    const cd = layoutOf(isoBytes({ elTorito: true, volumeId: 'OLD_CD' }));
    assert.deepEqual(cd, {
      iso9660: true,
      elTorito: true,
      mbrSignature: false,
      gpt: false,
      volumeId: 'OLD_CD',
    });
    const b = bootOf(cd);
    assert.equal(b.boot, 'cd-only-iso');
    assert.match(b.text, /El Torito/);
    assert.match(b.text, /not from a USB stick/);
    assert.match(b.text, /isohybrid|xorriso/);
  });

  it('recognises a disk image, and says nothing is known about anything else', () => {
    const img = Buffer.alloc(4096);
    img.writeUInt16BE(0x55aa, 510);
    img.write('EFI PART', 512, 'latin1');
    assert.equal(bootOf(layoutOf(img)).boot, 'disk-image');
    assert.equal(bootOf(layoutOf(Buffer.from('just text'))).boot, 'unknown');
    assert.equal(bootOf(layoutOf(Buffer.alloc(0))).boot, 'unknown');
  });

  it('reads ISOs xorriso makes: El Torito only is CD-only, with a protective MBR it is hybrid', (t) => {
    if (!xorriso()) return t.skip('xorriso is not installed (scripts/setup-system.sh test installs it)');
    const dir = tempDir('media-iso-');
    fs.mkdirSync(path.join(dir, 'tree', 'boot'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'tree', 'boot', 'boot.img'), Buffer.alloc(2048));
    fs.writeFileSync(path.join(dir, 'tree', 'hello'), 'hi\n');
    const make = (out: string, extra: string[]) =>
      execFileSync(
        'xorriso',
        [
          '-as',
          'mkisofs',
          '-quiet',
          '-V',
          'NIXKIT_T',
          '-o',
          path.join(dir, out),
          '-b',
          'boot/boot.img',
          '-no-emul-boot',
          ...extra,
          path.join(dir, 'tree'),
        ],
        { stdio: 'ignore' },
      );
    make('cd.iso', []);
    make('usb.iso', ['--protective-msdos-label']);
    return Promise.all([
      inspectImage(path.join(dir, 'cd.iso')),
      inspectImage(path.join(dir, 'usb.iso')),
    ]).then(([cd, usb]) => {
      assert.equal(cd.boot, 'cd-only-iso');
      assert.equal(cd.layout.elTorito, true);
      assert.equal(cd.layout.volumeId, 'NIXKIT_T');
      assert.equal(usb.boot, 'hybrid-iso');
      assert.deepEqual(usb.problems, []);
      assert.equal(usb.sizeBytes, fs.statSync(path.join(dir, 'usb.iso')).size);
    });
  });

  it('verifies against a .sha256 lying beside the image, and reports a mismatch as a problem', async () => {
    const dir = tempDir('media-sum-');
    const image = path.join(dir, 'nixos.iso');
    const bytes = isoBytes({ mbr: true });
    fs.writeFileSync(image, bytes);
    const sha = crypto.createHash('sha256').update(bytes).digest('hex');
    let r = await inspectImage(image);
    assert.equal(r.checksum.status, 'none');
    assert.equal(r.sha256, null, 'no hashing without a checksum to compare with');

    fs.writeFileSync(`${image}.sha256`, `${sha}  nixos.iso\n`);
    r = await inspectImage(image);
    assert.deepEqual(r.checksum, { status: 'match', file: `${image}.sha256`, sha256: sha });
    assert.equal(r.sha256, sha);
    assert.deepEqual(imageProblemsFor(r, stick(1 << 30)), []);

    const other = path.join(dir, 'SHA256SUMS');
    fs.writeFileSync(other, `${'0'.repeat(64)} *nixos.iso\n${sha}  other.iso\n`);
    r = await inspectImage(image, { checksumFile: other });
    assert.equal(r.checksum.status, 'mismatch');
    assert.match(
      imageProblemsFor(r, stick(1 << 30)).join('\n'),
      /does not match .*SHA256SUMS.*damaged or different/,
    );

    fs.writeFileSync(other, `${sha}  something-else.iso\n`);
    r = await inspectImage(image, { checksumFile: other });
    assert.deepEqual(r.checksum, { status: 'unusable', file: other, text: 'it has no line for "nixos.iso"' });
    r = await inspectImage(image, { checksumFile: path.join(dir, 'missing.sha256') });
    assert.equal(r.checksum.status, 'unusable');
  });

  it('parses sha256sum lines: text and binary mode, a bare hash, escaped names, no hash at all', () => {
    const h = 'ab'.repeat(32);
    assert.deepEqual(expectedSha(`${h}  dir/x.iso\n`, 'x.iso'), { sha: h });
    assert.deepEqual(expectedSha(`${h.toUpperCase()} *x.iso`, 'x.iso'), { sha: h });
    assert.deepEqual(expectedSha(`${h}\n`, 'x.iso'), { sha: h });
    assert.deepEqual(expectedSha(`\\${h}  x.iso\n`, 'x.iso'), { sha: h });
    assert.ok('problem' in expectedSha('not a checksum\n', 'x.iso'));
  });

  it('refuses what cannot be written: missing, a directory, empty, too large for the device', async () => {
    const dir = tempDir('media-bad-');
    assert.match((await inspectImage(path.join(dir, 'none.iso'))).problems[0], /does not exist/);
    assert.match((await inspectImage(dir)).problems[0], /not a regular file/);
    fs.writeFileSync(path.join(dir, 'empty.iso'), '');
    assert.match((await inspectImage(path.join(dir, 'empty.iso'))).problems[0], /is empty/);
    fs.writeFileSync(path.join(dir, 'big.img'), Buffer.alloc(8192));
    const big = await inspectImage(path.join(dir, 'big.img'));
    assert.deepEqual(big.problems, []);
    assert.match(imageProblemsFor(big, stick(4096))[0], /larger than \/dev\/sdb/);
  });
});
