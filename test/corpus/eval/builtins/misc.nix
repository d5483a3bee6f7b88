{
  underscore = [ (__add 1 2) (__length [ 1 ]) (__isString "s") ];
  toPath = builtins.toPath "/a/../b/./c";
  discard = builtins.unsafeDiscardStringContext "x";
  context = builtins.hasContext "plain";
  letInherit = let inherit ({ a = 1; b = 2; }) a b; in a + b;
  globals = [ (map (x: x + 1) [ 1 ]) (removeAttrs { a = 1; } [ "a" ]) (isNull 1) (baseNameOf "a/b") (dirOf "a/b") (toString 2) ];
  builtinsValue = builtins.isAttrs builtins && builtins ? map;
  shadowed = let map = 1; in map;
  withCannotShadowBuiltins = with { true = false; }; true;
  nestedFunctors = let f = { __functor = self: a: b: a + b; }; in f 1 2;
  stringsCompare = builtins.sort builtins.lessThan [ "b" "B" "a" "_" "10" "9" ];
  intDivNeg = [ (builtins.div (-7) 2) (-7 / 2) (7 / (-2)) ];
  bigInt = 9007199254740991 - 1;
  emptyStrs = [ "" '''' ];
  floatsCmp = [ (1.5 == 1.5) (0.1 + 0.2 == 0.3) (2 > 1.5) ];
}
