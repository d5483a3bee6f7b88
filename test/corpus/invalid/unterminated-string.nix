{ ... }:
{
  networking.hostName = "nixos;
  time.timeZone = "UTC";
}