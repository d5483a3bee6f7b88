# Host jabbah: generated from hand-written fragments (printing, steam, sops, kernel-sysctl, static-ip, samba)
{ config, lib, pkgs, ... }:

lib.mkMerge [
  {
  services.printing = { enable = true; drivers = with pkgs; [ gutenprint hplip ]; };
  services.avahi = { enable = true; nssmdns = true; openFirewall = true; };

  programs.steam.enable = true;
  nixpkgs.config.allowUnfreePredicate = pkg: builtins.elem (lib.getName pkg) [ "steam" "steam-original" "steam-run" ];

  sops = {
    defaultSopsFile = ./secrets/secrets.yaml;
    age.keyFile = "/var/lib/sops-nix/key.txt";
    secrets."wireguard/private" = { owner = "root"; mode = "0400"; };
  };

  boot.kernel.sysctl = {
    "net.ipv4.ip_forward" = 1;
    "vm.swappiness" = 10;
    "fs.inotify.max_user_watches" = 524288;
  };

  networking.useDHCP = false;
  networking.interfaces.eth0.ipv4.addresses = [ { address = "192.168.1.${toString (10 + 5)}"; prefixLength = 24; } ];
  networking.defaultGateway = "192.168.1.1";
  networking.nameservers = [ "1.1.1.1" "9.9.9.9" ];

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
  }
  (lib.mkIf (config.networking.hostName == "jabbah") {
    boot.tmpOnTmpfs = true;
  })
]
