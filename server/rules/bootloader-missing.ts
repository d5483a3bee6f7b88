import {
  absenceUnsure,
  diskoSetsGrubDevices,
  isImageOrContainer,
  isSharedModule,
  rootFileSystem,
} from '../facts/boot';
import type { MountedFs } from '../model/filesystems';
import type { Rule } from '../rule-api/rule';

export const bootloaderMissing: Rule = {
  code: 'bootloader-missing',
  severity: 'error',
  reportsAbsence: true,
  title: 'No bootloader is configured',
  explanation:
    'An installed NixOS machine boots through a bootloader that the install writes: systemd-boot, GRUB, ' +
    'extlinux, Limine, rEFInd, an external one, or a /sbin/init script (`boot.loader.initScript`, `system.build.installBootLoader`). NixOS enables GRUB when no other loader is chosen, but GRUB ' +
    'then has no disk to install to and the build stops; and when GRUB is switched off with nothing in its ' +
    'place, `nixos-install` completes without installing any bootloader, and the machine does not start. ' +
    'Choose one: systemd-boot for UEFI machines, GRUB with `boot.loader.grub.device` for BIOS ones. ' +
    'Containers, VMs and images, which boot some other way, are not reported, nor is a guest whose launcher ' +
    'boots its kernel (GRUB off, root on tmpfs, the store over virtiofs or 9p: no disk). When GRUB is chosen but lacks ' +
    'its device, grub-device-missing reports that instead.',
  bad: {
    files: {
      'configuration.nix': `{ config, pkgs, ... }:
{
  imports = [ ./hardware-configuration.nix ];
  boot.loader.grub.enable = false;
  boot.loader.efi.canTouchEfiVariables = true;
  networking.hostName = "nas";
  system.stateVersion = "24.05";
}
`,
      'hardware-configuration.nix': `{ config, lib, pkgs, modulesPath, ... }:
{
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
  fileSystems."/boot" = { device = "/dev/disk/by-label/boot"; fsType = "vfat"; };
}
`,
    },
    expect: ['configuration.nix:4'],
  },
  good: {
    files: {
      'configuration.nix': `{ config, pkgs, ... }:
{
  imports = [ ./hardware-configuration.nix ];
  boot.loader.grub.enable = false;
  boot.loader.systemd-boot.enable = true;
  boot.loader.efi.canTouchEfiVariables = true;
  networking.hostName = "nas";
  system.stateVersion = "24.05";
}
`,
      'hardware-configuration.nix': `{ config, lib, pkgs, modulesPath, ... }:
{
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
  fileSystems."/boot" = { device = "/dev/disk/by-label/boot"; fsType = "vfat"; };
}
`,
    },
  },
  checkConfiguration(ctx) {
    const { config } = ctx;
    if (isSharedModule(config, ctx.project) || absenceUnsure(config, ctx.sources, { diskoModelled: true }))
      return;
    if (isImageOrContainer(config) !== false) return;
    const loaders = ctx.facts.loaders;
    if (loaders.other || loaders.unsure) return;
    const { grub } = loaders;
    if (grub.state === 'off' && grub.def?.at && !grub.def.conditional) {
      // A guest whose launcher boots the kernel itself (root on tmpfs, the store over virtiofs or 9p) has no
      // disk to put a bootloader on, and NixOS asks for none.
      const fss = ctx.facts.completeFileSystems;
      if (fss && isDiskless(fss)) return;
      ctx.report({
        at: grub.def.at,
        message:
          'GRUB is disabled and no other bootloader is enabled: the install would leave the machine without a ' +
          `bootloader (${choices(ctx.facts.platform.value)})`,
      });
      return;
    }
    if (grub.state !== 'on' || !grub.byDefault) return;
    // Any GRUB setting means GRUB was chosen: grub-device-missing speaks about its device.
    if (loaders.grubSettings.length || diskoSetsGrubDevices(config)) return;
    if (config.isOpaqueAt(['boot', 'loader', 'grub', 'device'])) return;
    // Only for configurations that describe the machine's disks; otherwise root-filesystem-missing speaks first.
    const fss = ctx.facts.completeFileSystems;
    const root = fss && rootFileSystem(fss);
    if (!fss || !root || root.conditional || !config.entry.at) return;
    ctx.report({
      at: config.entry.at,
      message:
        `configuration "${config.name}" chooses no bootloader: NixOS falls back to GRUB, which has no device ` +
        `to install to, so the build stops (enable systemd-boot for UEFI, or set boot.loader.grub.device for BIOS)`,
    });
  },
};

/** What to enable instead: BIOS is an x86 thing; ARM and RISC-V boards mostly start through U-Boot's extlinux. */
function choices(platform: string | undefined): string {
  if (platform && /^(?:aarch64|armv\w+|riscv\d+)-linux$/.test(platform))
    return 'enable systemd-boot for UEFI, or boot.loader.generic-extlinux-compatible for a board that starts with U-Boot';
  return 'enable systemd-boot for UEFI, or GRUB with a device for BIOS';
}

/** Filesystems that live in memory or come over the network or from the host: none needs a bootloader. */
const DISKLESS_TYPES = new Set([
  'tmpfs',
  'ramfs',
  'virtiofs',
  '9p',
  'nfs',
  'nfs4',
  'cifs',
  'smb3',
  'overlay',
]);

/** Root is not on a disk, and no filesystem is: no block device names the machine's boot disk. */
function isDiskless(fss: MountedFs[]): boolean {
  const root = rootFileSystem(fss);
  if (!root?.fsType.value || !DISKLESS_TYPES.has(root.fsType.value)) return false;
  return fss.every(
    (f) =>
      !f.device.value?.startsWith('/dev/') &&
      (f.fsType.value === undefined ? f.device.value === undefined : DISKLESS_TYPES.has(f.fsType.value)),
  );
}
