# Host vega: generated from hand-written fragments (autoupgrade, prometheus, redis, static-ip, steam)
{ config
, lib
, pkgs
, ...
}:

{
	system.autoUpgrade = {
		enable = true;
		flake = "github:example/nixos-config";
		flags = [ "--update-input" "nixpkgs" "-L" ];
		dates = "04:00";
		allowReboot = false;
	};

	services.prometheus = {
		enable = true;
		port = 9090;
		exporters.node = { enable = true; enabledCollectors = [ "systemd" "processes" ]; port = 9100; };
		scrapeConfigs = [
			{ job_name = "node"; static_configs = [ { targets = [ "127.0.0.1:${toString config.services.prometheus.exporters.node.port}" ]; } ]; }
		];
	};

	services.redis.servers."" = { enable = true; port = 6379; bind = "127.0.0.1"; };

	networking.useDHCP = false;
	networking.interfaces.eth0.ipv4.addresses = [ { address = "192.168.1.${toString (10 + 5)}"; prefixLength = 24; } ];
	networking.defaultGateway = "192.168.1.1";
	networking.nameservers = [ "1.1.1.1" "9.9.9.9" ];

	programs.steam.enable = true;
	nixpkgs.config.allowUnfreePredicate = pkg: builtins.elem (lib.getName pkg) [ "steam" "steam-original" "steam-run" ];
	networking.hostName = "vega";
}
