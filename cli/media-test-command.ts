// `nixkit media test IMAGE [--uefi|--bios] [--as cdrom|usb] [--timeout S]`: boots the image in QEMU, streams its
// serial console, prints each stage as it is reached and one result line.
import * as path from 'node:path';
import { DEFAULT_BOOT_MARKER, type BootMediumKind, type BootTestOptions } from '../protocol/media-boot';
import { runBootTest } from '../engine/media/boot-test';
import { parseFlags } from './flags';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type CliIO } from './io';

export const MEDIA_TEST_USAGE = `usage: nixkit media test IMAGE [--uefi|--bios] [--as cdrom|usb] [--timeout S] [--memory MIB]
                         [--accel auto|kvm|tcg] [--marker TEXT]... [--quiet]
       nixkit media test --netboot URL --bios [...]
  Boots IMAGE in a virtual machine (QEMU; OVMF for --uefi, the default; SeaBIOS for --bios) with the image
  read-only, shows its serial console and reports the stages reached: boot loader, kernel, the image's marker or a
  login prompt.
  --as cdrom|usb     attach the image as a CD (default for .iso) or as a USB stick (default otherwise)
  --timeout S        give up after S seconds (default 300)
  --memory MIB       guest memory (default 1024)
  --accel A          auto (KVM when /dev/kvm is usable, else TCG), kvm or tcg
  --marker TEXT      a line containing TEXT means the image's userspace runs (default ${DEFAULT_BOOT_MARKER};
                     a login prompt always counts)
  --netboot URL      boot from the network instead: QEMU's iPXE chain-loads URL (127.0.0.1 is this machine)
  --quiet            no console lines, only stages and the result
  Exit status: 0 booted, 1 did not boot (or the test could not run), 2 usage.`;

export async function mediaTestCommand(args: string[], io: CliIO): Promise<number> {
  const parsed = parseFlags(
    'media test',
    MEDIA_TEST_USAGE,
    args,
    io,
    {
      uefi: { type: 'boolean' },
      bios: { type: 'boolean' },
      as: { type: 'string' },
      timeout: { type: 'string' },
      memory: { type: 'string' },
      accel: { type: 'string' },
      marker: { type: 'string', multiple: true },
      netboot: { type: 'string' },
      quiet: { type: 'boolean' },
    },
    true,
  );
  if (typeof parsed === 'number') return parsed;
  const v = parsed.values;
  const usage = (msg: string) => {
    io.stderr(`nixkit media test: ${msg}\n${MEDIA_TEST_USAGE}\n`);
    return EXIT_USAGE;
  };
  const netboot = v.netboot;
  if (netboot === undefined && parsed.positionals.length !== 1) return usage('name one IMAGE');
  if (netboot !== undefined && parsed.positionals.length !== 0) return usage('--netboot takes no IMAGE');
  if (v.uefi && v.bios) return usage('--uefi or --bios, not both');
  const image = parsed.positionals[0] ?? '';
  let as: BootMediumKind;
  if (v.as === undefined) as = /\.iso$/i.test(image) ? 'cdrom' : 'usb';
  else if (v.as === 'cdrom' || v.as === 'usb') as = v.as;
  else return usage(`--as is cdrom or usb (got ${JSON.stringify(v.as)})`);
  const timeout = v.timeout === undefined ? 300 : Number(v.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0)
    return usage(`--timeout is a number of seconds (got ${JSON.stringify(v.timeout)})`);
  const memory = v.memory === undefined ? 1024 : Number(v.memory);
  if (!Number.isInteger(memory))
    return usage(`--memory is a number of MiB (got ${JSON.stringify(v.memory)})`);
  const accel = v.accel ?? 'auto';
  if (accel !== 'auto' && accel !== 'kvm' && accel !== 'tcg')
    return usage(`--accel is auto, kvm or tcg (got ${JSON.stringify(accel)})`);
  const options: BootTestOptions = {
    image: image === '' ? '' : path.resolve(io.cwd, image),
    firmware: v.bios ? 'bios' : v.uefi ? 'uefi' : netboot !== undefined ? 'bios' : 'uefi',
    as,
    timeoutSeconds: timeout,
    memoryMiB: memory,
    accel,
    ...(v.marker ? { markers: v.marker } : {}),
    ...(netboot !== undefined ? { netbootUrl: netboot } : {}),
  };
  // Console text comes from the image: control characters are shown escaped, never sent to the terminal.
  const clean = (s: string) =>
    // eslint-disable-next-line no-control-regex
    s.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  io.stderr(
    `nixkit media test: booting ${netboot !== undefined ? JSON.stringify(netboot) : JSON.stringify(image)} (${options.firmware.toUpperCase()}${netboot === undefined ? `, as ${as}` : ', network'}, limit ${timeout} s)\n`,
  );
  const result = await runBootTest(options, {
    signal: io.signal,
    onLine: v.quiet ? undefined : (line) => io.stdout(`  | ${clean(line)}\n`),
    onStage: (s) => io.stdout(`>> stage ${s.stage} at ${s.seconds} s: ${clean(s.line.trim())}\n`),
  });
  io.stdout(`${result.ok ? 'PASS' : 'FAIL'}: ${clean(result.summary)}\n`);
  return result.ok ? EXIT_OK : EXIT_FINDINGS;
}
