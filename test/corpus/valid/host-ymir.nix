# Host ymir: generated from hand-written fragments (static-ip, redis, grafana)
{ config, lib, pkgs, ... }:

{
  imports = [ ./hardware-configuration.nix ../common ];
  networking.hostName = "ymir";

  networking.useDHCP = false;
  networking.interfaces.eth0.ipv4.addresses = [ { address = "192.168.1.${toString (10 + 5)}"; prefixLength = 24; } ];
  networking.defaultGateway = "192.168.1.1";
  networking.nameservers = [ "1.1.1.1" "9.9.9.9" ];

  services.redis.servers."" = { enable = true; port = 6379; bind = "127.0.0.1"; };

  services.grafana = {
    enable = true;
    port = 3000;
    domain = "grafana.${config.networking.hostName}.lan";
    addr = "127.0.0.1";
  };

  system.stateVersion = "22.05";
}
