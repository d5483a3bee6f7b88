let
  a-b = 1;
  a' = 2;
  a'' = 3;
  _private = 4;
  x_1-y'z = 5;
  b = a-b - a';      # subtraction needs spaces around '-'
  c = a-b -a';       # '-a' after a space is still subtraction
in { inherit a-b a' a'' _private x_1-y'z b c; }
