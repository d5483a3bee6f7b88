{
  arith = [ (1 + 2) (7 - 10) (6 * 7) (7 / 2) (-7 / 2) (7.0 / 2) (1 + 2.5) (2 * 1.5) (-3) (- (-3)) (0.1 + 0.2) ];
  floats = [ 1.0 1.5 100.0 1.0e21 1.0e-7 123456789.0 3.14159265 0.000123 (1.0 / 3) 1.0e6 999999.0 1234567.0 ];
  cmp = [ (1 < 2) (2 < 1) (1 <= 1) (2 >= 3) (1 > 0.5) ("a" < "b") ("abc" < "abd") ("b" < "ab") ([ 1 2 ] < [ 1 3 ]) ([ 1 ] < [ 1 2 ]) ([ ] < [ 1 ]) ];
  eq = [ (1 == 1) (1 == 1.0) ("a" == "a") ([ 1 [ 2 ] ] == [ 1 [ 2 ] ]) ({ a = 1; } == { a = 1; }) ({ a = 1; } == { a = 2; }) (null == null) (1 == "1") (true != false) ({ } == { }) ([ ] == { }) ];
  logic = [ (true && false) (true || false) (false -> true) (true -> false) (!true) (false || true && false) ];
  update = { a = 1; b = 2; } // { b = 3; c = 4; };
  concat = [ 1 2 ] ++ [ 3 ] ++ [ ];
  strings = [ ("a" + "b") ("x" + "") ];
  has = [ ({ a.b = 1; } ? a.b) ({ a = 1; } ? b) ({ a = 1; } ? a.c) ((1) ? a) ];
  orDefault = [ ({ a = 1; }.b or 2) ({ a.b = 1; }.a.b or 3) ((1).a or 4) ({ a = 1; }.a.b or 5) ];
  prec = [ (1 + 2 * 3) ((1 + 2) * 3) (2 - 1 - 1) (8 / 2 / 2) ];
  ifs = [ (if true then 1 else 2) (if 1 > 2 then "x" else "y") ];
  asserts = assert 1 == 1; "ok";
  identity = [
    (let s = { a = s; }; in s == s)
    (let f = x: x; s = { a = f; }; t = { a = f; }; in s == t)
    (let f = x: x; in f == f)
    (let s = { a = 1; f = x: x; }; in s == s // { })
    ([ (x: x) ] == [ (x: x) ])
  ];
}
