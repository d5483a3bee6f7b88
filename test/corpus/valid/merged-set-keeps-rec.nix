# The `rec` set comes first, so `services.web.port` is added to it and `port` is in scope.
{
  services.web = rec {
    enable = true;
    url = "http://localhost:${toString port}";
  };
  services.web.port = 8080;
}
