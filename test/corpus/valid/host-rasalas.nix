# Host rasalas: generated from hand-written fragments (laptop-power, cron, sway, jellyfin, redis, nvidia, firewall)
{ config, lib, pkgs, ... }:

{
  imports = [ ./hardware-configuration.nix ../common ];
  networking.hostName = "rasalas";

  services.tlp = {
    enable = true;
    settings = { CPU_SCALING_GOVERNOR_ON_BAT = "powersave"; START_CHARGE_THRESH_BAT0 = 75; STOP_CHARGE_THRESH_BAT0 = 80; };
  };
  services.logind.lidSwitch = "suspend-then-hibernate";
  powerManagement.powertop.enable = true;

  services.cron = {
    enable = true;
    systemCronJobs = [ "*/5 * * * * root ${pkgs.coreutils}/bin/date >> /tmp/cron.log" ];
  };

  programs.sway = {
    enable = true;
    wrapperFeatures.gtk = true;
    extraPackages = with pkgs; [ swaylock swayidle wl-clipboard mako alacritty wofi ];
  };

  services.jellyfin = { enable = true; openFirewall = true; };
  hardware.opengl.extraPackages = with pkgs; [ intel-media-driver vaapiIntel ];

  services.redis.servers."" = { enable = true; port = 6379; bind = "127.0.0.1"; };

  services.xserver.videoDrivers = [ "nvidia" ];
  hardware.opengl = { enable = true; driSupport32Bit = true; };
  hardware.nvidia = {
    modesetting.enable = true;
    powerManagement.enable = false;
    package = config.boot.kernelPackages.nvidiaPackages.stable;
  };

  networking.firewall = {
    enable = true;
    allowedTCPPorts = [ 80 443 ];
    allowedUDPPortRanges = [ { from = 60000; to = 61000; } ];
    extraCommands = ''
      iptables -A INPUT -p icmp --icmp-type echo-request -j ACCEPT
    '';
  };

  system.stateVersion = "22.05";
}
