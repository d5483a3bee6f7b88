# Host indus: generated from hand-written fragments (mdadm, sops, locale, firewall)
args@{ config, lib, pkgs, ... }:
with lib;
{
  networking.hostName = mkDefault "indus";
  boot.swraid.enable = true;
  boot.initrd.services.swraid.mdadmConf = ''
    MAILADDR root
    ARRAY /dev/md0 metadata=1.2 UUID=01234567:89abcdef:01234567:89abcdef
  '';

  sops = {
    defaultSopsFile = ./secrets/secrets.yaml;
    age.keyFile = "/var/lib/sops-nix/key.txt";
    secrets."wireguard/private" = { owner = "root"; mode = "0400"; };
  };

  time.timeZone = "America/New_York";
  i18n = {
    defaultLocale = "en_US.UTF-8";
    extraLocaleSettings = { LC_TIME = "de_DE.UTF-8"; LC_MONETARY = "de_DE.UTF-8"; };
  };
  console = { font = "Lat2-Terminus16"; keyMap = "us"; };

  networking.firewall = {
    enable = true;
    allowedTCPPorts = [ 80 443 ];
    allowedUDPPortRanges = [ { from = 60000; to = 61000; } ];
    extraCommands = ''
      iptables -A INPUT -p icmp --icmp-type echo-request -j ACCEPT
    '';
  };
}