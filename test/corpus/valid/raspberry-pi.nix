{ config, pkgs, lib, ... }:
{
  imports = [ <nixpkgs/nixos/modules/installer/sd-card/sd-image-aarch64.nix> ];
  nixpkgs.hostPlatform = lib.mkDefault "aarch64-linux";
  boot.loader.grub.enable = false;
  boot.loader.generic-extlinux-compatible.enable = true;
  boot.kernelParams = [ "console=ttyS1,115200n8" "cma=256M" ];
  hardware.enableRedistributableFirmware = true;
  sdImage.compressImage = false;
  networking.wireless = {
    enable = true;
    networks."My Network".psk = "correct horse battery staple";
  };
  services.openssh = { enable = true; permitRootLogin = "prohibit-password"; };
  system.stateVersion = "22.05";
}
