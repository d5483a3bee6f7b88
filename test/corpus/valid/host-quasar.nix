# Host quasar: generated from hand-written fragments (tailscale, laptop-power, nvidia, grafana, cron, jellyfin, nextcloud)
{ config
, lib
, pkgs
, ...
}:

{
	services.tailscale.enable = true;
	networking.firewall.trustedInterfaces = [ "tailscale0" ];
	networking.firewall.checkReversePath = "loose";

	services.tlp = {
		enable = true;
		settings = { CPU_SCALING_GOVERNOR_ON_BAT = "powersave"; START_CHARGE_THRESH_BAT0 = 75; STOP_CHARGE_THRESH_BAT0 = 80; };
	};
	services.logind.lidSwitch = "suspend-then-hibernate";
	powerManagement.powertop.enable = true;

	services.xserver.videoDrivers = [ "nvidia" ];
	hardware.opengl = { enable = true; driSupport32Bit = true; };
	hardware.nvidia = {
		modesetting.enable = true;
		powerManagement.enable = false;
		package = config.boot.kernelPackages.nvidiaPackages.stable;
	};

	services.grafana = {
		enable = true;
		port = 3000;
		domain = "grafana.${config.networking.hostName}.lan";
		addr = "127.0.0.1";
	};

	services.cron = {
		enable = true;
		systemCronJobs = [ "*/5 * * * * root ${pkgs.coreutils}/bin/date >> /tmp/cron.log" ];
	};

	services.jellyfin = { enable = true; openFirewall = true; };
	hardware.opengl.extraPackages = with pkgs; [ intel-media-driver vaapiIntel ];

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
	networking.hostName = "quasar";
}
