{ lib }:
let
  inherit (builtins) stringLength substring genList elemAt length;
  inherit (lib) foldl' concatStringsSep;
in
rec {
  /* Repeat a string n times.

     Example:
       replicate 3 "ab"
       => "ababab"
  */
  replicate = n: s: concatStringsSep "" (genList (_: s) n);

  # Pad a string on the left.
  padLeft = width: char: s:
    let len = stringLength s;
    in if len >= width then s else replicate (width - len) char + s;

  hasPrefix = pref: str: substring 0 (stringLength pref) str == pref;

  hasSuffix = suffix: content:
    let
      lenContent = stringLength content;
      lenSuffix = stringLength suffix;
    in
      lenContent >= lenSuffix
      && substring (lenContent - lenSuffix) lenContent content == suffix;

  last = list: assert list != [ ]; elemAt list (length list - 1);

  sum = foldl' (a: b: a + b) 0;
}
