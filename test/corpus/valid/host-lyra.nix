# Host lyra: generated from hand-written fragments (bluetooth, gc, docker, mdadm, printing, grafana)
{ config, lib, pkgs, ... }:

lib.mkMerge [
  {
  hardware.bluetooth = { enable = true; powerOnBoot = false; settings.General.Experimental = true; };
  services.blueman.enable = true;

  nix.gc = { automatic = true; dates = "weekly"; options = "--delete-older-than 30d"; };
  nix.settings = {
    auto-optimise-store = true;
    experimental-features = [ "nix-command" "flakes" ];
    trusted-users = [ "root" "@wheel" ];
    substituters = [ "https://cache.nixos.org/" "https://nix-community.cachix.org" ];
  };

  virtualisation.docker = {
    enable = true;
    autoPrune = { enable = true; dates = "weekly"; };
    daemon.settings = { log-driver = "journald"; "registry-mirrors" = [ "https://mirror.gcr.io" ]; };
  };

  boot.swraid.enable = true;
  boot.initrd.services.swraid.mdadmConf = ''
    MAILADDR root
    ARRAY /dev/md0 metadata=1.2 UUID=01234567:89abcdef:01234567:89abcdef
  '';

  services.printing = { enable = true; drivers = with pkgs; [ gutenprint hplip ]; };
  services.avahi = { enable = true; nssmdns = true; openFirewall = true; };

  services.grafana = {
    enable = true;
    port = 3000;
    domain = "grafana.${config.networking.hostName}.lan";
    addr = "127.0.0.1";
  };
  }
  (lib.mkIf (config.networking.hostName == "lyra") {
    boot.tmpOnTmpfs = true;
  })
]
