{ nixpkgs ? <nixpkgs>, systems ? [ "x86_64-linux" "aarch64-linux" ] }:
let
  pkgs = import nixpkgs { };
  forAll = f: builtins.listToAttrs (map (system: { name = system; value = f system; }) systems);
in
{
  build = forAll (system: (import nixpkgs { inherit system; }).hello);
  tests = forAll (system: import ./tests.nix { pkgs = import nixpkgs { inherit system; }; });
  tarball = pkgs.releaseTools.sourceTarball { name = "src"; src = ./.; };
}
