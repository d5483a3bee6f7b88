# Host fornax: generated from hand-written fragments (bluetooth, fonts, sway, nvidia)
{ config, lib, pkgs, ... }:

lib.mkMerge [
  {
  hardware.bluetooth = { enable = true; powerOnBoot = false; settings.General.Experimental = true; };
  services.blueman.enable = true;

  fonts.fonts = with pkgs; [ noto-fonts noto-fonts-emoji fira-code (nerdfonts.override { fonts = [ "FiraCode" ]; }) ];
  fonts.fontconfig.defaultFonts.monospace = [ "Fira Code" ];

  programs.sway = {
    enable = true;
    wrapperFeatures.gtk = true;
    extraPackages = with pkgs; [ swaylock swayidle wl-clipboard mako alacritty wofi ];
  };

  services.xserver.videoDrivers = [ "nvidia" ];
  hardware.opengl = { enable = true; driSupport32Bit = true; };
  hardware.nvidia = {
    modesetting.enable = true;
    powerManagement.enable = false;
    package = config.boot.kernelPackages.nvidiaPackages.stable;
  };
  }
  (lib.mkIf (config.networking.hostName == "fornax") {
    boot.tmpOnTmpfs = true;
  })
]
