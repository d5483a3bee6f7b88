# Host izar: generated from hand-written fragments (openssh, kernel-sysctl, tailscale, samba, journald, sops)
{ config
, lib
, pkgs
, ...
}:

{
	services.openssh = {
		enable = true;
		passwordAuthentication = false;
		kbdInteractiveAuthentication = false;
		ports = [ 22 2222 ];
	};

	boot.kernel.sysctl = {
		"net.ipv4.ip_forward" = 1;
		"vm.swappiness" = 10;
		"fs.inotify.max_user_watches" = 524288;
	};

	services.tailscale.enable = true;
	networking.firewall.trustedInterfaces = [ "tailscale0" ];
	networking.firewall.checkReversePath = "loose";

	services.samba = {
		enable = true;
		openFirewall = true;
		shares.public = {
			path = "/srv/public";
			"read only" = "no";
			browseable = "yes";
			"guest ok" = "yes";
		};
		extraConfig = ''
			workgroup = WORKGROUP
			server string = ${config.networking.hostName}
		'';
	};

	services.journald.extraConfig = ''
		SystemMaxUse=500M
		MaxRetentionSec=1month
	'';

	sops = {
		defaultSopsFile = ./secrets/secrets.yaml;
		age.keyFile = "/var/lib/sops-nix/key.txt";
		secrets."wireguard/private" = { owner = "root"; mode = "0400"; };
	};
	networking.hostName = "izar";
}
