// The boot stage parser on serial consoles recorded from real QEMU runs (test/fixtures/media: OVMF and SeaBIOS,
// GRUB from nixkit's test image, iPXE, and boots that fail), fed in small uneven chunks as QEMU delivers them.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import {
  BootConsole,
  classifyLine,
  stripTerminal,
  type ConsoleEvent,
} from '../../../../engine/media/boot-stages';
import { DEFAULT_BOOT_MARKER } from '../../../../protocol/media-boot';
import { REPO_ROOT } from '../../../helpers';

const FIX = path.join(REPO_ROOT, 'test', 'fixtures', 'media');

/** Feeds a recorded log in chunks of varying size; returns every event and where the test would have stopped. */
function replay(file: string, markers = [DEFAULT_BOOT_MARKER]) {
  const text = fs.readFileSync(path.join(FIX, file), 'latin1');
  const c = new BootConsole(markers);
  const events: ConsoleEvent[] = [];
  let end: ConsoleEvent | undefined;
  for (let i = 0, n = 1; i < text.length; i += n, n = (n * 7 + 3) % 97 || 1) {
    for (const ev of c.feed(text.slice(i, i + n))) {
      events.push(ev);
      if (!end && (ev.done || ev.failure)) end = ev;
    }
  }
  for (const ev of c.flush()) events.push(ev);
  return { c, events, end };
}

test('UEFI, USB, GRUB: loader (OVMF starts the USB disk), kernel, then the marker', () => {
  const { c, end } = replay('uefi-usb-grub.log');
  assert.deepEqual(
    c.stages.map((s) => s.stage),
    ['loader', 'kernel', 'userspace'],
  );
  assert.match(c.stages[0].line, /BdsDxe: starting Boot0001 "UEFI QEMU QEMU USB HARDDRIVE/);
  assert.match(c.stages[1].line, /Linux version 6\./);
  assert.equal(end?.done, true);
  assert.match(end!.line, /^NIXKIT-MEDIA-MARKER via=grub-efi$/);
});

test('BIOS, CD, GRUB: GRUB is the loader; the marker line is complete when reported', () => {
  const { c, end } = replay('bios-cdrom-grub.log');
  assert.deepEqual(
    c.stages.map((s) => s.stage),
    ['loader', 'kernel', 'userspace'],
  );
  assert.match(c.stages[0].line, /GRUB/);
  assert.equal(end!.line, 'NIXKIT-MEDIA-MARKER via=grub-bios');
});

test('BIOS network boot: iPXE is the loader', () => {
  const { c, end } = replay('bios-netboot-ipxe.log');
  assert.deepEqual(
    c.stages.map((s) => s.stage),
    ['loader', 'kernel', 'userspace'],
  );
  assert.match(c.stages[0].line, /iPXE/);
  assert.match(end!.line, /NIXKIT-MEDIA-MARKER via=netboot/);
});

test('a blank disk under SeaBIOS: no stage, stops at "No bootable device"', () => {
  const { c, end } = replay('bios-not-bootable.log');
  assert.deepEqual(c.stages, []);
  assert.equal(end?.failure, 'the BIOS found no bootable device');
});

test('a blank disk under OVMF: its built-in shell is not a boot loader, and ends the boot', () => {
  const { c, end } = replay('uefi-not-bootable.log');
  assert.deepEqual(c.stages, []);
  assert.equal(end?.failure, 'the UEFI firmware found no boot loader and started its shell');
});

test("GRUB that cannot load the kernel: stopped after the loader, with GRUB's reason", () => {
  const { c, end } = replay('uefi-grub-out-of-memory.log');
  assert.deepEqual(
    c.stages.map((s) => s.stage),
    ['loader'],
  );
  assert.equal(end?.failure, 'GRUB did not load the kernel');
});

test('a marker that never appears is not reached; another marker is matched as text, not as a pattern', () => {
  const { end } = replay('uefi-usb-grub.log', ['NO-SUCH-MARKER']);
  assert.equal(end, undefined);
  assert.equal(classifyLine('x a.b x', ['a.b']).kind, 'stage');
  assert.equal(classifyLine('x axb x', ['a.b']).kind, 'none');
});

test('a login prompt counts before its line ends, and only once', () => {
  const c = new BootConsole([DEFAULT_BOOT_MARKER]);
  assert.deepEqual(
    c.feed('[    1.000000] Linux version 6.6.1 (nixbld@localhost)\r\n').map((e) => e.stage?.stage),
    ['kernel'],
  );
  const evs = c.feed('\x1b[1;32mnixos login: \x1b[0m');
  assert.equal(evs.length, 1);
  assert.equal(evs[0].done, true);
  assert.deepEqual(c.feed('root\r\n'), []);
  assert.equal(c.reached, 'userspace');
  // The loader was not seen: implied by the kernel, and said so.
  assert.match(c.stages[0].line, /^\(implied by: /);
});

test("NixOS installer lines count as userspace: its greeting and getty's automatic login", () => {
  assert.deepEqual(classifyLine('<<< Welcome to NixOS 24.05.1234 (x86_64) - ttyS0 >>>', []), {
    kind: 'stage',
    stage: 'userspace',
  });
  assert.deepEqual(classifyLine('nixos login: nixos (automatic login)', []), {
    kind: 'stage',
    stage: 'userspace',
  });
  assert.equal(classifyLine('the login: page of a web server was fetched', []).kind, 'none');
});

test('a marker split across chunks is reported once the line is complete', () => {
  const c = new BootConsole([DEFAULT_BOOT_MARKER]);
  assert.deepEqual(c.feed('NIXKIT-MEDIA-MA'), []);
  assert.deepEqual(c.feed('RKER via=x'), []);
  const evs = c.feed('yz\r\n');
  assert.equal(evs[0].line, 'NIXKIT-MEDIA-MARKER via=xyz');
  assert.equal(evs[0].done, true);
});

test('terminal control is removed; a kernel panic ends the boot', () => {
  assert.equal(stripTerminal('\x1b[2J\x1b[01;01H\x1b[=3hBdsDxe\x1b[0m\r'), 'BdsDxe');
  assert.deepEqual(classifyLine('[    2.1] Kernel panic - not syncing: VFS: Unable to mount root fs', []), {
    kind: 'failure',
    reason: 'the kernel panicked',
  });
  // SeaBIOS tries the next device after these: not the end.
  assert.equal(classifyLine('Boot failed: not a bootable disk', []).kind, 'none');
});
