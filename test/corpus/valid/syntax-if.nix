let
  f = x: if x > 0 then "pos" else if x < 0 then "neg" else "zero";
  g = x: if x then if !x then 1 else 2 else 3;
in {
  a = f 1;
  b = f (-1);
  c = f 0;
  d = g true;
  e = [ (if true then 1 else 2) ];
  h = { v = if false then null else { }; };
}
