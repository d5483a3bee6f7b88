# Host umbra: generated from hand-written fragments (env, locale, journald, laptop-power)
args@{ config, lib, pkgs, ... }:
with lib;
{
  networking.hostName = mkDefault "umbra";
  environment.variables = { EDITOR = "vim"; PAGER = "less -R"; };
  environment.shellAliases = { gs = "git status"; rebuild = "sudo nixos-rebuild switch --flake /etc/nixos#"; };

  time.timeZone = "America/New_York";
  i18n = {
    defaultLocale = "en_US.UTF-8";
    extraLocaleSettings = { LC_TIME = "de_DE.UTF-8"; LC_MONETARY = "de_DE.UTF-8"; };
  };
  console = { font = "Lat2-Terminus16"; keyMap = "us"; };

  services.journald.extraConfig = ''
    SystemMaxUse=500M
    MaxRetentionSec=1month
  '';

  services.tlp = {
    enable = true;
    settings = { CPU_SCALING_GOVERNOR_ON_BAT = "powersave"; START_CHARGE_THRESH_BAT0 = 75; STOP_CHARGE_THRESH_BAT0 = 80; };
  };
  services.logind.lidSwitch = "suspend-then-hibernate";
  powerManagement.powertop.enable = true;
}