{ a = throw "in set"; }
