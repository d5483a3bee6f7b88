// The mount step (steps/index.ts holds the order): the root filesystem (or its btrfs subvolumes) at the install root,
// the ESP where the configuration's boot.loader.efi.efiSysMountPoint says (default /boot), swap on. Idempotent for a
// resumed install (what is already mounted from the same device stays). Without a disk ("use what is mounted at /mnt")
// it only checks that something is mounted at the install root.
import { EngineError } from '../../errors';
import { parseMountinfo } from '../../probe/tool-parsers';
import type { Mount } from '../../../protocol/probe-report';
import {
  DEFAULT_LAYOUT,
  partitionPath,
  plannedMounts,
  plannedPartitions,
  underRoot,
  type PlannedMount,
} from '../layout';
import type {
  InstallOptions,
  InstallState,
  PlannedCommand,
  StepDescription,
  StepOutputs,
} from '../../../protocol/install-state';
import type { Step, StepContext } from '../plan';
import { runCommand } from '../runner';
import type { PartitionDevices, PartitionOutputs } from './partition';

export interface MountHooks {
  /**
   * When `mount -t vfat` fails, mount the ESP through FUSE (`fusefat`) instead: for kernels without vfat (this
   * project's CI kernel). NixOS itself mounts it with the kernel driver; hardware-configuration.nix says vfat.
   */
  fuseVfatFallback?: boolean;
}

export class MountError extends EngineError {
  constructor(detail: string) {
    super('mount-failed', detail);
  }
}

function rootOf(options: InstallOptions): string {
  return options.root.replace(/\/+$/, '') || '/';
}

function espMountPoint(state: InstallState): string {
  return state.config?.efiSysMountPoint ?? '/boot';
}

function devicesFor(options: InstallOptions, state: InstallState): PartitionDevices {
  const done = state.steps.find((s) => s.id === 'partition' && s.status === 'done')?.outputs as
    | PartitionOutputs
    | undefined;
  if (done?.devices) return done.devices;
  const out: PartitionDevices = { esp: undefined, swap: undefined, root: undefined };
  for (const p of plannedPartitions(options.layout ?? DEFAULT_LAYOUT))
    out[p.role] = partitionPath(options.disk!, p.number);
  return out;
}

export function mountCommands(m: PlannedMount, fuseFallback: boolean): PlannedCommand[] {
  const mkdir: PlannedCommand = {
    where: 'target',
    argv: ['mkdir', '-p', m.target],
    purpose: `create the mount point ${m.target}`,
  };
  const opts = m.options.join(',');
  if (m.fsType === 'vfat' && fuseFallback)
    return [
      mkdir,
      {
        where: 'target',
        argv: [
          'sh',
          '-c',
          'mount -t vfat -o "$3" "$1" "$2" 2>/dev/null || exec fusefat -o "rw+,allow_other,fsname=$1" "$1" "$2"',
          'nixkit-mount-vfat',
          m.device,
          m.target,
          opts,
        ],
        purpose: `mount the ESP at ${m.target} (through fusefat when the kernel has no vfat)`,
      },
    ];
  return [
    mkdir,
    {
      where: 'target',
      argv: ['mount', '-t', m.fsType, ...(opts ? ['-o', opts] : []), m.device, m.target],
      purpose: `mount ${m.mountPoint === '/' ? 'the root filesystem' : m.mountPoint} at ${m.target}`,
    },
  ];
}

function swapCommand(device: string): PlannedCommand {
  return { where: 'target', argv: ['swapon', device], purpose: 'turn the new swap partition on' };
}

const READ_MOUNTS: PlannedCommand = {
  where: 'target',
  argv: ['cat', '/proc/self/mountinfo', '/proc/swaps'],
  purpose: 'see what is mounted',
};

async function readMounts(ctx: StepContext): Promise<{ mounts: Mount[]; swaps: string[] }> {
  const r = await ctx.session.execAsRoot(['cat', '/proc/self/mountinfo'], {
    signal: ctx.signal,
    timeoutMs: 30_000,
  });
  const s = await ctx.session.execAsRoot(['cat', '/proc/swaps'], { signal: ctx.signal, timeoutMs: 30_000 });
  return {
    mounts: parseMountinfo(r.stdout.toString()),
    swaps: s.stdout
      .toString()
      .split('\n')
      .slice(1)
      .map((l) => l.split(/\s+/)[0])
      .filter((x) => x),
  };
}

/** Each path resolved on the target (readlink -e), '' where it does not exist. */
async function canonical(ctx: StepContext, paths: string[]): Promise<string[]> {
  if (paths.length === 0) return [];
  const r = await ctx.session.execAsRoot(
    ['sh', '-c', 'for p do readlink -e -- "$p" || echo; done', 'nixkit-canonical', ...paths],
    { signal: ctx.signal, timeoutMs: 30_000 },
  );
  const lines = r.stdout.toString().split('\n');
  return paths.map((_, i) => lines[i] ?? '');
}

const isFuse = (t: string) => t === 'fuse' || t === 'fuseblk' || t.startsWith('fuse.');

export interface MountOutputs extends StepOutputs {
  mounts: { target: string; device: string; fsType: string; options: string[] }[];
  swap?: string;
  espTarget: string;
}

export function createMountStep(hooks: MountHooks = {}): Step {
  const fuse = hooks.fuseVfatFallback === true;
  const title = 'Mount the filesystems';
  return {
    id: 'mount',
    title,
    describe(options: InstallOptions, state: InstallState): StepDescription {
      const root = rootOf(options);
      if (!options.disk)
        return {
          id: 'mount',
          title: `Use what is mounted at ${root}`,
          commands: [{ ...READ_MOUNTS, purpose: `check that something is mounted at ${root}` }],
        };
      const layout = options.layout ?? DEFAULT_LAYOUT;
      const devices = devicesFor(options, state);
      const mounts = plannedMounts(
        layout,
        { esp: devices.esp!, root: devices.root! },
        root,
        espMountPoint(state),
      );
      const commands = mounts.flatMap((m) => mountCommands(m, fuse));
      if (devices.swap) commands.push(swapCommand(devices.swap));
      return { id: 'mount', title, commands };
    },

    async run(ctx: StepContext): Promise<StepOutputs> {
      const { options, state } = ctx;
      const root = rootOf(options);
      const esp = underRoot(root, espMountPoint(state));
      if (!options.disk) {
        ctx.emit({ kind: 'command', command: READ_MOUNTS });
        const { mounts } = await readMounts(ctx);
        const at = mounts.filter((m) => m.mountPoint === root).pop();
        if (!at)
          throw new MountError(
            `nothing is mounted at ${root}: mount the new system's root filesystem there first`,
          );
        if (!mounts.some((m) => m.mountPoint === esp) && state.probe?.firmware.mode === 'uefi')
          ctx.emit({
            kind: 'note',
            text: `warning: nothing is mounted at ${esp} (the ESP, boot.loader.efi.efiSysMountPoint): the bootloader needs it`,
          });
        const outputs: MountOutputs = {
          mounts: mounts
            .filter((m) => m.mountPoint === root || m.mountPoint.startsWith(root === '/' ? '/' : root + '/'))
            .map((m) => ({ target: m.mountPoint, device: m.source, fsType: m.fsType, options: [] })),
          espTarget: esp,
        };
        return outputs;
      }
      const layout = options.layout ?? DEFAULT_LAYOUT;
      const devices = devicesFor(options, state);
      const planned = plannedMounts(
        layout,
        { esp: devices.esp!, root: devices.root! },
        root,
        espMountPoint(state),
      );
      const { mounts, swaps } = await readMounts(ctx);
      for (const m of planned) {
        const existing = mounts.filter((x) => x.mountPoint === m.target).pop();
        if (existing) {
          const [a, b] = await canonical(ctx, [existing.source, m.device]);
          const same =
            (a !== '' && a === b) ||
            existing.source === m.device ||
            (isFuse(existing.fsType) && existing.source === m.device);
          const subvolOk =
            m.fsType !== 'btrfs' ||
            !m.options[0]?.startsWith('subvol=') ||
            existing.root === '/' + m.options[0].slice(7);
          if (same && subvolOk) {
            ctx.emit({ kind: 'note', text: `${m.target} is already mounted from ${m.device}` });
            continue;
          }
          throw new MountError(
            `${m.target} already has ${existing.source} (${existing.fsType}) mounted: unmount it first`,
          );
        }
        for (const c of mountCommands(m, fuse)) await runCommand(ctx, c, { timeoutMs: 120_000 });
      }
      if (devices.swap) {
        const [canon] = await canonical(ctx, [devices.swap]);
        if (swaps.includes(devices.swap) || (canon && swaps.includes(canon)))
          ctx.emit({ kind: 'note', text: `swap on ${devices.swap} is already on` });
        else await runCommand(ctx, swapCommand(devices.swap), { timeoutMs: 60_000 });
      }
      const outputs: MountOutputs = {
        mounts: planned.map((m) => ({
          target: m.target,
          device: m.device,
          fsType: m.fsType,
          options: m.options,
        })),
        ...(devices.swap ? { swap: devices.swap } : {}),
        espTarget: esp,
      };
      return outputs;
    },

    async verify(ctx: StepContext, outputs: StepOutputs): Promise<void> {
      const o = outputs as MountOutputs;
      const { mounts } = await readMounts(ctx);
      for (const m of o.mounts) {
        const at = mounts.filter((x) => x.mountPoint === m.target).pop();
        if (!at) throw new MountError(`${m.target} is not mounted`);
        const typeOk =
          at.fsType === m.fsType || (m.fsType === 'vfat' && isFuse(at.fsType)) || !ctx.options.disk;
        if (!typeOk) throw new MountError(`${m.target} has ${at.fsType} mounted, not ${m.fsType}`);
        const sub = m.options.find((x) => x.startsWith('subvol='));
        if (sub && at.root !== '/' + sub.slice(7))
          throw new MountError(`${m.target} has subvolume ${at.root} mounted, not ${sub.slice(7)}`);
      }
    },
  };
}

export const mountStep: Step = createMountStep();
