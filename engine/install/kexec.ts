// The kexec strategy's first half: the installer image's kernel and initrd are streamed to the target, loaded
// with kexec-tools and started in place of the running system (no firmware, no reboot), then nixkit waits for SSH
// on the new system. The rest of the install runs against that system with the strategy chosen from its probe.
//
// The image is a folder on this machine: `bzImage` (or `kernel`, `vmlinuz`, `Image`), `initrd` (or `initrd.img`)
// and the kernel command line in `cmdline` — the NixOS one starts with init=/nix/store/…/init. The `kexec/`
// folder of an unpacked nixos-images kexec tarball is found too; its command line is then read from `kexec/run`.
// A marker parameter (nixkit.kexec=<install id>) is appended to the command line: /proc/cmdline then says whether
// the target already runs the image this install started, so a resume never kexecs twice.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EngineError, HostKeyChangedError } from '../errors';
import type { Session } from '../ssh/session';
import type { InstallOptions, InstallState, PlannedCommand } from '../../protocol/install-state';
import type { StepContext } from './plan';
import { runCommand } from './runner';

export interface KexecImage {
  kernel: string;
  initrd: string;
  /** The image's own command line (without nixkit's marker). */
  cmdline: string;
}

/** Where the kernel and initrd go on the target: disk-backed where there is one (/run is a small tmpfs). */
export const KEXEC_DIR = '/root/nixkit-kexec';

const KERNEL_NAMES = ['bzImage', 'kernel', 'vmlinuz', 'Image'];
const INITRD_NAMES = ['initrd', 'initrd.img'];

export class KexecError extends EngineError {
  constructor(detail: string) {
    super('kexec-failed', detail);
  }
}

/** The command line nixos-images' `run` script passes (`--command-line "…"` or `--append=…`). */
export function cmdlineFromRunScript(script: string): string | undefined {
  const m = /--(?:command-line|append)[= ]+(?:"([^"]*)"|'([^']*)')/.exec(script);
  return m ? (m[1] ?? m[2]).trim() : undefined;
}

/** Finds the kernel, initrd and command line of the image folder; throws a KexecError saying what is missing. */
export function resolveKexecImage(dir: string): KexecImage {
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch {
    throw new KexecError(`The kexec image ${dir} does not exist.`);
  }
  if (!st.isDirectory())
    throw new KexecError(
      `The kexec image ${dir} is not a folder: unpack the kexec tarball (tar -xf) and give its folder.`,
    );
  const folders = [dir, path.join(dir, 'kexec')];
  for (const d of folders) {
    const find = (names: string[]) =>
      names.map((n) => path.join(d, n)).find((f) => fs.existsSync(f) && fs.statSync(f).isFile());
    const kernel = find(KERNEL_NAMES);
    const initrd = find(INITRD_NAMES);
    if (!kernel || !initrd) continue;
    let cmdline: string | undefined;
    const cmdlineFile = path.join(d, 'cmdline');
    const runFile = path.join(d, 'run');
    if (fs.existsSync(cmdlineFile)) cmdline = fs.readFileSync(cmdlineFile, 'utf8').trim();
    else if (fs.existsSync(runFile)) cmdline = cmdlineFromRunScript(fs.readFileSync(runFile, 'utf8'));
    if (cmdline === undefined)
      throw new KexecError(
        `The kexec image ${d} has no kernel command line: write it into ${cmdlineFile} (for NixOS: init=/nix/store/…/init and the kernel parameters).`,
      );
    if (/[\n\0]/.test(cmdline)) throw new KexecError(`${cmdlineFile} holds more than one line.`);
    return { kernel, initrd, cmdline };
  }
  throw new KexecError(
    `The kexec image ${dir} has no kernel and initrd: it needs ${KERNEL_NAMES.join(' or ')} and ` +
      `${INITRD_NAMES.join(' or ')} (and cmdline), directly or in a kexec/ subfolder.`,
  );
}

/** The parameter that marks the system this install kexec'd into. */
export function kexecMarker(state: Pick<InstallState, 'id'>): string {
  return `nixkit.kexec=${state.id}`;
}

/** The kernel command line the target boots with: the image's, then the marker. */
export function kexecCmdline(image: KexecImage, state: Pick<InstallState, 'id'>): string {
  return `${image.cmdline} ${kexecMarker(state)}`.trim();
}

const UPLOAD_SCRIPT =
  'set -e; umask 077; mkdir -p "$1"; cat > "$2.nixkit-tmp"; mv "$2.nixkit-tmp" "$2"; wc -c < "$2"';

/**
 * The commands, in order: two uploads (stdin is the local file), the load, the detached start. `image` absent:
 * the review shows the commands with the folder's usual names (the image is read again when the step runs).
 */
export function kexecCommands(
  options: Pick<InstallOptions, 'kexecImage'>,
  state: Pick<InstallState, 'id'>,
  image?: KexecImage,
): {
  uploadKernel: PlannedCommand;
  uploadInitrd: PlannedCommand;
  load: PlannedCommand;
  exec: PlannedCommand;
} {
  const dir = options.kexecImage ?? '(no --kexec-image)';
  const kernelSrc = image?.kernel ?? path.join(dir, 'bzImage');
  const initrdSrc = image?.initrd ?? path.join(dir, 'initrd');
  const cmdline = image
    ? kexecCmdline(image, state)
    : `$(cat ${path.join(dir, 'cmdline')}) ${kexecMarker(state)}`;
  const kernel = `${KEXEC_DIR}/kernel`;
  const initrd = `${KEXEC_DIR}/initrd`;
  return {
    uploadKernel: {
      where: 'target',
      argv: ['sh', '-c', UPLOAD_SCRIPT, 'nixkit-upload', KEXEC_DIR, kernel],
      purpose: `upload the installer's kernel (${kernelSrc}, on stdin)`,
    },
    uploadInitrd: {
      where: 'target',
      argv: ['sh', '-c', UPLOAD_SCRIPT, 'nixkit-upload', KEXEC_DIR, initrd],
      purpose: `upload the installer's initrd (${initrdSrc}, on stdin)`,
    },
    load: {
      where: 'target',
      argv: ['kexec', '--load', kernel, `--initrd=${initrd}`, `--append=${cmdline}`],
      purpose: 'load the installer into memory (kexec-tools)',
    },
    // Detached with a delay so the command returns before the connection drops. Not `systemctl kexec`: a clean
    // shutdown of the old system can hang on its services, and nothing of it is used again (the disk to erase
    // was checked to be unmounted); sync keeps what was written to its disks.
    exec: {
      where: 'target',
      argv: ['sh', '-c', '(sleep 1; sync; kexec -e) >/dev/null 2>&1 </dev/null &'],
      destructive: true,
      purpose: 'replace the running system with the installer (kexec -e: everything in memory is lost)',
    },
  };
}

export const BOOT_ID_ARGV = ['cat', '/proc/sys/kernel/random/boot_id', '/proc/cmdline'];

/** The target's boot id and kernel command line. */
export async function bootInfo(ctx: StepContext): Promise<{ bootId: string; cmdline: string }> {
  const r = await runCommand(
    ctx,
    { where: 'target', argv: BOOT_ID_ARGV, purpose: "read the target's boot id and kernel command line" },
    { timeoutMs: 30_000, quiet: true },
  );
  const [bootId = '', cmdline = ''] = r.stdout.toString().split('\n');
  return { bootId: bootId.trim(), cmdline: cmdline.trim() };
}

/** The target already runs the system this install kexec'd into (its marker is on the command line). */
export function runsKexecImage(cmdline: string, state: Pick<InstallState, 'id'>): boolean {
  return cmdline.split(/\s+/).includes(kexecMarker(state));
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

export interface KexecResult {
  bootIdBefore: string;
  bootIdAfter: string;
  cmdline: string;
}

/**
 * Uploads, loads and starts the image, waits for SSH (same host-key rules as after finish's reboot: a new key is
 * never accepted here) and hands the new session to the runner for the rest of the install.
 */
/** `bootIdBefore`: the old system's boot id, read by the caller. */
export async function kexecIntoImage(ctx: StepContext, bootIdBefore: string): Promise<KexecResult> {
  const o = ctx.options;
  if (!o.kexecImage) throw new KexecError('No kexec image was given (--kexec-image).');
  if (!ctx.reconnect || !ctx.adoptSession)
    throw new KexecError('This install cannot reconnect to the target, so it cannot wait for the kexec.');
  const image = resolveKexecImage(o.kexecImage);
  const cmds = kexecCommands(o, ctx.state, image);
  for (const [cmd, file] of [
    [cmds.uploadKernel, image.kernel],
    [cmds.uploadInitrd, image.initrd],
  ] as const) {
    const size = fs.statSync(file).size;
    // Streamed (runCommand takes whole buffers): an installer's initrd is hundreds of MiB.
    ctx.emit({ kind: 'command', command: cmd });
    const r = await ctx.session.execAsRoot(cmd.argv, {
      stdin: fs.createReadStream(file),
      signal: ctx.signal,
      timeoutMs: 30 * 60_000,
    });
    if (r.code !== 0)
      throw new KexecError(
        `${cmd.purpose} failed (exit ${r.code}): ${ctx.session.redact(r.stderr.toString().trim().split('\n').slice(-3).join(' / '))}`,
      );
    const got = Number(r.stdout.toString().trim());
    if (got !== size)
      throw new KexecError(`${cmd.purpose}: ${got} bytes arrived of ${size}; the upload was cut short.`);
  }
  await runCommand(ctx, cmds.load, { timeoutMs: 5 * 60_000 });
  await runCommand(ctx, cmds.exec, { timeoutMs: 60_000 });
  ctx.emit({ kind: 'note', text: 'kexec started: waiting for SSH on the installer' });

  const limitMs = o.rebootTimeoutMs ?? 10 * 60_000;
  const deadline = Date.now() + limitMs;
  await sleep(5_000, ctx.signal);
  let session: Session | undefined;
  let lastError = '';
  while (!session) {
    if (ctx.signal.aborted) throw new EngineError('cancelled', 'Waiting for the kexec was cancelled.');
    if (Date.now() > deadline)
      throw new KexecError(
        `${ctx.session.target.host} did not answer SSH within ${Math.round(limitMs / 1000)} s of the kexec (last: ${lastError}). ` +
          "Check its console: the installer may not have booted, or its network or SSH keys differ (the image must authorize this machine's key).",
      );
    let next: Session | undefined;
    try {
      next = await ctx.reconnect();
      // The old system may still answer in the second before kexec -e: only a new boot counts.
      const probeCtx = { ...ctx, session: next };
      const info = await bootInfo(probeCtx);
      if (info.bootId === bootIdBefore) {
        next.close();
        next = undefined;
        lastError = 'the old system still answered';
        await sleep(3_000, ctx.signal);
        continue;
      }
      session = next;
    } catch (e) {
      next?.close();
      if (e instanceof HostKeyChangedError)
        throw new EngineError(
          'new-host-key',
          `The installer is up after the kexec but answers with a new host key (${e.algorithm} ${e.fingerprint}). ` +
            'That is expected when the image makes its own keys; check the fingerprint on the console and accept it ' +
            'explicitly ("Forget host key", then connect), then resume the install: it goes on in the installer ' +
            'without a second kexec.',
        );
      lastError = (e as Error).message;
      await sleep(3_000, ctx.signal);
    }
  }
  ctx.adoptSession(session);
  const after = await bootInfo(ctx);
  if (!runsKexecImage(after.cmdline, ctx.state))
    throw new KexecError(
      `After the kexec the target booted without nixkit's marker on its command line (${after.cmdline}): it did not start the image.`,
    );
  ctx.emit({ kind: 'note', text: `the target runs the kexec'd image (boot id ${after.bootId})` });
  return { bootIdBefore, bootIdAfter: after.bootId, cmdline: after.cmdline };
}
