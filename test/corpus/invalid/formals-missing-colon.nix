{ config, pkgs, ... }
{ a = 1; }