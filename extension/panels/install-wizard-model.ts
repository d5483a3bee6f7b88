// The install wizard's state and the views the page draws (protocol/webview-messages.ts WizardView), without `vscode`, so unit
// tests run it. The extension keeps one WizardSaved (in globalState: it survives closing the panel and VS Code) and
// turns it, with the engine's plan and install state, into the snapshot the page shows. Strings from the target
// and the flake are copied verbatim: the page shows them as text.
import * as path from 'node:path';
import type { ProbeReport } from '../../protocol/probe-report';
import { diskUsage, LIVE_MOUNTS } from '../../engine/probe/disk-usage';
import { DEFAULT_LAYOUT, layoutProblems } from '../../engine/install/layout';
import {
  STEP_IDS,
  type ConfigurationFacts,
  type DiskLayout,
  type InstallOptions,
  type InstallProxy,
  type InstallState,
  type StepDescription,
  type StepId,
} from '../../protocol/install-state';
import type { Step } from '../../engine/install/plan';
import { checkStrategy, chooseStrategy, STRATEGIES, STRATEGY_NAMES } from '../../engine/install/strategies';
import { shJoin } from '../../engine/ssh/quote';
import { isLinkLocal6, uplinks } from '../../server/facts/network';
import { networkConfig } from '../../server/rule-api/network-config';
import type {
  PlanStepView,
  WizardConfigurationView,
  WizardDiskChoice,
  WizardInstallView,
  WizardLayoutView,
  WizardNetworkView,
  WizardPage,
  WizardStrategyView,
} from '../../protocol/webview-messages';

/** The wizard's choices, saved after every change (never a secret). */
export interface WizardSaved {
  version: 1;
  page: WizardPage;
  target: string | null;
  /** The probe taken on the Target page. */
  probe: ProbeReport | null;
  disk: string | null;
  useMounted: boolean;
  layout: WizardLayoutView;
  /** `flake#name` */
  configuration: string | null;
  strategy: WizardStrategyView['name'] | null;
  buildOn: 'local' | 'target';
  reboot: boolean;
  /** The kexec strategy's installer image on this machine (chosen in a folder dialog). */
  kexecImage: string | null;
  /** The Network page's choice; null: not chosen yet (the probe's suggestion applies). */
  networkMode: 'static' | 'dhcp' | 'none' | null;
  networkStyle: 'scripted' | 'networkd' | null;
  /** The proxy, its password replaced by *** (the password is in SecretStorage, keyed by this URL). */
  proxy: InstallProxy | null;
  /** The install started from the review (its state lives in the engine's state store). */
  installId: string | null;
}

export const DEFAULT_LAYOUT_VIEW: WizardLayoutView = {
  espSizeMiB: DEFAULT_LAYOUT.espSizeMiB,
  rootFs: DEFAULT_LAYOUT.rootFs,
  swapSizeMiB: 0,
  subvolumes: false,
  luks: false,
};

export const INSTALL_ROOT = '/mnt';

export function freshWizard(): WizardSaved {
  return {
    version: 1,
    page: 'target',
    target: null,
    probe: null,
    disk: null,
    useMounted: false,
    layout: { ...DEFAULT_LAYOUT_VIEW },
    configuration: null,
    strategy: null,
    buildOn: 'local',
    reboot: true,
    kexecImage: null,
    networkMode: null,
    networkStyle: null,
    proxy: null,
    installId: null,
  };
}

/** A saved wizard read back from globalState; anything unrecognisable starts fresh. */
export function loadWizard(raw: unknown): WizardSaved {
  const s = raw as Partial<WizardSaved> | undefined;
  if (!s || typeof s !== 'object' || s.version !== 1 || typeof s.page !== 'string') return freshWizard();
  return { ...freshWizard(), ...s } as WizardSaved;
}

function formatSize(bytes: number | null): string {
  if (bytes === null) return '?';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}

/** The disks the wizard offers: by their /dev/disk/by-id names; the live system's and busy disks shown but blocked. */
export function diskChoices(report: ProbeReport): WizardDiskChoice[] {
  return report.disks.map((d) => {
    // Through holders too (LVM, LUKS, md): the same chains preflight refuses with.
    const uses = diskUsage(report, d);
    let blocked: string | null = null;
    if (d.liveSystem) {
      const live = uses.filter((u) => u.mountpoint !== undefined && LIVE_MOUNTS.includes(u.mountpoint));
      blocked = `the running system runs from this disk${live.length ? ` (${live.map((u) => u.text).join('; ')})` : ''}`;
    } else if (uses.length) blocked = `in use (${uses.map((u) => u.text).join('; ')})`;
    else if (d.readOnly) blocked = 'read-only';
    const byId = d.byId.map((b) => (b.startsWith('/') ? b : `/dev/disk/by-id/${b}`));
    return {
      path: d.path,
      sizeBytes: d.sizeBytes,
      model: d.model,
      transport: d.transport,
      names: byId.length ? byId : [d.path],
      stableNames: byId.length > 0,
      partitions: d.partitions.map((p) =>
        [
          p.path ?? `#${p.number ?? '?'}`,
          formatSize(p.sizeBytes),
          p.fs?.type ?? 'no filesystem',
          p.fs?.label !== null && p.fs?.label !== undefined ? `label ${p.fs.label}` : null,
          p.partlabel !== null ? `name ${p.partlabel}` : null,
        ]
          .filter((x): x is string => x !== null)
          .join(' · '),
      ),
      blocked,
      liveSystem: d.liveSystem,
    };
  });
}

export function layoutFromView(v: WizardLayoutView): DiskLayout {
  const layout: DiskLayout = { espSizeMiB: v.espSizeMiB, rootFs: v.rootFs };
  if (v.swapSizeMiB > 0) layout.swapSizeMiB = v.swapSizeMiB;
  if (v.rootFs === 'btrfs' && v.subvolumes)
    layout.subvolumes = { '@': '/', '@home': '/home', '@nix': '/nix' };
  if (v.luks) layout.luks = { name: 'cryptroot' };
  return layout;
}

/** Problems with the disk page's choices (empty when the person may go on). */
export function diskProblems(
  saved: Pick<WizardSaved, 'disk' | 'useMounted' | 'layout'>,
  disks: WizardDiskChoice[],
): string[] {
  if (saved.useMounted) return [];
  if (saved.disk === null) return ['choose a disk, or install onto what is mounted'];
  const d = disks.find((x) => x.names.includes(saved.disk!));
  if (!d) return [`${saved.disk} is not a disk of the target`];
  if (d.blocked) return [`${saved.disk} cannot be erased: ${d.blocked}`];
  return layoutProblems(layoutFromView(saved.layout));
}

/** The options the engine gets from the wizard's choices. */
/** Where the new system goes: /mnt, or the running root itself when it is lustrated in place. */
export function rootFor(strategy: WizardSaved['strategy']): string {
  return strategy === 'lustrate' ? '/' : INSTALL_ROOT;
}

export function buildOptions(
  saved: WizardSaved,
  config: WizardConfigurationView,
  bootloader?: InstallOptions['bootloader'],
): InstallOptions {
  if (!saved.target) throw new Error('no target chosen');
  const options: InstallOptions = {
    flake: config.flake,
    configuration: config.name,
    target: saved.target,
    buildOn: saved.buildOn,
    root: rootFor(saved.strategy),
    reboot: saved.reboot,
  };
  if (saved.strategy) options.strategy = saved.strategy;
  if (saved.strategy === 'kexec' && saved.kexecImage) options.kexecImage = saved.kexecImage;
  if (!saved.useMounted && saved.disk) {
    options.disk = saved.disk;
    options.layout = layoutFromView(saved.layout);
  }
  if (bootloader) options.bootloader = bootloader;
  const mode = networkModeFor(saved);
  if (mode !== 'none') {
    options.network = mode;
    if (saved.networkStyle) options.networkStyle = saved.networkStyle;
  }
  if (saved.proxy) options.proxy = { ...saved.proxy };
  return options;
}

/** Where a proxy's URL with its password is kept in SecretStorage: by the URL shown with ***. */
export function proxySecretKey(shown: string): string {
  return `nixkit.proxy/${shown}`;
}

/** The network choice in force: the one made, else what the probe suggests. */
export function networkModeFor(
  saved: Pick<WizardSaved, 'networkMode' | 'probe'>,
): 'static' | 'dhcp' | 'none' {
  if (saved.networkMode) return saved.networkMode;
  return saved.probe ? suggestedNetwork(saved.probe) : 'none';
}

/** Keep the addresses when every uplink's addresses are static (a rescue network without DHCP), else DHCP. */
export function suggestedNetwork(report: ProbeReport): 'static' | 'dhcp' {
  const links = uplinks(report);
  return links.length > 0 && links.every((l) => l.static) ? 'static' : 'dhcp';
}

/** The Network page's picture of the target: its interfaces, routes, resolver and name, and what can be written. */
export function networkView(report: ProbeReport, facts: ConfigurationFacts | undefined): WizardNetworkView {
  const links = uplinks(report);
  const defaultStyle: 'scripted' | 'networkd' =
    facts?.networkd === true || links.some((l) => !l.nixosName) ? 'networkd' : 'scripted';
  const attempt = networkConfig(report, {
    mode: 'static',
    ...(facts?.networkd === true ? { style: 'networkd' as const } : {}),
  });
  return {
    interfaces: report.network.interfaces
      .filter((n) => n.name !== 'lo')
      .map((n) => {
        const link = links.find((l) => l.nic.name === n.name);
        return {
          name: n.name,
          nixosName: link
            ? link.nixosName
            : !n.virtual && n.predicted.source !== 'none'
              ? n.predicted.name
              : null,
          mac: n.mac,
          virtual: n.virtual,
          uplink: !!link,
          addresses: n.addresses
            .filter((a) => a.scope === 'global' || a.scope === null)
            .filter((a) => !(a.family === 'inet6' && isLinkLocal6(a.address)))
            .map((a) => ({ address: `${a.address}/${a.prefixLength}`, dynamic: a.dynamic ?? null })),
        };
      }),
    routes: report.network.defaultRoutes.map((r) => {
      const link = links.find((l) => l.nic.name === r.dev);
      return {
        family: r.family,
        gateway: r.gateway,
        dev: r.dev,
        proto: r.proto ?? null,
        onLink: r.family === 'inet6' && !!link?.gateway6OutsidePrefix && link.gateway6 === r.gateway,
      };
    }),
    dns: [...report.network.dns],
    searchDomains: [...report.network.searchDomains],
    hostname: report.system.hostname,
    domain: report.network.domain ?? null,
    suggested: suggestedNetwork(report),
    defaultStyle,
    staticProblem: attempt.ok ? null : attempt.error,
    notes: attempt.ok ? attempt.notes : [],
  };
}

export interface StrategyViews {
  strategies: WizardStrategyView[];
  auto: WizardStrategyView['name'] | null;
}

export function strategyViews(
  report: ProbeReport,
  options: Pick<InstallOptions, 'disk' | 'root' | 'kexecImage'>,
  config?: ConfigurationFacts,
): StrategyViews {
  const inputs = { report, options, config };
  const strategies = STRATEGY_NAMES.map((name): WizardStrategyView => {
    // In the wizard, choosing lustrate is choosing the running root: judge it with that root.
    const c = checkStrategy(
      name,
      name === 'lustrate' ? { ...inputs, options: { ...options, root: '/' } } : inputs,
    );
    const info = STRATEGIES[name];
    return {
      name,
      title: info.title,
      ok: c.ok && info.supported,
      supported: info.supported,
      automatic: info.automatic,
      preconditions: [...info.preconditions],
      reasons: info.supported ? c.reasons : [...c.reasons, 'not supported by this version of nixkit yet'],
      warnings: c.warnings,
    };
  });
  let auto: WizardStrategyView['name'] | null = null;
  try {
    auto = chooseStrategy(inputs).strategy;
  } catch {
    /* none fits: the page shows every strategy's reasons */
  }
  return { strategies, auto };
}

/** Long inline scripts (the hardware probe) are shown by their first line and size, as the CLI does. */
function commandText(text: string): string {
  if (text.length <= 400) return text;
  return `${text.slice(0, 200).split('\n')[0]} … (${text.length} characters in all)`;
}

export function planView(plan: StepDescription[]): PlanStepView[] {
  return plan.map((d) => ({
    id: d.id,
    title: d.title,
    skipped: d.skipped ?? null,
    warnings: [...(d.warnings ?? [])],
    files: (d.files ?? []).map((f) => ({ path: f.path, purpose: f.purpose })),
    commands: d.commands.map((c) => {
      const full = shJoin(c.argv);
      const text = commandText(full);
      return {
        where: c.where,
        text,
        fullText: text === full ? null : full,
        destructive: !!c.destructive,
        stdin: c.stdin ?? null,
        purpose: c.purpose,
      };
    }),
  }));
}

/** The steps the wizard needs before it may run an install: all of them, or it refuses instead of pretending. */
export const REQUIRED_STEPS: readonly StepId[] = STEP_IDS;

/** Why this build's engine cannot run a whole install (null when it can). */
export function engineGap(steps: readonly Pick<Step, 'id'>[]): string | null {
  const missing = REQUIRED_STEPS.filter((id) => !steps.some((s) => s.id === id));
  if (missing.length === 0) return null;
  return (
    `This build of nixkit cannot run the install yet: the engine's ${missing.join(', ')} ` +
    `step${missing.length > 1 ? 's are' : ' is'} not part of its plan. The plan above can be reviewed; nothing was run.`
  );
}

/** The state of an install as the run and done pages show it. */
export function installView(
  state: InstallState,
  titles: ReadonlyMap<string, string>,
  transcript: string,
  active: boolean,
  resumeReview: WizardInstallView['resumeReview'] = null,
): WizardInstallView {
  // A state saved as running with no runner behind it: VS Code closed during the install.
  const interrupted = !active && state.status === 'running';
  const status = interrupted ? 'cancelled' : (state.status ?? 'pending');
  const steps = state.steps.map((s) => ({
    id: s.id,
    title: titles.get(s.id) ?? s.id,
    status: interrupted && s.status === 'running' ? ('cancelled' as const) : s.status,
    error:
      interrupted && s.status === 'running'
        ? 'interrupted (VS Code or the window closed)'
        : (s.error ?? null),
  }));
  const failed = steps.find((s) => s.status === 'failed' || s.status === 'cancelled');
  const out = (id: StepId) => state.steps.find((s) => s.id === id)?.outputs;
  const verification: string[] = [];
  const verify = out('verify');
  if (verify) {
    verification.push(
      `Boot loader ${String(verify.bootloader)} found on the ESP (${String(verify.esp)}), with ${String(verify.entry)}.`,
    );
    verification.push(
      verify.efiBootEntry === 'found'
        ? 'An EFI boot entry for it exists.'
        : state.config?.canTouchEfiVariables === true
          ? 'EFI boot entries were not checked: the target shows no EFI variables (booted as BIOS?).'
          : 'EFI boot entries were not checked: the configuration does not set boot.loader.efi.canTouchEfiVariables, ' +
            'so the firmware finds the loader at its fallback path (\\EFI\\BOOT\\BOOTX64.EFI) or by its own entries.',
    );
  }
  const finish = out('finish');
  if (finish?.rebooted && typeof finish.currentSystem === 'string')
    verification.push(
      `After the reboot the target runs ${finish.currentSystem}${typeof finish.generation === 'number' ? ` (generation ${finish.generation})` : ''}.`,
    );
  else if (finish && !finish.rebooted)
    verification.push('The target was not rebooted: the new system runs at the next boot.');
  const hostKey = typeof finish?.hostKeyNote === 'string' ? finish.hostKeyNote : null;
  const nextSteps =
    status === 'done'
      ? [
          finish?.rebooted
            ? `Log in to ${state.options.target} and check the new system (the host key changed unless it was kept).`
            : `Reboot ${state.options.target} into the new system (remove the installer medium first).`,
          `Commit the files the install wrote into the flake (${path.join(state.options.flake, 'hosts', state.options.configuration)}): hardware-configuration.nix and, when a disk was partitioned, disko.nix.`,
          `Later changes: nixos-rebuild switch --flake ${state.options.flake}#${state.options.configuration} --target-host ${state.options.target}`,
        ]
      : [];
  return {
    id: state.id,
    status,
    resumable: !active && status !== 'done' && status !== 'pending',
    resumeReview: active ? null : resumeReview,
    steps,
    error: failed?.error ?? null,
    transcript,
    verification,
    hostKey,
    nextSteps,
  };
}

/** Configuration choices from the language server's summaries; `findingsOf` gives each one's errors and warnings. */
export interface ConfigurationInput {
  name: string;
  kind: 'flake' | 'configuration.nix';
  /** The flake.nix (or configuration.nix) file path. */
  file: string;
  bootloader: string;
  efiSysMountPoint: string;
  errors: number;
  warnings: number;
  findings: WizardConfigurationView['findings'];
}

export function configurationViews(inputs: ConfigurationInput[]): WizardConfigurationView[] {
  return inputs
    .filter((c) => c.kind === 'flake')
    .map((c) => {
      const flake = path.dirname(c.file);
      return {
        id: `${flake}#${c.name}`,
        name: c.name,
        flake,
        bootloader: c.bootloader,
        efiSysMountPoint: c.efiSysMountPoint,
        errors: c.errors,
        warnings: c.warnings,
        findings: c.findings.slice(0, 200),
      };
    })
    .sort((a, b) => a.id.localeCompare(b.id));
}
