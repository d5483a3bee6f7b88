{ config, ... }:
{
  environment.systemPackages = [ pkgs.git ];
}