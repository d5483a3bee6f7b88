# Host wezen: generated from hand-written fragments (jellyfin, gc, redis, prometheus)
{ config
, lib
, pkgs
, ...
}:

{
	services.jellyfin = { enable = true; openFirewall = true; };
	hardware.opengl.extraPackages = with pkgs; [ intel-media-driver vaapiIntel ];

	nix.gc = { automatic = true; dates = "weekly"; options = "--delete-older-than 30d"; };
	nix.settings = {
		auto-optimise-store = true;
		experimental-features = [ "nix-command" "flakes" ];
		trusted-users = [ "root" "@wheel" ];
		substituters = [ "https://cache.nixos.org/" "https://nix-community.cachix.org" ];
	};

	services.redis.servers."" = { enable = true; port = 6379; bind = "127.0.0.1"; };

	services.prometheus = {
		enable = true;
		port = 9090;
		exporters.node = { enable = true; enabledCollectors = [ "systemd" "processes" ]; port = 9100; };
		scrapeConfigs = [
			{ job_name = "node"; static_configs = [ { targets = [ "127.0.0.1:${toString config.services.prometheus.exporters.node.port}" ]; } ]; }
		];
	};
	networking.hostName = "wezen";
}
