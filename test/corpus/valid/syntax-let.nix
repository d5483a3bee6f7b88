let
  a = 1;
  b = a + 1;
  inherit (builtins) length head;
  nested = let inner = 2; in inner * b;
  "quoted" = 3;
  ${"dynamic-static"} = 4;
  emptyLet = let in 5;
in
  let c = a + b + nested; in
  { inherit a b c; d = length [ 1 2 ]; e = head [ quoted ]; f = emptyLet; }
