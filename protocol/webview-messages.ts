// The one message protocol between the extension and its webview panels (the probe panel, the install wizard and
// the write-image page). Both sides import their types and validators from here and nowhere else; each message has
// a comment saying who sends it to whom. Every message that crosses the boundary is checked on arrival with the
// guards below (a webview's page is untrusted; the extension's messages are checked too, so a stale or foreign sender
// cannot make the UI misbehave). No imports: this file is compiled for Node (tsc -p .) and bundled for the browser.
//
// Adding a panel's messages: add its members to ToWebview / FromWebview (types prefixed with the panel, e.g.
// 'wizard/…'), then their guards to TO_WEBVIEW_GUARDS / FROM_WEBVIEW_GUARDS; the mapped types make a missing
// guard a compile error.

// ---------------------------------------------------------------------------------------------------------------
// Data the probe panel shows: a display-ready view of the engine's ProbeReport (extension/panels/probe-view.ts
// builds it). Strings that come from the target (labels, models, names) are carried verbatim: the webview puts
// them into the page as text, never as markup.

export interface FilesystemView {
  type: string | null;
  uuid: string | null;
  label: string | null;
}

export interface PartitionView {
  path: string | null;
  number: number | null;
  sizeBytes: number | null;
  typeName: string | null;
  partuuid: string | null;
  partlabel: string | null;
  fs: FilesystemView | null;
  mountpoints: string[];
}

export interface DiskView {
  path: string;
  sizeBytes: number;
  model: string | null;
  serial: string | null;
  transport: string | null;
  rotational: boolean | null;
  removable: boolean;
  byId: string[];
  /** 'gpt', 'dos', … or null when there is none. */
  partitionTable: string | null;
  /** The live/rescue system runs from this disk. */
  liveSystem: boolean;
  /** A filesystem on the whole disk (no partition table). */
  fs: FilesystemView | null;
  partitions: PartitionView[];
}

export interface ControllerView {
  kind: string;
  address: string;
  driver: string | null;
  module: string | null;
}

export interface NicView {
  name: string;
  mac: string | null;
  driver: string | null;
  state: string | null;
  virtual: boolean;
  /** "10.0.0.2/24" */
  addresses: string[];
  /** The name NixOS will give it, null when none could be predicted. */
  predictedName: string | null;
  /** How it was predicted (udevadm, sysfs, kernel, none) and by which rule. */
  predictedHow: string;
}

export interface ProbeWarningView {
  /** Stable identifier for tests and styling: bios, low-ram, no-nix, missing-tools, other. */
  kind: 'bios' | 'low-ram' | 'no-nix' | 'missing-tools' | 'other';
  text: string;
}

export interface ProbeView {
  /** What was typed or picked (user@host:port or an alias). */
  target: string;
  probedAt: string;
  hostname: string | null;
  system: {
    nixSystem: string | null;
    arch: string | null;
    kernel: string | null;
    os: string | null;
    nixosInstaller: boolean;
    nixVersion: string | null;
    nixPresent: boolean;
    virtualisation: string;
  };
  firmware: {
    mode: 'uefi' | 'bios';
    efivarsWritable: boolean | null;
    secureBoot: string | null;
  };
  cpu: {
    vendor: string | null;
    model: string | null;
    cores: number | null;
    kvmModule: string | null;
    microcode: string | null;
  };
  memory: { totalBytes: number | null; availableBytes: number | null; kexecFits: boolean | null };
  disks: DiskView[];
  controllers: ControllerView[];
  nics: NicView[];
  /** Kernel modules the initrd needs for the storage controllers. */
  initrdModules: string[];
  missingTools: string[];
  warnings: ProbeWarningView[];
}

// ---------------------------------------------------------------------------------------------------------------
// Data the install wizard shows (extension/panels/install-wizard-model.ts builds it). The extension owns the wizard's
// state; the page draws this snapshot and sends the person's choices back. Strings from the target (disk models,
// labels) and from the flake are carried verbatim and shown as text.

/** The wizard's pages, in order. */
export type WizardPage =
  | 'target'
  | 'probe'
  | 'disk'
  | 'configuration'
  | 'strategy'
  | 'network'
  | 'review'
  | 'run'
  | 'done';
export const WIZARD_PAGES: readonly WizardPage[] = [
  'target',
  'probe',
  'disk',
  'configuration',
  'strategy',
  'network',
  'review',
  'run',
  'done',
];

export interface WizardDiskChoice {
  /** The kernel's name (/dev/sda). */
  path: string;
  sizeBytes: number;
  model: string | null;
  transport: string | null;
  /** Names the disk can be chosen by: its /dev/disk/by-id links, else the kernel's name. */
  names: string[];
  /** The names are /dev/disk/by-id links (stable across boots). */
  stableNames: boolean;
  /** One line per partition: device, size, filesystem, label (verbatim). */
  partitions: string[];
  /** Why it cannot be chosen (holds the running system, mounted, read-only); null when it can. */
  blocked: string | null;
  liveSystem: boolean;
}

export interface WizardLayoutView {
  espSizeMiB: number;
  rootFs: 'ext4' | 'btrfs' | 'xfs';
  /** 0: no swap partition. */
  swapSizeMiB: number;
  /** btrfs subvolumes @ (/), @home, @nix. */
  subvolumes: boolean;
  /** LUKS around the root filesystem (the passphrase is asked when the install runs, never stored). */
  luks: boolean;
}

export interface WizardFindingView {
  severity: 'error' | 'warning';
  message: string;
  /** file:line */
  where: string;
}

export interface WizardConfigurationView {
  /** `flake#name`: what the page sends back. */
  id: string;
  name: string;
  /** The flake's folder. */
  flake: string;
  bootloader: string;
  efiSysMountPoint: string;
  errors: number;
  warnings: number;
  findings: WizardFindingView[];
}

export interface WizardStrategyView {
  name: 'nixos-installer' | 'nix-present' | 'no-nix' | 'lustrate' | 'kexec';
  title: string;
  ok: boolean;
  supported: boolean;
  automatic: boolean;
  preconditions: string[];
  reasons: string[];
  warnings: string[];
}

/** One interface of the target as the Network page shows it. */
export interface WizardNetworkInterfaceView {
  name: string;
  /** The name NixOS will give it; null when it cannot be predicted (or it is virtual). */
  nixosName: string | null;
  mac: string | null;
  virtual: boolean;
  /** It carries a default route (what network.nix configures). */
  uplink: boolean;
  /** Global addresses, "10.0.0.2/24"; dynamic: leased (DHCP) or autoconfigured, null when the probe could not tell. */
  addresses: { address: string; dynamic: boolean | null }[];
}

export interface WizardRouteView {
  family: 'inet' | 'inet6';
  gateway: string | null;
  dev: string | null;
  /** Who made it (dhcp, ra, static, boot, …), when known. */
  proto: string | null;
  /** An IPv6 gateway outside the interface's prefix: network.nix routes to it on the link first. */
  onLink: boolean;
}

/** What the target's network is now (from the probe) and what "keep these addresses" would write. */
export interface WizardNetworkView {
  interfaces: WizardNetworkInterfaceView[];
  routes: WizardRouteView[];
  dns: string[];
  searchDomains: string[];
  hostname: string | null;
  domain: string | null;
  /** What the probe suggests: every uplink address static → keep them; else DHCP. */
  suggested: 'static' | 'dhcp';
  /** The style network.nix gets unless another is chosen: networkd when the configuration uses it, else scripted. */
  defaultStyle: 'scripted' | 'networkd';
  /** Why a static (or any) network.nix cannot be written for this target; null when it can. */
  staticProblem: string | null;
  notes: string[];
}

/** The install's proxy as the page shows it: the URL with its password replaced by ***. */
export interface WizardProxyView {
  url: string;
  noProxy: string;
  inConfig: boolean;
  /** A password is kept for it (in VS Code's SecretStorage). */
  hasPassword: boolean;
}

export interface PlanCommandView {
  where: 'target' | 'local';
  /** The command line exactly as it runs (each argument shell-quoted); long inline scripts shortened. */
  text: string;
  /** The whole command line when `text` is shortened (null when `text` is all of it). */
  fullText: string | null;
  destructive: boolean;
  stdin: string | null;
  purpose: string;
}

export interface PlanStepView {
  id: string;
  title: string;
  skipped: string | null;
  warnings: string[];
  files: { path: string; purpose: string }[];
  commands: PlanCommandView[];
}

export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped' | 'cancelled';

export interface WizardStepStatusView {
  id: string;
  title: string;
  status: StepStatus;
  error: string | null;
}

export interface WizardProgressView {
  step: string;
  done: number;
  total: number | null;
  unit: 'bytes' | 'paths' | 'steps';
  detail: string | null;
}

export interface WizardInstallView {
  id: string;
  status: 'pending' | 'running' | 'done' | 'failed' | 'cancelled';
  /** Some step stopped (failed, cancelled, or interrupted when VS Code closed): Resume continues from it. */
  resumable: boolean;
  /**
   * Resume was pressed on an install that erases a disk: the plan again, and the disk's name must be typed again
   * before it continues (a saved confirmation is never reused). Null otherwise.
   */
  resumeReview: { disk: string; plan: PlanStepView[] } | null;
  steps: WizardStepStatusView[];
  error: string | null;
  /** The transcript file on this machine. */
  transcript: string;
  /** What was checked after the install (bootloader on the ESP, the new system running). */
  verification: string[];
  /** The host key explanation after the reboot (null when the target was not rebooted). */
  hostKey: string | null;
  nextSteps: string[];
}

export interface WizardView {
  page: WizardPage;
  /** What the extension is doing right now ("Connecting to …"); the page shows it and disables its actions. */
  busy: string | null;
  /** Why the last action failed, for the current page. */
  error: string | null;
  target: string | null;
  recentTargets: string[];
  probe: ProbeView | null;
  disks: WizardDiskChoice[];
  /** The chosen disk's name (one of its `names`); null with useMounted, or before choosing. */
  disk: string | null;
  /** Install onto what is mounted at `root` (no partitioning). */
  useMounted: boolean;
  root: string;
  layout: WizardLayoutView;
  configurations: WizardConfigurationView[];
  /** The chosen configuration's id. */
  configuration: string | null;
  strategies: WizardStrategyView[];
  /** The strategy asked for; null: the one chosen from the probe (`autoStrategy`). */
  strategy: WizardStrategyView['name'] | null;
  autoStrategy: WizardStrategyView['name'] | null;
  buildOn: 'local' | 'target';
  reboot: boolean;
  /** The NixOS installer image (a folder with bzImage and initrd) the kexec strategy boots, on this machine. */
  kexecImage: string | null;
  /** The Network page: the target's network now (null before a probe). */
  network: WizardNetworkView | null;
  /** The choice: keep the addresses, DHCP, or leave the network to the configuration ('none'). */
  networkMode: 'static' | 'dhcp' | 'none';
  /** The style asked for; null: `network.defaultStyle`. */
  networkStyle: 'scripted' | 'networkd' | null;
  /** The proxy every command on the target goes through; null: none. */
  proxy: WizardProxyView | null;
  plan: PlanStepView[] | null;
  /** Why the plan cannot be made or run (null when it can). */
  planError: string | null;
  install: WizardInstallView | null;
}

// ---------------------------------------------------------------------------------------------------------------
// Wizard rules both sides apply (the page to enable its buttons, the extension to refuse what the page must not ask).

/** The pages the person may go to now. While an install exists, only its run (and, once done, its end) pages. */
export function reachablePages(v: WizardView): WizardPage[] {
  if (v.install) return v.install.status === 'done' ? ['run', 'done'] : ['run'];
  const pages: WizardPage[] = ['target'];
  if (!v.probe) return pages;
  pages.push('probe', 'disk');
  const diskOk =
    v.useMounted || (v.disk !== null && v.disks.some((d) => d.blocked === null && d.names.includes(v.disk!)));
  if (!diskOk) return pages;
  pages.push('configuration');
  const config = v.configurations.find((c) => c.id === v.configuration);
  if (!config || config.errors > 0) return pages;
  pages.push('strategy');
  const strategy = v.strategies.find((s) => s.name === (v.strategy ?? v.autoStrategy));
  if (!strategy || !strategy.ok || !v.plan) return pages;
  pages.push('network', 'review');
  return pages;
}

/** The erase confirmation: exactly the disk's name, character for character (no trimming, no case folding). */
export function diskConfirmed(disk: string | null, typed: string): boolean {
  return disk === null || typed === disk;
}

// ---------------------------------------------------------------------------------------------------------------
// Data the "Write Installer Image" page shows (extension/media/write-model.ts builds it from the engine's
// protocol/media.ts values). As in the wizard, the extension owns the state; strings from the device (model,
// serial, labels) are carried verbatim and shown as text.

/** Where the device is: this machine (through nixkit's privileged helper) or a saved/typed SSH target. */
export interface MediaWhereView {
  kind: 'local' | 'ssh';
  /** user@host[:port] or an alias; null for this machine. */
  target: string | null;
}

/** What an explicit override allows (a checkbox on the page). */
export type MediaOverride = 'large' | 'non-removable';

export interface MediaDeviceView {
  /** `/dev/sdb`: what the page sends back. */
  path: string;
  /** What the user must type to confirm (the kernel's name, `sdb`, as the engine asks). */
  confirmName: string;
  byId: string[];
  sizeBytes: number;
  model: string | null;
  vendor: string | null;
  serial: string | null;
  transport: string | null;
  removable: boolean;
  labels: string[];
  /** Why it can never be written (live system, mounted, …): shown greyed with these reasons. Empty: it can. */
  refusals: string[];
  /** Overrides the user must tick first (large, non-removable). */
  overrides: MediaOverride[];
  /** Does the chosen image fit? null before an image is chosen. */
  imageFits: boolean | null;
  /** nixkit's last write to this device did not end verified (cut, cancelled, mismatch): what happened. */
  lastWrite: string | null;
}

export interface MediaImageView {
  path: string;
  sizeBytes: number;
  /** Why it cannot be written; empty when it can. */
  problems: string[];
  boot: 'hybrid-iso' | 'cd-only-iso' | 'disk-image' | 'unknown';
  /** "ISO 9660, El Torito, MBR boot signature, GPT" */
  layout: string;
  /** One sentence on how it boots (why a CD-only ISO will not boot from USB, and what to do). */
  bootText: string;
  checksum: { status: 'none' | 'match' | 'mismatch' | 'unusable'; text: string };
}

export type MediaPhase = 'write' | 'verify' | 'power-off';

export interface MediaProgressView {
  phase: MediaPhase;
  bytes: number;
  total: number;
  /** Bytes per second; null before there is a rate. */
  rate: number | null;
  secondsLeft: number | null;
}

export interface MediaRunView {
  /** running, then how it ended: verified (the stick is good), or why it is not. */
  status: 'running' | 'verified' | 'not-verified' | 'mismatch' | 'refused';
  device: string;
  /** The phase reached (the running one, or where it stopped). */
  phase: MediaPhase | null;
  /** The outcome for people: "Verified … Safe to pull the stick.", or what went wrong and what the device holds. */
  text: string;
  /** Read-back SHA-256 when verified. */
  sha256: string | null;
}

export interface MediaWriteView {
  /** What the extension is doing right now ("Reading the devices on …"); disables the page's actions. */
  busy: string | null;
  /** Why the last action failed (one sentence, never a stack trace). */
  error: string | null;
  where: MediaWhereView;
  /** Saved and recent SSH targets to choose from. */
  targets: string[];
  /** null until the devices were read for `where`. */
  devices: MediaDeviceView[] | null;
  /** Problems reading the devices (lsblk missing, …). */
  warnings: string[];
  image: MediaImageView | null;
  run: MediaRunView | null;
}

// ---------------------------------------------------------------------------------------------------------------
// Write-page rules both sides apply (the page to enable Write, the extension to refuse what the page must not ask).

/** Whether `device` may be written with these overrides ticked, and if not, why (for the page's hint). */
export function mediaWriteGate(
  v: MediaWriteView,
  device: string | null,
  overrides: readonly MediaOverride[],
  typed: string,
): { enabled: boolean; hint: string } {
  if (v.busy) return { enabled: false, hint: v.busy };
  if (v.run?.status === 'running') return { enabled: false, hint: 'A write is running.' };
  if (!v.image) return { enabled: false, hint: 'Choose an image first.' };
  if (v.image.problems.length)
    return { enabled: false, hint: `The image cannot be written: ${v.image.problems[0]}` };
  if (v.image.checksum.status === 'mismatch')
    return { enabled: false, hint: 'The image does not match its checksum: it is not written.' };
  const d = v.devices?.find((x) => x.path === device);
  if (!d) return { enabled: false, hint: 'Choose a device.' };
  if (d.refusals.length) return { enabled: false, hint: `${d.path} cannot be written: ${d.refusals[0]}` };
  const missing = d.overrides.filter((o) => !overrides.includes(o));
  if (missing.length)
    return {
      enabled: false,
      hint: `${d.path} is ${missing.map((o) => (o === 'large' ? 'large' : 'not removable')).join(' and ')}: tick the override to write it anyway.`,
    };
  if (d.imageFits === false) return { enabled: false, hint: `The image does not fit on ${d.path}.` };
  if (typed === '')
    return { enabled: false, hint: `Type ${d.confirmName} to confirm that everything on it is erased.` };
  if (typed !== d.confirmName)
    return {
      enabled: false,
      hint:
        typed.trim() === d.confirmName
          ? 'The name must match exactly (no spaces before or after).'
          : `That is not the device's name. Type ${d.confirmName} exactly.`,
    };
  return { enabled: true, hint: `Everything on ${d.path} will be erased.` };
}

// ---------------------------------------------------------------------------------------------------------------
// Messages.

export type ToWebview =
  /** extension → probe panel: the probe to show (answer to 'ready', and after every new probe). */
  | { type: 'probe/show'; probe: ProbeView; savedAs: string | null }
  /** extension → probe panel: the probe was saved as .nixkit/hosts/<name>.json. */
  | { type: 'probe/saved'; name: string; file: string }
  /** extension → probe panel: an action is running (busy=true) or finished (false); disables the buttons. */
  | { type: 'probe/busy'; busy: boolean }
  /** extension → any panel: a one-line outcome of an action, shown in the panel's status line. */
  | { type: 'status'; level: 'info' | 'error'; text: string }
  /** extension → install wizard: the whole wizard state to draw (answer to 'ready', and after every change). */
  | { type: 'wizard/show'; view: WizardView }
  /** extension → install wizard: new lines of the running install's log (the page keeps the last few thousand). */
  | { type: 'wizard/log'; lines: string[] }
  /** extension → install wizard: progress of the running step (bytes or paths copied). */
  | { type: 'wizard/progress'; progress: WizardProgressView }
  /** extension → write page: the whole page state to draw (answer to 'ready', and after every change). */
  | { type: 'media/show'; view: MediaWriteView }
  /** extension → write page: progress of the running write, read-back or power-off. */
  | { type: 'media/progress'; progress: MediaProgressView }
  /** extension → write page: new lines of the write's log (each command before it runs, notes). */
  | { type: 'media/log'; lines: string[] };

export type FromWebview =
  /** any panel → extension: the page's script is running; send the current state. */
  | { type: 'ready' }
  /** probe panel → extension: "Save to workspace" pressed. */
  | { type: 'probe/save' }
  /** probe panel → extension: "Generate hardware-configuration.nix" pressed. */
  | { type: 'probe/generateHwconfig' }
  /** probe panel → extension: "Probe again" pressed (same target). */
  | { type: 'probe/reprobe' }
  /** install wizard → extension: connect to this target and probe it (Target page). */
  | { type: 'wizard/connect'; target: string }
  /** install wizard → extension: go to a page (Back, Next, the page list); refused unless reachable. */
  | { type: 'wizard/goto'; page: WizardPage }
  /** install wizard → extension: the disk (a name from its `names`) or "use what is mounted", and the layout. */
  | { type: 'wizard/setDisk'; disk: string | null; useMounted: boolean; layout: WizardLayoutView }
  /** install wizard → extension: the configuration picked (its id). */
  | { type: 'wizard/setConfiguration'; id: string }
  /** install wizard → extension: ask the language server for the configurations again. */
  | { type: 'wizard/refreshConfigurations' }
  /** install wizard → extension: strategy (null: automatic), where to build, reboot at the end. */
  | {
      type: 'wizard/setStrategy';
      strategy: WizardStrategyView['name'] | null;
      buildOn: 'local' | 'target';
      reboot: boolean;
    }
  /**
   * install wizard → extension: the Network page's choices. `proxy` is the URL as typed ('' for none; the URL
   * shown with *** keeps the stored password), `proxyPassword` the password typed in its own hidden field ('' for
   * none or unchanged). The extension keeps a password in SecretStorage only.
   */
  | {
      type: 'wizard/setNetwork';
      mode: 'static' | 'dhcp' | 'none';
      style: 'scripted' | 'networkd' | null;
      proxy: string;
      proxyPassword: string;
      noProxy: string;
      proxyInConfig: boolean;
    }
  /** install wizard → extension: "Choose…" pressed for the kexec strategy's installer image (a folder dialog opens). */
  | { type: 'wizard/pickKexecImage' }
  /** install wizard → extension: "Install" pressed on the review, with the disk's name as typed (null: no disk). */
  | { type: 'wizard/install'; confirmedDisk: string | null }
  /** install wizard → extension: "Cancel" pressed while the install runs. */
  | { type: 'wizard/cancel' }
  /** install wizard → extension: "Resume" pressed after a failed, cancelled or interrupted install. */
  | { type: 'wizard/resume'; confirmedDisk: string | null }
  /** install wizard → extension: "Start over" pressed (forgets the wizard's choices, not the install's transcript). */
  | { type: 'wizard/startOver' }
  /** install wizard → extension: "Open transcript" pressed. */
  | { type: 'wizard/openTranscript' }
  /** write page → extension: read the devices here: this machine, or this SSH target (host key checked first). */
  | { type: 'media/setWhere'; where: MediaWhereView }
  /** write page → extension: "Refresh" pressed: read the devices again (a stick plugged in since). */
  | { type: 'media/refresh' }
  /** write page → extension: "Choose image…" pressed (a file dialog opens on this machine). */
  | { type: 'media/pickImage' }
  /** write page → extension: "Write" pressed: the device (its path), the overrides ticked, the name as typed. */
  | { type: 'media/write'; device: string; overrides: MediaOverride[]; typedConfirmation: string }
  /** write page → extension: "Cancel" pressed while writing or verifying. */
  | { type: 'media/cancel' }
  /** write page → extension: "Write another" pressed after a write ended (clears the outcome, reads devices again). */
  | { type: 'media/again' };

// ---------------------------------------------------------------------------------------------------------------
// Guards: small combinators, so each message's check reads like its type.

export type Guard<T> = (v: unknown) => v is T;

/** Upper bounds that keep a hostile or broken message from exhausting the receiver. */
export const LIMITS = { stringLength: 1 << 20, arrayLength: 10_000 } as const;

export const isString: Guard<string> = (v): v is string =>
  typeof v === 'string' && v.length <= LIMITS.stringLength;
export const isBoolean: Guard<boolean> = (v): v is boolean => typeof v === 'boolean';
export const isNumber: Guard<number> = (v): v is number => typeof v === 'number' && Number.isFinite(v);

export function nullable<T>(g: Guard<T>): Guard<T | null> {
  return (v): v is T | null => v === null || g(v);
}

export function arrayOf<T>(g: Guard<T>): Guard<T[]> {
  return (v): v is T[] => Array.isArray(v) && v.length <= LIMITS.arrayLength && v.every((x) => g(x));
}

export function oneOf<const T extends readonly (string | number | boolean | null)[]>(
  ...values: T
): Guard<T[number]> {
  return (v): v is T[number] => values.includes(v as T[number]);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * An object with exactly these properties (each checked by its guard; no others allowed, so a typo or an injected
 * field is an error, not silently carried along).
 */
export function objectOf<T extends object>(shape: { [K in keyof T]-?: Guard<T[K]> }): Guard<T> {
  const keys = Object.keys(shape) as (keyof T & string)[];
  return (v): v is T => {
    if (!isPlainObject(v)) return false;
    for (const k of Object.keys(v)) if (!Object.prototype.hasOwnProperty.call(shape, k)) return false;
    return keys.every((k) => (shape[k] as Guard<unknown>)(v[k]));
  };
}

const str = isString;
const strOrNull = nullable(isString);
const numOrNull = nullable(isNumber);
const boolOrNull = nullable(isBoolean);
const strings = arrayOf(isString);

const isFilesystemView = objectOf<FilesystemView>({ type: strOrNull, uuid: strOrNull, label: strOrNull });

const isPartitionView = objectOf<PartitionView>({
  path: strOrNull,
  number: numOrNull,
  sizeBytes: numOrNull,
  typeName: strOrNull,
  partuuid: strOrNull,
  partlabel: strOrNull,
  fs: nullable(isFilesystemView),
  mountpoints: strings,
});

const isDiskView = objectOf<DiskView>({
  path: str,
  sizeBytes: isNumber,
  model: strOrNull,
  serial: strOrNull,
  transport: strOrNull,
  rotational: boolOrNull,
  removable: isBoolean,
  byId: strings,
  partitionTable: strOrNull,
  liveSystem: isBoolean,
  fs: nullable(isFilesystemView),
  partitions: arrayOf(isPartitionView),
});

const isControllerView = objectOf<ControllerView>({
  kind: str,
  address: str,
  driver: strOrNull,
  module: strOrNull,
});

const isNicView = objectOf<NicView>({
  name: str,
  mac: strOrNull,
  driver: strOrNull,
  state: strOrNull,
  virtual: isBoolean,
  addresses: strings,
  predictedName: strOrNull,
  predictedHow: str,
});

const isProbeWarningView = objectOf<ProbeWarningView>({
  kind: oneOf('bios', 'low-ram', 'no-nix', 'missing-tools', 'other'),
  text: str,
});

export const isProbeView: Guard<ProbeView> = objectOf<ProbeView>({
  target: str,
  probedAt: str,
  hostname: strOrNull,
  system: objectOf<ProbeView['system']>({
    nixSystem: strOrNull,
    arch: strOrNull,
    kernel: strOrNull,
    os: strOrNull,
    nixosInstaller: isBoolean,
    nixVersion: strOrNull,
    nixPresent: isBoolean,
    virtualisation: str,
  }),
  firmware: objectOf<ProbeView['firmware']>({
    mode: oneOf('uefi', 'bios'),
    efivarsWritable: boolOrNull,
    secureBoot: strOrNull,
  }),
  cpu: objectOf<ProbeView['cpu']>({
    vendor: strOrNull,
    model: strOrNull,
    cores: numOrNull,
    kvmModule: strOrNull,
    microcode: strOrNull,
  }),
  memory: objectOf<ProbeView['memory']>({
    totalBytes: numOrNull,
    availableBytes: numOrNull,
    kexecFits: boolOrNull,
  }),
  disks: arrayOf(isDiskView),
  controllers: arrayOf(isControllerView),
  nics: arrayOf(isNicView),
  initrdModules: strings,
  missingTools: strings,
  warnings: arrayOf(isProbeWarningView),
});

const isWizardPage = oneOf(...WIZARD_PAGES);
const isNetworkMode = oneOf('static', 'dhcp', 'none');
const isNetworkStyle = oneOf('scripted', 'networkd');

const isWizardNetworkView = objectOf<WizardNetworkView>({
  interfaces: arrayOf(
    objectOf<WizardNetworkInterfaceView>({
      name: str,
      nixosName: strOrNull,
      mac: strOrNull,
      virtual: isBoolean,
      uplink: isBoolean,
      addresses: arrayOf(
        objectOf<WizardNetworkInterfaceView['addresses'][number]>({ address: str, dynamic: boolOrNull }),
      ),
    }),
  ),
  routes: arrayOf(
    objectOf<WizardRouteView>({
      family: oneOf('inet', 'inet6'),
      gateway: strOrNull,
      dev: strOrNull,
      proto: strOrNull,
      onLink: isBoolean,
    }),
  ),
  dns: strings,
  searchDomains: strings,
  hostname: strOrNull,
  domain: strOrNull,
  suggested: oneOf('static', 'dhcp'),
  defaultStyle: isNetworkStyle,
  staticProblem: strOrNull,
  notes: strings,
});

const isWizardProxyView = objectOf<WizardProxyView>({
  url: str,
  noProxy: str,
  inConfig: isBoolean,
  hasPassword: isBoolean,
});
const isStrategyName = oneOf('nixos-installer', 'nix-present', 'no-nix', 'lustrate', 'kexec');
const isBuildOn = oneOf('local', 'target');

const isWizardDiskChoice = objectOf<WizardDiskChoice>({
  path: str,
  sizeBytes: isNumber,
  model: strOrNull,
  transport: strOrNull,
  names: strings,
  stableNames: isBoolean,
  partitions: strings,
  blocked: strOrNull,
  liveSystem: isBoolean,
});

export const isWizardLayoutView: Guard<WizardLayoutView> = objectOf<WizardLayoutView>({
  espSizeMiB: isNumber,
  rootFs: oneOf('ext4', 'btrfs', 'xfs'),
  swapSizeMiB: isNumber,
  subvolumes: isBoolean,
  luks: isBoolean,
});

const isWizardConfigurationView = objectOf<WizardConfigurationView>({
  id: str,
  name: str,
  flake: str,
  bootloader: str,
  efiSysMountPoint: str,
  errors: isNumber,
  warnings: isNumber,
  findings: arrayOf(
    objectOf<WizardFindingView>({ severity: oneOf('error', 'warning'), message: str, where: str }),
  ),
});

const isWizardStrategyView = objectOf<WizardStrategyView>({
  name: isStrategyName,
  title: str,
  ok: isBoolean,
  supported: isBoolean,
  automatic: isBoolean,
  preconditions: strings,
  reasons: strings,
  warnings: strings,
});

const isPlanStepView = objectOf<PlanStepView>({
  id: str,
  title: str,
  skipped: strOrNull,
  warnings: strings,
  files: arrayOf(objectOf<{ path: string; purpose: string }>({ path: str, purpose: str })),
  commands: arrayOf(
    objectOf<PlanCommandView>({
      where: oneOf('target', 'local'),
      text: str,
      fullText: strOrNull,
      destructive: isBoolean,
      stdin: strOrNull,
      purpose: str,
    }),
  ),
});

const isStepStatus = oneOf('pending', 'running', 'done', 'failed', 'skipped', 'cancelled');

export const isWizardProgressView: Guard<WizardProgressView> = objectOf<WizardProgressView>({
  step: str,
  done: isNumber,
  total: numOrNull,
  unit: oneOf('bytes', 'paths', 'steps'),
  detail: strOrNull,
});

const isWizardInstallView = objectOf<WizardInstallView>({
  id: str,
  status: oneOf('pending', 'running', 'done', 'failed', 'cancelled'),
  resumable: isBoolean,
  resumeReview: nullable(
    objectOf<{ disk: string; plan: PlanStepView[] }>({ disk: str, plan: arrayOf(isPlanStepView) }),
  ),
  steps: arrayOf(
    objectOf<WizardStepStatusView>({ id: str, title: str, status: isStepStatus, error: strOrNull }),
  ),
  error: strOrNull,
  transcript: str,
  verification: strings,
  hostKey: strOrNull,
  nextSteps: strings,
});

export const isWizardView: Guard<WizardView> = objectOf<WizardView>({
  page: isWizardPage,
  busy: strOrNull,
  error: strOrNull,
  target: strOrNull,
  recentTargets: strings,
  probe: nullable(isProbeView),
  disks: arrayOf(isWizardDiskChoice),
  disk: strOrNull,
  useMounted: isBoolean,
  root: str,
  layout: isWizardLayoutView,
  configurations: arrayOf(isWizardConfigurationView),
  configuration: strOrNull,
  strategies: arrayOf(isWizardStrategyView),
  strategy: nullable(isStrategyName),
  autoStrategy: nullable(isStrategyName),
  buildOn: isBuildOn,
  reboot: isBoolean,
  kexecImage: strOrNull,
  network: nullable(isWizardNetworkView),
  networkMode: isNetworkMode,
  networkStyle: nullable(isNetworkStyle),
  proxy: nullable(isWizardProxyView),
  plan: nullable(arrayOf(isPlanStepView)),
  planError: strOrNull,
  install: nullable(isWizardInstallView),
});

const isMediaOverride = oneOf('large', 'non-removable');
const isMediaPhase = oneOf('write', 'verify', 'power-off');

export const isMediaWhereView: Guard<MediaWhereView> = objectOf<MediaWhereView>({
  kind: oneOf('local', 'ssh'),
  target: strOrNull,
});

const isMediaDeviceView = objectOf<MediaDeviceView>({
  path: str,
  confirmName: str,
  byId: strings,
  sizeBytes: isNumber,
  model: strOrNull,
  vendor: strOrNull,
  serial: strOrNull,
  transport: strOrNull,
  removable: isBoolean,
  labels: strings,
  refusals: strings,
  overrides: arrayOf(isMediaOverride),
  imageFits: boolOrNull,
  lastWrite: strOrNull,
});

const isMediaImageView = objectOf<MediaImageView>({
  path: str,
  sizeBytes: isNumber,
  problems: strings,
  boot: oneOf('hybrid-iso', 'cd-only-iso', 'disk-image', 'unknown'),
  layout: str,
  bootText: str,
  checksum: objectOf<MediaImageView['checksum']>({
    status: oneOf('none', 'match', 'mismatch', 'unusable'),
    text: str,
  }),
});

export const isMediaProgressView: Guard<MediaProgressView> = objectOf<MediaProgressView>({
  phase: isMediaPhase,
  bytes: isNumber,
  total: isNumber,
  rate: numOrNull,
  secondsLeft: numOrNull,
});

export const isMediaWriteView: Guard<MediaWriteView> = objectOf<MediaWriteView>({
  busy: strOrNull,
  error: strOrNull,
  where: isMediaWhereView,
  targets: strings,
  devices: nullable(arrayOf(isMediaDeviceView)),
  warnings: strings,
  image: nullable(isMediaImageView),
  run: nullable(
    objectOf<MediaRunView>({
      status: oneOf('running', 'verified', 'not-verified', 'mismatch', 'refused'),
      device: str,
      phase: nullable(isMediaPhase),
      text: str,
      sha256: strOrNull,
    }),
  ),
});

type Guards<U extends { type: string }> = { [K in U['type']]: Guard<Extract<U, { type: K }>> };

/** One guard per extension → webview message type. */
export const TO_WEBVIEW_GUARDS: Guards<ToWebview> = {
  'probe/show': objectOf({ type: oneOf('probe/show'), probe: isProbeView, savedAs: strOrNull }),
  'probe/saved': objectOf({ type: oneOf('probe/saved'), name: str, file: str }),
  'probe/busy': objectOf({ type: oneOf('probe/busy'), busy: isBoolean }),
  status: objectOf({ type: oneOf('status'), level: oneOf('info', 'error'), text: str }),
  'wizard/show': objectOf({ type: oneOf('wizard/show'), view: isWizardView }),
  'wizard/log': objectOf({ type: oneOf('wizard/log'), lines: strings }),
  'wizard/progress': objectOf({ type: oneOf('wizard/progress'), progress: isWizardProgressView }),
  'media/show': objectOf({ type: oneOf('media/show'), view: isMediaWriteView }),
  'media/progress': objectOf({ type: oneOf('media/progress'), progress: isMediaProgressView }),
  'media/log': objectOf({ type: oneOf('media/log'), lines: strings }),
};

/** One guard per webview → extension message type. */
export const FROM_WEBVIEW_GUARDS: Guards<FromWebview> = {
  ready: objectOf({ type: oneOf('ready') }),
  'probe/save': objectOf({ type: oneOf('probe/save') }),
  'probe/generateHwconfig': objectOf({ type: oneOf('probe/generateHwconfig') }),
  'probe/reprobe': objectOf({ type: oneOf('probe/reprobe') }),
  'wizard/connect': objectOf({ type: oneOf('wizard/connect'), target: str }),
  'wizard/goto': objectOf({ type: oneOf('wizard/goto'), page: isWizardPage }),
  'wizard/setDisk': objectOf({
    type: oneOf('wizard/setDisk'),
    disk: strOrNull,
    useMounted: isBoolean,
    layout: isWizardLayoutView,
  }),
  'wizard/setConfiguration': objectOf({ type: oneOf('wizard/setConfiguration'), id: str }),
  'wizard/refreshConfigurations': objectOf({ type: oneOf('wizard/refreshConfigurations') }),
  'wizard/setStrategy': objectOf({
    type: oneOf('wizard/setStrategy'),
    strategy: nullable(isStrategyName),
    buildOn: isBuildOn,
    reboot: isBoolean,
  }),
  'wizard/setNetwork': objectOf({
    type: oneOf('wizard/setNetwork'),
    mode: isNetworkMode,
    style: nullable(isNetworkStyle),
    // A URL is short: a bound keeps a hostile page from sending megabytes into the parser.
    proxy: (v: unknown): v is string => typeof v === 'string' && v.length <= 2048,
    proxyPassword: (v: unknown): v is string => typeof v === 'string' && v.length <= 1024,
    noProxy: (v: unknown): v is string => typeof v === 'string' && v.length <= 4096,
    proxyInConfig: isBoolean,
  }),
  'wizard/pickKexecImage': objectOf({ type: oneOf('wizard/pickKexecImage') }),
  'wizard/install': objectOf({ type: oneOf('wizard/install'), confirmedDisk: strOrNull }),
  'wizard/cancel': objectOf({ type: oneOf('wizard/cancel') }),
  'wizard/resume': objectOf({ type: oneOf('wizard/resume'), confirmedDisk: strOrNull }),
  'wizard/startOver': objectOf({ type: oneOf('wizard/startOver') }),
  'wizard/openTranscript': objectOf({ type: oneOf('wizard/openTranscript') }),
  'media/setWhere': objectOf({ type: oneOf('media/setWhere'), where: isMediaWhereView }),
  'media/refresh': objectOf({ type: oneOf('media/refresh') }),
  'media/pickImage': objectOf({ type: oneOf('media/pickImage') }),
  'media/write': objectOf({
    type: oneOf('media/write'),
    device: str,
    overrides: arrayOf(isMediaOverride),
    typedConfirmation: str,
  }),
  'media/cancel': objectOf({ type: oneOf('media/cancel') }),
  'media/again': objectOf({ type: oneOf('media/again') }),
};

function byType<U extends { type: string }>(guards: Guards<U>): Guard<U> {
  return (v): v is U => {
    if (!isPlainObject(v) || typeof v.type !== 'string') return false;
    if (!Object.prototype.hasOwnProperty.call(guards, v.type)) return false;
    return (guards as Record<string, Guard<unknown>>)[v.type](v);
  };
}

/** Checks a message the webview received (from the extension). */
export const isToWebview: Guard<ToWebview> = byType(TO_WEBVIEW_GUARDS);
/** Checks a message the extension received (from a webview). */
export const isFromWebview: Guard<FromWebview> = byType(FROM_WEBVIEW_GUARDS);

/** A short, safe description of a rejected message for a log line (its type only, never its content). */
export function describeRejected(v: unknown): string {
  if (isPlainObject(v) && typeof v.type === 'string')
    return `message of type ${JSON.stringify(v.type.slice(0, 60))} with an unexpected shape`;
  return `message that is not an object with a type (${Array.isArray(v) ? 'array' : typeof v})`;
}
