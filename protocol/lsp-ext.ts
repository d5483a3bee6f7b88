// nixkit's own messages between the VS Code extension (client) and the language server, beyond standard LSP.
// The one place both sides take them from: types, method names and direction, one comment per message
// saying who sends it to whom. Imported by server/ and extension/; depends on nothing but the LSP protocol
// package (which both bundles already contain), so it adds no second copy of anything.
import { RequestType, type Location, type Range } from 'vscode-languageserver-protocol';

export type { Location, Range };

/** Severities a user can give a rule (settings `nixkit.rules`, `nixkit.toml`, `.nixkit.json`). */
export type RuleSeveritySetting = 'error' | 'warning' | 'information' | 'hint' | 'off';

/** A resolved option value as far as nixkit can tell statically. */
export interface ResolvedSetting {
  /** `unset`: nothing defines it (the NixOS default applies); `unknown`: defined, but not statically known. */
  state: 'known' | 'unknown' | 'unset';
  /** The value as text (strings without quotes, booleans as `true`/`false`), when known. */
  value?: string;
  /** The option or argument that gave it (`nixpkgs.hostPlatform`, `system`, ...). */
  from?: string;
  /** Where it is written. */
  location?: Location;
}

export interface BootloaderSummary {
  kind: 'systemd-boot' | 'grub' | 'extlinux' | 'limine' | 'other' | 'none' | 'unknown';
  /** The loader's name for `other` (rEFInd, lanzaboote, the Raspberry Pi loader, an external bootloader). */
  name?: string;
  /** GRUB: `device`/`devices` ("nodev" for EFI-only). */
  grubDevices?: string[];
  /** Installs through UEFI (systemd-boot, GRUB with efiSupport). */
  efi?: boolean;
  location?: Location;
}

export interface FileSystemSummary {
  mountPoint: string;
  device?: string;
  fsType?: string;
  /** Declared in `fileSystems` or in a disko layout. */
  origin: 'fileSystems' | 'disko';
  /** Only under a condition nixkit cannot decide. */
  conditional: boolean;
  location?: Location;
}

export interface SwapSummary {
  device?: string;
  location?: Location;
}

export type LoginMethod =
  | 'password'
  | 'hashedPassword'
  | 'initialPassword'
  | 'initialHashedPassword'
  | 'hashedPasswordFile'
  | 'sshKey'
  /** A credential is set, but not statically known (it may be locked or empty). */
  | 'unknown';

export interface UserSummary {
  name: string;
  /** How the user can log in; empty when nixkit sees no way. */
  methods: LoginMethod[];
  /** Member of `wheel` (may use sudo). Root is always an administrator. */
  admin: boolean;
  location?: Location;
}

export interface ConfigurationSummary {
  name: string;
  /**
   * A `nixosConfigurations` entry (or colmena node) of a flake, a node of a colmena hive.nix, a standalone
   * configuration.nix, or a machine named in nixkit.toml `[machines]`.
   */
  kind: 'flake' | 'configuration.nix' | 'colmena' | 'nixkit.toml';
  /** `read`: every module was read; `partial`: some could not be (rules about something missing stay silent). */
  status: 'read' | 'partial';
  /** Why it is only partly read. */
  reasons: string[];
  /** Where the configuration is declared (the flake's `nixosConfigurations.<name>`, or the file). */
  location: Location;
  /** Every file its evaluation read, as URIs, sorted. */
  files: string[];
  platform: ResolvedSetting;
  bootloader: BootloaderSummary;
  /** `boot.loader.efi.efiSysMountPoint` (`/boot` when unset). */
  efiSysMountPoint: ResolvedSetting;
  /** The EFI System Partition: the vfat filesystem at efiSysMountPoint, else the vfat one under /boot. */
  esp?: FileSystemSummary;
  rootFileSystem?: FileSystemSummary;
  fileSystems: FileSystemSummary[];
  swap: SwapSummary[];
  /** Users with a way to log in, and root and wheel members without one (they are the lock-out risk). */
  users: UserSummary[];
  stateVersion: ResolvedSetting;
  /** Modules nixkit knows by name only (other flakes' modules, nixpkgs profiles). */
  externalModules: string[];
  /** Modules nixkit could not read at all (unknown expressions, missing files). */
  unreadableModules: { description: string; location?: Location }[];
  /** Findings currently reported in the configuration's files, by severity. */
  findings: { error: number; warning: number; information: number; hint: number };
}

export interface ConfigurationsParams {
  /** Only the configurations whose files include this document; all when absent. */
  uri?: string;
}

/**
 * The name of a not-followed entry that stands for a whole set of machines nixkit could not list (a flake's
 * `nixosConfigurations`, its `colmena`/`colmenaHive` output, a colmena hive.nix, a NixOps or morph network), and how
 * to call it; undefined
 * for one machine.
 */
export function wholeSetLabel(name: string): string | undefined {
  if (name === 'nixosConfigurations') return 'nixosConfigurations';
  if (name === 'colmena' || name === 'colmenaHive') return 'the colmena hive';
  if (name === 'nixopsConfigurations') return 'the NixOps networks (nixopsConfigurations)';
  if (name === 'network') return 'the NixOps or morph network';
  return undefined;
}

/** A machine nixkit found but could not follow (nothing of it is checked). */
export interface NotFollowedMachine {
  name: string;
  location: Location;
  reasons: string[];
}

export interface ConfigurationsResult {
  configurations: ConfigurationSummary[];
  /** Machines (or whole `nixosConfigurations`) nixkit could not follow, with what stopped it. */
  notFollowed?: NotFollowedMachine[];
  /** How many .nix files the workspace has (so an empty list can say "no machine in N files"). */
  nixFiles?: number;
  /**
   * Files that look like machines but are not checked, and why (a configuration.nix only unknown files import, a
   * nix-darwin one, a template; where no machine was found, files that mention building NixOS systems).
   */
  notChecked?: { location: Location; why: string }[];
}

/** client → server request: every NixOS configuration of the workspace with the values that matter for an install. */
export const ConfigurationsRequest = new RequestType<ConfigurationsParams, ConfigurationsResult, void>(
  'nixkit/configurations',
);
