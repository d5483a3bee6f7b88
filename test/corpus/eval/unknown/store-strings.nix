[ "${./store-strings.nix}" ("a" + ./store-strings.nix) (builtins.toJSON ./store-strings.nix) ]
