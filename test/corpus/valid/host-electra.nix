# Host electra: generated from hand-written fragments (locale, bluetooth, mdadm)
{ config, lib, pkgs, ... }:

{
  imports = [ ./hardware-configuration.nix ../common ];
  networking.hostName = "electra";

  time.timeZone = "America/New_York";
  i18n = {
    defaultLocale = "en_US.UTF-8";
    extraLocaleSettings = { LC_TIME = "de_DE.UTF-8"; LC_MONETARY = "de_DE.UTF-8"; };
  };
  console = { font = "Lat2-Terminus16"; keyMap = "us"; };

  hardware.bluetooth = { enable = true; powerOnBoot = false; settings.General.Experimental = true; };
  services.blueman.enable = true;

  boot.swraid.enable = true;
  boot.initrd.services.swraid.mdadmConf = ''
    MAILADDR root
    ARRAY /dev/md0 metadata=1.2 UUID=01234567:89abcdef:01234567:89abcdef
  '';

  system.stateVersion = "22.05";
}
