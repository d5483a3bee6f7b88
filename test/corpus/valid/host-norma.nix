# Host norma: generated from hand-written fragments (firewall, laptop-power, mdadm, libvirt, kernel-sysctl)
{ config, lib, pkgs, modulesPath, ... }:
let
  hostName = "norma";
  stateVersion = "22.11";
in
{
  networking = { inherit hostName; };
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

  boot.swraid.enable = true;
  boot.initrd.services.swraid.mdadmConf = ''
    MAILADDR root
    ARRAY /dev/md0 metadata=1.2 UUID=01234567:89abcdef:01234567:89abcdef
  '';

  virtualisation.libvirtd = { enable = true; qemu.ovmf.enable = true; onBoot = "ignore"; };
  programs.virt-manager.enable = true;

  boot.kernel.sysctl = {
    "net.ipv4.ip_forward" = 1;
    "vm.swappiness" = 10;
    "fs.inotify.max_user_watches" = 524288;
  };
  system = { inherit stateVersion; };
}
