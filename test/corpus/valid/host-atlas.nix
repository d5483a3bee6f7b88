# Host atlas: generated from hand-written fragments (laptop-power, sops, grafana, journald, steam, fail2ban, prometheus)
{ config, lib, pkgs, ... }:

{
  imports = [ ./hardware-configuration.nix ../common ];
  networking.hostName = "atlas";

  services.tlp = {
    enable = true;
    settings = { CPU_SCALING_GOVERNOR_ON_BAT = "powersave"; START_CHARGE_THRESH_BAT0 = 75; STOP_CHARGE_THRESH_BAT0 = 80; };
  };
  services.logind.lidSwitch = "suspend-then-hibernate";
  powerManagement.powertop.enable = true;

  sops = {
    defaultSopsFile = ./secrets/secrets.yaml;
    age.keyFile = "/var/lib/sops-nix/key.txt";
    secrets."wireguard/private" = { owner = "root"; mode = "0400"; };
  };

  services.grafana = {
    enable = true;
    port = 3000;
    domain = "grafana.${config.networking.hostName}.lan";
    addr = "127.0.0.1";
  };

  services.journald.extraConfig = ''
    SystemMaxUse=500M
    MaxRetentionSec=1month
  '';

  programs.steam.enable = true;
  nixpkgs.config.allowUnfreePredicate = pkg: builtins.elem (lib.getName pkg) [ "steam" "steam-original" "steam-run" ];

  services.fail2ban = {
    enable = true;
    maxretry = 5;
    ignoreIP = [ "10.0.0.0/8" "192.168.0.0/16" ];
    jails.sshd = ''
      enabled = true
      port = ssh
    '';
  };

  services.prometheus = {
    enable = true;
    port = 9090;
    exporters.node = { enable = true; enabledCollectors = [ "systemd" "processes" ]; port = 9100; };
    scrapeConfigs = [
      { job_name = "node"; static_configs = [ { targets = [ "127.0.0.1:${toString config.services.prometheus.exporters.node.port}" ]; } ]; }
    ];
  };

  system.stateVersion = "22.05";
}
