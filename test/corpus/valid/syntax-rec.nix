rec {
  a = 1;
  b = a + 1;
  c = { d = b; e = rec { f = 1; g = f; }; };
  h = c.e.g;
}
