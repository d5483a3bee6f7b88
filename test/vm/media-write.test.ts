// `nixkit media write` over SSH onto a real USB stick: the UEFI VM (test/targets/vm) started with a QEMU
// usb-storage device backed by an image file. Only the stick is offered (the VM's live system disk is refused, the
// blank virtio install disk needs --allow-non-removable); without a terminal to type the name on, nothing is written;
// a write cancelled mid-way is reported as not verified (and `media list` says so afterwards); then the test image
// (test/targets/media/build-test-image.sh: a hybrid ISO with the VM's kernel and a busybox marker) is written,
// read back and verified in the VM, and — the VM stopped — `nixkit media test` boots *the stick's image file* as a
// USB disk under OVMF and reaches the image's marker. Needs root (VM image, media image cache); TCG: minutes.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeMediaCommand } from '../../cli/media-write-command';
import type { CliIO } from '../../cli/io';
import type { MediaCandidates } from '../../protocol/media';
import { CLI, REPO_ROOT } from '../helpers';
import { startVmTarget, type VmTarget } from './vm-target';

const MIN = 60_000;
const STICK_BYTES = 512 * 1024 * 1024;
const BUILD = path.join(REPO_ROOT, 'test', 'targets', 'media', 'build-test-image.sh');

let dir = '';
let stick = '';
let vm: VmTarget | undefined;
let stop: (() => void) | undefined;

function sshArgs(v: VmTarget): string[] {
  return [
    '--host',
    `root@${v.host}`,
    '--port',
    String(v.port),
    '--identity',
    v.identity,
    '--known-hosts',
    v.knownHosts,
  ];
}

function cli(
  args: string[],
  timeoutMs = 5 * MIN,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, XDG_STATE_HOME: path.join(dir, 'state') },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The write in this process (to type the name and to cancel), with the SSH flags of the CLI. */
async function write(
  args: string[],
  typed: string,
  cancelOnProgress = false,
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const ac = new AbortController();
  const io: CliIO = {
    stdout: (t) => (out += t),
    stderr: (t) => {
      err += t;
      // the first progress line of the write phase: the write is under way; cut it here
      if (cancelOnProgress && /^ {2}write: /m.test(err)) ac.abort();
    },
    cwd: dir,
    env: { HOME: dir, XDG_STATE_HOME: path.join(dir, 'state') },
    signal: ac.signal,
  };
  const code = await makeMediaCommand({ confirm: async () => typed })(['write', ...args], io);
  return { code, out, err };
}

before(
  async () => {
    assert.equal(process.getuid?.(), 0, 'the VM tier runs as root');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-vm-media-'));
    stick = path.join(dir, 'stick.img');
    fs.writeFileSync(stick, '');
    fs.truncateSync(stick, STICK_BYTES);
    const started = startVmTarget({ sshDeadlineS: 600, usbStick: stick });
    stop = started.stop;
    vm = await started.ready;
  },
  { timeout: 20 * MIN },
);

after(
  () => {
    stop?.();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  },
  { timeout: 2 * MIN },
);

describe("nixkit media write onto the VM's USB stick", () => {
  let stickPath = '';

  it(
    'offers only the USB stick: the live system disk is refused, the install disk needs an override',
    { timeout: 5 * MIN },
    async () => {
      const r = await cli(['media', 'list', '--json', ...sshArgs(vm!)]);
      assert.equal(r.code, 0, r.stderr);
      const list = JSON.parse(r.stdout) as MediaCandidates;
      const free = list.devices.filter((d) => !d.refusals.length && !d.overrides.length);
      assert.equal(free.length, 1, JSON.stringify(list.devices, null, 2));
      const s = free[0];
      assert.equal(s.transport, 'usb');
      assert.equal(s.sizeBytes, STICK_BYTES);
      assert.ok(
        s.byId.some((id) => id.startsWith('/dev/disk/by-id/usb-')),
        s.byId.join(' '),
      );
      stickPath = s.path;
      const live = list.devices.find((d) => d.refusals.some((x) => x.kind === 'live-system'));
      assert.ok(live, 'the disk the live system runs from is refused');
      const target = list.devices.find((d) => d.sizeBytes === 4 * 1024 ** 3);
      assert.ok(target, 'the blank install disk is listed');
      assert.deepEqual(target.refusals, []);
      assert.deepEqual(target.overrides, ['non-removable']);
    },
  );

  it('without a terminal to type the name on, nothing is written', { timeout: 5 * MIN }, async () => {
    const image = path.join(dir, 'random.img');
    fs.writeFileSync(image, crypto.randomBytes(1024 * 1024));
    const r = await cli(['media', 'write', image, '--device', stickPath, ...sshArgs(vm!)]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /needs its name typed on a terminal; nothing was written/);
    assert.deepEqual(fs.readFileSync(stick).subarray(0, 1024 * 1024), Buffer.alloc(1024 * 1024));
  });

  it(
    'a write cancelled mid-way is not verified, and `media list` says so afterwards',
    { timeout: 10 * MIN },
    async () => {
      const image = path.join(dir, 'big.img');
      fs.writeFileSync(image, crypto.randomBytes(256 * 1024 * 1024));
      const name = path.basename(stickPath);
      const r = await write([image, '--device', stickPath, ...sshArgs(vm!)], name, true);
      assert.equal(r.code, 1, r.out + r.err);
      assert.match(r.err, /NOT VERIFIED: .*cancelled during the write after \d+ of 268435456 bytes/);
      const l = await cli(['media', 'list', ...sshArgs(vm!)]);
      assert.match(l.stdout, /last write from nixkit: not-verified .*not verified/);
    },
  );

  it(
    'writes the hybrid test ISO, verified in the VM; the stick image then boots as a USB disk',
    { timeout: 30 * MIN },
    async () => {
      const cache = execFileSync('bash', [BUILD], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      }).trim();
      const iso = path.join(dir, 'test.iso');
      fs.copyFileSync(path.join(cache, 'test.iso'), iso);
      const bytes = fs.readFileSync(iso);
      const wrong = await write([iso, '--device', stickPath, ...sshArgs(vm!)], 'vda');
      assert.equal(wrong.code, 1);
      assert.match(wrong.err, /Refused, nothing was written.*typed name "vda" is not/);
      const r = await write([iso, '--device', stickPath, ...sshArgs(vm!)], path.basename(stickPath));
      assert.equal(r.code, 0, r.out + r.err);
      assert.match(r.out, /Hybrid ISO/);
      assert.match(r.out, /Written and verified/);
      assert.match(r.out, /safe to pull|could not be powered off|Verified/);
      stop?.(); // the VM lets go of the stick's file
      stop = undefined;
      assert.deepEqual(
        fs.readFileSync(stick).subarray(0, bytes.length),
        bytes,
        'the stick file holds the ISO',
      );
      const boot = await cli(
        ['media', 'test', stick, '--uefi', '--as', 'usb', '--quiet', '--memory', '512'],
        15 * MIN,
      );
      assert.equal(boot.code, 0, boot.stdout + boot.stderr);
      assert.match(boot.stdout, /^PASS: booted: reached the image's userspace \("NIXKIT-MEDIA-MARKER/m);
    },
  );
});
