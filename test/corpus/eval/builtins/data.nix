with builtins;
{
  fj = fromJSON ''{"a": 1, "b": [1.5, true, null, "s\u00e9\n"], "c": {"d": -2, "e": 1e3, "f": 0.5}}'';
  tj = toJSON { b = [ 1 2.5 "x\"y\n\t" null true ]; a = { c = 1.0; }; s = { __toString = self: "ts"; }; o = { outPath = "/op"; }; };
  tjFloat = toJSON [ 0.1 1.0e21 100.0 (1.0 / 3) ];
  roundTrip = fromJSON (toJSON { x = [ 1 2 ]; y = "z"; });
  toml = fromTOML ''
    a = 1
    b = "s"
    c = 1.5
    d = [1, 2]
    [t]
    x = true
    [[arr]]
    y = 1
    [[arr]]
    y = 2
  '';
  tryOk = tryEval 1;
  tryThrow = tryEval (throw "no");
  tryAssert = tryEval (assert false; 1);
  tryShallow = (tryEval { a = throw "x"; }).success;
  seqd = seq 1 2;
  deep = deepSeq [ 1 { a = 2; } ] "done";
  trc = trace "msg" 5;
  num = [ (add 1 2) (sub 1 2) (mul 3 4) (div 7 2) (div 7.0 2) (bitAnd 12 10) (bitOr 12 10) (bitXor 12 10) (ceil 1.2) (floor 1.8) (ceil (-1.5)) (floor (-1.5)) (lessThan 1 2) ];
  bt = builtins.builtins.true;
  glob = [ (isNull null) (removeAttrs { a = 1; b = 2; } [ "a" ]) (baseNameOf "/x/y") (dirOf "/x/y") ];
}
