// The write page's contract: its messages both ways (accepted in their shape, rejected otherwise), the Write gate
// both sides apply (typed name exactly, overrides ticked, refused devices never), the engine → view model
// (refused devices last, hostile strings verbatim, outcomes in words) and the page's progress text.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
  deviceViews,
  imageView,
  lastWriteText,
  resultView,
  whereOf,
} from '../../../extension/panels/media-write-model';
import {
  TEST_BY_ID_ENV,
  TEST_LSBLK_ENV,
  withRecordedDevices,
} from '../../../extension/media/recorded-devices';
import { localHost } from '../../../engine/media/host';
import { listCandidates } from '../../../engine/media/list';
import type { ImageReport, WriteCandidate } from '../../../protocol/media';
import {
  FROM_WEBVIEW_GUARDS,
  TO_WEBVIEW_GUARDS,
  isFromWebview,
  isToWebview,
  mediaWriteGate,
  type FromWebview,
  type MediaWriteView,
} from '../../../protocol/webview-messages';
import { formatDuration, progressText } from '../../../webview/media-write-view';

const HOSTILE = `"$(touch /tmp/pwned)\`id\`<b>x</b>\nnext`;

function candidate(over: Partial<WriteCandidate> = {}): WriteCandidate {
  return {
    name: 'sdb',
    path: '/dev/sdb',
    byId: ['/dev/disk/by-id/usb-SanDisk_Ultra_4C53-0:0'],
    sizeBytes: 32 * 1024 ** 3,
    model: 'Ultra',
    vendor: 'SanDisk',
    serial: '4C53',
    transport: 'usb',
    removable: true,
    labels: [HOSTILE],
    refusals: [],
    overrides: [],
    confirmName: 'sdb',
    ...over,
  };
}

function image(over: Partial<ImageReport> = {}): ImageReport {
  return {
    path: '/home/u/nixos.iso',
    sizeBytes: 1024 ** 3,
    problems: [],
    boot: 'hybrid-iso',
    layout: { iso9660: true, elTorito: true, mbrSignature: true, gpt: true, volumeId: 'nixos-24.11' },
    bootText: 'A hybrid ISO: boots from a USB stick and from a CD.',
    checksum: { status: 'none', text: 'No checksum file given or found beside the image.' },
    sha256: null,
    ...over,
  };
}

const system = candidate({
  name: 'vda',
  path: '/dev/vda',
  byId: [],
  transport: null,
  removable: false,
  refusals: [{ kind: 'live-system', text: '/dev/vda1 is mounted at / (the running system)' }],
  confirmName: 'vda',
});
const big = candidate({
  name: 'sdc',
  path: '/dev/sdc',
  sizeBytes: 1024 ** 4,
  overrides: ['large'],
  confirmName: 'sdc',
});

function view(over: Partial<MediaWriteView> = {}): MediaWriteView {
  const img = image();
  return {
    busy: null,
    error: null,
    where: { kind: 'local', target: null },
    targets: [],
    devices: deviceViews([system, big, candidate()], img),
    warnings: [],
    image: imageView(img),
    run: null,
    ...over,
  };
}

describe('write page protocol', () => {
  const valid: FromWebview[] = [
    { type: 'media/setWhere', where: { kind: 'local', target: null } },
    { type: 'media/setWhere', where: { kind: 'ssh', target: 'root@192.0.2.1' } },
    { type: 'media/refresh' },
    { type: 'media/pickImage' },
    {
      type: 'media/write',
      device: '/dev/sdb',
      overrides: ['large', 'non-removable'],
      typedConfirmation: HOSTILE,
    },
    { type: 'media/cancel' },
    { type: 'media/again' },
  ];

  it('accepts every page → extension message in its shape, and has an example of each', () => {
    for (const m of valid) assert.ok(isFromWebview(m), JSON.stringify(m));
    const mediaTypes = (g: object) => Object.keys(g).filter((k) => k.startsWith('media/'));
    assert.deepEqual(mediaTypes(FROM_WEBVIEW_GUARDS).sort(), [...new Set(valid.map((m) => m.type))].sort());
    assert.deepEqual(mediaTypes(TO_WEBVIEW_GUARDS).sort(), ['media/log', 'media/progress', 'media/show']);
  });

  it('rejects extra fields, unknown overrides and places, wrong types', () => {
    for (const bad of [
      { type: 'media/setWhere', where: { kind: 'elsewhere', target: null } },
      { type: 'media/setWhere', where: { kind: 'ssh' } },
      { type: 'media/setWhere', where: { kind: 'local', target: null }, sudo: true },
      { type: 'media/write', device: '/dev/sdb', overrides: ['system-disk'], typedConfirmation: 'sdb' },
      { type: 'media/write', device: '/dev/sdb', overrides: [], typedConfirmation: 1 },
      { type: 'media/write', device: '/dev/sdb', overrides: [] },
      { type: 'media/write', device: ['/dev/sdb'], overrides: [], typedConfirmation: 'sdb' },
      { type: 'media/cancel', force: true },
      { type: 'media/show', view: view() }, // extension → page only
    ])
      assert.ok(!isFromWebview(bad), JSON.stringify(bad));
  });

  it('checks the whole view the extension sends, hostile strings included', () => {
    const v = view();
    assert.ok(isToWebview({ type: 'media/show', view: v }));
    assert.ok(isToWebview({ type: 'media/log', lines: [HOSTILE] }));
    assert.ok(
      isToWebview({
        type: 'media/progress',
        progress: { phase: 'write', bytes: 1, total: 2, rate: null, secondsLeft: null },
      }),
    );
    assert.ok(!isToWebview({ type: 'media/show', view: { ...v, injected: '<script>' } }));
    assert.ok(
      !isToWebview({
        type: 'media/progress',
        progress: { phase: 'erase', bytes: 1, total: 2, rate: null, secondsLeft: null },
      }),
    );
    const devices = v.devices!.map((d) => ({ ...d, overrides: ['everything'] }));
    assert.ok(!isToWebview({ type: 'media/show', view: { ...v, devices } }));
  });
});

describe('the Write gate', () => {
  it('opens only for the exact confirm name of a writable device', () => {
    const v = view();
    assert.equal(mediaWriteGate(v, '/dev/sdb', [], '').enabled, false);
    assert.equal(mediaWriteGate(v, '/dev/sdb', [], 'sd').enabled, false);
    assert.equal(mediaWriteGate(v, '/dev/sdb', [], 'SDB').enabled, false);
    assert.equal(mediaWriteGate(v, '/dev/sdb', [], '/dev/sdb').enabled, false);
    const spaced = mediaWriteGate(v, '/dev/sdb', [], 'sdb ');
    assert.equal(spaced.enabled, false);
    assert.match(spaced.hint, /exactly/);
    const ok = mediaWriteGate(v, '/dev/sdb', [], 'sdb');
    assert.equal(ok.enabled, true);
    assert.match(ok.hint, /Everything on \/dev\/sdb will be erased/);
  });

  it('never opens for a refused device, even with its name typed', () => {
    const g = mediaWriteGate(view(), '/dev/vda', ['large', 'non-removable'], 'vda');
    assert.equal(g.enabled, false);
    assert.match(g.hint, /running system/);
  });

  it('needs the override ticked for a large device', () => {
    assert.equal(mediaWriteGate(view(), '/dev/sdc', [], 'sdc').enabled, false);
    assert.match(mediaWriteGate(view(), '/dev/sdc', [], 'sdc').hint, /large.*override/);
    assert.equal(mediaWriteGate(view(), '/dev/sdc', ['large'], 'sdc').enabled, true);
  });

  it('stays shut without an image, for an image with problems or a checksum mismatch, or one that does not fit', () => {
    assert.equal(mediaWriteGate(view({ image: null }), '/dev/sdb', [], 'sdb').enabled, false);
    const broken = imageView(image({ problems: ['the image is empty'] }));
    assert.match(mediaWriteGate(view({ image: broken }), '/dev/sdb', [], 'sdb').hint, /empty/);
    const bad = imageView(
      image({ checksum: { status: 'mismatch', file: 'x.sha256', expected: 'aa', actual: 'bb' } }),
    );
    assert.equal(mediaWriteGate(view({ image: bad }), '/dev/sdb', [], 'sdb').enabled, false);
    const huge = image({ sizeBytes: 64 * 1024 ** 3 });
    const v = view({ image: imageView(huge), devices: deviceViews([candidate()], huge) });
    assert.match(mediaWriteGate(v, '/dev/sdb', [], 'sdb').hint, /does not fit/);
    assert.equal(mediaWriteGate(view({ busy: 'Reading…' }), '/dev/sdb', [], 'sdb').enabled, false);
  });
});

describe('the write page model', () => {
  it('lists writable devices first and refused ones last, with their reasons and strings verbatim', () => {
    const ds = deviceViews([system, big, candidate()], null);
    assert.deepEqual(
      ds.map((d) => d.path),
      ['/dev/sdb', '/dev/sdc', '/dev/vda'],
    );
    assert.deepEqual(ds[2].refusals, ['/dev/vda1 is mounted at / (the running system)']);
    assert.deepEqual(ds[0].labels, [HOSTILE]);
    assert.equal(ds[0].imageFits, null);
  });

  it("marks a device whose last write by nixkit did not end verified (from the engine's write log)", () => {
    const entry = { where: 'this machine', device: '/dev/sdb', byId: null, serial: '4C53', image: '/i.iso' };
    const ds = deviceViews([candidate(), big], null, (c) =>
      c.path === '/dev/sdb' ? { ...entry, status: 'started', time: '2026-12-07T03:00:00Z' } : undefined,
    );
    assert.match(
      ds[0].lastWrite!,
      /last write to this device \(\/i\.iso, 2026-12-07T03:00:00Z\) never finished/,
    );
    assert.equal(ds[1].lastWrite, null);
    assert.equal(lastWriteText({ ...entry, status: 'verified' }), null);
    assert.match(lastWriteText({ ...entry, status: 'mismatch' })!, /read back differently/);
    assert.match(lastWriteText({ ...entry, status: 'not-verified' })!, /was not verified/);
  });

  it('describes the image layout and checksum in words', () => {
    const v = imageView(image());
    assert.equal(v.layout, 'ISO 9660 "nixos-24.11", El Torito, MBR boot signature, GPT');
    const m = imageView(
      image({ checksum: { status: 'match', file: '/home/u/nixos.iso.sha256', sha256: 'ab' } }),
    );
    assert.match(m.checksum.text, /matches \/home\/u\/nixos\.iso\.sha256/);
  });

  it('says what the device holds after each outcome', () => {
    const cut = resultView({
      status: 'not-verified',
      device: '/dev/sdb',
      phase: 'write',
      bytesWritten: 5,
      reason: 'the SSH connection dropped',
    });
    assert.match(cut.text, /Not verified.*writing.*the SSH connection dropped.*do not boot from it/s);
    const good = resultView({
      status: 'verified',
      device: '/dev/sdb',
      bytes: 10,
      sha256: 'ab',
      writeSeconds: 1,
      verifySeconds: 1,
      powerOff: { method: 'udisksctl', ok: true },
      text: 'Safe to pull the stick.',
    });
    assert.match(
      good.text,
      /^Written: the read-back of 10 bytes matches the image \(1\.0 s writing, 1\.0 s verifying\)\. Safe to pull/,
    );
    assert.equal(good.sha256, 'ab');
    assert.equal(
      resultView({ status: 'refused', device: '/dev/sdb', reason: 'the typed name is not sdb' }).status,
      'refused',
    );
  });

  it('keeps an SSH target and falls back to this machine without one', () => {
    assert.deepEqual(whereOf({ kind: 'ssh', target: 'root@h' }), { kind: 'ssh', target: 'root@h' });
    assert.deepEqual(whereOf({ kind: 'ssh', target: null }), { kind: 'local' });
  });
});

describe('the progress line', () => {
  const fmt = (n: number) => `${n} B`;
  it('shows bytes, percent, rate and time left once known', () => {
    assert.equal(
      progressText({ phase: 'write', bytes: 25, total: 100, rate: 5, secondsLeft: 15 }, fmt),
      'Writing: 25 B of 100 B (25%), 5 B/s, 15 s left',
    );
    assert.equal(
      progressText({ phase: 'verify', bytes: 0, total: 100, rate: null, secondsLeft: null }, fmt),
      'Reading back and comparing: 0 B of 100 B (0%)',
    );
  });
  it('formats durations', () => {
    assert.equal(formatDuration(42), '42 s');
    assert.equal(formatDuration(185), '3 min 05 s');
    assert.equal(formatDuration(3720), '1 h 02 min');
  });
});

describe('the recorded device listing (the UI test seam)', () => {
  it('is off unless its variable is set; when set, the engine lists the recording', async () => {
    const real = localHost('none');
    assert.equal(withRecordedDevices(real, {}).host, real);
    assert.equal(withRecordedDevices(real, {}).notice, null);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-recorded-'));
    try {
      const lsblk = path.join(dir, 'lsblk.json');
      const byId = path.join(dir, 'by-id.txt');
      fs.writeFileSync(
        lsblk,
        JSON.stringify({
          blockdevices: [
            {
              name: 'sdb',
              kname: 'sdb',
              path: '/dev/loop7',
              size: 8e9,
              type: 'disk',
              rm: true,
              tran: 'usb',
              label: HOSTILE,
            },
            {
              name: 'loop0',
              kname: 'loop0',
              path: '/dev/loop0',
              size: 1e6,
              type: 'loop',
              rm: false,
              tran: null,
            },
          ],
        }),
      );
      fs.writeFileSync(byId, '/dev/disk/by-id/usb-Stick-0:0\t/dev/loop7\n');
      const r = withRecordedDevices(real, { [TEST_LSBLK_ENV]: lsblk, [TEST_BY_ID_ENV]: byId });
      assert.match(r.notice!, /Test seam NIXKIT_MEDIA_TEST_LSBLK: these devices are a recorded list/);
      // The engine's own listing and parser: the loop device is no candidate; the "stick" keeps the recorded path
      // (where a write would go), its by-id name and its label verbatim; only the listing was replaced.
      const list = await listCandidates(r.host);
      assert.deepEqual(
        list.devices.map((d) => [d.path, d.confirmName, d.byId, d.labels, d.refusals.length]),
        [['/dev/loop7', 'sdb', ['/dev/disk/by-id/usb-Stick-0:0'], [HOSTILE], 0]],
      );
      assert.equal(r.host.runAsRoot, real.runAsRoot);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
