# Host gacrux: generated from hand-written fragments (journald, grafana, printing, cron, gc)
args@{ config, lib, pkgs, ... }:
with lib;
{
  networking.hostName = mkDefault "gacrux";
  services.journald.extraConfig = ''
    SystemMaxUse=500M
    MaxRetentionSec=1month
  '';

  services.grafana = {
    enable = true;
    port = 3000;
    domain = "grafana.${config.networking.hostName}.lan";
    addr = "127.0.0.1";
  };

  services.printing = { enable = true; drivers = with pkgs; [ gutenprint hplip ]; };
  services.avahi = { enable = true; nssmdns = true; openFirewall = true; };

  services.cron = {
    enable = true;
    systemCronJobs = [ "*/5 * * * * root ${pkgs.coreutils}/bin/date >> /tmp/cron.log" ];
  };

  nix.gc = { automatic = true; dates = "weekly"; options = "--delete-older-than 30d"; };
  nix.settings = {
    auto-optimise-store = true;
    experimental-features = [ "nix-command" "flakes" ];
    trusted-users = [ "root" "@wheel" ];
    substituters = [ "https://cache.nixos.org/" "https://nix-community.cachix.org" ];
  };
}