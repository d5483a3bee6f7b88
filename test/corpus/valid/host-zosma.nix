# Host zosma: generated from hand-written fragments (tailscale, bluetooth, env, nextcloud, samba)
{ config, lib, pkgs, modulesPath, ... }:
let
  hostName = "zosma";
  stateVersion = "22.11";
in
{
  networking = { inherit hostName; };
  services.tailscale.enable = true;
  networking.firewall.trustedInterfaces = [ "tailscale0" ];
  networking.firewall.checkReversePath = "loose";

  hardware.bluetooth = { enable = true; powerOnBoot = false; settings.General.Experimental = true; };
  services.blueman.enable = true;

  environment.variables = { EDITOR = "vim"; PAGER = "less -R"; };
  environment.shellAliases = { gs = "git status"; rebuild = "sudo nixos-rebuild switch --flake /etc/nixos#"; };

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
  system = { inherit stateVersion; };
}
