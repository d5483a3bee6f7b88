let s = { b = 2; a = 1; c = { d = 4; }; }; in
with builtins;
{
  names = attrNames s;
  values = attrValues { z = 1; a = 2; };
  l2a = listToAttrs [ { name = "x"; value = 1; } { name = "y"; value = 2; } { name = "x"; value = 3; } ];
  ma = mapAttrs (n: v: "${n}=${toString v}") { a = 1; b = 2; };
  has = [ (hasAttr "a" s) (hasAttr "q" s) ];
  get = getAttr "b" s;
  rm = removeAttrs s [ "a" "zz" ];
  inter = intersectAttrs { a = 0; q = 0; } s;
  cat = catAttrs "a" [ { a = 1; } { b = 2; } { a = 3; } ];
  zip = zipAttrsWith (n: vs: vs) [ { a = 1; b = 2; } { a = 3; } { c = 4; } ];
  group = groupBy (x: if x > 2 then "big" else "small") [ 1 2 3 4 ];
  fa = functionArgs ({ a, b ? 1 }: a);
  isa = [ (isAttrs s) (isAttrs [ ]) ];
}
