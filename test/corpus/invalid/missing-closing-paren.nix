{ lib, ... }:
{
  boot.kernelParams = lib.optionals (true [ "quiet" ];
}