{ lib }:
{
  optional = [ (lib.optional true 1) (lib.optional false 1) ];
  optionals = [ (lib.optionals true [ 1 2 ]) (lib.optionals false [ 1 ]) ];
  foldr = lib.foldr (x: acc: "${toString x}${acc}") "" [ 1 2 3 ];
  foldl = lib.foldl (acc: x: "${acc}${toString x}") "" [ 1 2 3 ];
  flatten = lib.flatten [ 1 [ 2 [ 3 [ ] ] ] 4 ];
  unique = lib.unique [ 1 2 1 3 2 ];
  range = [ (lib.range 1 5) (lib.range 3 2) ];
  last = lib.last [ 1 2 3 ];
  init = lib.init [ 1 2 3 ];
  take = lib.take 2 [ 1 2 3 ];
  drop = lib.drop 2 [ 1 2 3 ];
  sublist = lib.sublist 1 5 [ 1 2 3 ];
  reverseList = lib.reverseList [ 1 2 3 ];
  toList = [ (lib.toList 1) (lib.toList [ 1 ]) ];
  imap0 = lib.imap0 (i: v: i * v) [ 5 6 ];
  imap1 = lib.imap1 (i: v: "${toString i}${v}") [ "a" "b" ];
  count = lib.count (x: x > 1) [ 1 2 3 ];
  findFirst = [ (lib.findFirst (x: x > 1) 0 [ 1 2 3 ]) (lib.findFirst (x: x > 5) 0 [ 1 ]) ];
  remove = lib.remove 2 [ 1 2 3 2 ];
  subtract = lib.subtractLists [ 2 ] [ 1 2 3 ];
  intersect = lib.intersectLists [ 2 3 ] [ 1 2 3 ];
  zipLists = lib.zipLists [ 1 2 ] [ "a" "b" "c" ];
  singleton = lib.singleton 1;
  forEach = lib.forEach [ 1 2 ] (x: x + 1);
  pipe = lib.pipe 2 [ (x: x + 1) (x: x * 10) ];
  flip = lib.flip builtins.sub 1 10;
  id = lib.id 3;
  const = lib.const 1 2;
  fix = (lib.fix (self: { a = 1; b = self.a + 1; })).b;
  sort = lib.sort (a: b: a < b) [ 2 1 ];
  groupBy = lib.groupBy (x: toString (x > 1)) [ 1 2 3 ];
  concatMap = lib.lists.concatMap (x: [ x ]) [ 1 ];
  replicate = lib.replicate 3 "a";
  findFirstIndex = [ (lib.lists.findFirstIndex (x: x > 2) null [ 1 2 3 4 ]) (lib.lists.findFirstIndex (x: x > 9) (-1) [ 1 2 ]) ];
}
