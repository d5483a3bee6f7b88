{
  rel = ./foo.nix;
  rel2 = ../lib/default.nix;
  dotdir = ./.;
  abs = /etc/nixos/configuration.nix;
  home = ~/.config/nixpkgs/config.nix;
  search = <nixpkgs>;
  search2 = <nixpkgs/nixos/modules/profiles/minimal.nix>;
  withPlus = ./a+b/c-d_e.f;
  deep = ./a/b/c/d/e/f/g;
  pathDiv = ./a / 2;
  digits = 1/2;
  wordy = foo/bar;
}
