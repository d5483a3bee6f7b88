# moderately deep nesting, as generated code sometimes has
{ a = { b = { c = { d = { e = { f = { g = { h = { i = { j = [ [ [ [ [ [ [ [ ( ( ( ( ( ( 1 ) ) ) ) ) ) ] ] ] ] ] ] ] ]; }; }; }; }; }; }; }; }; }; }
