# Host borealis: generated from hand-written fragments (nextcloud, sops, prometheus, firewall)
{ config, lib, pkgs, modulesPath, ... }:
let
  hostName = "borealis";
  stateVersion = "22.11";
in
{
  networking = { inherit hostName; };
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

  sops = {
    defaultSopsFile = ./secrets/secrets.yaml;
    age.keyFile = "/var/lib/sops-nix/key.txt";
    secrets."wireguard/private" = { owner = "root"; mode = "0400"; };
  };

  services.prometheus = {
    enable = true;
    port = 9090;
    exporters.node = { enable = true; enabledCollectors = [ "systemd" "processes" ]; port = 9100; };
    scrapeConfigs = [
      { job_name = "node"; static_configs = [ { targets = [ "127.0.0.1:${toString config.services.prometheus.exporters.node.port}" ]; } ]; }
    ];
  };

  networking.firewall = {
    enable = true;
    allowedTCPPorts = [ 80 443 ];
    allowedUDPPortRanges = [ { from = 60000; to = 61000; } ];
    extraCommands = ''
      iptables -A INPUT -p icmp --icmp-type echo-request -j ACCEPT
    '';
  };
  system = { inherit stateVersion; };
}
