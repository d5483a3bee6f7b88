let
  fix = f: let x = f x; in x;
  extends = f: rattrs: self: let super = rattrs self; in super // f self super;
  base = self: { a = 1; b = self.a + 1; };
  ext = self: super: { a = 10; c = super.b * 2; };
in
  fix (extends ext base)
