{ lib, pkgs, ... } @ lib:
{
  environment.systemPackages = lib.optional true pkgs.git;
}
