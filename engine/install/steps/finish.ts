// The finish step, the last (steps/index.ts holds the order): extra files and host keys, unmount everything under the
// root (swap off, LUKS closed), reboot, wait for SSH with a deadline, and confirm the new system runs
// (/run/current-system is this toplevel; its generation). The installed system makes new SSH host keys on first boot
// unless the live system's were kept: that change is explained and left for the person to accept — never accepted
// silently.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EngineError, HostKeyChangedError } from '../../errors';
import type { Session } from '../../ssh/session';
import { lastLines } from '../nix-env';
import type {
  InstallOptions,
  InstallState,
  PlannedCommand,
  StepOutputs,
} from '../../../protocol/install-state';
import type { StepContext } from '../plan';
import type { ResumeAwareStep } from '../runner';
import type { BuildOutputs } from './build';
import type { MountOutputs } from './mount';

export interface FinishOutputs extends StepOutputs {
  extraFiles: string[];
  hostKeysKept: boolean;
  unmounted: boolean;
  rebooted: boolean;
  /** After the reboot: what /run/current-system points at, and the running generation. */
  currentSystem?: string;
  generation?: number;
  hostKeyNote: string;
}

const WRITE_SCRIPT =
  'set -e; umask 077; mkdir -p "$(dirname "$1")"; cat > "$1.nixkit-tmp"; chmod "$2" "$1.nixkit-tmp"; mv "$1.nixkit-tmp" "$1"';

/**
 * Copies the live system's host keys into the root (private keys 0600). $1 = root. In place (root /, lustrate)
 * the keys already are where they belong, but stage 1 moves every old file to /old-root: listing them in
 * /etc/NIXOS_LUSTRATE brings them back.
 */
const HOST_KEYS_SCRIPT = `set -e
mkdir -p "$1/etc/ssh"
n=0
for k in /etc/ssh/ssh_host_*_key; do
  [ -f "$k" ] || continue
  if [ "$1" = / ]; then
    for f in "$k" "$k.pub"; do
      [ -f "$f" ] && { grep -qxF "\${f#/}" /etc/NIXOS_LUSTRATE 2>/dev/null || printf '%s\\n' "\${f#/}" >> /etc/NIXOS_LUSTRATE; }
    done
  else
    cp "$k" "$1$k"; chmod 0600 "$1$k"
    [ -f "$k.pub" ] && { cp "$k.pub" "$1$k.pub"; chmod 0644 "$1$k.pub"; }
  fi
  n=$((n + 1))
done
echo "$n"`;

/** Unmounts everything under $1 (deepest first), then swaps and LUKS mappings named after it. */
export const UNMOUNT_SCRIPT = `set -u
root=$1; shift
sync
rc=0
for s in "$@"; do
  case $s in
    swap:*) d=\${s#swap:}; d=$(readlink -f "$d" || echo "$d"); grep -q "^$d[[:space:]]" /proc/swaps 2>/dev/null && { swapoff "$d" || rc=1; } ;;
  esac
done
if grep -q "[[:space:]]$root[[:space:]/]" /proc/self/mounts 2>/dev/null || mountpoint -q "$root" 2>/dev/null; then
  umount -R "$root" || { echo "nixkit: umount -R $root failed; still mounted:" >&2; grep "[[:space:]]$root" /proc/self/mounts >&2; exit 1; }
fi
for s in "$@"; do
  case $s in
    luks:*) n=\${s#luks:}; [ -e "/dev/mapper/$n" ] && { cryptsetup close "$n" || rc=1; } ;;
  esac
done
exit $rc`;

/** The install went onto the running system's own root (the lustrate route). */
function runningRoot(root: string): boolean {
  return root.replace(/\/+$/, '') === '';
}

function rootPath(root: string, p: string): string {
  const norm = path.posix.normalize('/' + p);
  if (norm.split('/').includes('..') || norm === '/')
    throw new EngineError(
      'bad-extra-file',
      `The extra file destination "${p}" is not a file path inside the root.`,
    );
  return root.replace(/\/$/, '') + norm;
}

function unmountArgs(ctx: { outputs: StepContext['outputs']; options: InstallOptions }): string[] {
  const m = (ctx.outputs('mount') ?? {}) as Partial<MountOutputs>;
  // The mount step records the one swap it turned on as `swap`, by the path it used (often a /dev/disk link;
  // /proc/swaps names the device itself, hence the readlink in the script).
  const swaps = typeof m.swap === 'string' ? [m.swap] : [];
  const luks = new Set<string>();
  if (ctx.options.layout?.luks?.name) luks.add(ctx.options.layout.luks.name);
  return [...swaps.map((s) => `swap:${s}`), ...[...luks].map((n) => `luks:${n}`)];
}

export function hostKeyExplanation(kept: boolean, host: string): string {
  return kept
    ? `The installed system keeps the live system's SSH host keys: ${host} answers with the key you already accepted.`
    : `The installed system has its own, new SSH host keys (made on its first boot): the next connection to ${host} ` +
        `will show a changed host key. That is expected after this install; check the new fingerprint on the machine ` +
        `(ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) and accept it explicitly ("Forget host key", then connect).`;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/** After the reboot: the target runs the installed system (/run/current-system is the build's toplevel). */
async function runsInstalled(ctx: StepContext, top: string | undefined): Promise<boolean> {
  if (!ctx.options.reboot || !top) return false;
  const r = await ctx.session.execAsRoot(['readlink', '/run/current-system'], { signal: ctx.signal });
  return r.stdout.toString().trim() === top;
}

export const finishStep: ResumeAwareStep = {
  id: 'finish',
  title: 'Finish: unmount, reboot, confirm',

  describe(options: InstallOptions, state: InstallState) {
    const root = options.root;
    const commands: PlannedCommand[] = [];
    for (const f of options.extraFiles ?? [])
      commands.push({
        where: 'target',
        argv: ['sh', '-c', WRITE_SCRIPT, 'nixkit-write', rootPath(root, f.path), f.mode ?? '0600'],
        purpose: `copy ${f.source} into the installed system`,
      });
    if (options.keepHostKeys)
      commands.push({
        where: 'target',
        argv: ['sh', '-c', HOST_KEYS_SCRIPT, 'nixkit-hostkeys', root],
        purpose: "keep the live system's SSH host keys",
      });
    const ctxLike = {
      options,
      outputs: (id: string) => state.steps.find((s) => s.id === id && s.status === 'done')?.outputs,
    };
    // The running root (lustrate) is never unmounted: `umount -R /` would take the live system down.
    if (!runningRoot(root))
      commands.push({
        where: 'target',
        argv: ['sh', '-c', UNMOUNT_SCRIPT, 'nixkit-unmount', root, ...unmountArgs(ctxLike)],
        purpose: `unmount everything under ${root}, swap off, close LUKS`,
      });
    if (options.reboot) {
      commands.push({ where: 'target', argv: ['reboot'], purpose: 'reboot into the installed system' });
      commands.push({
        where: 'target',
        argv: ['readlink', '/run/current-system', '/nix/var/nix/profiles/system'],
        purpose: 'after SSH is back: confirm the new system runs, and its generation',
      });
    }
    return {
      id: 'finish',
      title: this.title,
      commands,
      warnings: [hostKeyExplanation(!!options.keepHostKeys, options.target)],
    };
  },

  async run(ctx: StepContext): Promise<FinishOutputs> {
    const o = ctx.options;
    const root = o.root;
    const top = (ctx.outputs('build') as BuildOutputs | undefined)?.toplevel;
    const exec = async (session: Session, command: PlannedCommand, stdin?: Buffer) => {
      ctx.emit({ kind: 'command', command });
      const r = await session.execAsRoot(command.argv, {
        stdin,
        signal: ctx.signal,
        timeoutMs: 5 * 60_000,
        onStderr: (c) => ctx.emit({ kind: 'output', stream: 'stderr', text: c.toString() }),
      });
      if (r.code !== 0)
        throw new EngineError(
          'finish-failed',
          `${command.purpose} failed (exit ${r.code}): ${session.redact(lastLines(r.stderr.toString(), 5))}`,
        );
      return r.stdout.toString();
    };
    const hostKeyNote = hostKeyExplanation(!!o.keepHostKeys, o.target);

    // Resumed after the reboot (the session already reaches the new system): only the confirmation is left.
    if (top && (await runsInstalled(ctx, top))) {
      const gen = await confirm(ctx, ctx.session, top);
      return {
        extraFiles: [],
        hostKeysKept: !!o.keepHostKeys,
        unmounted: true,
        rebooted: true,
        currentSystem: top,
        generation: gen,
        hostKeyNote,
      };
    }

    const written: string[] = [];
    for (const f of o.extraFiles ?? []) {
      let data: Buffer;
      try {
        data = fs.readFileSync(f.source);
      } catch (e) {
        throw new EngineError(
          'bad-extra-file',
          `Cannot read the extra file ${f.source}: ${(e as Error).message}.`,
        );
      }
      const mode = f.mode ?? '0600';
      if (!/^[0-7]{3,4}$/.test(mode))
        throw new EngineError('bad-extra-file', `"${mode}" is not a file mode.`);
      const dest = rootPath(root, f.path);
      await exec(
        ctx.session,
        {
          where: 'target',
          argv: ['sh', '-c', WRITE_SCRIPT, 'nixkit-write', dest, mode],
          purpose: `write ${f.path}`,
        },
        data,
      );
      written.push(f.path);
    }
    if (o.keepHostKeys) {
      const n = await exec(ctx.session, {
        where: 'target',
        argv: ['sh', '-c', HOST_KEYS_SCRIPT, 'nixkit-hostkeys', root],
        purpose: "keep the live system's SSH host keys",
      });
      if (Number(n.trim()) === 0)
        throw new EngineError(
          'finish-failed',
          'keepHostKeys is set but the live system has no /etc/ssh/ssh_host_*_key.',
        );
    }
    if (!runningRoot(root))
      await exec(ctx.session, {
        where: 'target',
        argv: ['sh', '-c', UNMOUNT_SCRIPT, 'nixkit-unmount', root, ...unmountArgs(ctx)],
        purpose: `unmount everything under ${root}`,
      });
    const outputs: FinishOutputs = {
      extraFiles: written,
      hostKeysKept: !!o.keepHostKeys,
      unmounted: !runningRoot(root),
      rebooted: false,
      hostKeyNote,
    };
    if (!o.reboot) {
      ctx.emit({ kind: 'note', text: hostKeyNote });
      return outputs;
    }
    if (!top) throw new EngineError('no-build', 'No system to confirm: the build step has not finished.');
    // Reboot in the background so the command returns before the connection drops.
    const rebootCmd: PlannedCommand = {
      where: 'target',
      argv: ['sh', '-c', '(sleep 1; reboot || systemctl reboot) >/dev/null 2>&1 </dev/null &'],
      purpose: 'reboot into the installed system',
    };
    await exec(ctx.session, rebootCmd);
    outputs.rebooted = true;
    if (!ctx.reconnect) {
      ctx.emit({
        kind: 'note',
        text: `rebooting; not waiting for SSH (no way to reconnect here). ${hostKeyNote}`,
      });
      return outputs;
    }
    const deadline = Date.now() + (o.rebootTimeoutMs ?? 10 * 60_000);
    await sleep(5_000, ctx.signal);
    let session: Session | undefined;
    let lastError = '';
    while (!session) {
      if (ctx.signal.aborted)
        throw new EngineError('cancelled', 'Waiting for the target to come back was cancelled.');
      if (Date.now() > deadline)
        throw new EngineError(
          'reboot-timeout',
          `${ctx.session.target.host} did not answer SSH within ${Math.round((o.rebootTimeoutMs ?? 600_000) / 1000)} s of the reboot (last: ${lastError}). ` +
            'Check its console: the firmware may not boot from the new disk (boot order), or the network came up differently.',
        );
      try {
        session = await ctx.reconnect();
      } catch (e) {
        if (e instanceof HostKeyChangedError) {
          if (o.keepHostKeys) throw e; // the kept key changed anyway: a real warning, not the install's doing
          throw new EngineError(
            'new-host-key',
            `The installed system is up and answers with a new host key (${e.algorithm} ${e.fingerprint}). ${hostKeyExplanation(false, o.target)} Then resume the install to confirm the new system.`,
          );
        }
        lastError = (e as Error).message;
        await sleep(3_000, ctx.signal);
      }
    }
    try {
      outputs.generation = await confirm(ctx, session, top);
      outputs.currentSystem = top;
    } finally {
      session.close();
    }
    return outputs;
  },

  async verify() {
    // Confirmation happens in run (the mounts are gone and the target may have rebooted).
  },

  async pastEarlierSteps(ctx: StepContext) {
    const top = (ctx.outputs('build') as BuildOutputs | undefined)?.toplevel;
    return (await runsInstalled(ctx, top))
      ? `the target already runs the installed system ${top}`
      : undefined;
  },
};

/** The new system runs: /run/current-system is the toplevel; returns the profile generation. */
async function confirm(ctx: StepContext, session: Session, top: string): Promise<number> {
  const argv = ['sh', '-c', 'readlink /run/current-system; readlink /nix/var/nix/profiles/system'];
  ctx.emit({ kind: 'command', command: { where: 'target', argv, purpose: 'confirm the new system runs' } });
  const r = await session.execAsRoot(argv, { signal: ctx.signal, timeoutMs: 60_000 });
  const [current, profile] = r.stdout.toString().split('\n');
  if (current !== top)
    throw new EngineError(
      'wrong-system',
      `After the reboot ${session.target.host} runs ${current || 'no NixOS system'}, not the installed ${top}: ` +
        'the firmware probably booted another disk or the old boot entry.',
    );
  const gen = Number(/system-(\d+)-link/.exec(profile ?? '')?.[1] ?? NaN);
  ctx.emit({
    kind: 'note',
    text: `the new system runs: ${top} (generation ${Number.isNaN(gen) ? '?' : gen})`,
  });
  return gen;
}
