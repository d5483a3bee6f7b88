{ config, pkgs, ... }:
{
  virtualisation.docker.enable = true;
  virtualisation.oci-containers = {
    backend = "podman";
    containers.whoami = {
      image = "traefik/whoami:v1.8";
      ports = [ "127.0.0.1:8000:80" ];
      environment = { WHOAMI_NAME = config.networking.hostName; };
      extraOptions = [ "--pull=newer" ];
    };
  };
  containers.webserver = {
    autoStart = true;
    privateNetwork = true;
    hostAddress = "192.168.100.10";
    localAddress = "192.168.100.11";
    config = { config, pkgs, ... }: {
      services.httpd.enable = true;
      services.httpd.adminAddr = "foo@example.org";
      networking.firewall.allowedTCPPorts = [ 80 ];
      system.stateVersion = "22.05";
    };
  };
}
