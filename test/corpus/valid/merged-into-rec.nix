# A plain set merged into an earlier `rec` set is evaluated in the `rec` scope.
{
  paths = rec {
    root = "/srv";
  };
  paths = {
    data = "${root}/data";
  };
}
