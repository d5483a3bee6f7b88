// The QEMU command line of a boot test, and where its parts are found on this machine: qemu-system-x86_64 on PATH,
// OVMF from Debian's `ovmf` (the same files test/targets/vm/vm.sh uses), SeaBIOS built into QEMU, iPXE ROMs from
// Debian's `ipxe-qemu` (QEMU finds them itself). Pure apart from the file-system look-ups in findQemuTools.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BootAccel, BootFirmware, BootMediumKind } from '../../protocol/media-boot';

/** OVMF code/vars pairs, newest layout first (Debian bookworm ships the 4 MiB ones; older releases the 2 MiB). */
export const OVMF_CANDIDATES: readonly { code: string; vars: string }[] = [
  { code: '/usr/share/OVMF/OVMF_CODE_4M.fd', vars: '/usr/share/OVMF/OVMF_VARS_4M.fd' },
  { code: '/usr/share/OVMF/OVMF_CODE.fd', vars: '/usr/share/OVMF/OVMF_VARS.fd' },
  { code: '/usr/share/edk2/ovmf/OVMF_CODE.fd', vars: '/usr/share/edk2/ovmf/OVMF_VARS.fd' },
  { code: '/usr/share/edk2-ovmf/x64/OVMF_CODE.fd', vars: '/usr/share/edk2-ovmf/x64/OVMF_VARS.fd' },
];

export interface QemuTools {
  qemu: string | null;
  ovmf: { code: string; vars: string } | null;
  /** /dev/kvm can be opened read-write by this process. */
  kvm: boolean;
}

function onPath(name: string, envPath: string | undefined): string | null {
  for (const dir of (envPath ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return null;
}

export function findQemuTools(env: Record<string, string | undefined> = process.env): QemuTools {
  const qemu = env.NIXKIT_QEMU ?? onPath('qemu-system-x86_64', env.PATH);
  const ovmf = OVMF_CANDIDATES.find((c) => fs.existsSync(c.code) && fs.existsSync(c.vars)) ?? null;
  let kvm = false;
  try {
    fs.accessSync('/dev/kvm', fs.constants.R_OK | fs.constants.W_OK);
    kvm = true;
  } catch {
    kvm = false;
  }
  return { qemu, ovmf, kvm };
}

/** KVM when asked for, or when `auto` and /dev/kvm is usable; else TCG. */
export function chooseAccel(accel: BootAccel, kvmUsable: boolean): 'kvm' | 'tcg' {
  if (accel === 'kvm') return 'kvm';
  if (accel === 'tcg') return 'tcg';
  return kvmUsable ? 'kvm' : 'tcg';
}

export interface QemuArgvInput {
  qemu: string;
  firmware: BootFirmware;
  accel: 'kvm' | 'tcg';
  memoryMiB: number;
  /** The image, attached read-only (a snapshot: the guest cannot change the file). Absent for a network boot. */
  image?: { file: string; as: BootMediumKind };
  /** UEFI: the firmware code and a private copy of the variable store. */
  ovmf?: { code: string; varsCopy: string };
  /**
   * Network boot: the URL QEMU's DHCP hands to iPXE as its boot file, as the guest reaches it (this machine's
   * 127.0.0.1 is 10.0.2.2 in QEMU's user-mode network; see guestUrl).
   */
  netbootUrl?: string;
}

/** QEMU's -drive option values are comma-separated: a comma in a file name is doubled. */
export function qemuOptionValue(value: string): string {
  return value.replace(/,/g, ',,');
}

/**
 * The argv (without the program) of one boot test: q35, no default devices, no display, the serial console on
 * stdio, no reboot (a guest that reboots or powers off ends QEMU), the image read-only.
 */
export function qemuArgv(input: QemuArgvInput): string[] {
  const argv: string[] = [
    '-name',
    'nixkit-media-test',
    // graphics=off makes SeaBIOS print to the serial console too (its boot messages and failures).
    '-machine',
    input.firmware === 'bios' ? 'q35,graphics=off' : 'q35',
    '-accel',
    input.accel === 'kvm' ? 'kvm' : 'tcg',
    '-cpu',
    input.accel === 'kvm' ? 'host' : 'max',
    '-smp',
    '1',
    '-m',
    String(input.memoryMiB),
    '-nodefaults',
    '-no-user-config',
    '-display',
    'none',
    '-serial',
    'stdio',
    '-monitor',
    'none',
    '-no-reboot',
  ];
  if (input.firmware === 'uefi') {
    if (!input.ovmf) throw new Error('UEFI boot needs OVMF');
    argv.push(
      '-drive',
      `if=pflash,format=raw,unit=0,readonly=on,file=${qemuOptionValue(input.ovmf.code)}`,
      '-drive',
      `if=pflash,format=raw,unit=1,file=${qemuOptionValue(input.ovmf.varsCopy)}`,
    );
  }
  if (input.image) {
    const file = qemuOptionValue(input.image.file);
    if (input.image.as === 'cdrom') {
      argv.push(
        '-drive',
        `if=none,id=media,media=cdrom,readonly=on,format=raw,file=${file}`,
        '-device',
        'ide-cd,drive=media,bootindex=1',
      );
    } else {
      argv.push(
        '-drive',
        `if=none,id=media,readonly=on,format=raw,file=${file}`,
        '-device',
        'qemu-xhci,id=xhci',
        '-device',
        'usb-storage,bus=xhci.0,drive=media,removable=on,bootindex=1',
      );
    }
  }
  if (input.netbootUrl !== undefined) {
    // Not restrict=on: that would cut the guest off from the host's 10.0.2.2 too (QEMU's guestfwd forwards one
    // connection only, and iPXE opens one per file).
    argv.push(
      '-netdev',
      `user,id=net0,bootfile=${qemuOptionValue(input.netbootUrl)}`,
      '-device',
      'virtio-net-pci,netdev=net0,bootindex=1',
    );
  }
  return argv;
}

/**
 * The URL as a QEMU guest on user-mode networking reaches it: this machine's loopback (127.0.0.1, localhost, ::1)
 * is 10.0.2.2 there; other hosts are reached as they are.
 */
export function guestUrl(url: string): string {
  const u = new URL(url);
  if (['127.0.0.1', 'localhost', '[::1]', '0.0.0.0'].includes(u.hostname)) u.hostname = '10.0.2.2';
  return u.toString();
}
