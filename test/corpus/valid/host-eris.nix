# Host eris: generated from hand-written fragments (nvidia, tailscale, env, gc)
{ config
, lib
, pkgs
, ...
}:

{
	services.xserver.videoDrivers = [ "nvidia" ];
	hardware.opengl = { enable = true; driSupport32Bit = true; };
	hardware.nvidia = {
		modesetting.enable = true;
		powerManagement.enable = false;
		package = config.boot.kernelPackages.nvidiaPackages.stable;
	};

	services.tailscale.enable = true;
	networking.firewall.trustedInterfaces = [ "tailscale0" ];
	networking.firewall.checkReversePath = "loose";

	environment.variables = { EDITOR = "vim"; PAGER = "less -R"; };
	environment.shellAliases = { gs = "git status"; rebuild = "sudo nixos-rebuild switch --flake /etc/nixos#"; };

	nix.gc = { automatic = true; dates = "weekly"; options = "--delete-older-than 30d"; };
	nix.settings = {
		auto-optimise-store = true;
		experimental-features = [ "nix-command" "flakes" ];
		trusted-users = [ "root" "@wheel" ];
		substituters = [ "https://cache.nixos.org/" "https://nix-community.cachix.org" ];
	};
	networking.hostName = "eris";
}
