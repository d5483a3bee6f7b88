# 日本語のコメント — émoji 😀 in comments
{
  greeting = "Grüß Gott 👋";
  /* ∀x. x ≠ ⊥ */
  math = "∑ ∫ √";
  indented = ''
    ✓ done — 完了
  '';
}
