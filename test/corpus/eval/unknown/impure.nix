{
  sys = builtins.currentSystem;
  env = builtins.getEnv "HOME";
  time = builtins.currentTime;
  store = builtins.storeDir;
  fetched = builtins.fetchTarball "https://example.org/x.tar.gz";
  drv = derivation { name = "x"; builder = "/bin/sh"; system = "x86_64-linux"; };
  ver = builtins.nixVersion;
  nixpath = builtins.nixPath;
  home = ~/x;
}
