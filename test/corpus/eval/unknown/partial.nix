let f = builtins.currentSystem; in
{
  known = 1 + 1;
  a = [ f "x" ];
  b = if f == "x86_64-linux" then 1 else 2;
  c = builtins.attrNames { ${f} = 1; b = 2; };
  d = { ${f} = 1; } ? b;
  e = builtins.length [ f f ];
  g = builtins.stringLength f;
  h = false && f;
  i = true || f;
  j = builtins.tryEval f;
  k = (x: 1) f;
  l = builtins.typeOf f;
}
