# Host yildun: generated from hand-written fragments (autoupgrade, static-ip, env, grafana, tailscale, printing, journald)
{ config, lib, pkgs, modulesPath, ... }:
let
  hostName = "yildun";
  stateVersion = "22.11";
in
{
  networking = { inherit hostName; };
  system.autoUpgrade = {
    enable = true;
    flake = "github:example/nixos-config";
    flags = [ "--update-input" "nixpkgs" "-L" ];
    dates = "04:00";
    allowReboot = false;
  };

  networking.useDHCP = false;
  networking.interfaces.eth0.ipv4.addresses = [ { address = "192.168.1.${toString (10 + 5)}"; prefixLength = 24; } ];
  networking.defaultGateway = "192.168.1.1";
  networking.nameservers = [ "1.1.1.1" "9.9.9.9" ];

  environment.variables = { EDITOR = "vim"; PAGER = "less -R"; };
  environment.shellAliases = { gs = "git status"; rebuild = "sudo nixos-rebuild switch --flake /etc/nixos#"; };

  services.grafana = {
    enable = true;
    port = 3000;
    domain = "grafana.${config.networking.hostName}.lan";
    addr = "127.0.0.1";
  };

  services.tailscale.enable = true;
  networking.firewall.trustedInterfaces = [ "tailscale0" ];
  networking.firewall.checkReversePath = "loose";

  services.printing = { enable = true; drivers = with pkgs; [ gutenprint hplip ]; };
  services.avahi = { enable = true; nssmdns = true; openFirewall = true; };

  services.journald.extraConfig = ''
    SystemMaxUse=500M
    MaxRetentionSec=1month
  '';
  system = { inherit stateVersion; };
}
