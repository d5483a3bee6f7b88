let
  name = "dyn";
  other = { a = 1; b = 2; c = 3; };
in {
  plain = 1;
  "quoted key" = 2;
  "with.dot" = 3;
  ${name} = 4;
  "${name}-suffix" = 5;
  nested.deep.attr = 6;
  nested.deep.other = 7;
  nested.${name} = 8;
  ab.b = { c = 9; };
  inherit name;
  inherit (other) a b;
  inherit (other) ;
  inherit (other) "c";
  selected = other.a;
  selectedStr = other."b";
  selectedDyn = other.${"a"};
  selectedInterp = other."${"a"}";
  empty = { };
  emptyRec = rec { };
}
