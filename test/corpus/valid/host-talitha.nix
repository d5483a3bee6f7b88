# Host talitha: generated from hand-written fragments (samba, openssh, mdadm)
args@{ config, lib, pkgs, ... }:
with lib;
{
  networking.hostName = mkDefault "talitha";
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

  services.openssh = {
    enable = true;
    passwordAuthentication = false;
    kbdInteractiveAuthentication = false;
    ports = [ 22 2222 ];
  };

  boot.swraid.enable = true;
  boot.initrd.services.swraid.mdadmConf = ''
    MAILADDR root
    ARRAY /dev/md0 metadata=1.2 UUID=01234567:89abcdef:01234567:89abcdef
  '';
}