// The partition-and-format step (steps/index.ts holds the order): wipefs, a GPT from the layout through sfdisk (script
// on stdin), the partition devices (udev's by-id -partN links, else the kernel's names; when the kernel did not re-read
// the table, partx tells it about the new partitions), optional LUKS (passphrase on stdin, never argv), mkfs for each
// filesystem, btrfs subvolumes; then the same layout as a disko file in the flake. Every argument is an argv element,
// quoted by the session: a disk id or label with quotes or `$()` stays data.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkPaths } from '../../../server/analysis/check-files';
import { EngineError } from '../../errors';
import { generateDisko } from '../disko';
import {
  checkLayout,
  DEFAULT_LAYOUT,
  labelsOf,
  partitionPath,
  plannedPartitions,
  rootFsDevice,
  rootMkfs,
  sfdiskScript,
  type PartitionRole,
} from '../layout';
import type {
  DiskLayout,
  InstallOptions,
  InstallState,
  PlannedCommand,
  StepDescription,
  StepOutputs,
} from '../../../protocol/install-state';
import type { Step, StepContext } from '../plan';
import { runCommand } from '../runner';
import { checkConfirmation, defaultHardwareConfigFile, diskoFileFor } from './preflight';

export interface PartitionInfo {
  /** The disk as given (/dev/disk/by-id/...). */
  disk: string;
  /** Its device node on the target. */
  diskDevice: string;
  number: number;
  startBytes: number;
  sizeBytes: number;
}

export class PartitionError extends EngineError {
  constructor(detail: string) {
    super('partition-failed', detail);
  }
}

const GPT_TYPES: Record<string, string> = {
  uefi: 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b',
  swap: '0657fd6d-a4ab-43c4-84e5-0933c84b4f4f',
  linux: '0fc63daf-8483-4772-8e79-3d69d8477de4',
};

export type PartitionDevices = Record<PartitionRole, string | undefined>;

function layoutOf(options: InstallOptions): DiskLayout {
  return options.layout ?? DEFAULT_LAYOUT;
}

export function tableCommands(disk: string, layout: DiskLayout): PlannedCommand[] {
  return [
    {
      where: 'target',
      argv: ['wipefs', '--all', disk],
      destructive: true,
      purpose: 'erase the old partition table and filesystem signatures',
    },
    {
      where: 'target',
      argv: ['sfdisk', '--wipe', 'always', '--wipe-partitions', 'always', disk],
      stdin: sfdiskScript(layout),
      destructive: true,
      purpose: 'write the new GPT partition table',
    },
    {
      where: 'target',
      argv: ['udevadm', 'settle', '--timeout=30'],
      purpose: 'wait for the partition devices',
    },
  ];
}

/**
 * Run only when the kernel did not pick up the new table (a loop device attached without partition scanning, a
 * disk whose re-read the kernel refused, a kernel without partition-table parsers): partx adds partitions one by
 * one through BLKPG, which works where a re-read does not. The kernel's partitions left from the old table go
 * first: `partx --update` would have to move them in order and fails on the overlaps.
 */
export function partxCommands(disk: string): { forget: PlannedCommand; add: PlannedCommand } {
  const when = 'if the kernel did not pick up the new table';
  return {
    forget: {
      where: 'target',
      argv: ['partx', '--delete', disk],
      purpose: `${when}: make it forget the partitions of the old table`,
    },
    add: {
      where: 'target',
      argv: ['partx', '--add', disk],
      purpose: `${when}: tell it about the new partitions`,
    },
  };
}

/** LUKS, mkfs and subvolumes, on the given partition devices. */
export function formatCommands(layout: DiskLayout, devices: PartitionDevices): PlannedCommand[] {
  const labels = labelsOf(layout);
  const cmds: PlannedCommand[] = [];
  const root = devices.root!;
  if (layout.luks) {
    cmds.push(
      {
        where: 'target',
        argv: ['cryptsetup', 'luksFormat', '--batch-mode', '--type', 'luks2', '--key-file=-', root],
        destructive: true,
        purpose: 'encrypt the root partition with LUKS (the passphrase goes on standard input)',
      },
      {
        where: 'target',
        argv: ['cryptsetup', 'open', '--key-file=-', root, layout.luks.name],
        purpose: 'unlock the encrypted root partition (the passphrase goes on standard input)',
      },
    );
  }
  cmds.push({
    where: 'target',
    argv: ['mkfs.vfat', '-F', '32', '-n', labels.esp, devices.esp!],
    destructive: true,
    purpose: 'format the EFI system partition (FAT32)',
  });
  if (devices.swap)
    cmds.push({
      where: 'target',
      argv: ['mkswap', '-L', labels.swap, devices.swap],
      destructive: true,
      purpose: 'format the swap partition',
    });
  const fsDev = rootFsDevice(layout, root);
  cmds.push({
    where: 'target',
    argv: rootMkfs(layout, fsDev),
    destructive: true,
    purpose: `format the root filesystem (${layout.rootFs})`,
  });
  if (layout.rootFs === 'btrfs' && layout.subvolumes && Object.keys(layout.subvolumes).length > 0)
    cmds.push({
      where: 'target',
      argv: [
        'sh',
        '-c',
        'set -e; d=$(mktemp -d); trap \'umount "$d" 2>/dev/null; rmdir "$d"\' EXIT; mount -t btrfs "$1" "$d"; ' +
          'shift; for s do btrfs subvolume create "$d/$s"; done',
        'nixkit-subvolumes',
        fsDev,
        ...Object.keys(layout.subvolumes),
      ],
      purpose: 'create the btrfs subvolumes',
    });
  return cmds;
}

function predicted(disk: string, layout: DiskLayout): PartitionDevices {
  const out: PartitionDevices = { esp: undefined, swap: undefined, root: undefined };
  for (const p of plannedPartitions(layout)) out[p.role] = partitionPath(disk, p.number);
  return out;
}

export interface PartitionOutputs extends StepOutputs {
  devices: PartitionDevices;
  rootFsDevice: string;
  diskoFile?: string;
  diskoBackup?: string;
}

interface SfdiskJson {
  partitiontable?: {
    label?: string;
    sectorsize?: number;
    partitions?: { start?: number; size?: number; type?: string; name?: string }[];
  };
}

async function readTable(ctx: StepContext, disk: string): Promise<SfdiskJson['partitiontable']> {
  const r = await runCommand(
    ctx,
    { where: 'target', argv: ['sfdisk', '-J', disk], purpose: 'read the partition table back' },
    // Its JSON is for nixkit, not the log: a mismatch is reported in words.
    { allowFailure: true, timeoutMs: 30_000, quiet: true },
  );
  if (r.code !== 0) return undefined;
  try {
    return (JSON.parse(r.stdout.toString()) as SfdiskJson).partitiontable;
  } catch {
    return undefined;
  }
}

/** Does the table on the disk match the layout (GPT, the partitions in order with their types)? */
function tableMatches(table: SfdiskJson['partitiontable'], layout: DiskLayout): string | undefined {
  if (!table) return 'the disk has no readable partition table';
  if (table.label !== 'gpt') return `the disk has a ${table.label ?? 'unknown'} table, not GPT`;
  const want = plannedPartitions(layout);
  const have = table.partitions ?? [];
  if (have.length !== want.length) return `the disk has ${have.length} partitions, the layout ${want.length}`;
  for (const [i, p] of want.entries()) {
    if ((have[i].type ?? '').toLowerCase() !== GPT_TYPES[p.type])
      return `partition ${p.number} has type ${have[i].type}, not ${p.type}`;
    if (p.sizeMiB !== undefined && (have[i].size ?? 0) * (table.sectorsize ?? 512) !== p.sizeMiB * 1048576)
      return `partition ${p.number} is not ${p.sizeMiB} MiB`;
  }
  return undefined;
}

// Prints `noscan` when the disk ($1) is a loop device without partition scanning (the kernel never reads its
// table: only partx can tell it), `part NAME` for each partition the kernel has on the disk, then `ok PATH` for each
// candidate (given as START SIZE PATH, in 512-byte sectors as sysfs counts) that is the partition the new table
// describes: a block device whose kernel device exists, sits on this disk, has this geometry and the node's own
// device number. A node alone proves nothing: devtmpfs can keep nodes of partitions that are gone, a detached loop
// device keeps the partitions partx gave it (reattached, they describe another image), and partition minors are
// reused.
const PARTITION_CHECK = `d=$(readlink -f "$1"); d=\${d##*/}; shift
disk=$(readlink -f "/sys/class/block/$d")
[ "$(cat "/sys/class/block/$d/loop/partscan" 2>/dev/null)" = 0 ] && echo noscan
for s in "/sys/class/block/$d"/*/partition; do [ -e "$s" ] && { p=\${s%/partition}; printf 'part %s\\n' "\${p##*/}"; }; done
while [ $# -ge 3 ]; do
  st=$1; sz=$2; p=$3; shift 3
  [ -b "$p" ] || continue
  n=$(readlink -f "$p"); s=/sys/class/block/\${n##*/}
  [ -e "$s/partition" ] && [ "$(readlink -f "$s/..")" = "$disk" ] || continue
  [ "$(cat "$s/start") $(cat "$s/size")" = "$st $sz" ] || continue
  IFS=: read -r ma mi < "$s/dev" || continue
  [ "$(stat -L -c '%t %T' "$p")" = "$(printf '%x %x' "$ma" "$mi")" ] && printf 'ok %s\\n' "$p"
done
true`;

/**
 * How long the kernel gets to show the new partitions by itself before partx tells it, and in all. A loop device
 * without partition scanning gets no wait: its table is never read by the kernel, so waiting only costs time.
 */
const PARTX_AFTER_MS = 3_000;
const WAIT_MS = 20_000;

async function defaultPartitionDevice(
  ctx: StepContext,
  infos: PartitionInfo[],
): Promise<Map<number, string>> {
  // udev's by-id link first, the kernel's node (from the resolved disk) second.
  const candidates = infos.map((i) => [
    ...new Set([partitionPath(i.disk, i.number), partitionPath(i.diskDevice, i.number)]),
  ]);
  const args = infos.flatMap((info, i) =>
    candidates[i].flatMap((p) => [String(info.startBytes / 512), String(info.sizeBytes / 512), p]),
  );
  const start = Date.now();
  let partxRan = false;
  for (;;) {
    const r = await ctx.session.execAsRoot(
      ['sh', '-c', PARTITION_CHECK, 'nixkit-wait', infos[0].diskDevice, ...args],
      { signal: ctx.signal, timeoutMs: 30_000 },
    );
    const lines = r.stdout.toString().split('\n');
    const present = new Set(lines.filter((l) => l.startsWith('ok ')).map((l) => l.slice(3)));
    const found = candidates.map((c) => c.find((p) => present.has(p)));
    if (found.every((f) => f !== undefined)) return new Map(infos.map((info, i) => [info.number, found[i]!]));
    if (!partxRan && (lines.includes('noscan') || Date.now() - start >= PARTX_AFTER_MS)) {
      partxRan = true;
      const partx = partxCommands(infos[0].disk);
      // Failures are allowed: the wait below is what decides, and its error names what is missing.
      if (lines.some((l) => l.startsWith('part ')))
        await runCommand(ctx, partx.forget, { allowFailure: true, timeoutMs: 60_000 });
      await runCommand(ctx, partx.add, { allowFailure: true, timeoutMs: 60_000 });
      continue;
    }
    if (Date.now() - start > WAIT_MS)
      throw new PartitionError(
        `the kernel did not create the new partitions' devices (${candidates
          .filter((_, i) => !found[i])
          .map((c) => c.join(' or '))
          .join(', ')}), not even after partx: is the disk in use?`,
      );
    await new Promise((res) => setTimeout(res, 250));
  }
}

async function blkidType(ctx: StepContext, device: string): Promise<string | undefined> {
  const r = await ctx.session.execAsRoot(['blkid', '-p', '-o', 'udev', device], {
    signal: ctx.signal,
    timeoutMs: 30_000,
  });
  return /^ID_FS_TYPE=(.*)$/m.exec(r.stdout.toString())?.[1];
}

/**
 * Before a finished partitioning runs again: its verify could not unlock the container this install made, and
 * the runner runs a step whose check failed again (it keeps the earlier outputs meanwhile). A passphrase that does
 * not open that container is a typo; erasing the disk would lose the install's work and encrypt the new root with
 * the typo. cryptsetup exits with 2 when no key slot opens with the passphrase.
 */
async function refuseWrongPassphrase(ctx: StepContext, passphrase: string): Promise<void> {
  const earlier = ctx.state.steps.find((s) => s.id === 'partition')?.outputs as PartitionOutputs | undefined;
  const root = earlier?.devices?.root;
  if (!root || (await blkidType(ctx, root)) !== 'crypto_LUKS') return;
  const r = await runCommand(
    ctx,
    {
      where: 'target',
      argv: ['cryptsetup', 'open', '--test-passphrase', '--key-file=-', root],
      purpose: 'check the passphrase against the encrypted root this install made earlier',
    },
    { stdin: passphrase, allowFailure: true, timeoutMs: 120_000 },
  );
  if (r.code === 2)
    throw new PartitionError(
      `the passphrase does not open the encrypted root ${root} this install made earlier; nothing was erased. ` +
        'Resume with the passphrase the install began with',
    );
}

/** Writes the disko file into the flake (backing up a different existing one) and checks it. */
async function writeDisko(ctx: StepContext, layout: DiskLayout): Promise<{ file: string; backup?: string }> {
  const facts = ctx.state.config;
  const file = facts
    ? diskoFileFor(facts)
    : path.join(
        path.dirname(defaultHardwareConfigFile(ctx.options.flake, ctx.options.configuration)),
        'disko.nix',
      );
  const text = generateDisko(layout, {
    device: ctx.options.disk!,
    efiSysMountPoint: facts?.efiSysMountPoint ?? '/boot',
  });
  let backup: string | undefined;
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') !== text) {
    backup = `${file}.bak-${ctx.state.id}`;
    fs.copyFileSync(file, backup);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  const check = await checkPaths([file]);
  const errors = check.findings.filter((f) => f.severity === 'error');
  if (errors.length > 0 || check.ioErrors.length > 0)
    throw new PartitionError(
      `the generated ${file} does not check clean: ${[...errors.map((f) => f.message), ...check.ioErrors.map((e) => e.message)].join('; ')}`,
    );
  ctx.emit({ kind: 'note', text: `wrote the disk layout as a disko file: ${file}` });
  return { file, backup };
}

export function createPartitionStep(): Step {
  return {
    id: 'partition',
    title: 'Partition and format the disk',
    invalidatesLaterSteps: true,
    describe(options: InstallOptions, state: InstallState): StepDescription {
      if (!options.disk)
        return {
          id: 'partition',
          title: 'Partition and format the disk',
          commands: [],
          skipped: `use what is mounted at ${options.root}`,
        };
      const layout = layoutOf(options);
      const devices = predicted(options.disk, layout);
      const facts = state.config;
      return {
        id: 'partition',
        title: 'Partition and format the disk',
        commands: [
          ...tableCommands(options.disk, layout),
          // conditional (see partxCommands), yet shown: the review lists every command that can run
          partxCommands(options.disk).forget,
          partxCommands(options.disk).add,
          ...formatCommands(layout, devices),
        ],
        files: [
          {
            path: facts ? diskoFileFor(facts) : '(hosts/<name>/disko.nix in the flake)',
            purpose: 'the same disk layout as a disko file, so it is reproducible',
          },
        ],
        warnings: [`Everything on ${options.disk} is erased.`],
      };
    },

    async run(ctx: StepContext): Promise<StepOutputs> {
      const { options } = ctx;
      checkConfirmation(options);
      const disk = options.disk;
      if (!disk) throw new PartitionError('no disk was chosen');
      const layout = layoutOf(options);
      checkLayout(layout);
      let passphrase: string | undefined;
      if (layout.luks) {
        passphrase = await ctx.secret?.('luks-passphrase');
        if (!passphrase) throw new PartitionError('LUKS encryption needs a passphrase and none was given');
        await refuseWrongPassphrase(ctx, passphrase);
      }
      const diskDevice = (ctx.outputs('preflight')?.diskDevice as string | undefined) ?? disk;
      for (const c of tableCommands(disk, layout))
        await runCommand(ctx, c, { allowFailure: c.argv[0] === 'udevadm', timeoutMs: 120_000 });

      const table = await readTable(ctx, disk);
      const mismatch = tableMatches(table, layout);
      if (mismatch) throw new PartitionError(`sfdisk did not write the layout: ${mismatch}`);
      const sector = table!.sectorsize ?? 512;
      const infos: PartitionInfo[] = plannedPartitions(layout).map((p, i) => ({
        disk,
        diskDevice,
        number: p.number,
        startBytes: (table!.partitions![i].start ?? 0) * sector,
        sizeBytes: (table!.partitions![i].size ?? 0) * sector,
      }));
      const byNumber = await defaultPartitionDevice(ctx, infos);
      const devices: PartitionDevices = { esp: undefined, swap: undefined, root: undefined };
      for (const p of plannedPartitions(layout)) devices[p.role] = byNumber.get(p.number);
      ctx.emit({
        kind: 'note',
        text: `partition devices: ${Object.entries(devices)
          .filter(([, d]) => d)
          .map(([r, d]) => `${r} ${d}`)
          .join(', ')}`,
      });

      const cmds = formatCommands(layout, devices);
      for (const [i, c] of cmds.entries()) {
        ctx.emit({ kind: 'progress', done: i, total: cmds.length, unit: 'steps', detail: c.purpose });
        const secret = c.argv[0] === 'cryptsetup' ? passphrase : undefined;
        await runCommand(ctx, c, { stdin: secret, timeoutMs: 10 * 60_000 });
      }
      const disko = await writeDisko(ctx, layout);
      const outputs: PartitionOutputs = {
        devices,
        rootFsDevice: rootFsDevice(layout, devices.root!),
        diskoFile: disko.file,
        ...(disko.backup ? { diskoBackup: disko.backup } : {}),
      };
      return outputs;
    },

    async verify(ctx: StepContext, outputs: StepOutputs): Promise<void> {
      const o = outputs as PartitionOutputs;
      const layout = layoutOf(ctx.options);
      const mismatch = tableMatches(await readTable(ctx, ctx.options.disk!), layout);
      if (mismatch) throw new PartitionError(mismatch);
      const expect: [string | undefined, string][] = [
        [o.devices.esp, 'vfat'],
        [o.devices.swap, 'swap'],
        [o.devices.root, layout.luks ? 'crypto_LUKS' : layout.rootFs],
      ];
      for (const [dev, type] of expect) {
        if (!dev) continue;
        const got = await blkidType(ctx, dev);
        if (got !== type) throw new PartitionError(`${dev} holds ${got ?? 'no filesystem'}, not ${type}`);
      }
      if (layout.luks) {
        // A resumed install after a reboot: unlock again rather than call the encryption lost.
        const fsDev = o.rootFsDevice;
        let got = await blkidType(ctx, fsDev);
        if (got === undefined) {
          const passphrase = await ctx.secret?.('luks-passphrase');
          if (!passphrase) throw new PartitionError(`${fsDev} is not unlocked and no passphrase was given`);
          await runCommand(ctx, formatCommands(layout, o.devices)[1], {
            stdin: passphrase,
            timeoutMs: 120_000,
          });
          got = await blkidType(ctx, fsDev);
        }
        if (got !== layout.rootFs)
          throw new PartitionError(`${fsDev} holds ${got ?? 'nothing'}, not ${layout.rootFs}`);
      }
    },
  };
}

export const partitionStep: Step = createPartitionStep();
