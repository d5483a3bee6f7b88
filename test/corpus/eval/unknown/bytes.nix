{
  cutUtf8 = builtins.substring 2 2 "héllo";
  badBracket = builtins.match "[]a]+" "a]a";
  badBracket2 = builtins.match "\\[([^]]*)\\]" "[inner]";
}
