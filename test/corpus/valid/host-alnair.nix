# Host alnair: generated from hand-written fragments (sway, printing, static-ip, prometheus)
args@{ config, lib, pkgs, ... }:
with lib;
{
  networking.hostName = mkDefault "alnair";
  programs.sway = {
    enable = true;
    wrapperFeatures.gtk = true;
    extraPackages = with pkgs; [ swaylock swayidle wl-clipboard mako alacritty wofi ];
  };

  services.printing = { enable = true; drivers = with pkgs; [ gutenprint hplip ]; };
  services.avahi = { enable = true; nssmdns = true; openFirewall = true; };

  networking.useDHCP = false;
  networking.interfaces.eth0.ipv4.addresses = [ { address = "192.168.1.${toString (10 + 5)}"; prefixLength = 24; } ];
  networking.defaultGateway = "192.168.1.1";
  networking.nameservers = [ "1.1.1.1" "9.9.9.9" ];

  services.prometheus = {
    enable = true;
    port = 9090;
    exporters.node = { enable = true; enabledCollectors = [ "systemd" "processes" ]; port = 9100; };
    scrapeConfigs = [
      { job_name = "node"; static_configs = [ { targets = [ "127.0.0.1:${toString config.services.prometheus.exporters.node.port}" ]; } ]; }
    ];
  };
}