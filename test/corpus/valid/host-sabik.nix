# Host sabik: generated from hand-written fragments (autoupgrade, fonts, nvidia, pipewire)
{ config, lib, pkgs, modulesPath, ... }:
let
  hostName = "sabik";
  stateVersion = "22.11";
in
{
  networking = { inherit hostName; };
  system.autoUpgrade = {
    enable = true;
    flake = "github:example/nixos-config";
    flags = [ "--update-input" "nixpkgs" "-L" ];
    dates = "04:00";
    allowReboot = false;
  };

  fonts.fonts = with pkgs; [ noto-fonts noto-fonts-emoji fira-code (nerdfonts.override { fonts = [ "FiraCode" ]; }) ];
  fonts.fontconfig.defaultFonts.monospace = [ "Fira Code" ];

  services.xserver.videoDrivers = [ "nvidia" ];
  hardware.opengl = { enable = true; driSupport32Bit = true; };
  hardware.nvidia = {
    modesetting.enable = true;
    powerManagement.enable = false;
    package = config.boot.kernelPackages.nvidiaPackages.stable;
  };

  security.rtkit.enable = true;
  services.pipewire = {
    enable = true;
    alsa.enable = true;
    alsa.support32Bit = true;
    pulse.enable = true;
  };
  system = { inherit stateVersion; };
}
