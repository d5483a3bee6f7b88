// `nixkit media test`: boots an image (or a netboot URL) in QEMU and reports how far it got, from its serial
// console: the firmware found a boot loader, the kernel started, the image's marker or a login prompt appeared.
// QEMU runs as a child process with the image read-only and a private copy of the UEFI variables; it is killed on
// every way out (reached, failed, time limit, cancel, an exception, this process exiting).
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import {
  DEFAULT_BOOT_MARKER,
  type BootOutcome,
  type BootStage,
  type BootTestHooks,
  type BootTestOptions,
  type BootTestResult,
} from '../../protocol/media-boot';
import { BootConsole } from './boot-stages';
import { chooseAccel, findQemuTools, guestUrl, qemuArgv, type QemuTools } from './qemu-command';

const STAGE_WORDS: Record<BootStage, string> = {
  loader: 'a boot loader',
  kernel: 'the kernel',
  userspace: "the image's userspace",
};

/** "UEFI, cdrom, TCG" */
function describe(options: BootTestOptions, accel: 'kvm' | 'tcg' | null): string {
  const medium = options.netbootUrl !== undefined ? 'network' : options.as;
  return `${options.firmware.toUpperCase()}, ${medium}${accel ? `, ${accel.toUpperCase()}` : ''}`;
}

function errorResult(message: string): BootTestResult {
  return {
    ok: false,
    outcome: 'error',
    reached: null,
    stages: [],
    summary: `cannot test: ${message}`,
    accel: null,
    argv: [],
    seconds: 0,
  };
}

/** Checks what can be checked before QEMU starts; returns the problem in a sentence, or null. */
export function preflight(options: BootTestOptions, tools: QemuTools): string | null {
  if (!tools.qemu) return 'qemu-system-x86_64 is not installed (Debian: apt-get install qemu-system-x86)';
  if (options.firmware === 'uefi' && !tools.ovmf)
    return 'UEFI firmware (OVMF) is not installed (Debian: apt-get install ovmf)';
  if (!Number.isFinite(options.timeoutSeconds) || options.timeoutSeconds <= 0)
    return `the time limit must be a positive number of seconds (got ${options.timeoutSeconds})`;
  if (!Number.isInteger(options.memoryMiB) || options.memoryMiB < 64 || options.memoryMiB > 65536)
    return `memory must be 64..65536 MiB (got ${options.memoryMiB})`;
  if (options.netbootUrl !== undefined) {
    try {
      const u = new URL(options.netbootUrl);
      if (u.protocol !== 'http:')
        return `iPXE here fetches http:// URLs only (got ${JSON.stringify(options.netbootUrl)})`;
    } catch {
      return `not a URL: ${JSON.stringify(options.netbootUrl)}`;
    }
    if (options.firmware !== 'bios')
      return "network boot is tested with BIOS firmware (QEMU's iPXE ROM); use --bios";
    return null;
  }
  let st: fs.Stats;
  try {
    st = fs.statSync(options.image);
    fs.accessSync(options.image, fs.constants.R_OK);
  } catch (e) {
    return `cannot read the image ${JSON.stringify(options.image)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
  }
  if (!st.isFile() && !st.isBlockDevice())
    return `${JSON.stringify(options.image)} is not a file or a block device`;
  if (st.isFile() && st.size === 0) return `${JSON.stringify(options.image)} is empty`;
  return null;
}

/** Running QEMU processes of this process: killed if it exits while a test runs. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const c of live) killGroup(c, 'SIGKILL');
    });
  }
  live.add(child);
  child.once('exit', () => live.delete(child));
}

/** Boots once with the given accelerator; the caller may retry with TCG when KVM fails at once. */
async function bootOnce(
  options: BootTestOptions,
  tools: QemuTools,
  accel: 'kvm' | 'tcg',
  hooks: BootTestHooks,
): Promise<BootTestResult & { consoleLines: number; stderr: string }> {
  const markers = options.markers ?? [DEFAULT_BOOT_MARKER];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-media-test-'));
  const started = Date.now();
  const seconds = () => Math.round((Date.now() - started) / 100) / 10;
  let argv: string[] = [];
  try {
    let varsCopy: string | undefined;
    if (options.firmware === 'uefi' && tools.ovmf) {
      varsCopy = path.join(tmp, 'vars.fd');
      fs.copyFileSync(tools.ovmf.vars, varsCopy);
      fs.chmodSync(varsCopy, 0o600);
    }
    argv = qemuArgv({
      qemu: tools.qemu!,
      firmware: options.firmware,
      accel,
      memoryMiB: options.memoryMiB,
      image:
        options.netbootUrl === undefined ? { file: path.resolve(options.image), as: options.as } : undefined,
      ovmf: varsCopy && tools.ovmf ? { code: tools.ovmf.code, varsCopy } : undefined,
      netbootUrl: options.netbootUrl === undefined ? undefined : guestUrl(options.netbootUrl),
    });
    const consoleState = new BootConsole(markers, seconds);
    // Under `timeout` in a process group of its own: QEMU dies at the time limit (plus a margin) even if this
    // process is killed outright and cannot clean up; the group is what killGroup signals.
    const lifetime = `${Math.ceil(options.timeoutSeconds) + 30}s`;
    const child = spawn('timeout', ['--kill-after=5', lifetime, tools.qemu!, ...argv], {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: tmp,
      detached: true,
    });
    track(child);
    let consoleLines = 0;
    let stderr = '';
    const outcome = await new Promise<{ outcome: BootOutcome; line?: string; reason?: string }>((resolve) => {
      let settled = false;
      const finish = (r: { outcome: BootOutcome; line?: string; reason?: string }) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        hooks.signal?.removeEventListener('abort', onAbort);
        resolve(r);
      };
      const timer = setTimeout(() => finish({ outcome: 'timeout' }), options.timeoutSeconds * 1000);
      const onAbort = () => finish({ outcome: 'cancelled' });
      if (hooks.signal?.aborted) onAbort();
      hooks.signal?.addEventListener('abort', onAbort);
      const handle = (events: ReturnType<BootConsole['feed']>) => {
        for (const ev of events) {
          if (settled) return;
          if (ev.line.trim() !== '') {
            consoleLines++;
            hooks.onLine?.(ev.line);
          }
          if (ev.stage) hooks.onStage?.(ev.stage);
          if (ev.done) finish({ outcome: 'reached', line: ev.line });
          else if (ev.failure) finish({ outcome: 'failed', line: ev.line, reason: ev.failure });
        }
      };
      const decoder = new StringDecoder('utf8');
      child.stdout!.on('data', (b: Buffer) => handle(consoleState.feed(decoder.write(b))));
      child.stderr!.on('data', (b: Buffer) => {
        stderr = (stderr + b.toString('utf8')).slice(-4000);
      });
      child.on('error', (e) => {
        stderr += `\n${e.message}`;
        finish({ outcome: 'exited' });
      });
      child.on('exit', () => {
        handle(consoleState.feed(decoder.end()));
        handle(consoleState.flush());
        finish({ outcome: 'exited' });
      });
    });
    await killAndWait(child);
    const total = seconds();
    const reached = consoleState.reached;
    const where = describe(options, accel);
    let summary: string;
    switch (outcome.outcome) {
      case 'reached':
        summary = `booted: reached ${STAGE_WORDS.userspace} (${JSON.stringify(outcome.line?.trim())}) in ${total} s (${where})`;
        break;
      case 'failed':
        summary = `did not boot: ${outcome.reason}${reached ? ` after reaching ${STAGE_WORDS[reached]}` : ''} (${where}, ${total} s)`;
        break;
      case 'timeout':
        summary = `did not boot within ${options.timeoutSeconds} s: ${reached ? `stopped after ${STAGE_WORDS[reached]}` : 'no boot loader was seen on the serial console'} (${where})`;
        break;
      case 'cancelled':
        summary = `cancelled after ${total} s${reached ? `, having reached ${STAGE_WORDS[reached]}` : ''} (${where})`;
        break;
      default: {
        const err = stderr.trim().split('\n').filter(Boolean).pop();
        summary = `QEMU stopped after ${total} s without the image's userspace${reached ? ` (reached ${STAGE_WORDS[reached]})` : ''}${err ? `: ${err}` : ''} (${where})`;
      }
    }
    return {
      ok: outcome.outcome === 'reached',
      outcome: outcome.outcome,
      reached,
      stages: [...consoleState.stages],
      ...(outcome.line !== undefined ? { line: outcome.line } : {}),
      summary,
      accel,
      argv: [tools.qemu!, ...argv],
      seconds: total,
      consoleLines,
      stderr,
    };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Signals QEMU's process group (timeout and QEMU); a group already gone is fine. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}

function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    killGroup(child, 'SIGKILL'); // `timeout` gone, QEMU possibly not (it never is, but the group is cheap to end)
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const t = setTimeout(() => killGroup(child, 'SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    killGroup(child, 'SIGTERM');
  });
}

/**
 * Boots the image as `options` say and reports the stages reached. Never throws for a boot that fails: the result
 * says what happened. With `accel: 'auto'`, a KVM that QEMU cannot use (it exits before printing anything) is
 * retried once under TCG.
 */
export async function runBootTest(
  options: BootTestOptions,
  hooks: BootTestHooks = {},
  tools: QemuTools = findQemuTools(),
): Promise<BootTestResult> {
  const problem = preflight(options, tools);
  if (problem) return errorResult(problem);
  const accel = chooseAccel(options.accel, tools.kvm);
  const first = await bootOnce(options, tools, accel, hooks);
  if (options.accel === 'auto' && accel === 'kvm' && first.outcome === 'exited' && first.consoleLines === 0) {
    const why = first.stderr.trim().split('\n').pop() ?? 'QEMU exited';
    hooks.onLine?.(`(KVM failed: ${why}; retrying with TCG)`);
    const second = await bootOnce(options, tools, 'tcg', hooks);
    return strip({ ...second, summary: `${second.summary}; KVM could not be used (${why})` });
  }
  return strip(first);
}

function strip(r: BootTestResult & { consoleLines: number; stderr: string }): BootTestResult {
  const { consoleLines: _lines, stderr: _stderr, ...rest } = r;
  return rest;
}
