// Installer media, the parts that boot: proving an image boots in a VM (`nixkit media test`, engine/media/boot-test.ts),
// serving a netboot set over HTTP (`nixkit media netboot`, engine/media/netboot.ts) and building the user's own
// installer (`nixkit media build`, engine/media/installer-flake.ts). The CLI and the VS Code pages both use these
// shapes; only types live here (plain JSON, so a webview can receive them as they are).
//
// Engine entry points (for the extension; the webview only sees the types below):
//   runBootTest(options: BootTestOptions, hooks?: BootTestHooks): Promise<BootTestResult>     boot-test.ts
//   startNetbootServer(options: NetbootServeOptions): Promise<NetbootServer>                   netboot.ts
//     (NetbootServer = NetbootServerInfo & { stop(): Promise<void> }; runs until stop())
//   planInstallerBuild(options: InstallerBuildOptions): Promise<InstallerBuildPlan>           installer-flake.ts
//   writeInstallerFlake(plan) then runInstallerBuild(plan, { onLine, signal }): Promise<InstallerBuildResult>

// ---- `nixkit media test` ------------------------------------------------------------------------------------------

/** The firmware the VM boots with: OVMF (UEFI) or SeaBIOS (legacy BIOS). */
export type BootFirmware = 'uefi' | 'bios';

/** How the image is attached: as a CD-ROM (El Torito) or as a USB disk (usb-storage, what a written stick is). */
export type BootMediumKind = 'cdrom' | 'usb';

/** QEMU's accelerator: `auto` takes KVM when /dev/kvm can be opened read-write, else TCG (software, slower). */
export type BootAccel = 'auto' | 'kvm' | 'tcg';

/**
 * The stages a boot goes through, in order. `loader`: the firmware found and started a boot loader (OVMF's
 * "BdsDxe: starting", GRUB, ISOLINUX/SYSLINUX, systemd-boot, iPXE); `kernel`: Linux started ("Linux version");
 * `userspace`: the image's own marker line or a login prompt was printed.
 */
export type BootStage = 'loader' | 'kernel' | 'userspace';

export const BOOT_STAGES: readonly BootStage[] = ['loader', 'kernel', 'userspace'];

/** The default marker of nixkit's test image (test/targets/media/build-test-image.sh). */
export const DEFAULT_BOOT_MARKER = 'NIXKIT-MEDIA-MARKER';

export interface BootTestOptions {
  /** The image file (ISO or raw disk image). For `netboot`, not used: see `netboot` below. */
  image: string;
  firmware: BootFirmware;
  /** cdrom (default for .iso) or usb. */
  as: BootMediumKind;
  /** Give up after this many seconds (the VM is killed). */
  timeoutSeconds: number;
  /** Guest memory in MiB (a NixOS installer wants about 1024; nixkit's test image boots in 384). */
  memoryMiB: number;
  accel: BootAccel;
  /**
   * Literal strings that mean "the image's userspace runs" besides a login prompt (default
   * [DEFAULT_BOOT_MARKER]). Matched as text, never as a regular expression.
   */
  markers?: string[];
  /**
   * Boot from the network instead of `image`: QEMU's own iPXE ROM (Debian ipxe-qemu) fetches this URL (an iPXE
   * script, e.g. the netboot server's scriptUrl with 127.0.0.1 replaced by QEMU's host address 10.0.2.2).
   */
  netbootUrl?: string;
}

/** One stage reached, with the console line that showed it and when (seconds since QEMU started). */
export interface BootStageEvent {
  stage: BootStage;
  line: string;
  seconds: number;
}

/**
 * How the test ended. `reached`: a marker or login prompt was seen (the only success). `failed`: the console said
 * the boot failed (no bootable device, kernel panic, boot loader error). `timeout`: the time limit passed.
 * `exited`: QEMU stopped by itself before any of that (the guest powered off or rebooted, or QEMU failed to start).
 * `cancelled`: the caller's signal. `error`: the test could not run (no QEMU, no firmware, unreadable image).
 */
export type BootOutcome = 'reached' | 'failed' | 'timeout' | 'exited' | 'cancelled' | 'error';

export interface BootTestResult {
  ok: boolean;
  outcome: BootOutcome;
  /** The last stage reached (null: nothing was recognised on the console). */
  reached: BootStage | null;
  stages: BootStageEvent[];
  /** The console line that ended the test (marker, login prompt or failure message), when one did. */
  line?: string;
  /** One sentence for the user, e.g. "reached the marker in 12.3 s (UEFI, usb, TCG)". */
  summary: string;
  /** The accelerator actually used. */
  accel: 'kvm' | 'tcg' | null;
  /** The QEMU command line, as run (for the user to repeat by hand). */
  argv: string[];
  seconds: number;
}

/** Callbacks while a boot test runs: every console line (ANSI stripped) and every stage as it is reached. */
export interface BootTestHooks {
  onLine?(line: string): void;
  onStage?(event: BootStageEvent): void;
  signal?: AbortSignal;
}

// ---- `nixkit media netboot` ---------------------------------------------------------------------------------------

/** A validated netboot set: a kernel and an initrd, with an iPXE script or a kernel command line. */
export interface NetbootSet {
  dir: string;
  /** File names inside `dir` (no paths). */
  kernel: string;
  initrd: string;
  /** The set's own iPXE script (e.g. NixOS's netboot.ipxe), when there is one. */
  script: string | null;
  /** The kernel command line from `cmdline` (file or option), used when nixkit writes the iPXE script. */
  cmdline: string | null;
}

export interface NetbootServeOptions {
  dir: string;
  /** host:port to listen on (default 0.0.0.0:8080; port 0 = any free port). */
  listen: string;
  /** Kernel command line for the iPXE script nixkit writes when the set has no netboot.ipxe of its own. */
  cmdline?: string;
}

export interface NetbootServedFile {
  /** The name as served: /NAME. */
  name: string;
  size: number;
}

export interface NetbootServerInfo {
  set: NetbootSet;
  /** The address and port listened on (the real port when 0 was asked for). */
  host: string;
  port: number;
  /** http://HOST:PORT/ as a client reaches it (0.0.0.0 is shown as this machine's first non-loopback IPv4). */
  baseUrl: string;
  /** The iPXE script clients chain-load: baseUrl + "nixkit.ipxe". */
  scriptUrl: string;
  files: NetbootServedFile[];
  /** Lines to add to an existing PXE server: dnsmasq and ISC dhcpd, with the chain-load of scriptUrl. */
  pxeConfig: { dnsmasq: string; iscDhcpd: string };
}

/** One request the server answered (for the VS Code page's log). */
export interface NetbootRequestEvent {
  method: string;
  path: string;
  status: number;
  bytes: number;
  remote: string;
}

// ---- `nixkit media build` -----------------------------------------------------------------------------------------

/** What to build: a bootable ISO, a kexec tarball (boot the installer from a running Linux) or a netboot set. */
export type InstallerKind = 'iso' | 'kexec' | 'netboot';

export interface InstallerBuildOptions {
  kind: InstallerKind;
  /** The user's flake folder (its flake.lock/flake.nix give the nixpkgs input). */
  flakeDir: string;
  /** A public key file (ssh-ed25519/ssh-rsa/ecdsa-…) put into root's authorized_keys on the installer. */
  sshKeyFile?: string;
  /** Where the installer's flake is written (default FLAKE/.nixkit/installer). */
  outDir?: string;
  /** The system (default x86_64-linux). */
  system?: string;
}

export interface InstallerBuildPlan {
  kind: InstallerKind;
  /** The folder the installer's flake is written to. */
  outDir: string;
  /** Files to write there: flake.nix (and flake.lock when the user's pins nixpkgs), with their contents. */
  files: { name: string; content: string }[];
  /** Where the nixpkgs input came from: the user's flake.lock (locked), flake.nix (its url) or nixkit's default. */
  nixpkgs: { url: string; source: 'flake.lock' | 'flake.nix' | 'default' };
  /** The exact build command (argv, run in outDir). */
  argv: string[];
  /** The attribute built, e.g. .#nixosConfigurations.installer.config.system.build.isoImage */
  attribute: string;
  /** The public keys put into root's authorized_keys (as read, one line each). */
  authorizedKeys: string[];
}

export interface InstallerBuildResult {
  ok: boolean;
  exitCode: number | null;
  /** The out path printed by nix build (--print-out-paths), when it succeeded. */
  outPaths: string[];
  summary: string;
}
