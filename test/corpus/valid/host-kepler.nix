# Host kepler: generated from hand-written fragments (grafana, pipewire, laptop-power)
{ config
, lib
, pkgs
, ...
}:

{
	services.grafana = {
		enable = true;
		port = 3000;
		domain = "grafana.${config.networking.hostName}.lan";
		addr = "127.0.0.1";
	};

	security.rtkit.enable = true;
	services.pipewire = {
		enable = true;
		alsa.enable = true;
		alsa.support32Bit = true;
		pulse.enable = true;
	};

	services.tlp = {
		enable = true;
		settings = { CPU_SCALING_GOVERNOR_ON_BAT = "powersave"; START_CHARGE_THRESH_BAT0 = 75; STOP_CHARGE_THRESH_BAT0 = 80; };
	};
	services.logind.lidSwitch = "suspend-then-hibernate";
	powerManagement.powertop.enable = true;
	networking.hostName = "kepler";
}
