let
  set = { or = 1; nested.or.x = 2; };
  set2 = { or = 1; x = { or = 5; }; };
  f = x: x;
in {
  a = set2.or;
  b = set2.x.or or 7;
  c = set2.missing or set2.or;
  d = set.nested.or.x;
  e = set2.x.or;
  g = { inherit (set2) or; };
  h = set2 ? or;
}
