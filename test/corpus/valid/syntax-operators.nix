let
  a = true; b = false; n = 2; s = { x = 1; };
in {
  logic = a && b || !a -> b;
  implRight = a -> b -> a;
  eq = (n == 2) == true;
  neq = n != 3;
  cmp = (n < 3) == (n > 1);
  cmp2 = n <= 2 && n >= 2;
  update = s // { y = 2; } // { z = 3; };
  concat = [ 1 ] ++ [ 2 ] ++ [ 3 ];
  has = s ? x;
  hasPath = { a.b.c = 1; } ? a.b.c;
  hasStr = s ? "x";
  hasDyn = s ? ${"x"};
  hasChain = s ? x ? y;
  not = !a;
  notnot = !!a;
  negneg = - -n;
  negHas = -n ? x;
  arith = n * 3 + 4 / 2 - 1;
  strcat = "a" + "b" + toString n;
  prec1 = !a || b && a;
  prec2 = n + 1 == 3 && s // { } == s;
  cmpEq = n < 3 == true;
  app = builtins.map (x: x + 1) [ 1 2 ];
  sel = s.x + ({ y = 2; }).y;
}
