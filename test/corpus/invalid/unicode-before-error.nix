{
  greeting = "héllo wörld 😀";
  other = "日本" + "語"
  last = "✓";
}
