with builtins;
{
  len = length [ 1 2 3 ];
  hd = head [ 1 2 ];
  tl = tail [ 1 2 3 ];
  at = elemAt [ "a" "b" "c" ] 1;
  mp = map (x: x * 2) [ 1 2 3 ];
  flt = filter (x: x > 1) [ 1 2 3 ];
  fold = foldl' (a: b: a + b) 0 [ 1 2 3 4 ];
  foldStr = foldl' (a: b: a + b) "" [ "x" "y" ];
  gen = genList (i: i * i) 5;
  genBig = length (genList (i: i) 100000);
  cl = concatLists [ [ 1 ] [ ] [ 2 3 ] ];
  cm = concatMap (x: [ x x ]) [ 1 2 ];
  el = [ (elem 2 [ 1 2 ]) (elem 5 [ 1 2 ]) (elem [ 1 ] [ [ 1 ] ]) ];
  an = [ (any (x: x > 2) [ 1 2 3 ]) (any (x: x > 5) [ 1 2 3 ]) (all (x: x > 0) [ 1 2 ]) (all (x: x > 1) [ 1 2 ]) (any (x: true) [ ]) (all (x: false) [ ]) ];
  srt = sort (a: b: a < b) [ 3 1 2 5 4 ];
  srtStable = sort (a: b: a.k < b.k) [ { k = 1; v = 1; } { k = 0; v = 2; } { k = 1; v = 3; } { k = 0; v = 4; } ];
  srtStr = sort lessThan [ "b" "a" "c" ];
  part = partition (x: x > 2) [ 1 2 3 4 ];
  isl = [ (isList [ ]) (isList { }) ];
  closure = genericClosure { startSet = [ { key = 1; } ]; operator = x: if x.key < 5 then [ { key = x.key + 1; } { key = x.key; } ] else [ ]; };
}
