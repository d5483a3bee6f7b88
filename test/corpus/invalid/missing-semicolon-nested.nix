{ ... }:
{
  services.openssh = {
    enable = true
  };
}