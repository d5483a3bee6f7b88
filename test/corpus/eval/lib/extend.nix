{ lib }:
let
  ext = lib.extend (final: prev: { myHelper = x: "my-${x}"; double = x: final.myHelper (prev.id x); });
  joined = lib // { extra = 1; };
  inherited = let inherit (lib) genAttrs; in genAttrs [ "a" ] (x: x);
  withLib = with lib; optionalString true "w" + concatStrings [ "1" "2" ];
  fixed = lib.makeExtensible (self: { a = 1; b = self.a + 1; });
in
{
  a = ext.myHelper "x";
  b = ext.double "y";
  c = ext.genAttrs [ "k" ] (x: 1);
  d = joined.extra;
  e = joined.toUpper "j";
  f = inherited;
  g = withLib;
  h = (fixed.extend (final: prev: { a = 10; })).b;
  i = (ext.extend (f: p: { third = 3; })).myHelper "z";
  j = lib.mkEnableOption "thing" ? _type;
  k = lib.types.str._type;
}
