import { absenceUnsure, isFat, isImageOrContainer, isSharedModule, rootFileSystem } from '../facts/boot';
import type { Rule } from '../rule-api/rule';

export const espMissing: Rule = {
  code: 'esp-missing',
  severity: 'error',
  reportsAbsence: true,
  title: 'A UEFI bootloader is enabled but no EFI System Partition is mounted',
  explanation:
    'systemd-boot, and GRUB with `efiSupport`, install into the EFI System Partition: a FAT (vfat) filesystem ' +
    'that the firmware reads, mounted at `boot.loader.efi.efiSysMountPoint`. When the configuration mounts no ' +
    'vfat filesystem at all, the install has nowhere to put the loader: `bootctl` stops with "not a FAT EFI ' +
    'System Partition", or GRUB writes its EFI files onto the root filesystem where the firmware never looks, ' +
    'and the machine does not boot. Typical causes are a hardware-configuration.nix generated before the ESP ' +
    'was mounted, or a BIOS machine configured with a UEFI bootloader.',
  bad: {
    files: {
      'configuration.nix': `{ config, pkgs, ... }:
{
  imports = [ ./hardware-configuration.nix ];
  boot.loader.systemd-boot.enable = true;
  boot.loader.efi.canTouchEfiVariables = true;
  system.stateVersion = "24.11";
}
`,
      // Generated while only the root partition was mounted on /mnt.
      'hardware-configuration.nix': `{ config, lib, pkgs, modulesPath, ... }:
{
  boot.initrd.availableKernelModules = [ "ahci" "xhci_pci" "sd_mod" ];
  fileSystems."/" = {
    device = "/dev/disk/by-uuid/6b2d8f0e-1c3a-4e5b-8d7f-9a0b1c2d3e4f";
    fsType = "ext4";
  };
  swapDevices = [ ];
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
  boot.loader.systemd-boot.enable = true;
  boot.loader.efi.canTouchEfiVariables = true;
  system.stateVersion = "24.11";
}
`,
      'hardware-configuration.nix': `{ config, lib, pkgs, modulesPath, ... }:
{
  boot.initrd.availableKernelModules = [ "ahci" "xhci_pci" "sd_mod" ];
  fileSystems."/" = {
    device = "/dev/disk/by-uuid/6b2d8f0e-1c3a-4e5b-8d7f-9a0b1c2d3e4f";
    fsType = "ext4";
  };
  fileSystems."/boot" = {
    device = "/dev/disk/by-uuid/12CE-A600";
    fsType = "vfat";
    options = [ "fmask=0022" "dmask=0022" ];
  };
  swapDevices = [ ];
}
`,
    },
  },
  checkConfiguration(ctx) {
    const { config } = ctx;
    const loader = ctx.facts.efiLoader;
    if (!loader?.def.at || loader.def.conditional) return;
    if (isSharedModule(config, ctx.project) || absenceUnsure(config, ctx.sources, { diskoModelled: true }))
      return;
    if (isImageOrContainer(config) !== false) return;
    const fss = ctx.facts.completeFileSystems;
    // Without a root filesystem the layout is not described at all: root-filesystem-missing says so.
    const root = fss && rootFileSystem(fss);
    if (!fss || !root || root.conditional) return;
    // A filesystem of unknown or unset type (`auto`) may be the ESP.
    if (
      fss.some(
        (f) => f.fsType.unknown || !f.fsType.value || f.fsType.value === 'auto' || isFat(f.fsType.value),
      )
    )
      return;
    ctx.report({
      at: loader.def.at,
      message:
        `${loader.name} installs to the EFI System Partition, but configuration "${config.name}" mounts no vfat ` +
        `filesystem: the install has nowhere to put the bootloader (mount the ESP at /boot, or use GRUB for BIOS)`,
    });
  },
};
