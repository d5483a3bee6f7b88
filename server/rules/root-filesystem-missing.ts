import {
  absenceUnsure,
  hasUnimportedHardwareConfig,
  isImageOrContainer,
  isSharedModule,
  rootFileSystem,
} from '../facts/boot';
import type { Rule } from '../rule-api/rule';

const HOST = `{ config, lib, pkgs, ... }:
{
  imports = [ ./hardware-configuration.nix ];

  boot.loader.systemd-boot.enable = true;
  boot.loader.efi.canTouchEfiVariables = true;
  networking.hostName = "atlas";
  system.stateVersion = "24.11";
}
`;

const FLAKE = `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = { self, nixpkgs, ... }: {
    nixosConfigurations.atlas = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./hosts/atlas/configuration.nix ];
    };
  };
}
`;

export const rootFilesystemMissing: Rule = {
  code: 'root-filesystem-missing',
  severity: 'error',
  reportsAbsence: true,
  title: 'Nothing is mounted at /',
  explanation:
    'Every NixOS system needs a filesystem at `/`: the initrd mounts it before anything else, and the module ' +
    'system refuses to build a configuration whose `fileSystems` has no entry for it ("The fileSystems option ' +
    'does not specify your root file system"). It usually goes missing when hardware-configuration.nix was ' +
    'generated with `--no-filesystems` for a disko layout that is then not imported, when the hardware ' +
    'configuration is not imported at all, or when a mount point is misspelt. Containers, VMs and image ' +
    'builders supply their own root and are not reported.',
  bad: {
    files: {
      'flake.nix': FLAKE,
      'hosts/atlas/configuration.nix': HOST,
      // Generated with `nixos-generate-config --no-filesystems`, meant for a disko layout never added.
      'hosts/atlas/hardware-configuration.nix': `{ config, lib, pkgs, modulesPath, ... }:
{
  imports = [ (modulesPath + "/installer/scan/not-detected.nix") ];
  boot.initrd.availableKernelModules = [ "xhci_pci" "nvme" "usb_storage" "sd_mod" ];
  boot.kernelModules = [ "kvm-intel" ];
  nixpkgs.hostPlatform = lib.mkDefault "x86_64-linux";
}
`,
    },
    expect: ['flake.nix:4'],
  },
  good: {
    files: {
      'flake.nix': FLAKE,
      'hosts/atlas/configuration.nix': HOST,
      'hosts/atlas/hardware-configuration.nix': `{ config, lib, pkgs, modulesPath, ... }:
{
  imports = [ (modulesPath + "/installer/scan/not-detected.nix") ];
  boot.initrd.availableKernelModules = [ "xhci_pci" "nvme" "usb_storage" "sd_mod" ];
  boot.kernelModules = [ "kvm-intel" ];

  fileSystems."/" = {
    device = "/dev/disk/by-uuid/0f3c9a4e-5b1d-4c8e-9f2a-7d6e5c4b3a21";
    fsType = "ext4";
  };
  fileSystems."/boot" = {
    device = "/dev/disk/by-uuid/4A1B-2C3D";
    fsType = "vfat";
    options = [ "fmask=0077" "dmask=0077" ];
  };

  nixpkgs.hostPlatform = lib.mkDefault "x86_64-linux";
}
`,
    },
  },
  checkConfiguration(ctx) {
    const { config } = ctx;
    if (!config.entry.at || isSharedModule(config, ctx.project)) return;
    if (absenceUnsure(config, ctx.sources, { diskoModelled: true })) return;
    if (isImageOrContainer(config) !== false) return;
    const fss = ctx.facts.completeFileSystems;
    if (!fss || rootFileSystem(fss)) return;
    if (hasUnimportedHardwareConfig(config, ctx.sources, ctx.project)) return;
    ctx.report({
      at: config.entry.at,
      message:
        `configuration "${config.name}" mounts nothing at /: NixOS refuses to build a system without a root ` +
        `filesystem (add fileSystems."/" or import the hardware configuration or disko layout that has it)`,
    });
  },
};
