// Reading a VM's serial console as a boot goes: the bytes QEMU writes are cut into lines (terminal escapes and
// carriage returns removed, as firmware and boot loaders draw menus with them), and each line is classified as a
// boot stage reached (boot loader, kernel, userspace) or as the end of the boot (a failure the firmware, the boot
// loader or the kernel printed). Pure: the boot test feeds it, the unit tests feed it recorded console logs.
import type { BootStage, BootStageEvent } from '../../protocol/media-boot';

/** What one console line says about the boot. */
export type LineVerdict =
  | { kind: 'stage'; stage: BootStage }
  | { kind: 'failure'; reason: string }
  | { kind: 'none' };

// Firmware and boot loaders print these once they hand over to (or are) a boot loader. OVMF's "BdsDxe: starting"
// names the boot option; its built-in shell and PXE/HTTP options are not the image's boot loader.
const LOADER: RegExp[] = [
  /BdsDxe: starting Boot[0-9A-F]{4} "(?!EFI Internal Shell|UEFI Shell|UEFI PXE|UEFI HTTP)/,
  /Welcome to GRUB!/,
  /GNU GRUB {1,2}version /,
  /Booting `[^']*'/,
  /\bISOLINUX \d/,
  /\bSYSLINUX \d/,
  /\bsystemd-boot \d/,
  /iPXE initialising devices/,
  /^Loading Linux /,
];

// The kernel runs: its banner, a printk timestamp, or the x86 decompressor's lines (printed with console=ttyS0
// even when `loglevel` hides the banner).
const KERNEL: RegExp[] = [
  /\bLinux version \d/,
  /^\[ *\d+\.\d{6}\] /,
  /^Decompressing Linux\b/,
  /Booting the kernel\b/,
  /^EFI stub: /,
];

// A login prompt (getty: "nixos login:"), the NixOS installer's greeting, or a shell prompt after an autologin.
const LOGIN: RegExp[] = [
  /\blogin: *$/,
  /\blogin: \S+ \(automatic login\)/,
  /<<< Welcome to NixOS /,
  /^\[nixos@nixos:~\]\$/,
];

// The boot ended without the image's userspace. Each pattern says where it stopped.
const FAILURES: [RegExp, string][] = [
  [/No bootable device/, 'the BIOS found no bootable device'],
  [/No bootable option or device was found/, 'the UEFI firmware found no bootable option'],
  [/UEFI Interactive Shell|^Shell> /, 'the UEFI firmware found no boot loader and started its shell'],
  [/Failed to boot both default and fallback entries/, 'GRUB could not boot its entries'],
  [/you need to load the kernel first/, 'GRUB did not load the kernel'],
  [/Kernel panic - not syncing/, 'the kernel panicked'],
  [/No more network devices|PXE-E\d\d|Could not boot image/, 'the network boot failed'],
  [
    /Boot failed: (?!not a bootable disk|could not read the boot disk)/,
    'the firmware could not boot the image',
  ],
];

/** Removes terminal control: CSI and other escape sequences, other C0 controls except tab. */
export function stripTerminal(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, '')
      // eslint-disable-next-line no-control-regex
      .replace(/\x1b[()#%][0-9A-Za-z@]?|\x1b[=>78cDEHMNOZ]/g, '')
      // eslint-disable-next-line no-control-regex
      .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '')
  );
}

/** What one (already cleaned) line says; `markers` are literal strings. */
export function classifyLine(line: string, markers: readonly string[]): LineVerdict {
  if (markers.some((m) => m !== '' && line.includes(m))) return { kind: 'stage', stage: 'userspace' };
  if (LOGIN.some((r) => r.test(line))) return { kind: 'stage', stage: 'userspace' };
  for (const [r, reason] of FAILURES) if (r.test(line)) return { kind: 'failure', reason };
  if (KERNEL.some((r) => r.test(line))) return { kind: 'stage', stage: 'kernel' };
  if (LOADER.some((r) => r.test(line))) return { kind: 'stage', stage: 'loader' };
  return { kind: 'none' };
}

const ORDER: Record<BootStage, number> = { loader: 0, kernel: 1, userspace: 2 };

/** What the console said last: the stage newly reached, the failure or the userspace line that ends the boot. */
export interface ConsoleEvent {
  line: string;
  stage?: BootStageEvent;
  failure?: string;
  /** The image's userspace was seen: the test is done. */
  done?: boolean;
}

/**
 * Cuts a console stream into lines and reports stages in order (a stage counts once; a later stage implies the
 * earlier ones, e.g. a kernel booted directly by iPXE still shows `loader`). A partial last line is looked at too,
 * as a login prompt ends without a newline.
 */
export class BootConsole {
  private pending = '';
  private pendingSeen = false;
  readonly stages: BootStageEvent[] = [];

  constructor(
    private readonly markers: readonly string[],
    private readonly clock: () => number = () => 0,
  ) {}

  get reached(): BootStage | null {
    return this.stages.length ? this.stages[this.stages.length - 1].stage : null;
  }

  /** Feeds raw console text; returns one event per complete line (and for a prompt left without a newline). */
  feed(chunk: string): ConsoleEvent[] {
    const events: ConsoleEvent[] = [];
    const parts = (this.pending + chunk).split('\n');
    this.pending = parts.pop() ?? '';
    for (const raw of parts) {
      const line = stripTerminal(raw);
      // A prompt already reported while partial is not reported again when its line ends.
      if (this.pendingSeen) {
        this.pendingSeen = false;
        continue;
      }
      events.push(this.judge(line));
    }
    // Only a login prompt counts before its line ends: a marker line may still be arriving (its rest matters).
    const partial = stripTerminal(this.pending);
    if (!this.pendingSeen && partial.trim() !== '') {
      if (LOGIN.some((r) => r.test(partial))) {
        this.pendingSeen = true;
        events.push(this.judge(partial));
      }
    }
    return events;
  }

  /** The text after the last newline (flushed when QEMU exits). */
  flush(): ConsoleEvent[] {
    const rest = this.pendingSeen ? '' : stripTerminal(this.pending);
    this.pending = '';
    this.pendingSeen = false;
    return rest.trim() === '' ? [] : [this.judge(rest)];
  }

  private judge(line: string): ConsoleEvent {
    const v = classifyLine(line, this.markers);
    if (v.kind === 'failure') return { line, failure: v.reason };
    if (v.kind === 'none') return { line };
    const ev: ConsoleEvent = { line, done: v.stage === 'userspace' };
    const last = this.reached;
    if (last === null || ORDER[v.stage] > ORDER[last]) {
      const seconds = this.clock();
      // Earlier stages not seen on the console (a quiet boot loader) are implied by a later one.
      for (let i = last === null ? 0 : ORDER[last] + 1; i < ORDER[v.stage]; i++) {
        const implied = (Object.keys(ORDER) as BootStage[]).find((s) => ORDER[s] === i);
        if (implied) this.stages.push({ stage: implied, line: `(implied by: ${line})`, seconds });
      }
      ev.stage = { stage: v.stage, line, seconds };
      this.stages.push(ev.stage);
    }
    return ev;
  }
}
