# Host cygnus: generated from hand-written fragments (grafana, libvirt, cron, mdadm, bluetooth, printing, sops)
args@{ config, lib, pkgs, ... }:
with lib;
{
  networking.hostName = mkDefault "cygnus";
  services.grafana = {
    enable = true;
    port = 3000;
    domain = "grafana.${config.networking.hostName}.lan";
    addr = "127.0.0.1";
  };

  virtualisation.libvirtd = { enable = true; qemu.ovmf.enable = true; onBoot = "ignore"; };
  programs.virt-manager.enable = true;

  services.cron = {
    enable = true;
    systemCronJobs = [ "*/5 * * * * root ${pkgs.coreutils}/bin/date >> /tmp/cron.log" ];
  };

  boot.swraid.enable = true;
  boot.initrd.services.swraid.mdadmConf = ''
    MAILADDR root
    ARRAY /dev/md0 metadata=1.2 UUID=01234567:89abcdef:01234567:89abcdef
  '';

  hardware.bluetooth = { enable = true; powerOnBoot = false; settings.General.Experimental = true; };
  services.blueman.enable = true;

  services.printing = { enable = true; drivers = with pkgs; [ gutenprint hplip ]; };
  services.avahi = { enable = true; nssmdns = true; openFirewall = true; };

  sops = {
    defaultSopsFile = ./secrets/secrets.yaml;
    age.keyFile = "/var/lib/sops-nix/key.txt";
    secrets."wireguard/private" = { owner = "root"; mode = "0400"; };
  };
}