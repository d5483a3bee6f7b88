// protocol/webview-messages.ts: every message both ways is accepted in its documented shape and rejected otherwise (extra
// fields, wrong types, unknown types, oversized values, prototypes other than Object's).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toProbeView } from '../../../extension/panels/probe-view';
import {
  FROM_WEBVIEW_GUARDS,
  LIMITS,
  TO_WEBVIEW_GUARDS,
  describeRejected,
  isFromWebview,
  isProbeView,
  isToWebview,
  type FromWebview,
  type ToWebview,
} from '../../../protocol/webview-messages';
import { HOSTILE, hostileReport } from './fixture';

const view = () => toProbeView(hostileReport(), 'root@rescue');

describe('webview protocol: webview → extension', () => {
  const valid: FromWebview[] = [
    { type: 'ready' },
    { type: 'probe/save' },
    { type: 'probe/generateHwconfig' },
    { type: 'probe/reprobe' },
  ];

  it('accepts every message type in its shape', () => {
    for (const m of valid) assert.ok(isFromWebview(m), JSON.stringify(m));
    // (the install wizard's messages are covered in install-wizard.test.ts, the write page's in media-write.test.ts)
    const probeTypes = Object.keys(FROM_WEBVIEW_GUARDS).filter(
      (k) => !k.startsWith('wizard/') && !k.startsWith('media/'),
    );
    assert.deepEqual(probeTypes.sort(), valid.map((m) => m.type).sort());
  });

  it('rejects unknown types, extra fields and non-objects', () => {
    for (const bad of [
      null,
      undefined,
      'ready',
      42,
      [],
      [{ type: 'ready' }],
      {},
      { type: 'Ready' },
      { type: 'probe/delete' },
      { type: 'toString' },
      { type: '__proto__' },
      { type: 'ready', extra: 1 },
      { type: 'probe/save', name: '../../etc/passwd' },
      { type: 7 },
    ])
      assert.equal(isFromWebview(bad), false, JSON.stringify(bad));
  });

  it('rejects objects that are not plain (class instances, Object.create of another prototype)', () => {
    class Msg {
      type = 'ready';
    }
    assert.equal(isFromWebview(new Msg()), false);
    assert.equal(isFromWebview(Object.create({ type: 'ready' })), false);
    assert.equal(isFromWebview(Object.assign(Object.create(null), { type: 'ready' })), true);
  });

  it('describes a rejected message without echoing its content', () => {
    assert.match(describeRejected({ type: 'probe/save', secret: 'hunter2' }), /probe\/save/);
    assert.doesNotMatch(describeRejected({ type: 'probe/save', secret: 'hunter2' }), /hunter2/);
    assert.match(describeRejected([1]), /array/);
  });
});

describe('webview protocol: extension → webview', () => {
  it('accepts every message type in its shape', () => {
    const valid: ToWebview[] = [
      { type: 'probe/show', probe: view(), savedAs: null },
      { type: 'probe/show', probe: view(), savedAs: 'demo' },
      { type: 'probe/saved', name: 'demo', file: '.nixkit/hosts/demo.json' },
      { type: 'probe/busy', busy: true },
      { type: 'status', level: 'error', text: 'x' },
    ];
    for (const m of valid) assert.ok(isToWebview(m), JSON.stringify(m).slice(0, 200));
    const probeTypes = Object.keys(TO_WEBVIEW_GUARDS).filter(
      (k) => !k.startsWith('wizard/') && !k.startsWith('media/'),
    );
    assert.deepEqual(probeTypes.sort(), [...new Set(valid.map((m) => m.type))].sort());
  });

  it('checks the probe view deeply', () => {
    const ok = view();
    assert.ok(isProbeView(ok));
    const mutate = (f: (v: ReturnType<typeof view>) => void) => {
      const v = view();
      f(v);
      return v;
    };
    const bad = [
      mutate((v) => ((v.disks[0] as unknown as Record<string, unknown>).sizeBytes = '20G')),
      mutate((v) => ((v.disks[0].partitions[0] as unknown as Record<string, unknown>).mountpoints = '/mnt')),
      mutate((v) => ((v.disks[0].partitions[0].fs as unknown as Record<string, unknown>).label = 5)),
      mutate((v) => ((v.firmware as unknown as Record<string, unknown>).mode = 'coreboot')),
      mutate((v) => ((v.warnings[0] as unknown as Record<string, unknown>).kind = 'fatal')),
      mutate((v) => ((v.nics[0] as unknown as Record<string, unknown>).onclick = 'alert(1)')),
      mutate((v) => ((v.memory as unknown as Record<string, unknown>).totalBytes = Infinity)),
      mutate((v) => ((v.memory as unknown as Record<string, unknown>).totalBytes = NaN)),
      mutate((v) => delete (v.system as unknown as Record<string, unknown>).kernel),
    ];
    for (const b of bad) {
      assert.equal(isProbeView(b), false);
      assert.equal(isToWebview({ type: 'probe/show', probe: b, savedAs: null }), false);
    }
  });

  it('bounds string and array sizes', () => {
    const long = 'x'.repeat(LIMITS.stringLength + 1);
    assert.equal(isToWebview({ type: 'status', level: 'info', text: long }), false);
    const v = view();
    v.missingTools = Array.from({ length: LIMITS.arrayLength + 1 }, () => 'x');
    assert.equal(isProbeView(v), false);
  });

  it('carries hostile target strings unchanged (escaping is the page’s job: it uses text nodes)', () => {
    const v = view();
    assert.equal(v.disks[0].partitions[0].fs?.label, HOSTILE);
    assert.equal(v.disks[0].partitions[0].partlabel, HOSTILE);
    assert.equal(v.disks[0].model, HOSTILE);
    const roundTrip = JSON.parse(JSON.stringify({ type: 'probe/show', probe: v, savedAs: null })) as unknown;
    assert.ok(isToWebview(roundTrip));
  });
});
