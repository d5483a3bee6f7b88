# Host xena: generated from hand-written fragments (openssh, autoupgrade, steam, journald, nextcloud)
{ config, lib, pkgs, ... }:

lib.mkMerge [
  {
  services.openssh = {
    enable = true;
    passwordAuthentication = false;
    kbdInteractiveAuthentication = false;
    ports = [ 22 2222 ];
  };

  system.autoUpgrade = {
    enable = true;
    flake = "github:example/nixos-config";
    flags = [ "--update-input" "nixpkgs" "-L" ];
    dates = "04:00";
    allowReboot = false;
  };

  programs.steam.enable = true;
  nixpkgs.config.allowUnfreePredicate = pkg: builtins.elem (lib.getName pkg) [ "steam" "steam-original" "steam-run" ];

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
  }
  (lib.mkIf (config.networking.hostName == "xena") {
    boot.tmpOnTmpfs = true;
  })
]
