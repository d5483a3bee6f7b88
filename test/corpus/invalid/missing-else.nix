{ config, ... }:
{
  services.foo.enable = if config.networking.hostName == "x" then true;
}