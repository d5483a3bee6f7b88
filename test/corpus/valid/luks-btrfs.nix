{ lib, ... }:
{
  boot.initrd.luks.devices."cryptroot" = {
    device = "/dev/disk/by-uuid/11111111-2222-3333-4444-555555555555";
    allowDiscards = true;
    preLVM = true;
  };
  fileSystems = {
    "/" = {
      device = "/dev/mapper/cryptroot";
      fsType = "btrfs";
      options = [ "subvol=@" "compress=zstd" "noatime" ];
    };
    "/nix" = {
      device = "/dev/mapper/cryptroot";
      fsType = "btrfs";
      options = [ "subvol=@nix" "compress=zstd" "noatime" ];
    };
    "/home" = {
      device = "/dev/mapper/cryptroot";
      fsType = "btrfs";
      options = [ "subvol=@home" "compress=zstd" ];
    };
  };
  swapDevices = lib.mkForce [ ];
  zramSwap.enable = true;
}
