[ (throw "in list") ]
