{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs";
  inputs.utils.url = "github:numtide/flake-utils";

  outputs = { self, nixpkgs, utils }:
    utils.lib.eachDefaultSystem (system:
      let pkgs = nixpkgs.legacyPackages.${system};
      in {
        packages.default = pkgs.stdenv.mkDerivation {
          pname = "hello-nixkit";
          version = "0.1.0";
          src = ./.;
          buildPhase = ''
            make PREFIX=$out
          '';
          installPhase = ''
            mkdir -p $out/bin
            cp hello $out/bin/
          '';
        };
        apps.default = utils.lib.mkApp { drv = self.packages.${system}.default; };
      });
}
