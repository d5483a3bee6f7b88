# A lone CR ends a comment for Nix, so what follows it is code.{ pkgs }:
{
  environment.systemPackages = [ pkgs.git ];
}
