let
  x = "world";
  n = 3;
in {
  plain = "hello";
  empty = "";
  interp = "hello ${x}";
  nested = "a ${"b ${"c ${x}"}"} d";
  escapes = "tab\t newline\n quote\" backslash\\ dollar\$ cr\r";
  dollarEsc = "$${x} is not interpolated";
  lonelyDollar = "costs $5 and $ and $$";
  dollarEnd = "ends with $";
  braces = "{ not a set }";
  hash = "# not a comment";
  comment = "/* not a comment */";
  multiLine = "line one
line two";
  unicode = "héllo wörld — ✓ 日本語 😀";
  num = "n is ${toString n}";
  arith = "${toString (n + 1)}";
  attrSel = "${({ a = "v"; }).a}";
  listInterp = "${builtins.concatStringsSep "," [ "a" "b" ]}";
}
