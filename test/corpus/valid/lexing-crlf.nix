{ config, pkgs, ... }:
{
  # CRLF line endings throughout
  environment.etc."motd".text = ''
    Welcome to ${config.networking.hostName}
  '';
  environment.systemPackages = [ pkgs.git ];
}
