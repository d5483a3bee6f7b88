with builtins;
{
  len = [ (stringLength "hello") (stringLength "") (stringLength "é✓") ];
  sub = [ (substring 1 3 "hello") (substring 0 100 "hi") (substring 3 1 "ab") (substring 1 (-1) "abc") ];
  sep = concatStringsSep ", " [ "a" "b" "c" ];
  sepEmpty = concatStringsSep "-" [ ];
  rep = [
    (replaceStrings [ "a" ] [ "b" ] "banana")
    (replaceStrings [ "an" "a" ] [ "AN" "A" ] "banana")
    (replaceStrings [ "" ] [ "-" ] "abc")
    (replaceStrings [ "x" "" ] [ "y" "_" ] "axb")
    (replaceStrings [ ] [ ] "same")
  ];
  base = [ (baseNameOf "/a/b/c.nix") (baseNameOf "c") (baseNameOf "/a/b/") (baseNameOf "") (baseNameOf "/") ];
  dir = [ (dirOf "/a/b/c") (dirOf "c") (dirOf "/c") (dirOf "/a/b/") ];
  ts = [ (toString 1) (toString true) (toString false) (toString null) (toString [ 1 "a" [ 2 ] ]) (toString 1.5) (toString "s") (toString [ [ ] 1 [ ] 2 ]) (toString (-3)) ];
  hash = [ (hashString "md5" "abc") (hashString "sha1" "abc") (hashString "sha256" "abc") (hashString "sha512" "") ];
  ver = [ (compareVersions "1.2" "1.10") (compareVersions "1.0" "1.0") (compareVersions "2.0pre" "2.0") (compareVersions "1.2a" "1.2.1") (compareVersions "1.2.3" "1.2") (compareVersions "" "1") ];
  splitV = [ (splitVersion "1.2.3") (splitVersion "2.0pre-rc1") (splitVersion "a.b-c") (splitVersion "") ];
  drv = [ (parseDrvName "hello-2.10") (parseDrvName "nix-unstable-2.4pre") (parseDrvName "foo") (parseDrvName "a-b-c-1") ];
  types = map typeOf [ 1 1.0 "s" ./x null true [ ] { } (x: x) map (map (x: x)) ];
  isx = [ (isString "a") (isString 1) (isInt 1) (isInt 1.0) (isFloat 1.0) (isBool false) (isFunction map) (isFunction (x: x)) (isNull null) (isPath ./x) ];
}
