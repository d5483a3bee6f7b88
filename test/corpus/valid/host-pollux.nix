# Host pollux: generated from hand-written fragments (libvirt, fonts, grafana, laptop-power)
{ config, lib, pkgs, ... }:

lib.mkMerge [
  {
  virtualisation.libvirtd = { enable = true; qemu.ovmf.enable = true; onBoot = "ignore"; };
  programs.virt-manager.enable = true;

  fonts.fonts = with pkgs; [ noto-fonts noto-fonts-emoji fira-code (nerdfonts.override { fonts = [ "FiraCode" ]; }) ];
  fonts.fontconfig.defaultFonts.monospace = [ "Fira Code" ];

  services.grafana = {
    enable = true;
    port = 3000;
    domain = "grafana.${config.networking.hostName}.lan";
    addr = "127.0.0.1";
  };

  services.tlp = {
    enable = true;
    settings = { CPU_SCALING_GOVERNOR_ON_BAT = "powersave"; START_CHARGE_THRESH_BAT0 = 75; STOP_CHARGE_THRESH_BAT0 = 80; };
  };
  services.logind.lidSwitch = "suspend-then-hibernate";
  powerManagement.powertop.enable = true;
  }
  (lib.mkIf (config.networking.hostName == "pollux") {
    boot.tmpOnTmpfs = true;
  })
]
