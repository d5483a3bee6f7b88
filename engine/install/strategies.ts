// How the system gets onto the target, chosen from the probe (with a user override). Each strategy names its
// preconditions; a strategy whose preconditions fail is refused with the reasons, never half-tried. kexec only
// replaces the running system with an installer image (see kexec.ts): the strategy that installs is then chosen
// on the installer from its own probe.
import { EngineError } from '../errors';
import { KEXEC_MIN_BYTES } from '../probe/probe-parse';
import type { ProbeReport } from '../../protocol/probe-report';
import type { ConfigurationFacts, InstallOptions, StrategyName } from '../../protocol/install-state';

export const STRATEGY_NAMES: readonly StrategyName[] = [
  'nixos-installer',
  'nix-present',
  'no-nix',
  'lustrate',
  'kexec',
];

export interface StrategyInfo {
  name: StrategyName;
  title: string;
  /** What must hold on the target, in words (shown in the wizard and the CLI's help). */
  preconditions: string[];
  /** Least RAM the strategy needs on the target. */
  minRamBytes: number;
  /** Picked automatically when its preconditions hold (lustrate and kexec must be asked for). */
  automatic: boolean;
  /** Implemented end to end in this version. */
  supported: boolean;
}

const MiB = 1024 * 1024;

export const STRATEGIES: Record<StrategyName, StrategyInfo> = {
  'nixos-installer': {
    name: 'nixos-installer',
    title: 'NixOS installer',
    preconditions: ['the target runs a NixOS installer image', 'nixos-install is available'],
    minRamBytes: 512 * MiB,
    automatic: true,
    supported: true,
  },
  'nix-present': {
    name: 'nix-present',
    title: 'Nix on the target',
    preconditions: ['Nix is installed on the target (nix-store is available)'],
    minRamBytes: 256 * MiB,
    automatic: true,
    supported: true,
  },
  'no-nix': {
    name: 'no-nix',
    title: 'Rescue system without Nix',
    preconditions: [
      'a Linux system with a POSIX shell and tar (the closure is streamed and the new root entered)',
    ],
    minRamBytes: 256 * MiB,
    automatic: true,
    supported: true,
  },
  lustrate: {
    name: 'lustrate',
    title: 'In place over an existing Linux (NIXOS_LUSTRATE)',
    preconditions: [
      'an installed Linux (not a live system) whose root filesystem stays',
      'no disk to erase: the install goes onto the running root (--root /)',
      'boot.initrd.systemd.enable is off in the configuration',
    ],
    minRamBytes: 512 * MiB,
    automatic: false,
    supported: true,
  },
  kexec: {
    name: 'kexec',
    title: 'kexec into a NixOS installer image',
    preconditions: [
      `at least ${Math.round(KEXEC_MIN_BYTES / MiB)} MiB of RAM (the installer runs from memory)`,
      'a NixOS installer kexec image supplied by you (a folder with bzImage, initrd and cmdline)',
      'an x86_64 or aarch64 target',
      'kexec-tools on the target (kexec)',
    ],
    minRamBytes: KEXEC_MIN_BYTES,
    automatic: false,
    supported: true,
  },
};

export interface StrategyCheck {
  name: StrategyName;
  ok: boolean;
  /** Why it cannot be used (empty when ok). */
  reasons: string[];
  /** What the user must know before using it. */
  warnings: string[];
}

export interface StrategyInputs {
  report: ProbeReport;
  options: Pick<InstallOptions, 'disk' | 'root' | 'kexecImage'>;
  /** Tools found on the target in preflight (absent: not checked yet, only the probe decides). */
  tools?: readonly string[];
  config?: ConfigurationFacts;
}

function mib(bytes: number): string {
  return `${Math.round(bytes / MiB)} MiB`;
}

export function checkStrategy(name: StrategyName, inputs: StrategyInputs): StrategyCheck {
  const { report, options, tools, config } = inputs;
  const info = STRATEGIES[name];
  const reasons: string[] = [];
  const warnings: string[] = [];
  const has = (t: string) => tools === undefined || tools.includes(t);
  const total = report.system.memory.totalBytes;
  if (total !== null && total < info.minRamBytes)
    reasons.push(
      `the target has ${mib(total)} of RAM; ${info.title} needs at least ${mib(info.minRamBytes)}`,
    );
  switch (name) {
    case 'nixos-installer':
      if (!report.system.nixosInstaller) reasons.push('the target does not run a NixOS installer image');
      if (!has('nixos-install')) reasons.push('nixos-install is not available on the target');
      break;
    case 'nix-present':
      if (!report.system.nix.present) reasons.push('Nix is not installed on the target');
      if (!has('nix-store')) reasons.push('nix-store is not available on the target');
      break;
    case 'no-nix':
      if (!has('tar')) reasons.push('tar is not available on the target');
      if (!has('chroot')) reasons.push('chroot is not available on the target');
      break;
    case 'lustrate': {
      const rootMount = report.mounts.find((m) => m.mountPoint === '/');
      const live = report.system.nixosInstaller || !report.disks.some((d) => d.liveSystem);
      if (live || !rootMount || !rootMount.source.startsWith('/dev/'))
        reasons.push('the target does not run from an installed root filesystem on a disk');
      if (options.disk) reasons.push('lustrate installs over the running system: give no disk to erase');
      if (options.root !== '/')
        reasons.push('lustrate installs onto the running root: the install root must be /');
      if (config?.initrdSystemd === true)
        reasons.push(
          'boot.initrd.systemd.enable is on: NIXOS_LUSTRATE needs the scripted initrd (set it to false)',
        );
      warnings.push(
        'Every file of the old system is moved to /old-root at the first boot (NIXOS_LUSTRATE); only what ' +
          'is listed in /etc/NIXOS_LUSTRATE stays.',
        'boot.initrd.systemd.enable must stay off: the systemd initrd does not perform the lustration.',
      );
      break;
    }
    case 'kexec':
      if (report.system.memory.kexecFits === false || (total !== null && total < KEXEC_MIN_BYTES))
        reasons.push(
          `the target has ${total === null ? 'an unknown amount of' : mib(total)} RAM; kexec into an installer needs about ${mib(KEXEC_MIN_BYTES)}`,
        );
      if (!options.kexecImage) reasons.push('no NixOS installer kexec image was given');
      if (!has('kexec')) reasons.push('kexec (kexec-tools) is not available on the target');
      if (report.system.arch && !['x86_64', 'aarch64'].includes(report.system.arch))
        reasons.push(`kexec images exist for x86_64 and aarch64, not ${report.system.arch}`);
      warnings.push('The running system is replaced in memory: anything not saved on disk is lost.');
      break;
  }
  return { name, ok: reasons.length === 0, reasons: [...new Set(reasons)], warnings };
}

export class StrategyRefusedError extends EngineError {
  constructor(
    readonly strategy: StrategyName | undefined,
    readonly reasons: string[],
    message: string,
  ) {
    super('strategy-refused', message);
  }
}

export interface StrategyChoice {
  strategy: StrategyName;
  check: StrategyCheck;
  /** Every strategy checked, in preference order (for the wizard's explanation). */
  considered: StrategyCheck[];
  /** Chosen by the user rather than from the probe. */
  overridden: boolean;
}

/**
 * The override if given (refused with its reasons when its preconditions fail), else the first automatic
 * strategy whose preconditions hold: the NixOS installer, then Nix present, then the rescue-system route.
 */
export function chooseStrategy(inputs: StrategyInputs, override?: StrategyName): StrategyChoice {
  const considered = STRATEGY_NAMES.map((n) => checkStrategy(n, inputs));
  if (override) {
    if (!STRATEGIES[override])
      throw new StrategyRefusedError(undefined, [], `Unknown strategy '${override}'.`);
    const check = considered.find((c) => c.name === override)!;
    if (!check.ok)
      throw new StrategyRefusedError(
        override,
        check.reasons,
        `The ${STRATEGIES[override].title} strategy cannot be used on this target: ${check.reasons.join('; ')}.`,
      );
    return { strategy: override, check, considered, overridden: true };
  }
  const auto = considered.find((c) => c.ok && STRATEGIES[c.name].automatic);
  if (!auto) {
    const why = considered
      .filter((c) => STRATEGIES[c.name].automatic)
      .map((c) => `${STRATEGIES[c.name].title}: ${c.reasons.join('; ')}`);
    throw new StrategyRefusedError(
      undefined,
      why,
      `No install strategy fits this target (${why.join(' | ')}).`,
    );
  }
  return { strategy: auto.name, check: auto, considered, overridden: false };
}

/** Refuses a strategy this version cannot execute yet (after its preconditions were checked). */
export function requireSupported(name: StrategyName): void {
  if (!STRATEGIES[name].supported)
    throw new StrategyRefusedError(
      name,
      ['not supported yet'],
      `The ${STRATEGIES[name].title} strategy is not supported yet: nixkit checks its preconditions but cannot ` +
        `run it. Boot the target into a NixOS installer or a rescue system and use the nixos-installer, ` +
        `nix-present or no-nix strategy.`,
    );
}
