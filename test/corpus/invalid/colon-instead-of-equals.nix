{ ... }:
{
  networking.hostName: "box";
}