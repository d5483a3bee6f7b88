# Host wasat: generated from hand-written fragments (sops, jellyfin, printing, steam, firewall, laptop-power)
{ config, lib, pkgs, ... }:

lib.mkMerge [
  {
  sops = {
    defaultSopsFile = ./secrets/secrets.yaml;
    age.keyFile = "/var/lib/sops-nix/key.txt";
    secrets."wireguard/private" = { owner = "root"; mode = "0400"; };
  };

  services.jellyfin = { enable = true; openFirewall = true; };
  hardware.opengl.extraPackages = with pkgs; [ intel-media-driver vaapiIntel ];

  services.printing = { enable = true; drivers = with pkgs; [ gutenprint hplip ]; };
  services.avahi = { enable = true; nssmdns = true; openFirewall = true; };

  programs.steam.enable = true;
  nixpkgs.config.allowUnfreePredicate = pkg: builtins.elem (lib.getName pkg) [ "steam" "steam-original" "steam-run" ];

  networking.firewall = {
    enable = true;
    allowedTCPPorts = [ 80 443 ];
    allowedUDPPortRanges = [ { from = 60000; to = 61000; } ];
    extraCommands = ''
      iptables -A INPUT -p icmp --icmp-type echo-request -j ACCEPT
    '';
  };

  services.tlp = {
    enable = true;
    settings = { CPU_SCALING_GOVERNOR_ON_BAT = "powersave"; START_CHARGE_THRESH_BAT0 = 75; STOP_CHARGE_THRESH_BAT0 = 80; };
  };
  services.logind.lidSwitch = "suspend-then-hibernate";
  powerManagement.powertop.enable = true;
  }
  (lib.mkIf (config.networking.hostName == "wasat") {
    boot.tmpOnTmpfs = true;
  })
]
