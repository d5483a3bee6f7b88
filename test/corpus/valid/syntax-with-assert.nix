{ pkgs ? { hello = 1; git = 2; } }:
assert pkgs ? hello;
assert builtins.isAttrs pkgs && (pkgs.hello or 0) > 0;
with pkgs;
with builtins;
{
  list = [ hello git ];
  n = length [ hello ];
  chained = with { a = 1; }; with { b = 2; }; a + b;
}
