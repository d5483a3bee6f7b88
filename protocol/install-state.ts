// The saved install: what the wizard or the CLI decided (options), the probe and the analysis it used, and where each
// step stands. The engine writes it after every step (state-store.ts), the extension shows it, the webview draws
// views made from it, and a resume reads it back. Plain JSON; only types live here.
import type { ProbeReport } from './probe-report';

/** How the system gets onto the target, chosen from the probe (with a user override). */
export type StrategyName = 'nixos-installer' | 'nix-present' | 'no-nix' | 'lustrate' | 'kexec';

/** Every install step, in the order a plan runs them. */
export const STEP_IDS = [
  'preflight',
  'partition',
  'mount',
  'hardware-config',
  'build',
  'copy',
  'install',
  'verify',
  'finish',
] as const;

export type StepId = (typeof STEP_IDS)[number];

/** One command as the user sees it in the review: where it runs and whether it destroys data. */
export interface PlannedCommand {
  /** `target` runs over SSH (as root, through sudo when needed); `local` on this machine. */
  where: 'target' | 'local';
  /** The argv, each element quoted when sent to a shell: shown exactly as it will run. */
  argv: string[];
  /** Erases or overwrites data (sfdisk, mkfs, wipefs, cryptsetup luksFormat). */
  destructive?: boolean;
  /** Text fed to the command's standard input (e.g. an sfdisk script), shown in the review; never a secret. */
  stdin?: string;
  /** Why this command is here, in a few words. */
  purpose: string;
}

export interface StepDescription {
  id: StepId;
  title: string;
  commands: PlannedCommand[];
  /** When the step will be skipped and why (e.g. "use what is mounted at /mnt"). */
  skipped?: string;
  /** Files it writes on this machine (into the flake), e.g. hardware-configuration.nix or the disko file. */
  files?: { path: string; purpose: string }[];
  /** Things the user must know before running it (e.g. lustrate moves the old system to /old-root). */
  warnings?: string[];
}

/** Streamed progress from a running step. */
export type StepEvent =
  | { kind: 'output'; stream: 'stdout' | 'stderr'; text: string }
  | { kind: 'command'; command: PlannedCommand }
  | { kind: 'progress'; done: number; total?: number; unit: 'bytes' | 'paths' | 'steps'; detail?: string }
  | { kind: 'note'; text: string };

/** What a finished step leaves for later steps (and for resuming): plain JSON. */
export type StepOutputs = Record<string, unknown>;

export interface StepState {
  id: StepId;
  status: 'pending' | 'running' | 'done' | 'failed' | 'skipped' | 'cancelled';
  outputs?: StepOutputs;
  error?: string;
  startedAt?: string;
  finishedAt?: string;
}

/** Everything the wizard or the CLI decided before the run; saved with the state so a resume needs nothing else. */
export interface InstallOptions {
  /** The flake (absolute path) and the `nixosConfigurations` entry. */
  flake: string;
  configuration: string;
  /** `user@host[:port]` or an ~/.ssh/config alias. */
  target: string;
  strategy?: StrategyName;
  /** The disk to erase, by `/dev/disk/by-id/...`; absent for "use what is mounted at /mnt". */
  disk?: string;
  /** The name the user typed to confirm erasing `disk`: must equal it. */
  confirmedDisk?: string;
  layout?: DiskLayout;
  buildOn: 'local' | 'target' | { host: string };
  /** Mount root on the target. */
  root: string;
  /** Reboot at the end and wait for the new system. */
  reboot: boolean;
  /** The NixOS installer image (kernel, initrd) for the `kexec` strategy, on this machine. */
  kexecImage?: string;
  /**
   * What to build instead of `flake#nixosConfigurations.<configuration>.config.system.build.toplevel`: a Nix file
   * (`nix-build FILE -A attr --argstr k v --arg k expr`). The same build step builds either; tests use it for a
   * system closure made of plain derivations.
   */
  buildExpr?: { file: string; attr?: string; argstr?: Record<string, string>; arg?: Record<string, string> };
  /** Nix on this machine: the store to build into and copy from (default: Nix's own), extra environment. */
  localNix?: { store?: string; env?: Record<string, string> };
  /** How the closure reaches the target: `nix copy` (needs Nix there), a tar stream (needs nothing), or chosen. */
  copyRoute?: 'auto' | 'nix-copy' | 'tar';
  /** `nixos-install` where the target has it, else (or when asked) the manual route. */
  installRoute?: 'auto' | 'nixos-install' | 'manual';
  /** The configuration's boot loader as the analysis found it (checked on the ESP after the install). */
  bootloader?: {
    kind: 'systemd-boot' | 'grub';
    /** Default: the analysis's efiSysMountPoint, else /boot. */
    efiSysMountPoint?: string;
    canTouchEfiVariables?: boolean;
    /** GRUB built for EFI (`boot.loader.grub.efiSupport`); default: what the analysis found. */
    efiSupport?: boolean;
  };
  /** Files put into the installed root at the end: a local file's contents at `path` under the root. */
  extraFiles?: { source: string; path: string; mode?: string }[];
  /** Copy the live system's SSH host keys into the installed system (its host key then does not change). */
  keepHostKeys?: boolean;
  /**
   * Also write network.nix beside hardware-configuration.nix, imported by it: `static` keeps the addresses,
   * gateways and nameservers the target has now (from the probe), `dhcp` asks DHCP on its uplink.
   */
  network?: 'static' | 'dhcp';
  /**
   * How network.nix says it: NixOS's scripted `networking.interfaces` or systemd-networkd. Default: networkd when the
   * configuration uses it (or a NIC's NixOS name cannot be predicted), else scripted.
   */
  networkStyle?: 'scripted' | 'networkd';
  /** Every root command on the target runs with this proxy in its environment (the password is never saved). */
  proxy?: InstallProxy;
  /** How long to wait for SSH after the reboot; default 10 minutes. */
  rebootTimeoutMs?: number;
}

/** The install's proxy as saved: its URL with the password replaced by `***`. */
export interface InstallProxy {
  /** `scheme://[user[:***]@]host:port`. */
  url: string;
  /** Hosts, domains and ranges reached directly (no_proxy). */
  noProxy?: string[];
  /** The URL had a password: a resume needs it again (it is never saved). */
  hasPassword?: boolean;
  /** Also write proxy.nix (networking.proxy.default / noProxy, without the password) for the installed system. */
  inConfig?: boolean;
}

export interface DiskLayout {
  espSizeMiB: number;
  rootFs: 'ext4' | 'btrfs' | 'xfs';
  /** btrfs subvolumes (name → mount point), e.g. { '@': '/', '@home': '/home', '@nix': '/nix' }. */
  subvolumes?: Record<string, string>;
  swapSizeMiB?: number;
  luks?: { name: string };
  /** GPT partition names and filesystem labels; default ESP / nixos / swap. */
  labels?: { esp?: string; root?: string; swap?: string };
}

/** What the local analysis of the flake says about the configuration being installed (see steps/preflight). */
export interface ConfigurationFacts {
  /** `boot.loader.efi.efiSysMountPoint` (`/boot` when unset or not statically known). */
  efiSysMountPoint: string;
  /** Where hardware-configuration.nix goes: the file the configuration imports, else hosts/<name>/. */
  hardwareConfigFile: string;
  /** The configuration imports that file (otherwise the user has to add the import). */
  hardwareConfigImported: boolean;
  /** `boot.initrd.systemd.enable` when statically known. */
  initrdSystemd: boolean | null;
  /**
   * `boot.loader.efi.canTouchEfiVariables` when statically known (unset is false): the install then writes an EFI
   * boot entry, which the verify step checks. Absent in states saved before it was recorded.
   */
  canTouchEfiVariables?: boolean | null;
  /**
   * `boot.loader.grub.efiSupport` when statically known (unset is false): GRUB then puts an EFI binary on the ESP,
   * which the verify step looks for. Absent in states saved before it was recorded.
   */
  grubEfiSupport?: boolean | null;
  /** `networking.useNetworkd` when statically known (unset is false): the default style of network.nix. */
  networkd?: boolean | null;
}

/** Who the disk to erase is, as the probe saw it when erasing it was confirmed: checked again before erasing. */
export interface DiskIdentity {
  /** The kernel name then (it may change across boots; the rest may not). */
  device: string;
  byId: string[];
  serial: string | null;
  wwn: string | null;
  sizeBytes: number;
  model: string | null;
}

export interface InstallState {
  version: 1;
  id: string;
  options: InstallOptions;
  /**
   * The disk confirmed for erasing, pinned from the probe at confirmation (the wizard's) or at the first preflight
   * (the CLI's): a resume erases only a disk that is still this one.
   */
  diskIdentity?: DiskIdentity;
  /** The probe taken in preflight (and again after mounting). */
  probe?: ProbeReport;
  /** The local analysis of the configuration (filled before describing, refreshed in preflight). */
  config?: ConfigurationFacts;
  steps: StepState[];
  createdAt?: string;
  updatedAt?: string;
  /** Where the install stands as a whole (the steps say where it stopped). */
  status?: 'pending' | 'running' | 'done' | 'failed' | 'cancelled';
}
