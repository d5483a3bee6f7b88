{ lib }:
{
  concatStrings = lib.concatStrings [ "a" "b" ];
  concatMapStrings = lib.concatMapStrings (x: x + ";") [ "a" "b" ];
  concatMapStringsSep = lib.concatMapStringsSep ", " (x: "<${x}>") [ "a" "b" ];
  optionalString = [ (lib.optionalString true "yes") (lib.optionalString false "yes") ];
  hasPrefix = [ (lib.hasPrefix "foo" "foobar") (lib.hasPrefix "bar" "foobar") ];
  hasSuffix = [ (lib.hasSuffix ".nix" "a.nix") (lib.hasSuffix ".nix" "nix") ];
  hasInfix = [ (lib.hasInfix "oba" "foobar") (lib.hasInfix "x.y" "xzy") ];
  removePrefix = [ (lib.removePrefix "foo" "foobar") (lib.removePrefix "x" "foobar") ];
  removeSuffix = [ (lib.removeSuffix ".nix" "host.nix") (lib.removeSuffix ".x" "host.nix") ];
  splitString = [ (lib.splitString "." "a.b.c") (lib.splitString ", " "x, y") (lib.splitString "/" "") ];
  toLower = lib.toLower "HeLLo";
  toUpper = lib.toUpper "HeLLo";
  stringToCharacters = lib.stringToCharacters "abc";
  escapeShellArg = [ (lib.escapeShellArg "simple") (lib.escapeShellArg "it's here") ];
  escapeShellArgs = lib.escapeShellArgs [ "a" "b c" ];
  intersperse = lib.intersperse "," [ "a" "b" "c" ];
  toInt = [ (lib.toInt "42") (lib.toInt " 007 ") (lib.toInt "-3") ];
  versions = [ (lib.versionAtLeast "23.11" "23.05") (lib.versionOlder "23.11" "24.05") (lib.versions.major "23.11.1") (lib.versions.majorMinor "1.2.3") ];
  trim = lib.strings.trim "  x y  ";
  boolToString = [ (lib.boolToString true) (lib.boolToString false) ];
  getName = [ (lib.getName "hello-2.1") (lib.getVersion "hello-2.1") ];
  escapeRegex = lib.escapeRegex "a.b*";
  makeBinPath = lib.makeBinPath [ "/a" "/b" ];
  concatLines = lib.concatLines [ "a" "b" ];
  hasSuffixOfPath = [ (lib.hasSuffix ".nix" ./strings.nix) (lib.hasSuffix "default.nix" ./strings.nix) (lib.hasSuffix "-strings.nix" ./strings.nix) (lib.hasSuffix "default.strings.nix" ./strings.nix) (lib.hasSuffix "/a/default.nix" ./strings.nix) ];
  hasSuffixOfString = [ (lib.hasSuffix "b" "ab") (lib.hasSuffix "abc" "bc") (lib.hasSuffix "" "x") ];
}
