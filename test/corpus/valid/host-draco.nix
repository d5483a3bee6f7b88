# Host draco: generated from hand-written fragments (locale, nvidia, grafana)
{ pkgs, lib, config, ... }: {
  time.timeZone = "America/New_York";
  i18n = {
    defaultLocale = "en_US.UTF-8";
    extraLocaleSettings = { LC_TIME = "de_DE.UTF-8"; LC_MONETARY = "de_DE.UTF-8"; };
  };
  console = { font = "Lat2-Terminus16"; keyMap = "us"; };

  services.xserver.videoDrivers = [ "nvidia" ];
  hardware.opengl = { enable = true; driSupport32Bit = true; };
  hardware.nvidia = {
    modesetting.enable = true;
    powerManagement.enable = false;
    package = config.boot.kernelPackages.nvidiaPackages.stable;
  };

  services.grafana = {
    enable = true;
    port = 3000;
    domain = "grafana.${config.networking.hostName}.lan";
    addr = "127.0.0.1";
  };
  networking.hostName = "draco"; # ünïcödé ✓
}
