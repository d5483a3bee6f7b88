final: prev: {
  hello-patched = prev.hello.overrideAttrs (old: {
    pname = "hello-patched";
    patches = (old.patches or [ ]) ++ [ ./fix-greeting.patch ];
    doCheck = false;
  });

  python3 = prev.python3.override {
    packageOverrides = pyFinal: pyPrev: {
      requests = pyPrev.requests.overridePythonAttrs (_: { doCheck = false; });
    };
  };

  myScripts = final.callPackage ./scripts { };
}
