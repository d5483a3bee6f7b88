# Host juno: generated from hand-written fragments (redis, laptop-power, fonts)
{ pkgs, lib, config, ... }: {
  services.redis.servers."" = { enable = true; port = 6379; bind = "127.0.0.1"; };

  services.tlp = {
    enable = true;
    settings = { CPU_SCALING_GOVERNOR_ON_BAT = "powersave"; START_CHARGE_THRESH_BAT0 = 75; STOP_CHARGE_THRESH_BAT0 = 80; };
  };
  services.logind.lidSwitch = "suspend-then-hibernate";
  powerManagement.powertop.enable = true;

  fonts.fonts = with pkgs; [ noto-fonts noto-fonts-emoji fira-code (nerdfonts.override { fonts = [ "FiraCode" ]; }) ];
  fonts.fontconfig.defaultFonts.monospace = [ "Fira Code" ];
  networking.hostName = "juno"; # ünïcödé ✓
}
