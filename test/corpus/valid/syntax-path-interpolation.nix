let
  name = "x";
  dir = "modules";
in {
  a = ./${name}.nix;
  b = ./hosts/${name}/configuration.nix;
  c = ./${dir}/${name};
  d = ~/${name};
  e = /etc/${name}/${dir};
  f = ./prefix${name}suffix;
  g = ./a/${"b"}/c/${name}-d.nix;
}
