let
  id = x: x;
  const = x: y: x;
  withFormals = { a, b ? 2, ... }: a + b;
  strict = { a, b }: a * b;
  noArgs = { }: 42;
  trailing = { a, b, }: a;
  atLeft = args@{ a, ... }: args.a;
  atRight = { a, ... }@args: args.a + a;
  spaced = args @ { a, ... } : a;
  onlyEllipsis = { ... }: 1;
  defaults = { x ? 1, y ? x + 1, z ? { inner = y; } }: z.inner;
  lambdaDefault = { f ? x: x }: f 1;
  curried = a: b: c: a + b + c;
in {
  r1 = id 1;
  r2 = const 1 2;
  r3 = withFormals { a = 1; };
  r4 = strict { a = 2; b = 3; };
  r5 = noArgs { };
  r6 = trailing { a = 1; b = 2; };
  r7 = atLeft { a = 1; };
  r8 = atRight { a = 1; };
  r9 = spaced { a = 3; };
  r10 = onlyEllipsis { x = 1; };
  r11 = defaults { };
  r12 = lambdaDefault { };
  r13 = curried 1 2 3;
  r14 = (x: x * 2) 21;
}
