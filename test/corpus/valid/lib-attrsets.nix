{ lib ? null }:
let
  inherit (builtins) attrNames listToAttrs filter hasAttr getAttr isAttrs;
in
rec {
  mapAttrs' = f: set:
    listToAttrs (map (attr: f attr set.${attr}) (attrNames set));

  nameValuePair = name: value: { inherit name value; };

  filterAttrs = pred: set:
    listToAttrs (builtins.concatMap
      (name: let v = set.${name}; in if pred name v then [ (nameValuePair name v) ] else [ ])
      (attrNames set));

  attrByPath = attrPath: default: e:
    let attr = builtins.head attrPath;
    in
      if attrPath == [ ] then e
      else if e ? ${attr}
      then attrByPath (builtins.tail attrPath) default e.${attr}
      else default;

  recursiveUpdate = lhs: rhs:
    lhs // builtins.mapAttrs
      (name: value:
        if hasAttr name lhs && isAttrs value && isAttrs (getAttr name lhs)
        then recursiveUpdate (getAttr name lhs) value
        else value)
      rhs;

  optionalAttrs = cond: as: if cond then as else { };

  isDerivation = value: value.type or null == "derivation";

  onlyNames = set: filter (n: n != "_module") (attrNames set);
}
