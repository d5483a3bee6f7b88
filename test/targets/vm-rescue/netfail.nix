# The VM proof's system (../vm-closure/system.nix) with a stage 2 that never brings the network up: its init
# remounts the root writable, writes why to /var/log/stage-2.log (the kernel command line it booted with, and that
# the interface it was configured for does not exist), prints NIXKIT-STAGE2-NETWORK-FAILED and powers off. The
# second generation of test/vm/rescue.test.ts: the machine "does not answer", and `nixkit rescue` has to find why.
# Kept out of ../vm-closure so that folder's cache key (its *.sh and system.nix) is unchanged.
{
  inputs,
  iface ? "enp3s0",
}:
let
  base = import ../vm-closure/system.nix { inherit inputs; };
  # mk sets PATH = "${bb}/bin": the busybox every script of the closure runs on.
  bbBin = base.PATH;
  stage2 = builtins.path {
    path = ./stage-2-netfail.sh;
    name = "stage-2-netfail.sh";
  };
  stc = builtins.path {
    path = ../vm-closure/switch-to-configuration.sh;
    name = "switch-to-configuration.sh";
  };
in
derivation {
  name = "nixos-system-nixkit-vm-24.05-netfail";
  system = "x86_64-linux";
  builder = "${bbBin}/sh";
  PATH = bbBin;
  args = [
    "-c"
    ''
      set -e
      bb=${bbBin}; bb=''${bb%/bin}
      mkdir -p $out/bin $out/sw/bin
      for f in kernel initrd systemd-boot kernel-version kernel-params nixos-version system; do cp -P ${base}/$f $out/$f; done
      ln -s ${bbBin}/sh $out/sw/bin/sh
      sed -e "s|@bb@|$bb|g" -e "s|@out@|$out|g" -e "s|@iface@|${iface}|g" ${stage2} > $out/init
      chmod 0755 $out/init
      sed -e "s|@bb@|$bb|g" -e "s|@out@|$out|g" ${stc} > $out/bin/switch-to-configuration
      chmod 0755 $out/bin/switch-to-configuration
    ''
  ];
}
