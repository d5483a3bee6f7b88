{ pkgs ? import <nixpkgs> { } }:
pkgs.mkShell {
  name = "dev-shell";
  packages = with pkgs; [ nodejs-18_x yarn python3 ];
  shellHook = ''
    echo "Welcome to the dev shell"
    export NODE_OPTIONS=--max-old-space-size=4096
  '';
  NIX_ENFORCE_PURITY = 0;
}
