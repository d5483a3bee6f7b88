// hardware-configuration.nix from a probe report: what `nixos-generate-config --show-hardware-config --root R`
// would write on the target, computed here from the report alone (no Nix, no target access). Deterministic: the
// same report gives the same bytes (no dates, no host names, sorted module lists). Every string that came from the
// target goes through nixString(), so a label like `"${x}\` is data in the output, never Nix syntax.
import type { Disk, Filesystem, Mount, Partition, ProbeReport } from '../../protocol/probe-report';
import { EngineError } from '../errors';

/**
 * A probe string that cannot be written: Nix strings cannot hold a NUL byte (the evaluator would silently cut the
 * value there), so a label, device or mount point with one is refused, naming the field, instead of written raw.
 */
export class HwconfigError extends EngineError {
  constructor(
    readonly field: string,
    readonly value: string,
  ) {
    super(
      'hwconfig-refused',
      `The probe's ${field} ${JSON.stringify(value)} holds a NUL byte, which a Nix string cannot hold: ` +
        `hardware-configuration.nix was not written. Rename or relabel it on the target and probe again.`,
    );
  }
}

export interface HwconfigOptions {
  /** The install root the target's filesystems are mounted under (nixos-generate-config --root). */
  root?: string;
  /** Refer to filesystems by label (where they have one) instead of by UUID. */
  byLabel?: boolean;
  /** Emit networking.interfaces.<predicted name>.useDHCP (otherwise they are listed as comments). */
  interfaces?: boolean;
  /** Files to import beside the profiles, as written (e.g. `./network.nix`, which `--network` writes next to it). */
  extraImports?: string[];
}

/** A Nix double-quoted string literal. `$` is always escaped, which also covers `${` and `$${`. */
export function nixString(s: string): string {
  let out = '"';
  for (const ch of s) {
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '$') out += '\\$';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else out += ch;
  }
  return out + '"';
}

/** An attribute name: bare when Nix allows it, quoted otherwise. */
export function nixAttr(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_'-]*$/.test(name) ? name : nixString(name);
}

/**
 * The name udev gives /dev/disk/by-label links (blkid_encode_string): letters, digits, "#+-.:=@_" and valid
 * non-ASCII UTF-8 stay, everything else becomes \xNN.
 */
export function udevEncode(s: string): string {
  let out = '';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (code > 0x7f || /[A-Za-z0-9#+\-.:=@_]/.test(ch)) out += ch;
    else out += `\\x${code.toString(16).padStart(2, '0')}`;
  }
  return out;
}

interface BlockDev {
  name: string;
  majorMinor: string | null;
  fs: Filesystem | null;
}

function blockDevices(report: ProbeReport): BlockDev[] {
  const list: BlockDev[] = [];
  const add = (d: Disk | Partition, majorMinor: string | null) => {
    if (d.name) list.push({ name: d.name, majorMinor, fs: d.fs });
  };
  for (const d of report.disks) {
    add(d, d.majorMinor);
    for (const p of d.partitions) add(p, null);
  }
  return list;
}

function under(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir === '/' ? '/' : dir + '/');
}

const SPECIAL = ['/proc', '/dev', '/sys', '/run'];
const QEMU_VIRT = ['qemu', 'kvm', 'bochs'];

export function generateHardwareConfig(report: ProbeReport, options: HwconfigOptions = {}): string {
  // Every string from the probe goes through lit(), which refuses a NUL byte (see HwconfigError).
  const lit = (value: string, field: string): string => {
    if (value.includes('\0')) throw new HwconfigError(field, value);
    return nixString(value);
  };
  const root = (options.root ?? '/mnt').replace(/\/+$/, '') || '/';
  const devices = blockDevices(report);
  const deviceFor = (m: { source: string; majorMinor?: string }): BlockDev | undefined =>
    devices.find((d) => m.source === `/dev/${d.name}`) ??
    (m.majorMinor ? devices.find((d) => d.majorMinor === m.majorMinor) : undefined);
  const stablePath = (dev: BlockDev | undefined, fallback: string): string => {
    const fs = dev?.fs;
    if (options.byLabel && fs?.label) return `/dev/disk/by-label/${udevEncode(fs.label)}`;
    if (fs?.uuid) return `/dev/disk/by-uuid/${fs.uuid}`;
    return fallback;
  };

  // --- imports and attributes that depend on virtualisation, as nixos-generate-config decides them
  const virt = report.system.virtualisation.type;
  const imports: string[] = [];
  const attrs: string[] = [];
  if (QEMU_VIRT.includes(virt)) imports.push('(modulesPath + "/profiles/qemu-guest.nix")');
  if (virt === 'none') imports.push('(modulesPath + "/installer/scan/not-detected.nix")');
  for (const i of options.extraImports ?? []) if (/^\.\/[\w.-]+\.nix$/.test(i)) imports.push(i);
  if (virt === 'oracle') attrs.push('virtualisation.virtualbox.guest.enable = true;');
  if (virt === 'microsoft') attrs.push('virtualisation.hypervGuest.enable = true;');
  if (virt === 'systemd-nspawn') attrs.push('boot.isContainer = true;');

  // --- kernel modules: the drivers of storage, USB and FireWire controllers, block and MMC devices
  const initrd = new Set<string>();
  for (const c of report.controllers) {
    if (c.kind !== 'network' && c.kind !== 'other' && c.module) initrd.add(c.module);
  }
  const kernelModules = report.cpu.kvmModule ? [report.cpu.kvmModule] : [];

  // --- file systems under the install root
  const fsBlocks: string[] = [];
  const byMountPoint = new Map<string, Mount>();
  for (const m of report.mounts) {
    if (!under(m.mountPoint, root)) continue;
    const rel = root === '/' ? m.mountPoint : m.mountPoint.slice(root.length) || '/';
    if (SPECIAL.some((s) => under(rel, s)) || rel === '/var/lib/nfs/rpc_pipefs') continue;
    if (m.fsType === 'autofs') continue;
    if (rel === '/tmp' && m.fsType === 'tmpfs') continue;
    if (rel === '/nix/store' && m.superOptions.includes('rw') && m.options.includes('ro')) continue;
    byMountPoint.delete(rel); // a later mount on the same point hides the earlier one
    byMountPoint.set(rel, m);
  }
  for (const [rel, m] of byMountPoint) {
    const dev = deviceFor(m);
    let fsType = m.fsType;
    // FUSE-mounted block filesystems (e.g. vfat through fusefat): NixOS will mount them with the kernel driver.
    if ((fsType === 'fuse' || fsType === 'fuseblk' || fsType.startsWith('fuse.')) && dev?.fs?.type)
      fsType = dev.fs.type;
    const extra: string[] = [];
    let device: string;
    if (m.root !== '/' && fsType !== 'btrfs') {
      // A bind mount: of the same filesystem mounted elsewhere under the root, if it is.
      const base = [...byMountPoint].find(
        ([, o]) => o !== m && o.majorMinor === m.majorMinor && o.root === '/',
      );
      device = base ? (base[0] === '/' ? '' : base[0]) + m.root : m.root;
      fsType = 'none';
      extra.push('bind');
    } else {
      device = stablePath(dev, m.source);
      if (fsType === 'btrfs' && m.root !== '/') extra.push(`subvol=${m.root.replace(/^\//, '')}`);
    }
    if (fsType === 'vfat') {
      const masks = m.superOptions.filter((o) => /^(fmask|dmask)=/.test(o));
      extra.push(...(masks.length ? masks : ['fmask=0077', 'dmask=0077']));
    }
    const at = `(mounted at ${m.mountPoint})`;
    let block = `  fileSystems.${lit(rel, 'mount point')} =\n    { device = ${lit(device, `device ${at}`)};\n      fsType = ${lit(fsType, `filesystem type ${at}`)};\n`;
    if (extra.length)
      block += `      options = [ ${[...new Set(extra)].map((o) => lit(o, `mount option ${at}`)).join(' ')} ];\n`;
    block += '    };\n';
    fsBlocks.push(block);
  }

  // --- swap partitions (swap files and zram are configuration, not hardware)
  const swaps: string[] = [];
  for (const s of report.swaps) {
    if (!/partition/.test(s.type) || s.device.startsWith('/dev/zram')) continue;
    swaps.push(`{ device = ${lit(stablePath(deviceFor({ source: s.device }), s.device), 'swap device')}; }`);
  }

  // --- network interfaces, by the names NixOS will give them
  const nics = [
    ...new Set(
      report.network.interfaces.filter((i) => !i.virtual && i.predicted.name).map((i) => i.predicted.name!),
    ),
  ].sort();

  const cpuAttrs: string[] = [];
  // The schema lets a stored report leave the governors out (an older probe, a CPU without cpufreq).
  const governors = report.cpu.governors ?? [];
  const gov = ['ondemand', 'powersave'].find((g) => governors.includes(g));
  if (gov) cpuAttrs.push(`powerManagement.cpuFreqGovernor = lib.mkDefault ${nixString(gov)};`);
  if (report.cpu.microcode === 'intel') {
    cpuAttrs.push(
      'hardware.cpu.intel.updateMicrocode = lib.mkDefault config.hardware.enableRedistributableFirmware;',
    );
  }
  if (report.cpu.microcode === 'amd') {
    cpuAttrs.push(
      'hardware.cpu.amd.updateMicrocode = lib.mkDefault config.hardware.enableRedistributableFirmware;',
    );
  }

  const list = (items: string[]) => (items.length ? `[ ${items.map(nixString).join(' ')} ]` : '[ ]');
  let out = '';
  out += '# Do not modify this file!  It was generated by nixkit from a hardware probe of the target\n';
  out += '# (the equivalent of `nixos-generate-config --show-hardware-config`) and may be overwritten by\n';
  out += '# future invocations.  Please make changes to your configuration.nix instead.\n';
  out += '{ config, lib, pkgs, modulesPath, ... }:\n\n{\n';
  out += imports.length
    ? `  imports =\n    [ ${imports.join('\n      ')}\n    ];\n\n`
    : '  imports = [ ];\n\n';
  out += `  boot.initrd.availableKernelModules = ${list([...initrd].sort())};\n`;
  out += '  boot.initrd.kernelModules = [ ];\n';
  out += `  boot.kernelModules = ${list(kernelModules)};\n`;
  out += '  boot.extraModulePackages = [ ];\n\n';
  for (const b of fsBlocks) out += b + '\n';
  out += swaps.length
    ? `  swapDevices =\n    [ ${swaps.join('\n      ')}\n    ];\n\n`
    : '  swapDevices = [ ];\n\n';
  out += '  # Enables DHCP on each ethernet and wireless interface. In case of scripted networking\n';
  out += "  # (the default) this is the recommended approach. When using systemd-networkd it's\n";
  out += "  # still possible to use this option, but it's recommended to use it in conjunction\n";
  out += '  # with explicit per-interface declarations with `networking.interfaces.<interface>.useDHCP`.\n';
  out += '  networking.useDHCP = lib.mkDefault true;\n';
  for (const n of nics) {
    lit(n, 'network interface name');
    out += `  ${options.interfaces ? '' : '# '}networking.interfaces.${nixAttr(n)}.useDHCP = lib.mkDefault true;\n`;
  }
  out += '\n';
  for (const a of attrs) out += `  ${a}\n`;
  if (report.system.nixSystem)
    out += `  nixpkgs.hostPlatform = lib.mkDefault ${nixString(report.system.nixSystem)};\n`;
  else
    out += `  # nixpkgs.hostPlatform: unknown for architecture ${lit(report.system.arch ?? 'unknown', 'architecture')}\n`;
  for (const a of cpuAttrs) out += `  ${a}\n`;
  out += '}\n';
  return out;
}
