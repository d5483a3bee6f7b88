// The media tier: `nixkit media test` boots nixkit's test image (test/targets/media/build-test-image.sh: a hybrid
// ISO with the VM image's kernel and a busybox initrd printing NIXKIT-MEDIA-MARKER) in real QEMU, under OVMF and
// SeaBIOS, as a CD and as a USB disk; a blank image and a too-short time limit report where they stopped; and
// QEMU's iPXE boots the netboot set from nixkit's HTTP server on 127.0.0.1. One QEMU at a time, 384 MiB.
// TCG unless NIXKIT_MEDIA_ACCEL says otherwise: KVM is not usable on the machines this runs on (see vm/README.md).
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { runBootTest } from '../../engine/media/boot-test';
import { startNetbootServer, type NetbootServer } from '../../engine/media/netboot';
import type { BootAccel, NetbootRequestEvent } from '../../protocol/media-boot';
import { CLI, REPO_ROOT, tempDir } from '../helpers';

const ACCEL = (process.env.NIXKIT_MEDIA_ACCEL ?? 'tcg') as BootAccel;
const BUILD = path.join(REPO_ROOT, 'test', 'targets', 'media', 'build-test-image.sh');
const work = tempDir('media-boot');
let image = '';
let netbootDir = '';

before(() => {
  const dir = execFileSync('bash', [BUILD], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  // A copy with an unusual name in our own folder: its path also finds any QEMU left running afterwards.
  image = path.join(work, "test image, 'copy'.iso");
  fs.copyFileSync(path.join(dir, 'test.iso'), image);
  netbootDir = path.join(dir, 'netboot');
});

/** QEMU processes whose command line names `file` (none may outlive a test). */
function qemusUsing(file: string): number[] {
  const pids: number[] = [];
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(file)) pids.push(Number(p));
    } catch {
      /* gone */
    }
  }
  return pids.filter((p) => p !== process.pid);
}

/** The CLI as a child process (async: the netboot server in this process must keep answering meanwhile). */
function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const combos = [
  { fw: 'uefi', as: 'cdrom', via: 'grub-efi' },
  { fw: 'uefi', as: 'usb', via: 'grub-efi' },
  { fw: 'bios', as: 'cdrom', via: 'grub-bios' },
  { fw: 'bios', as: 'usb', via: 'grub-bios' },
] as const;

for (const c of combos) {
  test(
    `nixkit media test --${c.fw} --as ${c.as}: boot loader, kernel, then the marker`,
    { timeout: 300_000 },
    async () => {
      const r = await cli([
        'media',
        'test',
        image,
        `--${c.fw}`,
        '--as',
        c.as,
        '--timeout',
        '240',
        '--memory',
        '384',
        '--accel',
        ACCEL,
      ]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const stages = [...r.stdout.matchAll(/^>> stage (\w+) at /gm)].map((m) => m[1]);
      assert.deepEqual(stages, ['loader', 'kernel', 'userspace'], r.stdout);
      // The console was streamed, and the marker is the one of this boot path (GRUB's platform on the command line).
      assert.match(r.stdout, /^ {2}\| .*Linux version /m);
      assert.match(
        r.stdout,
        new RegExp(
          `^PASS: booted: reached the image's userspace \\("NIXKIT-MEDIA-MARKER via=${c.via}"\\)`,
          'm',
        ),
      );
      assert.deepEqual(qemusUsing(image), []);
    },
  );
}

test(
  'a blank image: the firmware finds no boot loader, said at once, no stage reached',
  { timeout: 300_000 },
  async () => {
    const blank = path.join(work, 'blank.img');
    fs.writeFileSync(blank, Buffer.alloc(4 * 1024 * 1024));
    for (const fw of ['bios', 'uefi'] as const) {
      const t = Date.now();
      const r = await runBootTest({
        image: blank,
        firmware: fw,
        as: 'usb',
        timeoutSeconds: 200,
        memoryMiB: 256,
        accel: ACCEL,
      });
      assert.equal(r.ok, false);
      assert.equal(r.outcome, 'failed', r.summary);
      assert.equal(r.reached, null);
      assert.ok(Date.now() - t < 200_000);
      assert.match(
        r.summary,
        fw === 'bios'
          ? /^did not boot: the BIOS found no bootable device/
          : /^did not boot: the UEFI firmware found no boot loader/,
      );
      assert.deepEqual(qemusUsing(blank), []);
    }
  },
);

test(
  'the time limit: QEMU is killed, the result says the last stage reached',
  { timeout: 120_000 },
  async () => {
    const lines: string[] = [];
    const r = await runBootTest(
      {
        image,
        firmware: 'bios',
        as: 'cdrom',
        timeoutSeconds: 4,
        memoryMiB: 384,
        accel: ACCEL,
        markers: ['NEVER-PRINTED'],
      },
      { onLine: (l) => lines.push(l) },
    );
    assert.equal(r.outcome, 'timeout', r.summary);
    assert.equal(r.reached, 'loader');
    assert.match(r.summary, /^did not boot within 4 s: stopped after a boot loader/);
    assert.ok(lines.some((l) => l.includes('GRUB')));
    assert.deepEqual(qemusUsing(image), []);
  },
);

test('cancelled: the signal stops QEMU', { timeout: 120_000 }, async () => {
  const ac = new AbortController();
  const r = await runBootTest(
    { image, firmware: 'bios', as: 'usb', timeoutSeconds: 200, memoryMiB: 384, accel: ACCEL },
    { signal: ac.signal, onStage: (s) => s.stage === 'loader' && ac.abort() },
  );
  assert.equal(r.outcome, 'cancelled');
  assert.equal(r.reached, 'loader');
  assert.deepEqual(qemusUsing(image), []);
});

let server: NetbootServer | undefined;
after(() => server?.stop());

test(
  "netboot: QEMU's iPXE boots the set from nixkit's HTTP server on 127.0.0.1",
  { timeout: 300_000 },
  async () => {
    const requests: NetbootRequestEvent[] = [];
    server = await startNetbootServer({ dir: netbootDir, listen: '127.0.0.1:0' }, (e) => requests.push(e));
    const r = await cli([
      'media',
      'test',
      '--netboot',
      server.scriptUrl,
      '--timeout',
      '240',
      '--memory',
      '384',
      '--accel',
      ACCEL,
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^>> stage loader at .*iPXE/m);
    assert.match(
      r.stdout,
      /^PASS: booted: reached the image's userspace \("NIXKIT-MEDIA-MARKER via=netboot"\)/m,
    );
    // iPXE took nixkit's script, the set's script, then the kernel and initrd, whole.
    assert.deepEqual(
      requests.map((q) => `${q.method} ${q.path} ${q.status}`),
      ['GET /nixkit.ipxe 200', 'GET /netboot.ipxe 200', 'GET /bzImage 200', 'GET /initrd 200'],
    );
    assert.equal(requests[2].bytes, fs.statSync(path.join(netbootDir, 'bzImage')).size);
    await server.stop();
  },
);
