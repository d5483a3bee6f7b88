{
  description = "A NixOS flake for my machines";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-22.05";
    home-manager = {
      url = "github:nix-community/home-manager/release-22.05";
      inputs.nixpkgs.follows = "nixpkgs";
    };
    flake-utils.url = "github:numtide/flake-utils";
  };

  outputs = { self, nixpkgs, home-manager, flake-utils, ... }@inputs:
    let
      system = "x86_64-linux";
      pkgs = import nixpkgs { inherit system; config.allowUnfree = true; };
      mkHost = name: modules: nixpkgs.lib.nixosSystem {
        inherit system;
        specialArgs = { inherit inputs; };
        modules = [
          ./hosts/${name}/configuration.nix
          home-manager.nixosModules.home-manager
          { networking.hostName = name; }
        ] ++ modules;
      };
    in
    {
      nixosConfigurations = {
        laptop = mkHost "laptop" [ ];
        server = mkHost "server" [ ./modules/server.nix ];
      };
      devShells.${system}.default = pkgs.mkShell {
        buildInputs = with pkgs; [ nixpkgs-fmt git ];
      };
      formatter.${system} = pkgs.nixpkgs-fmt;
    };
}
