# Host rigel: generated from hand-written fragments (gc, openssh, prometheus, jellyfin, autoupgrade, fail2ban)
{ config, lib, pkgs, ... }:

lib.mkMerge [
  {
  nix.gc = { automatic = true; dates = "weekly"; options = "--delete-older-than 30d"; };
  nix.settings = {
    auto-optimise-store = true;
    experimental-features = [ "nix-command" "flakes" ];
    trusted-users = [ "root" "@wheel" ];
    substituters = [ "https://cache.nixos.org/" "https://nix-community.cachix.org" ];
  };

  services.openssh = {
    enable = true;
    passwordAuthentication = false;
    kbdInteractiveAuthentication = false;
    ports = [ 22 2222 ];
  };

  services.prometheus = {
    enable = true;
    port = 9090;
    exporters.node = { enable = true; enabledCollectors = [ "systemd" "processes" ]; port = 9100; };
    scrapeConfigs = [
      { job_name = "node"; static_configs = [ { targets = [ "127.0.0.1:${toString config.services.prometheus.exporters.node.port}" ]; } ]; }
    ];
  };

  services.jellyfin = { enable = true; openFirewall = true; };
  hardware.opengl.extraPackages = with pkgs; [ intel-media-driver vaapiIntel ];

  system.autoUpgrade = {
    enable = true;
    flake = "github:example/nixos-config";
    flags = [ "--update-input" "nixpkgs" "-L" ];
    dates = "04:00";
    allowReboot = false;
  };

  services.fail2ban = {
    enable = true;
    maxretry = 5;
    ignoreIP = [ "10.0.0.0/8" "192.168.0.0/16" ];
    jails.sshd = ''
      enabled = true
      port = ssh
    '';
  };
  }
  (lib.mkIf (config.networking.hostName == "rigel") {
    boot.tmpOnTmpfs = true;
  })
]
