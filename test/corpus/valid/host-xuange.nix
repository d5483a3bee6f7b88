# Host xuange: generated from hand-written fragments (cron, gc, mdadm, fonts)
{ config, lib, pkgs, ... }:

{
  imports = [ ./hardware-configuration.nix ../common ];
  networking.hostName = "xuange";

  services.cron = {
    enable = true;
    systemCronJobs = [ "*/5 * * * * root ${pkgs.coreutils}/bin/date >> /tmp/cron.log" ];
  };

  nix.gc = { automatic = true; dates = "weekly"; options = "--delete-older-than 30d"; };
  nix.settings = {
    auto-optimise-store = true;
    experimental-features = [ "nix-command" "flakes" ];
    trusted-users = [ "root" "@wheel" ];
    substituters = [ "https://cache.nixos.org/" "https://nix-community.cachix.org" ];
  };

  boot.swraid.enable = true;
  boot.initrd.services.swraid.mdadmConf = ''
    MAILADDR root
    ARRAY /dev/md0 metadata=1.2 UUID=01234567:89abcdef:01234567:89abcdef
  '';

  fonts.fonts = with pkgs; [ noto-fonts noto-fonts-emoji fira-code (nerdfonts.override { fonts = [ "FiraCode" ]; }) ];
  fonts.fontconfig.defaultFonts.monospace = [ "Fira Code" ];

  system.stateVersion = "22.05";
}
