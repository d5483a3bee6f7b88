# Host sirius: generated from hand-written fragments (laptop-power, pipewire, journald, nextcloud, env)
{ config, lib, pkgs, ... }:

{
  imports = [ ./hardware-configuration.nix ../common ];
  networking.hostName = "sirius";

  services.tlp = {
    enable = true;
    settings = { CPU_SCALING_GOVERNOR_ON_BAT = "powersave"; START_CHARGE_THRESH_BAT0 = 75; STOP_CHARGE_THRESH_BAT0 = 80; };
  };
  services.logind.lidSwitch = "suspend-then-hibernate";
  powerManagement.powertop.enable = true;

  security.rtkit.enable = true;
  services.pipewire = {
    enable = true;
    alsa.enable = true;
    alsa.support32Bit = true;
    pulse.enable = true;
  };

  services.journald.extraConfig = ''
    SystemMaxUse=500M
    MaxRetentionSec=1month
  '';

  services.nextcloud = {
    enable = true;
    hostName = "cloud.example.org";
    https = true;
    config = {
      dbtype = "pgsql";
      dbhost = "/run/postgresql";
      adminpassFile = "/run/secrets/nextcloud-admin";
      overwriteProtocol = "https";
    };
    extraApps = { };
  };

  environment.variables = { EDITOR = "vim"; PAGER = "less -R"; };
  environment.shellAliases = { gs = "git status"; rebuild = "sudo nixos-rebuild switch --flake /etc/nixos#"; };

  system.stateVersion = "22.05";
}
