# The name after `@` repeats a formal: Nix refuses the pattern ("duplicate formal function argument").
args @ { config, pkgs, args, ... }:
{
  environment.systemPackages = [ pkgs.git ];
}
