# Host fomalhaut: generated from hand-written fragments (samba, grafana, docker, laptop-power, env)
{ config, lib, pkgs, modulesPath, ... }:
let
  hostName = "fomalhaut";
  stateVersion = "22.11";
in
{
  networking = { inherit hostName; };
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

  services.grafana = {
    enable = true;
    port = 3000;
    domain = "grafana.${config.networking.hostName}.lan";
    addr = "127.0.0.1";
  };

  virtualisation.docker = {
    enable = true;
    autoPrune = { enable = true; dates = "weekly"; };
    daemon.settings = { log-driver = "journald"; "registry-mirrors" = [ "https://mirror.gcr.io" ]; };
  };

  services.tlp = {
    enable = true;
    settings = { CPU_SCALING_GOVERNOR_ON_BAT = "powersave"; START_CHARGE_THRESH_BAT0 = 75; STOP_CHARGE_THRESH_BAT0 = 80; };
  };
  services.logind.lidSwitch = "suspend-then-hibernate";
  powerManagement.powertop.enable = true;

  environment.variables = { EDITOR = "vim"; PAGER = "less -R"; };
  environment.shellAliases = { gs = "git status"; rebuild = "sudo nixos-rebuild switch --flake /etc/nixos#"; };
  system = { inherit stateVersion; };
}
