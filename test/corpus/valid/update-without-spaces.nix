# `a//b` is `a // b` for Nix, not a path.
{ defaults, overrides }:
{
  settings = defaults//overrides;
  nested = defaults.services//overrides.services;
}
