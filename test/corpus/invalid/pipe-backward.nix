{ lib }:
{
  names = lib.attrNames <| { a = 1; };
}
