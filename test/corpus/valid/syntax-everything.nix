{ config ? { }, lib ? null, pkgs ? { }, ... }@args:
assert args ? config;
with builtins;
let
  inherit (builtins) map filter;
  list = [ 1 2 3 (4) [ 5 ] { six = 6; } "seven" ./eight ''nine'' 10.0 null true false ];
  sq = x: x * x;
  squares = map sq [ 1 2 3 ];
  evens = filter (x: x / 2 * 2 == x) [ 1 2 3 4 ];
  set = rec { a = 1; b = a + 1; c.d.e = b; };
  legacy = let { body = 1; };
  cond = if set.a == 1 && !(set.b != 2) then "yes" else "no";
  sel = set.c.d.e or 0;
  selDyn = set.${"a"} or set."b" or null;
  hasIt = set ? c.d.e;
  upd = set // { z = 26; };
  cat = [ 1 ] ++ squares ++ evens;
  impl = true -> false;
  neg = -(sq 3);
  str = "a${toString sq 2}b";
  ind = ''
    ${str}
  '';
  path = ./. + "/x";
  lambdas = [ (x: x) ({ a }: a) ({ a ? 1 }: a) (a@{ ... }: a) ];
in
{
  inherit list squares evens set legacy cond sel selDyn hasIt upd cat impl neg str ind path lambdas;
  inherit (set) a b;
  "string attr" = 1;
  ${"dyn"} = 2;
  nested.attr.path = 3;
  curPos = __curPos;
  orApp = (x: x) or;
  stateVersion = "22.05";
}
