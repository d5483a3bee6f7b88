// The preflight step, the first (steps/index.ts holds the order): root or sudo, the probe, the tools, the
// configuration's analysis, the strategy, and the disk. Everything that can be known before touching the disk is
// checked here and refused with a clear reason: no root and no sudo, a disk that holds the running system or is
// mounted, too little RAM for the strategy, errors in the configuration, a disk confirmation that does not match.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkPaths } from '../../../server/analysis/check-files';
import { configurationFacts } from '../../../server/facts/configuration-facts';
import type { Finding } from '../../../server/findings';
import { EngineError } from '../../errors';
import type { Disk, ProbeReport } from '../../../protocol/probe-report';
import { diskUsage, LIVE_MOUNTS } from '../../probe/disk-usage';
import { runProbe } from '../../probe/run-probe';
import { probeArgv } from '../../probe/probe-script';
import { checkLayout, DEFAULT_LAYOUT, plannedPartitions } from '../layout';
import type {
  ConfigurationFacts,
  DiskIdentity,
  InstallOptions,
  InstallState,
  PlannedCommand,
  StepDescription,
  StepOutputs,
} from '../../../protocol/install-state';
import type { Step, StepContext } from '../plan';
import { runCommand } from '../runner';
import {
  BOOT_ID_ARGV,
  kexecCommands,
  kexecIntoImage,
  type KexecResult,
  resolveKexecImage,
  runsKexecImage,
} from '../kexec';
import { chooseStrategy, requireSupported, STRATEGIES, StrategyRefusedError } from '../strategies';

export class PreflightError extends EngineError {
  constructor(detail: string) {
    super('preflight-refused', detail);
  }
}

export interface ConfigurationAnalysis {
  /** The configuration exists in the flake. */
  found: boolean;
  /** Every configuration the flake defines (for "did you mean"). */
  configurations: string[];
  facts: ConfigurationFacts;
  errors: Finding[];
  warnings: Finding[];
}

/** The flake's folder and the default place of hardware-configuration.nix for a configuration. */
export function defaultHardwareConfigFile(flake: string, configuration: string): string {
  return path.join(flake, 'hosts', configuration, 'hardware-configuration.nix');
}

/** Where the disko file goes: beside the hardware configuration. */
export function diskoFileFor(facts: ConfigurationFacts): string {
  return path.join(path.dirname(facts.hardwareConfigFile), 'disko.nix');
}

/**
 * The local analysis of the flake (the same as `nixkit check`, run once): its errors and warnings, and the facts
 * the later steps need (efiSysMountPoint, where hardware-configuration.nix is imported from, the initrd flavour),
 * read from the configuration facts the rules and Show Configuration use.
 */
export async function analyzeConfiguration(
  flake: string,
  configuration: string,
): Promise<ConfigurationAnalysis> {
  const facts: ConfigurationFacts = {
    efiSysMountPoint: '/boot',
    hardwareConfigFile: defaultHardwareConfigFile(flake, configuration),
    hardwareConfigImported: false,
    initrdSystemd: null,
    canTouchEfiVariables: null,
    grubEfiSupport: null,
    networkd: null,
  };
  let found = false;
  let configurations: string[] = [];
  const check = await checkPaths([flake], {
    inspect(analysis) {
      const { project } = analysis;
      configurations = [...new Set(project.configurations.map((c) => c.name))].sort();
      const unit = project.analysisUnits.find((u) => u.configurations.some((c) => c.name === configuration));
      const config = unit?.configurations.find((c) => c.name === configuration);
      if (!unit || !config) return;
      found = true;
      const f = configurationFacts(config, (t) => unit.evaluator.force(t));
      facts.efiSysMountPoint = f.espMountPoint;
      const hw = f.hardwareConfigFile;
      if (hw) {
        facts.hardwareConfigFile = hw;
        facts.hardwareConfigImported = true;
      }
      facts.initrdSystemd = f.flag('boot.initrd.systemd.enable');
      facts.canTouchEfiVariables = f.flag('boot.loader.efi.canTouchEfiVariables');
      facts.grubEfiSupport = f.flag('boot.loader.grub.efiSupport');
      facts.networkd = f.flag('networking.useNetworkd');
    },
  });
  const all = [...check.findings];
  for (const e of check.ioErrors)
    all.push({
      file: e.path,
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      severity: 'error',
      code: 'io-error',
      message: e.message,
    });
  return {
    found,
    configurations,
    facts,
    errors: all.filter((f) => f.severity === 'error'),
    // nixkit's install sets no root password: a configuration nobody can log in to (information in the editor,
    // where `passwd` on an installed machine with mutable users is NixOS' way) locks the new machine.
    warnings: all.filter(
      (f) => f.severity === 'warning' || (f.code === 'lockout-risk' && f.severity === 'information'),
    ),
  };
}

export function formatFinding(f: Finding, base: string): string {
  const rel = path.relative(base, f.file) || f.file;
  return `${rel}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.message} [${f.code}]`;
}

/** Tools looked for on the target (as root, so /usr/sbin counts). */
export const TOOLS = [
  'nixos-install',
  'nix-store',
  'nix',
  'tar',
  'chroot',
  'sfdisk',
  'wipefs',
  'mkfs.vfat',
  'mkfs.ext4',
  'mkfs.btrfs',
  'mkfs.xfs',
  'mkswap',
  'swapon',
  'cryptsetup',
  'btrfs',
  'blkid',
  'udevadm',
  'mount',
  'fusefat',
  'readlink',
  'kexec',
];

/** `sh -c` that prints the tools it finds; the names are positional parameters (never parsed as shell). */
export function toolsArgv(tools: readonly string[] = TOOLS): string[] {
  return [
    'sh',
    '-c',
    'PATH=/run/current-system/sw/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH; for t do command -v "$t" >/dev/null 2>&1 && printf "%s\\n" "$t"; done; true',
    'nixkit-tools',
    ...tools,
  ];
}

/** The tools partitioning and formatting this layout needs. */
export function requiredTools(options: InstallOptions): string[] {
  if (!options.disk) return ['mount'];
  const layout = options.layout ?? DEFAULT_LAYOUT;
  const t = ['sfdisk', 'wipefs', 'mkfs.vfat', 'blkid', 'mount', `mkfs.${layout.rootFs}`];
  if (layout.swapSizeMiB) t.push('mkswap', 'swapon');
  if (layout.luks) t.push('cryptsetup');
  if (layout.subvolumes) t.push('btrfs');
  return t;
}

/** Refuses a disk that must not be erased; returns the probe's disk. */
export function checkDisk(report: ProbeReport, options: InstallOptions, device: string): Disk {
  const disk = report.disks.find((d) => d.path === device);
  const shown = options.disk === device ? device : `${options.disk} (${device})`;
  if (!disk) {
    const part = report.disks.find((d) => d.partitions.some((p) => p.path === device));
    if (part) throw new PreflightError(`${shown} is a partition of ${part.path}, not a whole disk.`);
    throw new PreflightError(`${shown} is not a disk the probe found on the target.`);
  }
  // Uses through holders too: / on LVM or LUKS on this disk, an open mapping, an active volume or md array.
  const uses = diskUsage(report, disk);
  if (disk.liveSystem) {
    const live = uses.filter((u) => u.mountpoint !== undefined && LIVE_MOUNTS.includes(u.mountpoint));
    throw new PreflightError(
      `${shown} holds the running system (${live.length ? live.map((u) => u.text).join('; ') : 'it backs / or the live medium'}): ` +
        `erasing it would destroy the system the install runs from. Choose another disk, or boot the target into ` +
        `an installer or rescue system.`,
    );
  }
  if (uses.length > 0)
    throw new PreflightError(
      `${shown} is in use: ${uses.map((u) => u.text).join('; ')}. Unmount it and turn its swap off, close its LUKS ` +
        `mappings (cryptsetup close), deactivate its volume groups (vgchange -an) and stop its md arrays ` +
        `(mdadm --stop) first, or install onto what is mounted instead.`,
    );
  if (disk.readOnly) throw new PreflightError(`${shown} is read-only.`);
  const layout = options.layout ?? DEFAULT_LAYOUT;
  const needMiB = plannedPartitions(layout).reduce((n, p) => n + (p.sizeMiB ?? 64), 0) + 2;
  if (disk.sizeBytes < needMiB * 1024 * 1024)
    throw new PreflightError(
      `${shown} has ${Math.floor(disk.sizeBytes / 1048576)} MiB; the layout needs at least ${needMiB} MiB.`,
    );
  return disk;
}

/** The identity of a disk as a probe shows it (see DiskIdentity). */
export function diskIdentity(disk: Disk): DiskIdentity {
  return {
    device: disk.path,
    byId: [...disk.byId].sort(),
    serial: disk.serial,
    wwn: disk.wwn,
    sizeBytes: disk.sizeBytes,
    model: disk.model,
  };
}

/**
 * Whether `now` is still the disk pinned at confirmation: the same size, serial and WWN (where known), and still
 * behind the chosen by-id name. Returns what differs, or null. The kernel name may change (another boot).
 */
export function identityMismatch(pinned: DiskIdentity, now: DiskIdentity, chosen: string): string | null {
  const diffs: string[] = [];
  if (pinned.sizeBytes !== now.sizeBytes) diffs.push(`size ${now.sizeBytes} bytes, was ${pinned.sizeBytes}`);
  if (pinned.serial !== null && pinned.serial !== now.serial)
    diffs.push(`serial ${now.serial ?? 'none'}, was ${pinned.serial}`);
  if (pinned.wwn !== null && pinned.wwn !== now.wwn)
    diffs.push(`WWN ${now.wwn ?? 'none'}, was ${pinned.wwn}`);
  const byId = chosen.startsWith('/dev/disk/by-id/') ? chosen.slice('/dev/disk/by-id/'.length) : null;
  if (byId !== null && pinned.byId.includes(byId) && !now.byId.includes(byId))
    diffs.push(`${chosen} no longer names it`);
  return diffs.length ? diffs.join('; ') : null;
}

/** Refuses a disk that is not the one pinned at confirmation. */
export function checkIdentity(state: InstallState, disk: Disk, shown: string): void {
  const pinned = state.diskIdentity;
  if (!pinned) return;
  const diff = identityMismatch(pinned, diskIdentity(disk), state.options.disk ?? shown);
  if (diff)
    throw new PreflightError(
      `${shown} is not the disk confirmed for erasing (${diff}): nothing was erased. Start a new install to ` +
        `choose and confirm the disk again.`,
    );
}

/** The disk confirmation: the name the user typed must equal the disk exactly. */
export function checkConfirmation(options: InstallOptions): void {
  if (!options.disk) return;
  if (options.confirmedDisk !== options.disk)
    throw new PreflightError(
      options.confirmedDisk === undefined
        ? `Erasing ${options.disk} was not confirmed: type the disk's name to confirm.`
        : `The confirmation "${options.confirmedDisk}" does not match the disk ${options.disk}: nothing was erased.`,
    );
}

export function preflightCommands(options: InstallOptions): PlannedCommand[] {
  const cmds: PlannedCommand[] = [
    { where: 'target', argv: probeArgv(), purpose: 'probe the hardware (read-only)' },
    { where: 'target', argv: toolsArgv(), purpose: 'find the tools the install needs' },
  ];
  if (options.disk)
    cmds.push({
      where: 'target',
      argv: ['readlink', '-e', '--', options.disk],
      purpose: 'find the device node of the disk',
    });
  return cmds;
}

export interface PreflightOutputs extends StepOutputs {
  rootMode: string;
  strategy: string;
  strategyOverridden: boolean;
  tools: string[];
  /** The disk's device node on the target (the by-id link resolved). */
  diskDevice?: string;
  warnings: string[];
  /** The kexec strategy: the boot ids around the kexec (before is absent when a resume found it done). */
  kexec?: Partial<KexecResult> & { cmdline: string };
}

/** The kexec strategy's commands as the review shows them (the rest of preflight then runs on the installer). */
function kexecPlan(
  options: InstallOptions,
  state: InstallState,
): { commands: PlannedCommand[]; warnings: string[] } {
  const warnings = [
    'kexec: the running system is replaced in memory by the installer image (no reboot, no firmware): ' +
      'anything not saved on its disks is lost, and the install then goes on in the installer, whose host key ' +
      'may differ (nixkit stops and asks you to accept it).',
  ];
  let image;
  try {
    image = options.kexecImage ? resolveKexecImage(options.kexecImage) : undefined;
  } catch (e) {
    warnings.push(`kexec: ${(e as Error).message}`);
  }
  const k = kexecCommands(options, state, image);
  const commands: PlannedCommand[] = [
    {
      where: 'target',
      argv: BOOT_ID_ARGV,
      purpose: 'boot id and command line (is the installer running yet?)',
    },
    k.uploadKernel,
    k.uploadInitrd,
    k.load,
    k.exec,
    {
      where: 'target',
      argv: BOOT_ID_ARGV,
      purpose:
        'after SSH is back: a new boot of the image (then the probe and tools again, on the installer)',
    },
  ];
  return { commands, warnings };
}

export const preflightStep: Step = {
  id: 'preflight',
  title: 'Preflight: connect, probe and check',
  describe(options: InstallOptions, state: InstallState): StepDescription {
    const warnings: string[] = [];
    const s = options.strategy;
    if (s && (s === 'lustrate' || s === 'kexec')) {
      if (s === 'lustrate')
        warnings.push(
          'lustrate: every file of the old system moves to /old-root at the first boot, and boot.initrd.systemd.enable must be off.',
        );
      if (!STRATEGIES[s].supported)
        warnings.push(`${STRATEGIES[s].title}: not supported yet; the install will stop here.`);
    }
    let commands = preflightCommands(options);
    if (s === 'kexec') {
      const k = kexecPlan(options, state);
      warnings.push(...k.warnings);
      // The probe runs on the old system (the preconditions), then again on the installer.
      commands = [...commands.slice(0, 2), ...k.commands, ...commands];
    }
    if (state.config && !state.config.hardwareConfigImported)
      warnings.push(
        `The configuration does not import a hardware-configuration.nix: nixkit writes ${state.config.hardwareConfigFile}; add it to the configuration's imports.`,
      );
    return {
      id: 'preflight',
      title: 'Preflight: connect, probe and check',
      commands,
      warnings,
    };
  },

  async run(ctx: StepContext): Promise<StepOutputs> {
    const { options } = ctx;
    const note = (text: string) => ctx.emit({ kind: 'note', text });
    if (options.disk) {
      checkLayout(options.layout ?? DEFAULT_LAYOUT);
      checkConfirmation(options);
    }
    // The configuration first: it needs no target, and errors in it stop everything.
    if (!fs.existsSync(path.join(options.flake, 'flake.nix')))
      throw new PreflightError(`${options.flake} holds no flake.nix.`);
    const analysis = await analyzeConfiguration(options.flake, options.configuration);
    if (!analysis.found)
      throw new PreflightError(
        `The flake defines no nixosConfigurations.${options.configuration}` +
          (analysis.configurations.length ? ` (it has: ${analysis.configurations.join(', ')}).` : '.'),
      );
    if (analysis.errors.length > 0)
      throw new PreflightError(
        `The configuration has ${analysis.errors.length} error${analysis.errors.length === 1 ? '' : 's'}; fix ${analysis.errors.length === 1 ? 'it' : 'them'} first:\n` +
          analysis.errors.map((f) => '  ' + formatFinding(f, options.flake)).join('\n'),
      );
    for (const w of analysis.warnings) note(`warning: ${formatFinding(w, options.flake)}`);
    ctx.state.config = analysis.facts;

    const rootMode = await ctx.session.ensureRoot(ctx.signal);
    note(`root access: ${rootMode}`);
    const [probeCmd, toolsCmd, diskCmd] = preflightCommands(options);
    const probeTarget = async () => {
      ctx.emit({ kind: 'command', command: probeCmd });
      const r = (await runProbe(ctx.session, { signal: ctx.signal, timeoutMs: 120_000 })).report;
      ctx.state.probe = r;
      const t = (await runCommand(ctx, toolsCmd, { timeoutMs: 30_000 })).stdout
        .toString()
        .split('\n')
        .filter((x) => x !== '');
      return { report: r, tools: t };
    };
    let { report, tools } = await probeTarget();

    // kexec first: the tools, the disk and the strategy that matter are the installer's, not the old system's.
    let kexec: PreflightOutputs['kexec'];
    if (options.strategy === 'kexec') {
      const [bootCmd] = kexecPlan(options, ctx.state).commands;
      const [bootId = '', cmdline = ''] = (
        await runCommand(ctx, bootCmd, { timeoutMs: 30_000, quiet: true })
      ).stdout
        .toString()
        .split('\n');
      if (runsKexecImage(cmdline, ctx.state)) {
        note("the target already runs the image this install kexec'd into: no second kexec");
        kexec = { cmdline: cmdline.trim(), bootIdAfter: bootId.trim() };
      } else {
        try {
          chooseStrategy({ report, options, tools, config: analysis.facts }, 'kexec');
        } catch (e) {
          if (e instanceof StrategyRefusedError) throw new PreflightError(e.message);
          throw e;
        }
        requireSupported('kexec');
        note('warning: the running system is replaced in memory: anything not saved on disk is lost.');
        kexec = await kexecIntoImage(ctx, bootId.trim());
        note(`root access on the installer: ${await ctx.session.ensureRoot(ctx.signal)}`);
        ({ report, tools } = await probeTarget());
      }
    }
    const missing = requiredTools(options).filter((t) => !tools.includes(t));
    if (missing.length > 0)
      throw new PreflightError(`The target lacks tools the install needs: ${missing.join(', ')}.`);

    let choice;
    try {
      // After the kexec the strategy is chosen on the installer as for any target (kexec is never automatic).
      const override = options.strategy === 'kexec' ? undefined : options.strategy;
      choice = chooseStrategy({ report, options, tools, config: analysis.facts }, override);
    } catch (e) {
      if (e instanceof StrategyRefusedError) throw new PreflightError(e.message);
      throw e;
    }
    requireSupported(choice.strategy);
    note(
      `strategy: ${STRATEGIES[choice.strategy].title}${choice.overridden ? ' (as asked)' : ' (chosen from the probe)'}`,
    );
    for (const w of choice.check.warnings) note(`warning: ${w}`);

    let diskDevice: string | undefined;
    if (options.disk && diskCmd) {
      const r = await runCommand(ctx, diskCmd, { allowFailure: true, timeoutMs: 30_000 });
      if (r.code !== 0) throw new PreflightError(`${options.disk} does not exist on the target.`);
      diskDevice = r.stdout.toString().trim();
      const disk = checkDisk(report, options, diskDevice);
      // The first preflight pins who the disk is (the wizard pins it from its probe at confirmation); any later one
      // (a resume) must find the same disk behind the name.
      checkIdentity(ctx.state, disk, options.disk);
      ctx.state.diskIdentity ??= diskIdentity(disk);
    } else {
      const root = options.root.replace(/\/+$/, '') || '/';
      if (!report.mounts.some((m) => m.mountPoint === root))
        throw new PreflightError(
          `No disk to erase was chosen and nothing is mounted at ${root}: mount the new system's filesystems ` +
            `there first, or choose a disk.`,
        );
    }
    checkedThisRun.add(ctx.state);
    const outputs: PreflightOutputs = {
      rootMode,
      strategy: choice.strategy,
      strategyOverridden: choice.overridden,
      tools,
      warnings: [...choice.check.warnings, ...report.warnings],
      ...(diskDevice ? { diskDevice } : {}),
      ...(kexec ? { kexec } : {}),
    };
    return outputs;
  },

  async verify(ctx: StepContext, outputs: StepOutputs): Promise<void> {
    // Root through this session (a resumed install has a new one); the checks above stand as recorded.
    await ctx.session.ensureRoot(ctx.signal);
    if (!ctx.state.probe) throw new PreflightError('the probe report is missing from the install state');
    // A target that left the kexec'd installer (rebooted into its old system) needs the kexec again.
    if (ctx.options.strategy === 'kexec') {
      const r = await ctx.session.execAsRoot(['cat', '/proc/cmdline'], {
        signal: ctx.signal,
        timeoutMs: 30_000,
      });
      if (!runsKexecImage(r.stdout.toString().trim(), ctx.state))
        throw new PreflightError("the target no longer runs the kexec'd installer");
    }
    if (ctx.options.disk && !checkedThisRun.has(ctx.state)) await reidentifyDisk(ctx, outputs);
  },
};

/** States whose preflight ran in this process (its verify needs no second probe). */
const checkedThisRun = new WeakSet<InstallState>();

/**
 * On a resume, before anything later can erase: the disk behind the chosen name must still be the one pinned at
 * confirmation (size, serial, by-id), and, while partitioning is still to come, nothing may hold it. A different
 * kernel name makes preflight run again (its outputs name the device); a different disk stops the install.
 */
async function reidentifyDisk(ctx: StepContext, outputs: StepOutputs): Promise<void> {
  const options = ctx.options;
  const disk = options.disk!;
  const [probeCmd, , diskCmd] = preflightCommands(options);
  ctx.emit({ kind: 'command', command: probeCmd });
  const report = (await runProbe(ctx.session, { signal: ctx.signal, timeoutMs: 120_000 })).report;
  const r = await runCommand(ctx, diskCmd, { allowFailure: true, timeoutMs: 30_000 });
  if (r.code !== 0) throw new PreflightError(`${disk} does not exist on the target any more.`);
  const device = r.stdout.toString().trim();
  const now = report.disks.find((d) => d.path === device);
  if (!now) throw new PreflightError(`${disk} (${device}) is not a disk the probe found on the target.`);
  if (!ctx.state.diskIdentity)
    throw new PreflightError(
      `The install state does not say which disk was confirmed for erasing ${disk}: start a new install.`,
    );
  checkIdentity(ctx.state, now, disk);
  const partitioned = ctx.state.steps.find((s) => s.id === 'partition')?.status === 'done';
  if (!partitioned) checkDisk(report, options, device);
  if (outputs.diskDevice !== undefined && outputs.diskDevice !== device)
    throw new PreflightError(`${disk} is now ${device} (it was ${String(outputs.diskDevice)})`);
  ctx.emit({ kind: 'note', text: `${disk} is still the disk confirmed for erasing (${device})` });
}
