{ pkgs }:
# the next line is code after a lone CRpkgs.hello + missing
