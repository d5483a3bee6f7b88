# Host mirach: generated from hand-written fragments (nextcloud, docker, tailscale, redis, prometheus, journald, printing)
args@{ config, lib, pkgs, ... }:
with lib;
{
  networking.hostName = mkDefault "mirach";
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

  virtualisation.docker = {
    enable = true;
    autoPrune = { enable = true; dates = "weekly"; };
    daemon.settings = { log-driver = "journald"; "registry-mirrors" = [ "https://mirror.gcr.io" ]; };
  };

  services.tailscale.enable = true;
  networking.firewall.trustedInterfaces = [ "tailscale0" ];
  networking.firewall.checkReversePath = "loose";

  services.redis.servers."" = { enable = true; port = 6379; bind = "127.0.0.1"; };

  services.prometheus = {
    enable = true;
    port = 9090;
    exporters.node = { enable = true; enabledCollectors = [ "systemd" "processes" ]; port = 9100; };
    scrapeConfigs = [
      { job_name = "node"; static_configs = [ { targets = [ "127.0.0.1:${toString config.services.prometheus.exporters.node.port}" ]; } ]; }
    ];
  };

  services.journald.extraConfig = ''
    SystemMaxUse=500M
    MaxRetentionSec=1month
  '';

  services.printing = { enable = true; drivers = with pkgs; [ gutenprint hplip ]; };
  services.avahi = { enable = true; nssmdns = true; openFirewall = true; };
}