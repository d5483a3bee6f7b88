// Facts about booting and disks that the bootloader and filesystem rules share: which bootloader is on, whether
// the configuration is an image or container (which need neither), and whether nixkit sees enough of the
// configuration to say that something is *missing*. Every "unsure" here keeps a rule quiet.
import * as path from 'node:path';
import type { NixosConfiguration } from '../model/configuration';
import { mountedFileSystems, type MountedFs } from '../model/filesystems';
import type { Definition } from '../model/modules';
import type { Project } from '../model/project';
import type { SourceProvider } from '../model/sources';
import type { Thunk, Value } from '../model/value';

/**
 * External modules known not to choose a bootloader, mount `/` or the ESP, or open LUKS devices. Other
 * flakes' modules may do any of that, so they make absence rules quiet (nixos-hardware, lanzaboote, ...).
 */
const NOT_BOOT_RELATED = [
  /home-manager/,
  /sops-nix|\bsops\b/,
  /agenix|ragenix/,
  /impermanence/,
  /preservation/,
  /nix-index/,
  /vscode-server/,
  /stylix/,
  /nixvim/,
  /catppuccin/,
  /nix-flatpak/,
  /hyprland/,
  /\bnur\b/i,
  /spicetify/,
  /plasma-manager/,
  /nix-ld/,
  /^snowfall-lib\.modules$/,
  /profiles\/qemu-guest\.nix$/,
  /installer\/scan\/not-detected\.nix$/,
  /profiles\/headless\.nix$/,
  /profiles\/minimal\.nix$/,
  /profiles\/hardened\.nix$/,
];

/** disko's NixOS module: what it adds (fileSystems, LUKS devices, GRUB devices) is read from `disko.devices`. */
const DISKO_MODULE = /disko/;

export interface AbsenceOptions {
  /** The rule reads what disko derives from `disko.devices` itself, so the disko module is not opaque to it. */
  diskoModelled?: boolean;
}

/**
 * True when something nixkit cannot read takes part in the configuration, so a rule about something missing
 * must stay quiet: modules it cannot resolve or read, imports of files that do not exist (a
 * hardware-configuration.nix kept only on the machine), other flakes' modules, files with syntax errors.
 */
export function absenceUnsure(
  config: NixosConfiguration,
  sources: SourceProvider,
  options: AbsenceOptions = {},
): boolean {
  // Several rules ask for every host; a fleet's hosts have hundreds of modules each.
  let memo = absenceMemo.get(config);
  if (!memo) absenceMemo.set(config, (memo = new Map()));
  const key = !!options.diskoModelled;
  let unsure = memo.get(key);
  if (unsure === undefined) memo.set(key, (unsure = computeAbsenceUnsure(config, sources, options)));
  return unsure;
}

const absenceMemo = new WeakMap<NixosConfiguration, Map<boolean, boolean>>();

function computeAbsenceUnsure(
  config: NixosConfiguration,
  sources: SourceProvider,
  options: AbsenceOptions,
): boolean {
  // Parts of a file with syntax errors are unknown; the syntax error is the finding.
  for (const f of config.files) if (sources.parsed(f)?.hasSyntaxErrors) return true;
  for (const m of config.modules) {
    if (m.kind === 'unknown' || m.kind === 'missing') return true;
    if (m.kind !== 'external') continue;
    if (NOT_BOOT_RELATED.some((re) => re.test(m.name))) continue;
    if (options.diskoModelled && DISKO_MODULE.test(m.name)) continue;
    return true;
  }
  return false;
}

/**
 * A standalone configuration.nix that another configuration imports is a shared module, not a machine: absence
 * rules do not apply to it on its own.
 */
export function isSharedModule(config: NixosConfiguration, project: Project): boolean {
  if (config.entry.kind !== 'configuration.nix') return false;
  return project.configurations.some((c) => c !== config && c.files.has(config.entry.file));
}

const IMAGE_OPTIONS = [
  'isoImage',
  'sdImage',
  'netboot',
  'wsl',
  'proxmoxLXC',
  'amazonImage',
  'formatConfigs',
  'image',
  'virtualisation.diskSize',
  'virtualisation.memorySize',
  'virtualisation.cores',
  'virtualisation.qemu',
  'virtualisation.graphics',
  'virtualisation.useBootLoader',
  'virtualisation.useDefaultFilesystems',
  'virtualisation.fileSystems',
  'virtualisation.diskImage',
  'virtualisation.sharedDirectories',
  'virtualisation.forwardPorts',
];
const IMAGE_MODULE =
  /virtualisation\/|installer\/(?:cd-dvd|sd-card|netboot)|sd-image|iso-image|netboot|nixos-generators|wsl|lxc|container|proxmox|amazon|google-compute|azure|digital-ocean|openstack|kexec|[-/.]images?\b/i;

/**
 * Whether the configuration builds a container, a VM or an image rather than an installed machine (those get
 * their bootloader and root filesystem elsewhere). `undefined` when nixkit cannot tell.
 */
export function isImageOrContainer(config: NixosConfiguration): boolean | undefined {
  const container = config.bool('boot.isContainer');
  if (container === true) return true;
  if (container === undefined) return undefined;
  const nspawn = config.bool('boot.isNspawnContainer');
  if (nspawn === true) return true;
  if (nspawn === undefined) return undefined;
  if (config.modules.some((m) => m.kind === 'external' && IMAGE_MODULE.test(m.name))) return true;
  if (IMAGE_OPTIONS.some((o) => config.defsUnder(o).length > 0)) return true;
  // A netboot or kexec image built by the repository's own module (nixpkgs' netboot module copied): it defines
  // what nixpkgs' image modules build, or mounts its root with mkImageMediaOverride as they do.
  if (IMAGE_BUILDS.some((o) => config.defsUnder(o).length > 0)) return true;
  if (config.defsUnder(['fileSystems', '/']).some((d) => d.priority === IMAGE_MEDIA_PRIORITY)) return true;
  return false;
}

/** What nixpkgs' netboot, kexec and image modules build (`system.build.<name>`). */
const IMAGE_BUILDS = [
  'system.build.netbootRamdisk',
  'system.build.netbootIpxeScript',
  'system.build.kexecTree',
  'system.build.kexecScript',
  'system.build.isoImage',
  'system.build.sdImage',
];
/** `lib.mkImageMediaOverride`: the priority image modules give their filesystems. */
const IMAGE_MEDIA_PRIORITY = 60;

export type LoaderState =
  | { state: 'on'; def: Definition }
  | { state: 'off'; def?: Definition }
  | { state: 'unknown' };

/** Bootloaders other than GRUB, by their enable option. Each sets `boot.loader.grub.enable` to false by default. */
export const OTHER_LOADERS: { name: string; option: string; uefiOnly?: true }[] = [
  { name: 'systemd-boot', option: 'boot.loader.systemd-boot.enable', uefiOnly: true },
  { name: 'extlinux', option: 'boot.loader.generic-extlinux-compatible.enable' },
  { name: 'Limine', option: 'boot.loader.limine.enable' },
  { name: 'rEFInd', option: 'boot.loader.refind.enable', uefiOnly: true },
  { name: 'the Raspberry Pi loader', option: 'boot.loader.raspberryPi.enable' },
  { name: 'an external bootloader', option: 'boot.loader.external.enable' },
  { name: 'lanzaboote', option: 'boot.lanzaboote.enable', uefiOnly: true },
];

export function enableState(config: NixosConfiguration, option: string): LoaderState {
  const r = config.value(option);
  if (r.state === 'unset') return { state: 'off' };
  if (r.state === 'unknown' || r.value.t !== 'bool') return { state: 'unknown' };
  return r.value.v ? { state: 'on', def: r.def } : { state: 'off', def: r.def };
}

export interface GrubState {
  /** `on` when enabled explicitly or by default, `off` when disabled, `unknown` when unsure. */
  state: 'on' | 'off' | 'unknown';
  /** The `enable` definition that decides it, when there is one. */
  def?: Definition;
  /** Enabled only because NixOS enables GRUB when no other bootloader is. */
  byDefault?: boolean;
}

export interface LoaderFacts {
  /** A non-GRUB loader that is certainly on. */
  other?: { name: string; def: Definition };
  /** Some non-GRUB loader's enable option cannot be known. */
  unsure: boolean;
  grub: GrubState;
  /** Definitions under `boot.loader.grub` other than `enable`: signs the configuration chose GRUB. */
  grubSettings: Definition[];
}

export function loaderFacts(config: NixosConfiguration): LoaderFacts {
  let unsure = false;
  let other: LoaderFacts['other'];
  for (const l of OTHER_LOADERS) {
    const s = enableState(config, l.option);
    if (s.state === 'unknown') unsure = true;
    if (s.state === 'on' && !other) other = { name: l.name, def: s.def };
  }
  // Every NixOS bootloader module works by setting `system.build.installBootLoader`, the script the install runs;
  // a configuration may set it itself (a Raspberry Pi firmware copier) with no boot.loader.*.enable at all.
  const own = config.value('system.build.installBootLoader');
  if (own.state === 'unknown') unsure = true;
  else if (own.state === 'known' && !other)
    other = { name: 'its own system.build.installBootLoader', def: own.def };
  // `boot.loader.initScript` (hosting services, user-mode Linux: a /sbin/init script) sets installBootLoader in
  // nixpkgs' init-script.nix; unlike the loaders above it leaves GRUB's default alone.
  const init = enableState(config, 'boot.loader.initScript.enable');
  if (init.state === 'unknown') unsure = true;
  else if (init.state === 'on' && !other)
    other = { name: 'the /sbin/init script (boot.loader.initScript)', def: init.def };
  const grubSettings = config
    .defsUnder('boot.loader.grub')
    .filter((d) => d.path.length > 3 && d.path[3] !== 'enable');
  const g = config.value('boot.loader.grub.enable');
  let grub: GrubState;
  if (g.state === 'unset')
    grub = other ? { state: 'off' } : unsure ? { state: 'unknown' } : { state: 'on', byDefault: true };
  else if (g.state === 'unknown' || g.value.t !== 'bool') grub = { state: 'unknown' };
  else if (!g.value.v) grub = { state: 'off', def: g.def };
  // Other loaders disable GRUB with `mkDefault false`: an equally weak `true` conflicts, a stronger one wins.
  else if (other && g.def.priority >= 1000) grub = { state: 'unknown' };
  else grub = { state: 'on', def: g.def };
  return { other, unsure, grub, grubSettings };
}

/** The filesystems, or undefined when nixkit cannot see all of them. */
export function allFileSystems(
  config: NixosConfiguration,
  force: (t: Thunk) => Value,
): MountedFs[] | undefined {
  if (!config.children('fileSystems').complete) return undefined;
  // `mountPoint` may rename a filesystem away from its attribute name.
  for (const name of config.children('fileSystems').names) {
    const mp = config.value(['fileSystems', name, 'mountPoint']);
    if (mp.state === 'unknown') return undefined;
  }
  if (diskoUnsure(config)) return undefined;
  return mountedFileSystems(config, force);
}

/** disko layouts nixkit cannot read completely, or a disko that does not configure the system. */
export function diskoUnsure(config: NixosConfiguration): boolean {
  if (!config.defsUnder('disko.devices').length) return config.isOpaqueAt(['disko', 'devices', '*']);
  if (config.isUncertainUnder('disko.devices')) return true;
  // Old disko layouts list partitions; nixkit reads the attribute-set form.
  if (config.defsUnder('disko.devices').some((d) => d.value.t === 'list' && d.path.at(-1) === 'partitions'))
    return true;
  const enableConfig = config.value('disko.enableConfig');
  if (enableConfig.state === 'unknown') return true;
  if (enableConfig.state === 'known' && !(enableConfig.value.t === 'bool' && enableConfig.value.v))
    return true;
  return false;
}

/** The mount of `/`, if nixkit knows of one (conditional ones included: they make "missing" unsure). */
export function rootFileSystem(fss: MountedFs[]): MountedFs | undefined {
  return fss.find((f) => f.mountPoint === '/');
}

/**
 * A hardware-configuration.nix beside one of the configuration's files that it does not import: the
 * hardware-config-not-imported rule reports that, and what follows from it (no root filesystem) waits. Only
 * files that exist count (a `pathExists ./${name}/init.nix` that is false reads nothing from that folder), and a
 * hardware-configuration.nix another machine imports is that machine's: the other rule says nothing of it, so
 * this one must.
 */
export function hasUnimportedHardwareConfig(
  config: NixosConfiguration,
  sources: SourceProvider,
  project?: Project,
): boolean {
  const dirs = new Set([...config.files].filter((f) => sources.exists(f)).map((f) => path.dirname(f)));
  for (const dir of dirs) {
    const hw = path.join(dir, 'hardware-configuration.nix');
    if (config.files.has(hw) || !sources.exists(hw)) continue;
    if (project?.configurations.some((c) => c !== config && c.files.has(hw))) continue;
    return true;
  }
  return false;
}

/** `fsType` values that a vfat ESP may be written as. */
export function isFat(fsType: string): boolean {
  return /^(vfat|fat|fat12|fat16|fat32|msdos|umsdos)$/i.test(fsType);
}

const BIOS_BOOT = /^(ef02|21686148-6449-6e6f-744e-656564454649)$/i;

export interface DiskoDisk {
  name: string;
  /** `disko.devices.disk.<name>.device`, when known. */
  device?: string;
  /** A GPT partition table whose partitions nixkit reads. */
  gpt: boolean;
  /** Has a BIOS boot partition (type EF02): disko then adds the disk to `boot.loader.grub.devices`. */
  biosBoot: boolean;
}

/** The disks of a disko layout. */
export function diskoDisks(config: NixosConfiguration): DiskoDisk[] {
  const out: DiskoDisk[] = [];
  for (const name of config.children('disko.devices.disk').names) {
    const base = ['disko', 'devices', 'disk', name];
    const device = config.string([...base, 'device']);
    const table = config.string([...base, 'content', 'type']);
    const parts = config.defsUnder([...base, 'content', 'partitions']);
    out.push({
      name,
      device: typeof device === 'object' ? device.value : undefined,
      gpt: typeof table === 'object' && table.value === 'gpt',
      biosBoot: parts.some(
        (d) =>
          d.path.length === base.length + 4 &&
          d.path.at(-1) === 'type' &&
          d.value.t === 'str' &&
          BIOS_BOOT.test(d.value.v),
      ),
    });
  }
  return out;
}

/** disko adds GRUB devices for disks with a BIOS boot partition (or nixkit cannot tell whether it does). */
export function diskoSetsGrubDevices(config: NixosConfiguration): boolean {
  if (!config.defsUnder('disko.devices').length) return false;
  return diskoUnsure(config) || diskoDisks(config).some((d) => d.biosBoot);
}
