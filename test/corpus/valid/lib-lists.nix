{ lib ? null }:
let
  inherit (builtins) length elemAt genList foldl' head tail;
in rec {
  range = first: last: if first > last then [ ] else genList (n: first + n) (last - first + 1);
  reverseList = xs: let l = length xs; in genList (n: elemAt xs (l - n - 1)) l;
  foldr = op: nul: list:
    let
      len = length list;
      fold' = n: if n == len then nul else op (elemAt list n) (fold' (n + 1));
    in fold' 0;
  flatten = x: if builtins.isList x then builtins.concatMap flatten x else [ x ];
  unique = foldl' (acc: e: if builtins.elem e acc then acc else acc ++ [ e ]) [ ];
  take = count: list: genList (n: elemAt list n) (if count > length list then length list else count);
  count = pred: foldl' (c: x: if pred x then c + 1 else c) 0;
  last = list: elemAt list (length list - 1);
  zip = a: b: genList (i: { fst = elemAt a i; snd = elemAt b i; }) (if length a < length b then length a else length b);
  first = head;
  rest = tail;
}
