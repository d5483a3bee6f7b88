# Host pavo: generated from hand-written fragments (docker, jellyfin, firewall, steam)
{ pkgs, lib, config, ... }: {
  virtualisation.docker = {
    enable = true;
    autoPrune = { enable = true; dates = "weekly"; };
    daemon.settings = { log-driver = "journald"; "registry-mirrors" = [ "https://mirror.gcr.io" ]; };
  };

  services.jellyfin = { enable = true; openFirewall = true; };
  hardware.opengl.extraPackages = with pkgs; [ intel-media-driver vaapiIntel ];

  networking.firewall = {
    enable = true;
    allowedTCPPorts = [ 80 443 ];
    allowedUDPPortRanges = [ { from = 60000; to = 61000; } ];
    extraCommands = ''
      iptables -A INPUT -p icmp --icmp-type echo-request -j ACCEPT
    '';
  };

  programs.steam.enable = true;
  nixpkgs.config.allowUnfreePredicate = pkg: builtins.elem (lib.getName pkg) [ "steam" "steam-original" "steam-run" ];
  networking.hostName = "pavo"; # ünïcödé ✓
}
