# Host hydra: generated from hand-written fragments (prometheus, firewall, mdadm, gc, printing, fail2ban, nextcloud)
{ config, lib, pkgs, modulesPath, ... }:
let
  hostName = "hydra";
  stateVersion = "22.11";
in
{
  networking = { inherit hostName; };
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

  boot.swraid.enable = true;
  boot.initrd.services.swraid.mdadmConf = ''
    MAILADDR root
    ARRAY /dev/md0 metadata=1.2 UUID=01234567:89abcdef:01234567:89abcdef
  '';

  nix.gc = { automatic = true; dates = "weekly"; options = "--delete-older-than 30d"; };
  nix.settings = {
    auto-optimise-store = true;
    experimental-features = [ "nix-command" "flakes" ];
    trusted-users = [ "root" "@wheel" ];
    substituters = [ "https://cache.nixos.org/" "https://nix-community.cachix.org" ];
  };

  services.printing = { enable = true; drivers = with pkgs; [ gutenprint hplip ]; };
  services.avahi = { enable = true; nssmdns = true; openFirewall = true; };

  services.fail2ban = {
    enable = true;
    maxretry = 5;
    ignoreIP = [ "10.0.0.0/8" "192.168.0.0/16" ];
    jails.sshd = ''
      enabled = true
      port = ssh
    '';
  };

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
  system = { inherit stateVersion; };
}
