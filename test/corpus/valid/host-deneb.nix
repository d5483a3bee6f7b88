# Host deneb: generated from hand-written fragments (laptop-power, openssh, tailscale, mdadm, nextcloud)
{ config, lib, pkgs, ... }:

lib.mkMerge [
  {
  services.tlp = {
    enable = true;
    settings = { CPU_SCALING_GOVERNOR_ON_BAT = "powersave"; START_CHARGE_THRESH_BAT0 = 75; STOP_CHARGE_THRESH_BAT0 = 80; };
  };
  services.logind.lidSwitch = "suspend-then-hibernate";
  powerManagement.powertop.enable = true;

  services.openssh = {
    enable = true;
    passwordAuthentication = false;
    kbdInteractiveAuthentication = false;
    ports = [ 22 2222 ];
  };

  services.tailscale.enable = true;
  networking.firewall.trustedInterfaces = [ "tailscale0" ];
  networking.firewall.checkReversePath = "loose";

  boot.swraid.enable = true;
  boot.initrd.services.swraid.mdadmConf = ''
    MAILADDR root
    ARRAY /dev/md0 metadata=1.2 UUID=01234567:89abcdef:01234567:89abcdef
  '';

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
  }
  (lib.mkIf (config.networking.hostName == "deneb") {
    boot.tmpOnTmpfs = true;
  })
]
