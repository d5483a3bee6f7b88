{
  p = builtins.baseNameOf ./some/file.nix;
  q = builtins.typeOf ./x;
  r = builtins.baseNameOf (./dir + "/sub.nix");
  s = toString (./a/b/.. + "/c") == toString ./a/c;
  t = builtins.dirOf ./a/b == ./a;
  u = let n = "x"; in builtins.baseNameOf ./hosts/${n};
  v = builtins.typeOf (./a + "b");
  w = ./a == ./a/.;
  x = builtins.isPath ./a;
  y = builtins.baseNameOf "/abs/y/";
  z = builtins.dirOf "/abs/z";
  curPos = __curPos;
  curPosShadowed = let __curPos = 1; in __curPos;
  curPosFileName = baseNameOf __curPos.file;
  curPosAfterUnicode = { s = "äö"; p = __curPos; }.p;
  # `<x>` is `__findFile __nixPath "x"`: a `__findFile` in scope answers it (no NIX_PATH needed)
  findFile = let __findFile = nixPath: name: "found-" + name; in <modules/core.nix>;
  findFileNixPath = let __nixPath = [ "p" ]; __findFile = nixPath: name: builtins.head nixPath + name; in <x>;
}
