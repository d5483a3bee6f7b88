// The media write on an SSH target (the namespace target, a loop device of its own as the "stick"): the image is
// streamed over the verified session into the root script through sudo with a password (sudo's prompt answered
// before a single image byte flows), read back and verified there; a connection dropped mid-write is reported as
// not verified, and no dd is left writing on the target.
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sshHost } from '../../engine/media/host';
import { inspectImage } from '../../engine/media/image';
import { listCandidates } from '../../engine/media/list';
import { writeImage } from '../../engine/media/write';
import type { Session } from '../../engine/ssh/session';
import {
  ddRunningOn,
  deviceBytes,
  fifoImage,
  fillDevice,
  loopCandidate,
  MiB,
  waitFor,
} from './media-helpers';
import {
  attachTestDisk,
  connectTarget,
  killSshSessions,
  startNetnsTarget,
  type TestTarget,
} from './netns-target';

const T = { timeout: 120_000 };
const STICK_BYTES = 64 * MiB;
let t: TestTarget;
let stop: () => void;
let dir: string;
let loop: string;

before(
  () => {
    ({ target: t, stop } = startNetnsTarget());
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-media-ssh-'));
    // In the target's state folder: the target's stop detaches it, even after a crash of this file.
    loop = attachTestDisk(t, 'stick', STICK_BYTES / MiB).loop;
  },
  { timeout: 90_000 },
);
after(
  () => {
    stop?.();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  },
  { timeout: 60_000 },
);

describe('media write over SSH', () => {
  it('lists the target and writes an image as a sudo-with-password user, verified there', T, async () => {
    const s = await connectTarget(t, dir, t.users.sudoPassword, { sudoPassword: t.sudoPassword });
    try {
      const host = sshHost(s);
      const list = await listCandidates(host);
      assert.deepEqual(list.warnings, []);
      assert.ok(list.devices.length > 0, 'the target has disks');
      fillDevice(loop, STICK_BYTES, 0x5a);
      const image = path.join(dir, 'image.iso');
      const bytes = crypto.randomBytes(24 * MiB);
      fs.writeFileSync(image, bytes);
      const r = await writeImage(host, loopCandidate(loop, STICK_BYTES), await inspectImage(image));
      assert.equal(r.status, 'verified', JSON.stringify(r));
      assert.ok(
        r.status === 'verified' && r.sha256 === crypto.createHash('sha256').update(bytes).digest('hex'),
      );
      assert.deepEqual(
        deviceBytes(loop, bytes.length),
        bytes,
        'no sudo password or prompt reached the device',
      );
      assert.deepEqual(deviceBytes(loop, 4096, bytes.length), Buffer.alloc(4096, 0x5a));
    } finally {
      s.close();
    }
  });

  it('a connection dropped mid-write: not verified, and dd on the target stops', T, async () => {
    const s: Session = await connectTarget(t, dir, 'root', {
      keepaliveIntervalMs: 1000,
      keepaliveCountMax: 2,
    });
    const report = fifoImage(dir, 'cut.fifo', 48 * MiB);
    const w = fs.createWriteStream(report.path);
    w.on('error', () => undefined);
    let progressed = 0;
    const feeder = setInterval(() => {
      if (!w.destroyed && w.writableLength < 4 * MiB) w.write(crypto.randomBytes(MiB));
    }, 100);
    try {
      const writing = writeImage(sshHost(s), loopCandidate(loop, STICK_BYTES), report, {
        onEvent: (e) => {
          if (e.kind === 'progress' && e.progress.phase === 'write') progressed = e.progress.bytes;
        },
      });
      await waitFor(() => progressed > 0, 60_000);
      assert.ok(killSshSessions(t) > 0);
      const r = await writing;
      assert.equal(r.status, 'not-verified', JSON.stringify(r));
      assert.ok(r.status === 'not-verified');
      assert.equal(r.phase, 'write');
      assert.match(r.reason, /connection .* was lost/);
      assert.match(r.reason, /incomplete image/);
      await waitFor(() => !ddRunningOn(loop), 30_000);
    } finally {
      clearInterval(feeder);
      w.destroy();
      s.close();
    }
  });
});
