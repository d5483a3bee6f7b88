let
  name = "world";
  n = 3;
in
{
  interp = "hello ${name}!";
  nested = "a ${"b ${"c"}"} d";
  indented = ''
    line one
      indented ${name}
    $${not} ''${escaped} '''quote
  '';
  escapes = "tab\there\nnewline \"q\" \\ \${x} $y";
  dollar = "$${name}";
  toStr = "${toString n}";
  multi = ''a'' + ''b'';
  uni = "héllo ✓";
  attrsToString = "${{ __toString = self: "custom"; }}";
  outPath = "${{ outPath = "/some/where"; }}";
  uri = http://example.org/x;
}
