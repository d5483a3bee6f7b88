// nixkit's model of nixpkgs `lib`, as Nix source evaluated by nixkit's own evaluator (nixpkgs-lib.ts). It is
// plain Nix: the differential tests run it through `nix-instantiate` too, and each function must give what the
// same call gives there. The definitions follow nixpkgs' lib (attrsets.nix, lists.nix, strings.nix, trivial.nix,
// fixed-points.nix, versions.nix); the module-system functions nixkit must recognise (mkIf, mkMerge, …,
// nixosSystem) and the builders that must keep the locations of what they are given (genAttrs, nameValuePair,
// optional(s), recursiveUpdate, …) come from `natives`, which overrides the Nix definitions here. `open` is
// an empty set that nixkit marks as possibly holding more names: a function this model lacks is unknown, not
// missing. Both are `{ }` under real Nix.
export const NIXPKGS_LIB_SOURCE = String.raw`{ natives ? { }, open ? { } }:
let
  n = natives;
  inherit (builtins)
    attrNames attrValues concatLists concatMap concatStringsSep elem elemAt filter foldl' genList head
    isAttrs isList isString isFunction length listToAttrs map mapAttrs match replaceStrings split
    stringLength substring tail zipAttrsWith compareVersions splitVersion parseDrvName readFile fromJSON
    toJSON catAttrs removeAttrs;

  # trivial
  id = x: x;
  const = x: y: x;
  flip = f: a: b: f b a;
  pipe = builtins.foldl' (x: f: f x);
  concat = x: y: x ++ y;
  and = x: y: x && y;
  boolToString = b: if b then "true" else "false";
  mergeAttrs = x: y: x // y;
  max = x: y: if x > y then x else y;
  min = x: y: if x < y then x else y;
  mod = base: int: base - (int * (builtins.div base int));
  warn = msg: builtins.trace "warning: ${'$'}{msg}";
  warnIf = cond: msg: if cond then warn msg else id;
  warnIfNot = cond: msg: if cond then id else warn msg;
  throwIf = cond: msg: if cond then throw msg else id;
  throwIfNot = cond: msg: if cond then id else throw msg;
  assertMsg = pred: msg: pred || throw msg;
  defaultTo = default: maybeValue: if maybeValue != null then maybeValue else default;
  toFunction = v: if isFunction v then v else k: v;
  importJSON = path: fromJSON (readFile path);
  importTOML = path: builtins.fromTOML (readFile path);

  # fixed points
  fix = f: let x = f x; in x;
  fix' = f: let x = f x // { __unfix__ = f; }; in x;
  extends = f: rattrs: self: let super = rattrs self; in super // f self super;
  composeExtensions = f: g: final: prev:
    let fApplied = f final prev; prev' = prev // fApplied; in fApplied // g final prev';
  composeManyExtensions = builtins.foldl' (x: y: composeExtensions x y) (final: prev: { });
  makeExtensibleWithCustomName = extenderName: rattrs:
    fix' (self: (rattrs self) // {
      ${'$'}{extenderName} = f: makeExtensibleWithCustomName extenderName (extends f rattrs);
    });
  makeExtensible = makeExtensibleWithCustomName "extend";

  # attrsets
  nameValuePair = n.nameValuePair or (name: value: { inherit name value; });
  genAttrs = n.genAttrs or (names: f: listToAttrs (map (n: nameValuePair n (f n)) names));
  optionalAttrs = n.optionalAttrs or (cond: as: if cond then as else { });
  attrByPath = attrPath: default: set:
    let
      len = length attrPath;
      go = i: s: if i == len then s else
        let attr = elemAt attrPath i; in if s ? ${'$'}{attr} then go (i + 1) s.${'$'}{attr} else default;
    in go 0 set;
  hasAttrByPath = attrPath: e:
    let
      len = length attrPath;
      go = i: s: if i == len then true else
        let attr = elemAt attrPath i; in if s ? ${'$'}{attr} then go (i + 1) s.${'$'}{attr} else false;
    in go 0 e;
  setAttrByPath = attrPath: value:
    let
      len = length attrPath;
      atDepth = i: if i == len then value else { ${'$'}{elemAt attrPath i} = atDepth (i + 1); };
    in atDepth 0;
  getAttrFromPath = attrPath: set:
    attrByPath attrPath (throw "cannot find attribute '${'$'}{concatStringsSep "." attrPath}'") set;
  attrVals = nameList: set: map (x: set.${'$'}{x}) nameList;
  getAttrs = names: attrs: genAttrs names (name: attrs.${'$'}{name});
  collect = pred: attrs:
    if pred attrs then [ attrs ]
    else if isAttrs attrs then concatMap (collect pred) (attrValues attrs)
    else [ ];
  filterAttrs = pred: set: removeAttrs set (filter (name: !pred name set.${'$'}{name}) (attrNames set));
  filterAttrsRecursive = pred: set:
    listToAttrs (concatMap (name:
      let v = set.${'$'}{name}; in
      if pred name v then [ (nameValuePair name (if isAttrs v then filterAttrsRecursive pred v else v)) ]
      else [ ]) (attrNames set));
  mapAttrs' = f: set: listToAttrs (map (attr: f attr set.${'$'}{attr}) (attrNames set));
  mapAttrsToList = f: attrs: map (name: f name attrs.${'$'}{name}) (attrNames attrs);
  attrsToList = mapAttrsToList nameValuePair;
  concatMapAttrs = f: v: builtins.foldl' mergeAttrs { } (attrValues (mapAttrs f v));
  foldlAttrs = f: init: set: builtins.foldl' (acc: name: f acc name set.${'$'}{name}) init (attrNames set);
  mapAttrsRecursiveCond = cond: f: set:
    let
      recurse = path:
        mapAttrs (name: value:
          if isAttrs value && cond value then recurse (path ++ [ name ]) value else f (path ++ [ name ]) value);
    in recurse [ ] set;
  mapAttrsRecursive = mapAttrsRecursiveCond (as: true);
  # lib.customisation: the real one also gives the result override functions, which this model does not.
  makeOverridable = f: args: f args;
  # Every name of the sets, with its values (in list order) folded from the right.
  foldAttrs = op: nul: list: zipAttrsWith (name: values: foldr op nul values) list;
  zipAttrs = zipAttrsWith (name: values: values);
  isDerivation = value: value.type or null == "derivation";
  recursiveUpdateUntil = pred: lhs: rhs:
    let
      f = attrPath: zipAttrsWith (n: values:
        let here = attrPath ++ [ n ]; in
        if length values == 1 || pred here (elemAt values 1) (head values) then head values
        else f here values);
    in f [ ] [ rhs lhs ];
  recursiveUpdate = n.recursiveUpdate or (lhs: rhs:
    recursiveUpdateUntil (path: lhs: rhs: !(isAttrs lhs && isAttrs rhs)) lhs rhs);

  # Later sets win, as with the update operator (nixpkgs merges pairwise for speed; the result is the same).
  mergeAttrsList = list: builtins.foldl' (acc: x: acc // x) { } list;
  # lists
  optional = n.optional or (cond: elem: if cond then [ elem ] else [ ]);
  optionals = n.optionals or (cond: elems: if cond then elems else [ ]);
  foldr = op: nul: list:
    let len = length list; fold' = i: if i == len then nul else op (elemAt list i) (fold' (i + 1));
    in fold' 0;
  foldl = op: nul: list: builtins.foldl' op nul list;
  fold = foldr;
  flatten = x: if isList x then concatMap (y: flatten y) x else [ x ];
  unique = builtins.foldl' (acc: e: if elem e acc then acc else acc ++ [ e ]) [ ];
  allUnique = list: length (unique list) == length list;
  range = first: last: if first > last then [ ] else genList (i: first + i) (last - first + 1);
  sublist = start: count: list:
    let len = length list; in
    genList (i: elemAt list (i + start))
      (if start >= len then 0 else if start + count > len then len - start else count);
  take = count: sublist 0 count;
  drop = count: list: sublist count (length list) list;
  last = list: if list == [ ] then throw "lists.last: list must not be empty!" else elemAt list (length list - 1);
  init = list: if list == [ ] then throw "lists.init: list must not be empty!" else take (length list - 1) list;
  reverseList = xs: let l = length xs; in genList (i: elemAt xs (l - i - 1)) l;
  toList = x: if isList x then x else [ x ];
  singleton = x: [ x ];
  forEach = xs: f: map f xs;
  imap0 = f: list: genList (i: f i (elemAt list i)) (length list);
  imap1 = f: list: genList (i: f (i + 1) (elemAt list i)) (length list);
  count = pred: builtins.foldl' (c: x: if pred x then c + 1 else c) 0;
  findFirstIndex = pred: default: list:
    let found = filter (i: pred (elemAt list i)) (genList (i: i) (length list));
    in if found == [ ] then default else head found;
  findFirst = pred: default: list: let found = filter pred list; in if found == [ ] then default else head found;
  findSingle = pred: default: multiple: list:
    let found = filter pred list; len = length found; in
    if len == 0 then default else if len != 1 then multiple else head found;
  remove = e: filter (x: x != e);
  subtractLists = e: filter (x: !(elem x e));
  intersectLists = e: filter (x: elem x e);
  zipListsWith = f: fst: snd: genList (i: f (elemAt fst i) (elemAt snd i)) (min (length fst) (length snd));
  zipLists = zipListsWith (fst: snd: { inherit fst snd; });
  replicate = k: x: genList (_: x) k;
  ifilter0 = ipred: input:
    map (idx: elemAt input idx) (filter (idx: ipred idx (elemAt input idx)) (genList (x: x) (length input)));
  groupBy' = op: nul: pred: lst: mapAttrs (name: foldl op nul) (builtins.groupBy pred lst);
  mutuallyExclusive = a: b: length a == 0 || !(builtins.any (x: elem x a) b);

  # strings
  concatStrings = concatStringsSep "";
  concatMapStrings = f: list: concatStrings (map f list);
  concatMapStringsSep = sep: f: list: concatStringsSep sep (map f list);
  concatImapStrings = f: list: concatStrings (imap1 f list);
  concatImapStringsSep = sep: f: list: concatStringsSep sep (imap1 f list);
  concatLines = concatMapStrings (s: s + "\n");
  optionalString = n.optionalString or (cond: string: if cond then string else "");
  intersperse = separator: list:
    if list == [ ] || length list == 1 then list else tail (concatMap (x: [ separator x ]) list);
  hasPrefix = pref: str: substring 0 (stringLength pref) str == pref;
  hasSuffix = n.hasSuffix or (suffix: content:
    let lenContent = stringLength content; lenSuffix = stringLength suffix; in
    lenContent >= lenSuffix && substring (lenContent - lenSuffix) lenContent content == suffix);
  stringToCharacters = s: genList (p: substring p 1 s) (stringLength s);
  escape = list: replaceStrings list (map (c: "\\${'$'}{c}") list);
  escapeRegex = escape (stringToCharacters "\\[{()^$?*+|.");
  replaceString = from: to: replaceStrings [ from ] [ to ];
  hasInfix = infix: content: match ".*${'$'}{escapeRegex infix}.*" "${'$'}{content}" != null;
  removePrefix = prefix: str:
    let preLen = stringLength prefix; in
    if substring 0 preLen str == prefix then substring preLen (-1) str else str;
  removeSuffix = suffix: str:
    let sufLen = stringLength suffix; sLen = stringLength str; in
    if sufLen <= sLen && suffix == substring (sLen - sufLen) sufLen str then substring 0 (sLen - sufLen) str
    else str;
  splitString = sep: s: filter isString (split (escapeRegex (toString sep)) (toString s));
  lowerChars = stringToCharacters "abcdefghijklmnopqrstuvwxyz";
  upperChars = stringToCharacters "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  toLower = replaceStrings upperChars lowerChars;
  toUpper = replaceStrings lowerChars upperChars;
  escapeShellArg = arg:
    let string = toString arg; in
    if match "[[:alnum:],._+:@%/-]+" string == null
    then "'${'$'}{replaceStrings [ "'" ] [ "'\\''" ] string}'"
    else string;
  escapeShellArgs = concatMapStringsSep " " escapeShellArg;
  fileContents = file: removeSuffix "\n" (readFile file);
  trim = s:
    let m = match "[[:space:]]*(.*[^[:space:]])[[:space:]]*" s; in if m == null then "" else head m;
  toInt = str:
    let m = match "[[:space:]]*(-?)0*([0-9]+)[[:space:]]*" str; in
    if m == null then throw "Could not convert ${'$'}{str} to int."
    else fromJSON (elemAt m 0 + elemAt m 1);
  toIntBase10 = toInt;
  versionOlder = v1: v2: compareVersions v2 v1 == 1;
  versionAtLeast = v1: v2: !versionOlder v1 v2;
  getName = x: if isString x then (parseDrvName x).name else x.pname or (parseDrvName x.name).name;
  getVersion = x: if isString x then (parseDrvName x).version else x.version or (parseDrvName x.name).version;
  enableFeature = flag: feature: (if flag then "--enable-" else "--disable-") + feature;
  withFeature = flag: feature: (if flag then "--with-" else "--without-") + feature;
  makeSearchPath = subDir: paths: concatStringsSep ":" (map (path: path + "/" + subDir) (filter (x: x != null) paths));
  makeBinPath = makeSearchPath "bin";

  versions = {
    splitVersion = splitVersion;
    major = v: elemAt (splitVersion v) 0;
    minor = v: elemAt (splitVersion v) 1;
    patch = v: elemAt (splitVersion v) 2;
    majorMinor = v: concatStringsSep "." (take 2 (splitVersion v));
  } // open;

  # modules and options (the mk* markers are natives in nixkit)
  mkIf = n.mkIf or (condition: content: { _type = "if"; inherit condition content; });
  mkMerge = n.mkMerge or (contents: { _type = "merge"; inherit contents; });
  # A module file that takes an argument before it is a module (the real one also records the file's name).
  importApply = modulePath: staticArg: import modulePath staticArg;
  mkOverride = n.mkOverride or (priority: content: { _type = "override"; inherit priority content; });
  mkOptionDefault = n.mkOptionDefault or (mkOverride 1500);
  mkDefault = n.mkDefault or (mkOverride 1000);
  mkImageMediaOverride = n.mkImageMediaOverride or (mkOverride 60);
  mkForce = n.mkForce or (mkOverride 50);
  mkVMOverride = n.mkVMOverride or (mkOverride 10);
  mkOrder = n.mkOrder or (priority: content: { _type = "order"; inherit priority content; });
  mkBefore = n.mkBefore or (mkOrder 500);
  mkAfter = n.mkAfter or (mkOrder 1500);
  mkRemovedOptionModule = n.mkRemovedOptionModule or (optionName: replacementInstructions: { });
  mkRenamedOptionModule = n.mkRenamedOptionModule or (from: to: { });
  mkRenamedOptionModuleWith = n.mkRenamedOptionModuleWith or (args: { });
  mkAliasOptionModule = n.mkAliasOptionModule or (from: to: { });
  mkChangedOptionModule = n.mkChangedOptionModule or (from: to: f: { });
  mkMergedOptionModule = n.mkMergedOptionModule or (from: to: f: { });
  mkOption = attrs: attrs // { _type = "option"; };
  mkEnableOption = name: mkOption {
    default = false;
    example = true;
    description = "Whether to enable ${'$'}{name}.";
    type = types.bool;
  };
  mkPackageOption = pkgs: name: extra: mkOption { type = types.package; };
  mkSinkUndeclaredOptions = attrs: mkOption { internal = true; visible = false; };
  literalExpression = text: { _type = "literalExpression"; inherit text; };
  literalMD = text: { _type = "literalMD"; inherit text; };
  literalExample = literalExpression;
  mdDoc = x: x;
  mkOptionType = attrs: attrs // { _type = "option-type"; };
  simpleType = name: mkOptionType { inherit name; };
  wrapType = name: elemType: mkOptionType { inherit name; nestedTypes.elemType = elemType; };
  types = {
    str = simpleType "str";
    string = simpleType "string";
    bool = simpleType "bool";
    int = simpleType "int";
    float = simpleType "float";
    number = simpleType "number";
    path = simpleType "path";
    package = simpleType "package";
    attrs = simpleType "attrs";
    anything = simpleType "anything";
    unspecified = simpleType "unspecified";
    raw = simpleType "raw";
    lines = simpleType "lines";
    commas = simpleType "commas";
    envVar = simpleType "envVar";
    port = simpleType "port";
    nonEmptyStr = simpleType "nonEmptyStr";
    singleLineStr = simpleType "singleLineStr";
    pathInStore = simpleType "pathInStore";
    shellPackage = simpleType "shellPackage";
    ints = {
      unsigned = simpleType "unsignedInt";
      positive = simpleType "positiveInt";
      u8 = simpleType "unsignedInt8";
      u16 = simpleType "unsignedInt16";
      u32 = simpleType "unsignedInt32";
      s8 = simpleType "signedInt8";
      s16 = simpleType "signedInt16";
      s32 = simpleType "signedInt32";
      between = lowest: highest: simpleType "intBetween";
    } // open;
    separatedString = sep: simpleType "separatedString";
    strMatching = pattern: simpleType "strMatching";
    enum = values: mkOptionType { name = "enum"; functor.payload = values; };
    listOf = wrapType "listOf";
    attrsOf = wrapType "attrsOf";
    lazyAttrsOf = wrapType "lazyAttrsOf";
    nullOr = wrapType "nullOr";
    uniq = wrapType "uniq";
    unique = { message }: wrapType "unique";
    functionTo = wrapType "functionTo";
    either = t1: t2: mkOptionType { name = "either"; };
    oneOf = ts: mkOptionType { name = "oneOf"; };
    coercedTo = coercedType: coerceFunc: finalType: mkOptionType { name = "coercedTo"; };
    submodule = modules: mkOptionType { name = "submodule"; };
    submoduleWith = args: mkOptionType { name = "submodule"; };
    deferredModule = simpleType "deferredModule";
    addCheck = elemType: check: elemType;
  } // open;

  nixosSystem = n.nixosSystem or (args: throw "nixosSystem needs nixpkgs");

  attrsets = {
    inherit attrByPath hasAttrByPath setAttrByPath getAttrFromPath attrVals getAttrs collect filterAttrs
      filterAttrsRecursive mapAttrs' mapAttrsToList attrsToList concatMapAttrs foldlAttrs foldAttrs mapAttrsRecursive
      mapAttrsRecursiveCond zipAttrs isDerivation recursiveUpdateUntil recursiveUpdate nameValuePair genAttrs
      optionalAttrs attrNames attrValues catAttrs mapAttrs zipAttrsWith listToAttrs removeAttrs mergeAttrsList;
  } // open;
  lists = {
    inherit optional optionals foldr foldl fold flatten unique allUnique range sublist take drop last init
      reverseList toList singleton forEach imap0 imap1 count findFirst findFirstIndex findSingle remove subtractLists
      intersectLists zipListsWith zipLists replicate ifilter0 groupBy' mutuallyExclusive concatLists concatMap
      elem elemAt filter genList head tail length map;
    foldl' = builtins.foldl';
  } // open;
  strings = {
    inherit concatStrings concatMapStrings concatMapStringsSep concatImapStrings concatImapStringsSep
      concatLines optionalString intersperse hasPrefix hasSuffix stringToCharacters escape escapeRegex
      hasInfix removePrefix removeSuffix splitString lowerChars upperChars toLower toUpper escapeShellArg
      escapeShellArgs fileContents trim toInt toIntBase10 versionOlder versionAtLeast getName getVersion
      enableFeature withFeature makeSearchPath makeBinPath concatStringsSep replaceStrings replaceString
      stringLength
      substring match split;
  } // open;
  trivial = {
    inherit id const flip pipe concat and boolToString mergeAttrs max min mod warn warnIf warnIfNot throwIf
      throwIfNot defaultTo toFunction importJSON importTOML;
  } // open;
  fixedPoints = { inherit fix fix' extends composeExtensions composeManyExtensions makeExtensible
    makeExtensibleWithCustomName; } // open;
  modules = {
    inherit mkIf mkMerge mkOverride mkOptionDefault mkDefault mkImageMediaOverride mkForce mkVMOverride
      mkOrder mkBefore mkAfter mkRemovedOptionModule mkRenamedOptionModule mkRenamedOptionModuleWith
      mkAliasOptionModule mkChangedOptionModule mkMergedOptionModule importApply;
  } // open;
  options = {
    inherit mkOption mkEnableOption mkPackageOption mkSinkUndeclaredOptions literalExpression literalMD
      literalExample mdDoc;
  } // open;

  # lib.customisation: a function (or a file holding one) called with the arguments it names from autoArgs,
  # then args. The real one adds an override function to the result, which this model does not: it may hold more names.
  callPackageWith = autoArgs: fn: args:
    let
      f = if isFunction fn then fn else import fn;
      result = f (builtins.intersectAttrs (builtins.functionArgs f) autoArgs // args);
    in if isAttrs result then result // open else result;
  customisation = { inherit callPackageWith makeOverridable; } // open;

  # lib.filesystem: hosts and modules found by walking a folder.
  listFilesRecursive = dir: flatten (mapAttrsToList (name: type:
    if type == "directory" then listFilesRecursive (dir + "/${'$'}{name}") else dir + "/${'$'}{name}") (builtins.readDir dir));
  filesystem = { inherit listFilesRecursive; } // open;

  # lib.fileset, as far as listing files goes (hand-made import trees): a file set is the list of its files.
  # The real one keeps a tree and sorts toList; what imports need is which files, not their order.
  filesetOf = x:
    if isAttrs x && x._type or null == "fileset" then x
    else if builtins.isPath x then {
      _type = "fileset";
      _files = if (builtins.readDir (dirOf x)).${'$'}{baseNameOf x} or null == "directory" then listFilesRecursive x else [ x ];
    }
    else throw "lib.fileset: not a file set or a path";
  fileInfo = file: let name = baseNameOf file; in {
    inherit name;
    type = "regular";
    hasExt = ext: hasSuffix ".${'$'}{ext}" name;
  };
  fileset = {
    toList = fs: (filesetOf fs)._files;
    fileFilter = pred: root: {
      _type = "fileset";
      _files = filter (f: pred (fileInfo f)) (filesetOf root)._files;
    };
    unions = list: { _type = "fileset"; _files = concatMap (x: (filesetOf x)._files) list; };
    union = a: b: fileset.unions [ a b ];
    difference = a: b:
      let drop = (filesetOf b)._files; in
      { _type = "fileset"; _files = filter (f: !(elem f drop)) (filesetOf a)._files; };
    maybeMissing = p: if builtins.pathExists p then filesetOf p else { _type = "fileset"; _files = [ ]; };
  } // open;

  # lib.path: joining a subpath onto a path value (the real one also validates the subpath).
  libPath = { append = base: subpath: base + ("/" + subpath); } // open;

  libFun = self: attrsets // lists // strings // trivial // fixedPoints // modules // options // {
    path = libPath;
    inherit attrsets lists strings trivial fixedPoints modules options versions types nixosSystem filesystem
      assertMsg mkOptionType customisation callPackageWith makeOverridable fileset;
    inherit (builtins) isAttrs isList isString isInt isBool isFunction isPath isFloat typeOf any all sort
      partition groupBy seq deepSeq trace tryEval baseNameOf dirOf pathExists readFile readDir fromJSON
      toJSON hashString add sub mul div bitAnd bitOr bitXor lessThan ceil floor compareVersions
      splitVersion parseDrvName genericClosure functionArgs hasAttr getAttr intersectAttrs;
    isNull = x: x == null;
  } // open;
in
makeExtensible libFun
`;
