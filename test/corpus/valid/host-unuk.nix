# Host unuk: generated from hand-written fragments (libvirt, openssh, bluetooth, printing)
{ pkgs, lib, config, ... }: {
  virtualisation.libvirtd = { enable = true; qemu.ovmf.enable = true; onBoot = "ignore"; };
  programs.virt-manager.enable = true;

  services.openssh = {
    enable = true;
    passwordAuthentication = false;
    kbdInteractiveAuthentication = false;
    ports = [ 22 2222 ];
  };

  hardware.bluetooth = { enable = true; powerOnBoot = false; settings.General.Experimental = true; };
  services.blueman.enable = true;

  services.printing = { enable = true; drivers = with pkgs; [ gutenprint hplip ]; };
  services.avahi = { enable = true; nssmdns = true; openFirewall = true; };
  networking.hostName = "unuk"; # ünïcödé ✓
}
