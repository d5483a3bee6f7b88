# Host gemini: generated from hand-written fragments (printing, openssh, nvidia, fonts, docker, nextcloud, static-ip)
{ config, lib, pkgs, ... }:

{
  imports = [ ./hardware-configuration.nix ../common ];
  networking.hostName = "gemini";

  services.printing = { enable = true; drivers = with pkgs; [ gutenprint hplip ]; };
  services.avahi = { enable = true; nssmdns = true; openFirewall = true; };

  services.openssh = {
    enable = true;
    passwordAuthentication = false;
    kbdInteractiveAuthentication = false;
    ports = [ 22 2222 ];
  };

  services.xserver.videoDrivers = [ "nvidia" ];
  hardware.opengl = { enable = true; driSupport32Bit = true; };
  hardware.nvidia = {
    modesetting.enable = true;
    powerManagement.enable = false;
    package = config.boot.kernelPackages.nvidiaPackages.stable;
  };

  fonts.fonts = with pkgs; [ noto-fonts noto-fonts-emoji fira-code (nerdfonts.override { fonts = [ "FiraCode" ]; }) ];
  fonts.fontconfig.defaultFonts.monospace = [ "Fira Code" ];

  virtualisation.docker = {
    enable = true;
    autoPrune = { enable = true; dates = "weekly"; };
    daemon.settings = { log-driver = "journald"; "registry-mirrors" = [ "https://mirror.gcr.io" ]; };
  };

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

  networking.useDHCP = false;
  networking.interfaces.eth0.ipv4.addresses = [ { address = "192.168.1.${toString (10 + 5)}"; prefixLength = 24; } ];
  networking.defaultGateway = "192.168.1.1";
  networking.nameservers = [ "1.1.1.1" "9.9.9.9" ];

  system.stateVersion = "22.05";
}
