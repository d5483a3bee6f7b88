// runBootTest's control flow with a stand-in QEMU (a shell script): the KVM fallback, QEMU exiting early, a guest
// that keeps printing past its time limit. Real QEMU boots are the media tier's (test/media/boot.test.ts).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { runBootTest } from '../../../../engine/media/boot-test';
import type { BootTestOptions } from '../../../../protocol/media-boot';
import { tempDir } from '../../../helpers';

const dir = tempDir('boot-test');
const image = path.join(dir, 'a.img');
fs.writeFileSync(image, 'x');
const base: BootTestOptions = {
  image,
  firmware: 'bios',
  as: 'usb',
  timeoutSeconds: 20,
  memoryMiB: 256,
  accel: 'auto',
};

function fakeQemu(name: string, body: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return p;
}

test('auto: a KVM that QEMU cannot start is retried once under TCG, and the result says so', async () => {
  const qemu = fakeQemu(
    'qemu-kvm-broken',
    'case "$*" in *"-accel kvm"*) echo "kvm: failed to set MSR" >&2; exit 1;; esac\nprintf "Welcome to GRUB!\\r\\n[    0.000000] Linux version 6.1\\r\\nNIXKIT-MEDIA-MARKER ok\\r\\n"; sleep 5',
  );
  const lines: string[] = [];
  const r = await runBootTest(base, { onLine: (l) => lines.push(l) }, { qemu, ovmf: null, kvm: true });
  assert.equal(r.ok, true, r.summary);
  assert.equal(r.accel, 'tcg');
  assert.match(r.summary, /KVM could not be used \(kvm: failed to set MSR\)$/);
  assert.equal(lines[0], '(KVM failed: kvm: failed to set MSR; retrying with TCG)');
  assert.deepEqual(
    r.stages.map((s) => s.stage),
    ['loader', 'kernel', 'userspace'],
  );
});

test('QEMU that exits before the userspace: "exited", with its last error line', async () => {
  const qemu = fakeQemu(
    'qemu-exits',
    'printf "Welcome to GRUB!\\n"; echo "qemu: could not open disk" >&2; exit 1',
  );
  const r = await runBootTest({ ...base, accel: 'tcg' }, {}, { qemu, ovmf: null, kvm: false });
  assert.equal(r.outcome, 'exited');
  assert.equal(r.reached, 'loader');
  assert.match(r.summary, /^QEMU stopped after .* \(reached a boot loader\): qemu: could not open disk/);
});

test('a guest that never reaches its marker is stopped at the time limit', async () => {
  const qemu = fakeQemu(
    'qemu-chatty',
    'while :; do printf "[    1.000000] still booting\\n"; sleep 0.2; done',
  );
  const t = Date.now();
  const r = await runBootTest(
    { ...base, accel: 'tcg', timeoutSeconds: 1.5 },
    {},
    { qemu, ovmf: null, kvm: false },
  );
  assert.equal(r.outcome, 'timeout');
  assert.equal(r.reached, 'kernel');
  assert.ok(Date.now() - t < 10_000);
});

test('UEFI without OVMF, and no QEMU at all, are said before anything starts', async () => {
  const a = await runBootTest(
    { ...base, firmware: 'uefi' },
    {},
    { qemu: '/bin/true', ovmf: null, kvm: false },
  );
  assert.equal(a.outcome, 'error');
  assert.match(a.summary, /OVMF\) is not installed \(Debian: apt-get install ovmf\)/);
  const b = await runBootTest(base, {}, { qemu: null, ovmf: null, kvm: false });
  assert.match(b.summary, /qemu-system-x86_64 is not installed/);
});
