{ config, pkgs, ... }:
let
  domain = "example.org";
  mkVhost = root: {
    forceSSL = true;
    enableACME = true;
    inherit root;
    locations."/".extraConfig = ''
      try_files $uri $uri/ =404;
    '';
  };
in {
  services.nginx = {
    enable = true;
    recommendedProxySettings = true;
    recommendedTlsSettings = true;
    virtualHosts = {
      "${domain}" = mkVhost "/var/www/${domain}";
      "www.${domain}" = {
        forceSSL = true;
        enableACME = true;
        globalRedirect = domain;
      };
      "api.${domain}" = {
        forceSSL = true;
        enableACME = true;
        locations."/" = {
          proxyPass = "http://127.0.0.1:${toString config.services.grafana.port}";
          proxyWebsockets = true;
        };
      };
    };
  };
  security.acme = {
    acceptTerms = true;
    defaults.email = "admin@${domain}";
  };
}
