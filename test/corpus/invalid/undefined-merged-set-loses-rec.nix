# `services.web.port` creates the set `services.web`; the later `rec { … }` is merged into it and loses its
# `rec`, so `port` is not in scope (Nix 2.8: undefined variable 'port').
{
  services.web.port = 8080;
  services.web = rec {
    enable = true;
    url = "http://localhost:${toString port}";
  };
}
