{ pkgs, ... }:
{
  environment.etc."issue".text = ''
    Welcome!
  ;
}