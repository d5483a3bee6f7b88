with builtins;
{
  m = [
    (match "a(b)c" "abc")
    (match "a(b)?c" "ac")
    (match "(.*)\\.nix" "default.nix")
    (match "[[:digit:]]+" "123")
    (match "[[:alpha:]]+" "abc1")
    (match "([a-z]+)-([0-9.]+)" "hello-2.10")
    (match "x" "yxy")
    (match ".*x.*" "yxy")
    (match "[^a]*" "bcd")
    (match "a{2,3}" "aaa")
    (match "(a|b)+" "abab")
    (match "[a-]+" "a-a")
    (match "\\[([^a]*)" "[inner")
    (match "a.b" "a\nb")
    (match "(é)" "é")
    (match "" "")
    (match "[[:space:]]*(.*)" "  x")
  ];
  s = [
    (split "," "a,b,c")
    (split "(a)|b" "xaybz")
    (split "a*" "baaac")
    (split "x" "")
    (split "([0-9]+)" "a1b22c")
    (split "" "ab")
    (split "[[:space:]]+" " a  b ")
  ];
}
