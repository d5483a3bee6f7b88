# Host okab: generated from hand-written fragments (journald, docker, openssh, prometheus, nextcloud, libvirt, env)
{ config
, lib
, pkgs
, ...
}:

{
	services.journald.extraConfig = ''
		SystemMaxUse=500M
		MaxRetentionSec=1month
	'';

	virtualisation.docker = {
		enable = true;
		autoPrune = { enable = true; dates = "weekly"; };
		daemon.settings = { log-driver = "journald"; "registry-mirrors" = [ "https://mirror.gcr.io" ]; };
	};

	services.openssh = {
		enable = true;
		passwordAuthentication = false;
		kbdInteractiveAuthentication = false;
		ports = [ 22 2222 ];
	};

	services.prometheus = {
		enable = true;
		port = 9090;
		exporters.node = { enable = true; enabledCollectors = [ "systemd" "processes" ]; port = 9100; };
		scrapeConfigs = [
			{ job_name = "node"; static_configs = [ { targets = [ "127.0.0.1:${toString config.services.prometheus.exporters.node.port}" ]; } ]; }
		];
	};

	services.nextcloud = {
		enable = true;
		hostName = "cloud.example.org";
		https = true;
		config = {
			dbtype = "pgsql";
			dbhost = "/run/postgresql";
			adminpassFile = "/run/secrets/nextcloud-admin";
			overwriteProtocol = "https";
		};
		extraApps = { };
	};

	virtualisation.libvirtd = { enable = true; qemu.ovmf.enable = true; onBoot = "ignore"; };
	programs.virt-manager.enable = true;

	environment.variables = { EDITOR = "vim"; PAGER = "less -R"; };
	environment.shellAliases = { gs = "git status"; rebuild = "sudo nixos-rebuild switch --flake /etc/nixos#"; };
	networking.hostName = "okab";
}
