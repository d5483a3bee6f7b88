// The QEMU command lines of `nixkit media test`: what each firmware and medium attaches, read-only images, commas
// in file names, the accelerator choice and the guest's view of this machine's loopback.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseAccel, guestUrl, qemuArgv } from '../../../../engine/media/qemu-command';

const opt = (argv: string[], name: string) => argv.filter((_, i) => argv[i - 1] === name);

test('UEFI + USB: OVMF code read-only, a private VARS copy, the image read-only on usb-storage', () => {
  const argv = qemuArgv({
    qemu: 'q',
    firmware: 'uefi',
    accel: 'tcg',
    memoryMiB: 512,
    image: { file: '/x/a.iso', as: 'usb' },
    ovmf: { code: '/o/CODE.fd', varsCopy: '/t/vars.fd' },
  });
  assert.deepEqual(opt(argv, '-drive'), [
    'if=pflash,format=raw,unit=0,readonly=on,file=/o/CODE.fd',
    'if=pflash,format=raw,unit=1,file=/t/vars.fd',
    'if=none,id=media,readonly=on,format=raw,file=/x/a.iso',
  ]);
  assert.ok(opt(argv, '-device').some((d) => d.startsWith('usb-storage,')));
  assert.deepEqual(opt(argv, '-machine'), ['q35']);
  assert.deepEqual(opt(argv, '-accel'), ['tcg']);
  assert.ok(argv.includes('-no-reboot'));
});

test('BIOS + CD: SeaBIOS on the serial console (graphics=off), an IDE CD-ROM, no pflash', () => {
  const argv = qemuArgv({
    qemu: 'q',
    firmware: 'bios',
    accel: 'kvm',
    memoryMiB: 256,
    image: { file: '/a.iso', as: 'cdrom' },
  });
  assert.deepEqual(opt(argv, '-machine'), ['q35,graphics=off']);
  assert.deepEqual(opt(argv, '-drive'), ['if=none,id=media,media=cdrom,readonly=on,format=raw,file=/a.iso']);
  assert.deepEqual(opt(argv, '-accel'), ['kvm']);
  assert.ok(opt(argv, '-device').includes('ide-cd,drive=media,bootindex=1'));
});

test('a comma in the image path cannot add drive options', () => {
  const argv = qemuArgv({
    qemu: 'q',
    firmware: 'bios',
    accel: 'tcg',
    memoryMiB: 256,
    image: { file: '/t/a,readonly=off,file=/etc/shadow', as: 'usb' },
  });
  assert.deepEqual(opt(argv, '-drive'), [
    'if=none,id=media,readonly=on,format=raw,file=/t/a,,readonly=off,,file=/etc/shadow',
  ]);
});

test('network boot: the boot file is the URL as the guest sees it; no disk', () => {
  const url = guestUrl('http://127.0.0.1:8080/nixkit.ipxe');
  assert.equal(url, 'http://10.0.2.2:8080/nixkit.ipxe');
  assert.equal(guestUrl('http://192.0.2.7:80/a.ipxe'), 'http://192.0.2.7/a.ipxe');
  const argv = qemuArgv({ qemu: 'q', firmware: 'bios', accel: 'tcg', memoryMiB: 256, netbootUrl: url });
  assert.deepEqual(opt(argv, '-netdev'), ['user,id=net0,bootfile=http://10.0.2.2:8080/nixkit.ipxe']);
  assert.deepEqual(opt(argv, '-drive'), []);
});

test('accelerator: auto follows /dev/kvm, explicit choices are kept', () => {
  assert.equal(chooseAccel('auto', true), 'kvm');
  assert.equal(chooseAccel('auto', false), 'tcg');
  assert.equal(chooseAccel('tcg', true), 'tcg');
  assert.equal(chooseAccel('kvm', false), 'kvm');
});
