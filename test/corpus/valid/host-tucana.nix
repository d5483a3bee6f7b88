# Host tucana: generated from hand-written fragments (static-ip, gc, redis, fail2ban, jellyfin, journald)
{ config, lib, pkgs, modulesPath, ... }:
let
  hostName = "tucana";
  stateVersion = "22.11";
in
{
  networking = { inherit hostName; };
  networking.useDHCP = false;
  networking.interfaces.eth0.ipv4.addresses = [ { address = "192.168.1.${toString (10 + 5)}"; prefixLength = 24; } ];
  networking.defaultGateway = "192.168.1.1";
  networking.nameservers = [ "1.1.1.1" "9.9.9.9" ];

  nix.gc = { automatic = true; dates = "weekly"; options = "--delete-older-than 30d"; };
  nix.settings = {
    auto-optimise-store = true;
    experimental-features = [ "nix-command" "flakes" ];
    trusted-users = [ "root" "@wheel" ];
    substituters = [ "https://cache.nixos.org/" "https://nix-community.cachix.org" ];
  };

  services.redis.servers."" = { enable = true; port = 6379; bind = "127.0.0.1"; };

  services.fail2ban = {
    enable = true;
    maxretry = 5;
    ignoreIP = [ "10.0.0.0/8" "192.168.0.0/16" ];
    jails.sshd = ''
      enabled = true
      port = ssh
    '';
  };

  services.jellyfin = { enable = true; openFirewall = true; };
  hardware.opengl.extraPackages = with pkgs; [ intel-media-driver vaapiIntel ];

  services.journald.extraConfig = ''
    SystemMaxUse=500M
    MaxRetentionSec=1month
  '';
  system = { inherit stateVersion; };
}
