{ lib, ... }: { inherit lib; lib = 1; }
