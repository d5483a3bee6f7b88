{ lib }:
let s = { a = 1; b = { c = 2; d = { e = 3; }; }; }; in
{
  genAttrs = lib.genAttrs [ "x" "y" ] (n: "host-${n}");
  nvp = lib.nameValuePair "k" 1;
  mapAttrs' = lib.mapAttrs' (n: v: lib.nameValuePair "${n}-x" (v + 1)) { a = 1; b = 2; };
  filterAttrs = lib.filterAttrs (n: v: v > 1) { a = 1; b = 2; c = 3; };
  recursiveUpdate = lib.recursiveUpdate { a = { b = 1; c = 2; }; d = 1; } { a = { c = 3; e = 4; }; d = { x = 1; }; };
  attrByPath = [ (lib.attrByPath [ "b" "d" "e" ] 0 s) (lib.attrByPath [ "b" "x" ] 0 s) ];
  setAttrByPath = lib.setAttrByPath [ "a" "b" "c" ] 1;
  hasAttrByPath = [ (lib.hasAttrByPath [ "b" "c" ] s) (lib.hasAttrByPath [ "b" "q" ] s) ];
  getAttrFromPath = lib.getAttrFromPath [ "b" "d" ] s;
  collect = lib.collect builtins.isInt s;
  mapAttrsToList = lib.mapAttrsToList (n: v: "${n}:${toString v}") { x = 1; y = 2; };
  attrsToList = lib.attrsToList { x = 1; y = 2; };
  concatMapAttrs = lib.concatMapAttrs (n: v: { "${n}1" = v; "${n}2" = v * 2; }) { a = 1; b = 2; };
  foldlAttrs = lib.foldlAttrs (acc: n: v: acc + v) 0 { a = 1; b = 2; };
  foldAttrs = lib.foldAttrs (v: acc: [ v ] ++ acc) [ ] [ { a = 1; b = 2; } { a = 3; } { b = 4; c = 5; } ];
  mapAttrsRecursive = lib.mapAttrsRecursive (path: v: builtins.concatStringsSep "." path) s;
  optionalAttrs = [ (lib.optionalAttrs true { a = 1; }) (lib.optionalAttrs false { a = 1; }) ];
  zipAttrs = lib.zipAttrs [ { a = 1; } { a = 2; b = 3; } ];
  isDerivation = lib.isDerivation { type = "derivation"; };
  filterAttrsRecursive = lib.filterAttrsRecursive (n: v: n != "e") s;
  sub = lib.attrsets.filterAttrs (n: v: true) { z = 0; };
  mergeAttrsList = lib.attrsets.mergeAttrsList [ { a = 1; b = 1; } { b = 2; } { } { c = 3; a = 4; } ];
  mergeAttrsListEmpty = lib.mergeAttrsList [ ];
  importApply = builtins.attrNames (lib.modules.importApply ./extend.nix { inherit lib; });
  callPackageWith = (lib.callPackageWith { a = 1; b = 2; c = 3; } ({ a, b ? 5, ... }: { sum = a + b; }) { b = 10; }).sum;
  listFilesRecursive = map baseNameOf (lib.filesystem.listFilesRecursive ./.);
  filesetToList = map baseNameOf (lib.fileset.toList (lib.fileset.fileFilter (f: f.hasExt "nix" && f.name != "lists.nix") ./.));
  filesetUnions = map baseNameOf (lib.fileset.toList (lib.fileset.unions [ ./extend.nix (lib.fileset.maybeMissing ./absent.nix) ./strings.nix ]));
}
