# Host nunki: generated from hand-written fragments (locale, sway, autoupgrade, static-ip, env)
{ pkgs, lib, config, ... }: {
  time.timeZone = "America/New_York";
  i18n = {
    defaultLocale = "en_US.UTF-8";
    extraLocaleSettings = { LC_TIME = "de_DE.UTF-8"; LC_MONETARY = "de_DE.UTF-8"; };
  };
  console = { font = "Lat2-Terminus16"; keyMap = "us"; };

  programs.sway = {
    enable = true;
    wrapperFeatures.gtk = true;
    extraPackages = with pkgs; [ swaylock swayidle wl-clipboard mako alacritty wofi ];
  };

  system.autoUpgrade = {
    enable = true;
    flake = "github:example/nixos-config";
    flags = [ "--update-input" "nixpkgs" "-L" ];
    dates = "04:00";
    allowReboot = false;
  };

  networking.useDHCP = false;
  networking.interfaces.eth0.ipv4.addresses = [ { address = "192.168.1.${toString (10 + 5)}"; prefixLength = 24; } ];
  networking.defaultGateway = "192.168.1.1";
  networking.nameservers = [ "1.1.1.1" "9.9.9.9" ];

  environment.variables = { EDITOR = "vim"; PAGER = "less -R"; };
  environment.shellAliases = { gs = "git status"; rebuild = "sudo nixos-rebuild switch --flake /etc/nixos#"; };
  networking.hostName = "nunki"; # ünïcödé ✓
}
