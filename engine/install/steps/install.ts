// The install step (steps/index.ts holds the order): make the copied system the root's system and install its boot
// loader.
// - `nixos-install --system <toplevel> --no-root-passwd --no-channel-copy --root <root>` where the target has it;
// - otherwise the manual route: the system profile (`system-N-link` → toplevel, `system` → it), `/etc/NIXOS`, then
//   enter the root as nixos-enter does — a private mount namespace (unshare), /dev and /sys bound, proc and a tmpfs
//   /run — load the registration into the root's own Nix database, and run
//   `NIXOS_INSTALL_BOOTLOADER=1 switch-to-configuration boot` in a chroot. A non-zero exit fails the step.
import { EngineError } from '../../errors';
import type {
  InstallOptions,
  InstallState,
  PlannedCommand,
  StepOutputs,
} from '../../../protocol/install-state';
import type { Step, StepContext } from '../plan';
import { lastLines } from '../nix-env';
import type { BuildOutputs } from './build';
import { REGISTRATION } from './copy';

export interface InstallOutputs extends StepOutputs {
  route: 'nixos-install' | 'manual' | 'lustrate';
  toplevel: string;
  /** The system profile generation that points at the toplevel. */
  generation: number;
}

/**
 * Sets the system profile to $2 under root $1 (POSIX sh): reuses the generation already pointing at it (a resumed
 * install makes no new generation), else the next number. Prints the generation.
 */
export const PROFILE_SCRIPT = `set -eu
root=$1; top=$2; dir=$root/nix/var/nix/profiles
mkdir -p "$dir" "$root/etc"
gen=; max=0
for l in "$dir"/system-*-link; do
  [ -L "$l" ] || continue
  n=\${l##*/system-}; n=\${n%-link}
  case $n in ''|*[!0-9]*) continue;; esac
  [ "$n" -gt "$max" ] && max=$n
  [ "$(readlink "$l")" = "$top" ] && gen=$n
done
[ -n "$gen" ] || gen=$((max + 1))
ln -sfn "$top" "$dir/system-$gen-link"
ln -sfn "system-$gen-link" "$dir/system"
: > "$root/etc/NIXOS"
echo "$gen"`;

/**
 * Enters root $1 like nixos-enter and runs the boot loader install (POSIX sh; runs inside `unshare --mount --fork
 * --pid --mount-proc`, so no mount leaks to the live system). The registration, if there, is loaded into the
 * root's Nix database first (the boot loader installer asks Nix for the generations).
 */
export const ENTER_PREFIX = `set -eu
root=$1
chroot=$(command -v chroot)
mount --make-rprivate /
mkdir -p "$root/dev" "$root/proc" "$root/sys" "$root/run" "$root/tmp"
mount --rbind /dev "$root/dev"
mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys"
mount -t tmpfs -o mode=0755 tmpfs "$root/run"
sys=/nix/var/nix/profiles/system
path=$sys/sw/bin:/run/current-system/sw/bin
if [ -f "$root${REGISTRATION}" ] && [ -x "$root$sys/sw/bin/nix-store" ]; then
  env -i PATH="$path" "$chroot" "$root" "$sys/sw/bin/nix-store" --load-db < "$root${REGISTRATION}"
fi
if [ -x "$root$sys/activate" ]; then
  env -i PATH="$path" "$chroot" "$root" "$sys/activate" >&2 || echo "nixkit: activation exited $? (as nixos-enter, continuing)" >&2
fi`;

/** ENTER_PREFIX, then the boot loader install (the rescue's run-a-command follows ENTER_PREFIX with its own). */
export const ENTER_SCRIPT = `${ENTER_PREFIX}
exec env -i PATH="$path" NIXOS_INSTALL_BOOTLOADER=1 "$chroot" "$root" "$sys/bin/switch-to-configuration" boot`;

/**
 * The in-place route (NIXOS_LUSTRATE) on the running root: mark it as NixOS and to be lustrated at the next boot
 * (stage 1 then moves every old file to /old-root, keeping /nix, /boot and what /etc/NIXOS_LUSTRATE lists), load
 * the registration when the target has no Nix of its own, and install the boot loader from the new system as the
 * NixOS manual's "installing from another distribution" does. No chroot: the root is the running one. $1 = system.
 */
export const LUSTRATE_SCRIPT = `set -eu
sys=$1
touch /etc/NIXOS /etc/NIXOS_LUSTRATE
if [ -f ${REGISTRATION} ] && ! command -v nix-store >/dev/null 2>&1 && [ -x "$sys/sw/bin/nix-store" ]; then
  "$sys/sw/bin/nix-store" --load-db < ${REGISTRATION}
fi
NIXOS_INSTALL_BOOTLOADER=1 "$sys/bin/switch-to-configuration" boot`;

export function lustrateCommands(top: string): PlannedCommand[] {
  return [
    {
      where: 'target',
      argv: ['sh', '-c', PROFILE_SCRIPT, 'nixkit-profile', '/', top],
      purpose: 'point the system profile at the new system; mark the root as NixOS (/etc/NIXOS)',
    },
    {
      where: 'target',
      argv: ['sh', '-c', LUSTRATE_SCRIPT, 'nixkit-lustrate', '/nix/var/nix/profiles/system'],
      purpose:
        'mark the running root for lustration at the next boot (/etc/NIXOS_LUSTRATE) and install the boot loader: switch-to-configuration boot',
    },
  ];
}

function isLustrate(o: InstallOptions, state: InstallState): boolean {
  const chosen = state.steps.find((s) => s.id === 'preflight')?.outputs?.strategy;
  return (chosen ?? o.strategy) === 'lustrate';
}

function toplevelOf(state: InstallState): string | undefined {
  return (state.steps.find((s) => s.id === 'build')?.outputs as BuildOutputs | undefined)?.toplevel;
}

export function manualCommands(root: string, top: string): PlannedCommand[] {
  return [
    {
      where: 'target',
      argv: ['sh', '-c', PROFILE_SCRIPT, 'nixkit-profile', root, top],
      purpose: 'point the system profile at the new system; mark the root as NixOS (/etc/NIXOS)',
    },
    {
      where: 'target',
      argv: [
        'unshare',
        '--mount',
        '--fork',
        '--pid',
        '--mount-proc',
        'sh',
        '-c',
        ENTER_SCRIPT,
        'nixkit-enter',
        root,
      ],
      purpose: 'enter the root (private mounts) and install the boot loader: switch-to-configuration boot',
    },
  ];
}

export function nixosInstallArgv(root: string, top: string): string[] {
  return ['nixos-install', '--system', top, '--no-root-passwd', '--no-channel-copy', '--root', root];
}

function plannedRoute(o: InstallOptions, state: InstallState): 'nixos-install' | 'manual' | 'auto' {
  if (o.installRoute === 'manual' || o.installRoute === 'nixos-install') return o.installRoute;
  if (state.probe?.system?.nixosInstaller === true) return 'nixos-install';
  if (state.probe?.system?.nixosInstaller === false) return 'manual';
  return 'auto';
}

export const installStep: Step = {
  id: 'install',
  title: 'Install the system and its boot loader',

  describe(options: InstallOptions, state: InstallState) {
    const top = toplevelOf(state) ?? '<toplevel>';
    if (isLustrate(options, state))
      return {
        id: 'install',
        title: this.title,
        commands: lustrateCommands(top),
        warnings: [
          'At the next boot every file of the running system moves to /old-root; only /nix, /boot and what ' +
            '/etc/NIXOS_LUSTRATE lists stay.',
        ],
      };
    const route = plannedRoute(options, state);
    const nixosInstall: PlannedCommand = {
      where: 'target',
      argv: nixosInstallArgv(options.root, top),
      purpose: 'install with the target’s nixos-install',
    };
    return {
      id: 'install',
      title: this.title,
      commands:
        route === 'nixos-install'
          ? [nixosInstall]
          : route === 'manual'
            ? manualCommands(options.root, top)
            : [nixosInstall, ...manualCommands(options.root, top)],
      ...(route === 'auto'
        ? { warnings: ['nixos-install where the target has it, else the manual route'] }
        : {}),
    };
  },

  async run(ctx: StepContext): Promise<InstallOutputs> {
    const top = toplevelOf(ctx.state);
    if (!top) throw new EngineError('no-build', 'Nothing to install: the build step has not finished.');
    const root = ctx.options.root;
    if (isLustrate(ctx.options, ctx.state)) return runLustrate(ctx, top);
    let route = plannedRoute(ctx.options, ctx.state);
    if (route === 'auto') {
      const r = await ctx.session.execAsRoot(['sh', '-c', 'command -v nixos-install'], {
        signal: ctx.signal,
      });
      route = r.code === 0 ? 'nixos-install' : 'manual';
    }
    const exec = async (command: PlannedCommand, what: string) => {
      ctx.emit({ kind: 'command', command });
      const r = await ctx.session.execAsRoot(command.argv, {
        signal: ctx.signal,
        timeoutMs: 60 * 60_000,
        onStdout: (c) => ctx.emit({ kind: 'output', stream: 'stdout', text: c.toString() }),
        onStderr: (c) => ctx.emit({ kind: 'output', stream: 'stderr', text: c.toString() }),
      });
      if (r.code !== 0)
        throw new EngineError(
          'install-failed',
          `${what} failed (exit ${r.code ?? r.signal}): ${ctx.session.redact(lastLines(r.stderr.toString(), 8))}`,
        );
      return r.stdout.toString();
    };
    if (route === 'nixos-install') {
      await exec(
        { where: 'target', argv: nixosInstallArgv(root, top), purpose: 'install with nixos-install' },
        'nixos-install',
      );
      const gen = await exec(
        {
          where: 'target',
          argv: ['readlink', `${root}/nix/var/nix/profiles/system`],
          purpose: 'read the system generation',
        },
        'Reading the system profile',
      );
      return { route, toplevel: top, generation: Number(/system-(\d+)-link/.exec(gen)?.[1] ?? 1) };
    }
    const [profile, enter] = manualCommands(root, top);
    const out = await exec(profile, 'Setting the system profile');
    const generation = Number(out.trim().split('\n').pop());
    if (!Number.isInteger(generation) || generation < 1)
      throw new EngineError(
        'install-failed',
        `Setting the system profile printed no generation ("${out.trim()}").`,
      );
    await exec(enter, 'switch-to-configuration boot (installing the boot loader)');
    return { route, toplevel: top, generation };
  },

  async verify(ctx: StepContext, outputs: StepOutputs) {
    const out = outputs as InstallOutputs;
    if (out.route === 'lustrate') {
      const r = await ctx.session.execAsRoot(['test', '-e', '/etc/NIXOS_LUSTRATE'], { signal: ctx.signal });
      if (r.code !== 0)
        throw new EngineError(
          'install-incomplete',
          '/etc/NIXOS_LUSTRATE is missing: nothing would be lustrated.',
        );
    }
    const root = ctx.options.root;
    const link = `${root}/nix/var/nix/profiles/system-${out.generation}-link`;
    const r = await ctx.session.execAsRoot(
      ['sh', '-c', 'readlink "$1"; test -e "$2" && echo nixos', 'nixkit-check', link, `${root}/etc/NIXOS`],
      { signal: ctx.signal },
    );
    const [points, nixos] = r.stdout.toString().split('\n');
    if (points !== out.toplevel)
      throw new EngineError(
        'install-incomplete',
        `${link} points to ${points || 'nothing'}, not the installed system ${out.toplevel}.`,
      );
    if (nixos !== 'nixos') throw new EngineError('install-incomplete', `${root}/etc/NIXOS is missing.`);
  },
};

async function runLustrate(ctx: StepContext, top: string): Promise<InstallOutputs> {
  if (ctx.options.root !== '/')
    throw new EngineError(
      'install-failed',
      'The lustrate route installs onto the running root: the root must be /.',
    );
  let generation = 0;
  for (const [i, command] of lustrateCommands(top).entries()) {
    ctx.emit({ kind: 'command', command });
    const r = await ctx.session.execAsRoot(command.argv, {
      signal: ctx.signal,
      timeoutMs: 60 * 60_000,
      onStdout:
        i === 0 ? undefined : (c) => ctx.emit({ kind: 'output', stream: 'stdout', text: c.toString() }),
      onStderr: (c) => ctx.emit({ kind: 'output', stream: 'stderr', text: c.toString() }),
    });
    if (r.code !== 0)
      throw new EngineError(
        'install-failed',
        `${command.purpose} failed (exit ${r.code ?? r.signal}): ${ctx.session.redact(lastLines(r.stderr.toString(), 8))}`,
      );
    if (i === 0) generation = Number(r.stdout.toString().trim().split('\n').pop());
  }
  if (!Number.isInteger(generation) || generation < 1)
    throw new EngineError('install-failed', 'Setting the system profile printed no generation.');
  return { route: 'lustrate', toplevel: top, generation };
}
