// The write script for real, as root, on a loop device this test makes (and detaches, even on failure): the exact
// image bytes land on the device and nothing after them, the read-back SHA-256 is compared, a wrong expected hash is
// a mismatch, an input that ends early (a cut SSH connection) and a cancel mid-write both leave "not verified" with
// no dd left running, and `nixkit media write` end to end: the typed name enforced, refused devices never touched.
// The CLI sees the recorded workstation lsblk (test/fixtures/media) with its USB stick pointed at the loop device:
// a loop device is never a candidate on a real listing.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeMediaCommand } from '../../cli/media-write-command';
import type { CliIO } from '../../cli/io';
import { findCandidate, parseCandidates } from '../../engine/media/candidates';
import { localHost, type MediaHost } from '../../engine/media/host';
import { inspectImage } from '../../engine/media/image';
import { listCandidates } from '../../engine/media/list';
import { BYID_MARK } from '../../engine/media/media-scripts';
import { writeImage } from '../../engine/media/write';
import { fileWriteLog, lastWrites } from '../../engine/media/write-log';
import type { WriteEvent } from '../../protocol/media';
import { REPO_ROOT, tempDir } from '../helpers';
import {
  ddRunningOn,
  deviceBytes,
  fifoImage,
  fillDevice,
  loopCandidate,
  MiB,
  waitFor,
} from './media-helpers';

const DEVICE_BYTES = 96 * MiB;
const FILL = 0xab;
const isRoot = process.getuid?.() === 0;

let dir = '';
let backing = '';
let loop = '';

function sha(buf: Buffer): string {
  return crypto.createHash('sha256').update(buf).digest('hex');
}

const stick = () => loopCandidate(loop, DEVICE_BYTES);
const refill = () => fillDevice(loop, DEVICE_BYTES, FILL);

describe(
  'media write on a loop device (root)',
  { skip: isRoot ? false : 'needs root (loop devices)' },
  () => {
    before(() => {
      dir = tempDir('media-write');
      backing = path.join(dir, 'stick.img');
      fs.writeFileSync(backing, '');
      fs.truncateSync(backing, DEVICE_BYTES);
      loop = execFileSync('losetup', ['--find', '--show', backing], { encoding: 'utf8' }).trim();
    });
    after(() => {
      if (loop) spawnSync('losetup', ['-d', loop]);
    });

    it('lists this machine for real: parsable, and the disk holding / (if any) is refused', async () => {
      const list = await listCandidates(localHost('none'));
      assert.deepEqual(list.warnings, []);
      assert.ok(!list.devices.some((d) => d.path === loop), 'a loop device is never offered');
      const root = spawnSync('findmnt', ['-n', '-o', 'SOURCE', '/'], { encoding: 'utf8' }).stdout.trim();
      const disk = list.devices.find((d) => root === d.path || root.startsWith(d.path));
      if (disk)
        assert.ok(
          disk.refusals.some((r) => r.kind === 'live-system'),
          `${disk.path} holds / and is refused`,
        );
    });

    it('writes exactly the image, reads it back, compares SHA-256 and says neither eject nor udisksctl is here', async () => {
      refill();
      const image = path.join(dir, 'image.iso');
      const bytes = crypto.randomBytes(40 * MiB + 2048); // not a multiple of 4096: the buffered read-back path
      fs.writeFileSync(image, bytes);
      const events: WriteEvent[] = [];
      const report = await inspectImage(image);
      const r = await writeImage(localHost('none'), stick(), report, { onEvent: (e) => events.push(e) });
      assert.equal(r.status, 'verified', JSON.stringify(r));
      assert.ok(r.status === 'verified');
      assert.equal(r.sha256, sha(bytes));
      assert.equal(r.bytes, bytes.length);
      assert.deepEqual(deviceBytes(loop, bytes.length), bytes, 'the device holds the image');
      assert.deepEqual(
        deviceBytes(loop, 4096, bytes.length),
        Buffer.alloc(4096, FILL),
        'and nothing was written after it',
      );
      const hasTool = (t: string) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0;
      if (!hasTool('udisksctl') && !hasTool('eject'))
        assert.deepEqual(r.powerOff, {
          method: 'none',
          ok: false,
          text: 'neither udisksctl nor eject is installed there',
        });
      assert.deepEqual(
        events.filter((e) => e.kind === 'phase').map((e) => (e.kind === 'phase' ? e.phase : '')),
        ['write', 'verify', 'power-off'],
      );
      const last = events.filter((e) => e.kind === 'progress' && e.progress.phase === 'write').pop();
      assert.ok(
        last?.kind === 'progress' &&
          last.progress.bytes === bytes.length &&
          last.progress.total === bytes.length,
      );
    });

    it('reports a read-back that differs from the image as a mismatch, never as verified', async () => {
      const image = path.join(dir, 'small.img');
      fs.writeFileSync(image, crypto.randomBytes(4 * MiB));
      const report = { ...(await inspectImage(image)), sha256: 'f'.repeat(64) };
      const r = await writeImage(localHost('none'), stick(), report, { powerOff: false });
      assert.equal(r.status, 'mismatch');
      assert.ok(r.status === 'mismatch' && r.actual === sha(fs.readFileSync(image)));
    });

    it('refuses in the script itself when the device is not the size confirmed', async () => {
      const image = path.join(dir, 'small.img');
      const r = await writeImage(
        localHost('none'),
        { ...stick(), sizeBytes: DEVICE_BYTES * 2 },
        await inspectImage(image),
      );
      assert.equal(r.status, 'refused');
      assert.ok(r.status === 'refused' && /not the \d+ bytes confirmed/.test(r.reason));
    });

    it('an input that ends mid-write (a cut connection) leaves the device not verified, and the log says so', async () => {
      refill();
      const log = fileWriteLog(path.join(dir, 'log', 'media-writes.jsonl'));
      const total = 32 * MiB;
      const report = fifoImage(dir, 'cut.fifo', total);
      const fifo = report.path;
      const writing = writeImage(localHost('none', { streamImage: true }), stick(), report, { log });
      // The writer opens the FIFO for reading; feed 8 MiB and end it, as a dropped SSH channel ends dd's input.
      const sent = crypto.randomBytes(8 * MiB);
      await new Promise<void>((resolve, reject) => {
        const w = fs.createWriteStream(fifo);
        w.on('error', reject);
        w.end(sent, resolve);
      });
      const r = await writing;
      assert.equal(r.status, 'not-verified', JSON.stringify(r));
      assert.ok(r.status === 'not-verified');
      assert.equal(r.phase, 'write');
      assert.equal(r.bytesWritten, sent.length);
      assert.match(r.reason, /stopped after 8388608 of 33554432 bytes/);
      assert.deepEqual(deviceBytes(loop, sent.length), sent, 'what arrived was written (direct I/O, fsync)');
      const entries = fs
        .readFileSync(log.file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { status: string });
      assert.deepEqual(
        entries.map((e) => e.status),
        ['started', 'not-verified'],
      );
      assert.equal([...lastWrites(fs.readFileSync(log.file, 'utf8')).values()][0].status, 'not-verified');
      assert.ok(!ddRunningOn(loop));
    });

    it('cancel mid-write stops dd and reports not verified', async () => {
      const total = 64 * MiB;
      const report = fifoImage(dir, 'cancel.fifo', total);
      const fifo = report.path;
      const ac = new AbortController();
      let progressed = 0;
      const writing = writeImage(localHost('none', { streamImage: true }), stick(), report, {
        signal: ac.signal,
        onEvent: (e) => {
          if (e.kind === 'progress' && e.progress.phase === 'write') progressed = e.progress.bytes;
        },
      });
      const w = fs.createWriteStream(fifo);
      w.on('error', () => undefined); // the reader goes away on cancel
      // A steady 1 MiB every 100 ms: dd keeps writing (and reports progress once a second) until the cancel.
      const feeder = setInterval(() => {
        if (!w.destroyed && w.writableLength < 4 * MiB) w.write(crypto.randomBytes(MiB));
      }, 100);
      let r: Awaited<typeof writing>;
      try {
        await waitFor(() => progressed > 0); // dd has reported bytes written: the write is under way
        assert.ok(ddRunningOn(loop), 'dd is writing');
        ac.abort();
        r = await writing;
      } finally {
        clearInterval(feeder);
        ac.abort();
        w.destroy();
      }
      assert.equal(r.status, 'not-verified', JSON.stringify(r));
      assert.ok(r.status === 'not-verified' && /cancelled/.test(r.reason) && r.phase === 'write');
      assert.ok(r.bytesWritten > 0 && r.bytesWritten < total, String(r.bytesWritten));
      await waitFor(() => !ddRunningOn(loop), 10_000);
    });

    it('a mounted stick is refused by the script, and unmounted first only when asked and only under /mnt, /media', async () => {
      refill();
      execFileSync('mkfs.ext4', ['-q', '-F', '-L', 'AUTOMOUNT', loop], { stdio: 'ignore' });
      const mnt = fs.mkdtempSync('/mnt/nixkit-media-test-');
      const elsewhere = path.join(dir, 'not-media');
      fs.mkdirSync(elsewhere);
      const image = path.join(dir, 'small.img');
      const report = await inspectImage(image);
      try {
        execFileSync('mount', [loop, mnt]);
        let r = await writeImage(localHost('none'), stick(), report, { powerOff: false });
        assert.equal(r.status, 'refused');
        assert.ok(r.status === 'refused' && r.reason === `${loop} is mounted: unmount it first`, r.reason);
        const events: WriteEvent[] = [];
        r = await writeImage(localHost('none'), stick(), report, {
          powerOff: false,
          unmount: true,
          onEvent: (e) => events.push(e),
        });
        assert.equal(r.status, 'verified', JSON.stringify(r));
        assert.ok(events.some((e) => e.kind === 'note' && e.text === `unmounted ${mnt}`));
        assert.ok(!fs.readFileSync('/proc/mounts', 'utf8').includes(` ${mnt} `), 'unmounted');
        // The write replaced the filesystem: a fresh one, mounted outside the places removable media go.
        execFileSync('mkfs.ext4', ['-q', '-F', loop], { stdio: 'ignore' });
        execFileSync('mount', [loop, elsewhere]);
        r = await writeImage(localHost('none'), stick(), report, { powerOff: false, unmount: true });
        assert.equal(r.status, 'refused');
        assert.ok(
          r.status === 'refused' && /is not where removable media are mounted: not unmounted/.test(r.reason),
        );
      } finally {
        spawnSync('umount', [mnt]);
        spawnSync('umount', [elsewhere]);
        fs.rmdirSync(mnt);
      }
    });

    it('nixkit media write: refuses a wrong typed name and a refused disk, then writes the stick when typed', async () => {
      refill();
      // The workstation's USB stick (sdb) is this loop device, with its size.
      const lsblk = fs
        .readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'media', 'lsblk-workstation.json'), 'utf8')
        .replaceAll('"/dev/sdb"', JSON.stringify(loop))
        .replace('"size": 15376318464', `"size": ${DEVICE_BYTES}`);
      const byId = `/dev/disk/by-id/usb-SanDisk_Ultra_Fit_X-0:0\t${loop}\n`;
      assert.equal(
        findCandidate(parseCandidates({ kind: 'local' }, lsblk, byId), loop)?.sizeBytes,
        DEVICE_BYTES,
      );
      const real = localHost('none');
      const host: MediaHost = {
        ...real,
        run: async () => ({
          code: 0,
          stdout: Buffer.from(`${lsblk}\n${BYID_MARK}\n${byId}`),
          stderr: Buffer.alloc(0),
        }),
      };
      const image = path.join(dir, 'nixos.iso');
      const bytes = crypto.randomBytes(6 * MiB);
      fs.writeFileSync(image, bytes);
      fs.writeFileSync(`${image}.sha256`, `${sha(bytes)}  nixos.iso\n`);
      const run = async (args: string[], typed: string | undefined) => {
        let out = '';
        let err = '';
        const io: CliIO = {
          stdout: (t) => (out += t),
          stderr: (t) => (err += t),
          cwd: dir,
          env: { HOME: dir, XDG_STATE_HOME: path.join(dir, 'state') },
          signal: new AbortController().signal,
        };
        const asked: string[] = [];
        const code = await makeMediaCommand({
          localHost: () => host,
          confirm: async (q) => {
            asked.push(q);
            return typed;
          },
        })(args, io);
        return { code, out, err, asked };
      };

      let r = await run(['write', 'nixos.iso', '--device', 'nvme0n1'], 'nvme0n1');
      assert.equal(r.code, 1);
      assert.match(r.err, /cannot be written:\n.*mounted at \/: the running system/s);
      assert.deepEqual(r.asked, [], 'a refused disk is never even offered for confirmation');

      r = await run(['write', 'nixos.iso', '--device', 'usb-SanDisk_Ultra_Fit_X-0:0'], 'sda');
      assert.equal(r.code, 1);
      assert.match(
        r.asked[0],
        new RegExp(
          `ERASES everything on ${loop} \\(SanDisk Ultra Fit, 96.0 MiB\\).*Type the device's name \\(sdb\\)`,
        ),
      );
      assert.match(r.err, /Refused, nothing was written.*typed name "sda" is not/);
      assert.deepEqual(deviceBytes(loop, 4096), Buffer.alloc(4096, FILL), 'nothing was written');
      assert.match(
        r.out,
        /labels: "NIXOS \\"ISO\\" \$\(reboot\) `id`\\n\\u001b\[31mred"/,
        'the hostile label, escaped',
      );

      r = await run(['write', 'nixos.iso', '--device', loop, '--no-power-off'], 'sdb');
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /Hybrid ISO|No ISO 9660/);
      assert.match(r.out, /checksum: matches .*nixos\.iso\.sha256/);
      assert.match(r.out, new RegExp(`Written and verified: ${bytes.length} bytes, SHA-256 ${sha(bytes)}`));
      assert.deepEqual(deviceBytes(loop, bytes.length), bytes);
      const logged = fs.readFileSync(path.join(dir, 'state', 'nixkit', 'media-writes.jsonl'), 'utf8');
      assert.match(logged.trim().split('\n').pop()!, /"status":"verified"/);
    });
  },
);
