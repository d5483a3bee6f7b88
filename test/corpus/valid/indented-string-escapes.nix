# `''\'` is an escaped quote; `''${` right after it is an escaped `${`, not an interpolation.
{ pkgs }:
{
  text = ''
    echo ''\'''${HOME}
    echo ''\'' ${pkgs.hello}
  '';
}
