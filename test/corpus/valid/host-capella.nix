# Host capella: generated from hand-written fragments (locale, tailscale, laptop-power)
{ config
, lib
, pkgs
, ...
}:

{
	time.timeZone = "America/New_York";
	i18n = {
		defaultLocale = "en_US.UTF-8";
		extraLocaleSettings = { LC_TIME = "de_DE.UTF-8"; LC_MONETARY = "de_DE.UTF-8"; };
	};
	console = { font = "Lat2-Terminus16"; keyMap = "us"; };

	services.tailscale.enable = true;
	networking.firewall.trustedInterfaces = [ "tailscale0" ];
	networking.firewall.checkReversePath = "loose";

	services.tlp = {
		enable = true;
		settings = { CPU_SCALING_GOVERNOR_ON_BAT = "powersave"; START_CHARGE_THRESH_BAT0 = 75; STOP_CHARGE_THRESH_BAT0 = 80; };
	};
	services.logind.lidSwitch = "suspend-then-hibernate";
	powerManagement.powertop.enable = true;
	networking.hostName = "capella";
}
