# Host lesath: generated from hand-written fragments (printing, laptop-power, bluetooth, samba, fonts, gc, pipewire)
{ config, lib, pkgs, modulesPath, ... }:
let
  hostName = "lesath";
  stateVersion = "22.11";
in
{
  networking = { inherit hostName; };
  services.printing = { enable = true; drivers = with pkgs; [ gutenprint hplip ]; };
  services.avahi = { enable = true; nssmdns = true; openFirewall = true; };

  services.tlp = {
    enable = true;
    settings = { CPU_SCALING_GOVERNOR_ON_BAT = "powersave"; START_CHARGE_THRESH_BAT0 = 75; STOP_CHARGE_THRESH_BAT0 = 80; };
  };
  services.logind.lidSwitch = "suspend-then-hibernate";
  powerManagement.powertop.enable = true;

  hardware.bluetooth = { enable = true; powerOnBoot = false; settings.General.Experimental = true; };
  services.blueman.enable = true;

  services.samba = {
    enable = true;
    openFirewall = true;
    shares.public = {
      path = "/srv/public";
      "read only" = "no";
      browseable = "yes";
      "guest ok" = "yes";
    };
    extraConfig = ''
      workgroup = WORKGROUP
      server string = ${config.networking.hostName}
    '';
  };

  fonts.fonts = with pkgs; [ noto-fonts noto-fonts-emoji fira-code (nerdfonts.override { fonts = [ "FiraCode" ]; }) ];
  fonts.fontconfig.defaultFonts.monospace = [ "Fira Code" ];

  nix.gc = { automatic = true; dates = "weekly"; options = "--delete-older-than 30d"; };
  nix.settings = {
    auto-optimise-store = true;
    experimental-features = [ "nix-command" "flakes" ];
    trusted-users = [ "root" "@wheel" ];
    substituters = [ "https://cache.nixos.org/" "https://nix-community.cachix.org" ];
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
