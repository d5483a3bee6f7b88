let
  a = 1;
  b = a + 1;
  s = rec { x = 1; y = x + 1; z = { inherit x y; }; };
  w = with { p = 10; q = 20; }; p + q;
  inner = let a = 5; in with { a = 100; c = 7; }; a + c;
  nested = with { x = 1; }; with { x = 2; }; x;
  inh = let src = { m = "m"; n = "n"; }; in { inherit (src) m n; inherit a; };
  dotted = { a.b.c = 1; a.b.d = 2; a.e = 3; };
  merged = { x.y = 1; x = { z = 2; }; };
  recDotted = rec { a.b = 1; c = a.b + 1; };
  dyn = let k = "key"; in { ${k} = 1; "${k}2" = 2; ${null} = 3; };
  quoted = { "a b" = 1; "if" = 2; "x.y" = 3; "" = 4; a-b = 5; "a'" = 6; };
in
{ inherit a b s w inner nested inh dotted merged recDotted dyn quoted; }
