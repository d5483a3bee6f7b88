# Merging stays one level deep, but a set merged in can still be extended by a path afterwards.
{
  a = { b.d = 2; };
  a.b.c = 1;
  x = { y = 1; };
  x = { z = 2; };
  x = { w = { v = 3; }; };
  x.w.u = 4;
}
