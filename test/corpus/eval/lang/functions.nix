let
  id = x: x;
  k = x: y: x;
  pat = { a, b ? a + 1, ... }: a + b;
  at = args@{ a, ... }: args // { seen = a; };
  at2 = { a, ... }@args: builtins.attrNames args;
  defaultRefersFormal = { x ? y * 2, y ? 3 }: [ x y ];
  curried = a: b: c: a * 100 + b * 10 + c;
  partial = curried 1 2;
  rec' = let fact = n: if n == 0 then 1 else n * fact (n - 1); in fact 10;
  tailLoop = let go = n: acc: if n == 0 then acc else go (n - 1) (acc + 1); in go 200 0;
  functor = { __functor = self: x: self.base + x; base = 40; };
in
{
  a = id 1;
  b = k 2 3;
  c = pat { a = 1; };
  d = pat { a = 1; b = 10; c = 0; };
  e = at { a = 5; z = 6; };
  f = at2 { a = 1; b = 2; };
  g = defaultRefersFormal { };
  h = defaultRefersFormal { y = 1; };
  i = partial 3;
  j = rec';
  l = tailLoop;
  m = functor 2;
  n = builtins.functionArgs pat;
  o = builtins.functionArgs id;
  p = (x: x) (y: y) 7;
}
