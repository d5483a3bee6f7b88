# A NixOS-shaped system closure that really boots, without nixpkgs: plain derivations whose builder is Debian's
# static busybox. build.sh prepares `inputs` (from Debian's .debs) and builds it; the VM proof's build step builds
# it again (a no-op then) through the install engine.
#
#   nix-build system.nix --arg inputs DIR [--argstr rootLabel nixos]
#
# DIR: busybox/bin/{busybox,sh}, kernel/{bzImage,version}, modules/{*.ko,load-order},
# systemd-boot/systemd-bootx64.efi.
#
# The toplevel: kernel, initrd, init (stage 2: prints the marker from the installed disk and powers off),
# kernel-params (serial console, root by label), systemd-boot, bin/switch-to-configuration (`boot` installs
# systemd-boot, kernel, initrd, loader.conf and the generation's entry onto the ESP at /boot).
{
  inputs,
  rootLabel ? "nixos",
}:
let
  src = builtins.path {
    path = inputs;
    name = "nixkit-vm-closure-inputs";
  };
  bbBoot = builtins.path {
    path = inputs + "/busybox";
    name = "busybox-static-bootstrap";
  };
  # busybox with its applets as links: the builder of everything else (and the system's userland).
  bb = derivation {
    name = "busybox-static-1.35";
    system = "x86_64-linux";
    builder = "${bbBoot}/bin/sh";
    args = [
      "-c"
      "${bbBoot}/bin/busybox mkdir -p $out/bin && ${bbBoot}/bin/busybox cp ${bbBoot}/bin/busybox $out/bin/busybox && cd $out/bin && for a in $(./busybox --list); do [ $a = busybox ] || ./busybox ln -s busybox $a; done"
    ];
  };
  mk =
    name: script:
    derivation {
      inherit name;
      system = "x86_64-linux";
      builder = "${bb}/bin/sh";
      args = [
        "-c"
        "set -e; ${script}"
      ];
      PATH = "${bb}/bin";
    };
  kernelVersion = builtins.replaceStrings [ "\n" ] [ "" ] (builtins.readFile (inputs + "/kernel/version"));
  kernel = mk "linux-${kernelVersion}" ''
    mkdir -p $out
    cp ${src}/kernel/bzImage $out/bzImage
    echo ${kernelVersion} > $out/version
  '';
  stage1 = builtins.path {
    path = ./stage-1-init.sh;
    name = "stage-1-init.sh";
  };
  # A gzip'd newc cpio: busybox (static) at /bin with its applets, the modules and their load order, /init.
  initrd = mk "initrd-linux-${kernelVersion}" ''
    mkdir -p root/bin root/dev root/proc root/sys root/new root/lib/modules $out
    cp ${bb}/bin/busybox root/bin/busybox
    for a in $(busybox --list); do [ $a = busybox ] || ln -s busybox root/bin/$a; done
    cp ${src}/modules/*.ko ${src}/modules/load-order root/lib/modules/
    sed -e "s|@initrd@|$out|" ${stage1} > root/init
    chmod 0755 root/init
    cd root
    find . | sort | cpio -o -H newc -R 0:0 > ../initrd.cpio
    cd ..
    gzip -9 -c initrd.cpio > $out/initrd
  '';
  systemdBoot = mk "systemd-boot-efi" ''
    mkdir -p $out
    cp ${src}/systemd-boot/systemd-bootx64.efi $out/systemd-bootx64.efi
  '';
  stage2 = builtins.path {
    path = ./stage-2-init.sh;
    name = "stage-2-init.sh";
  };
  stc = builtins.path {
    path = ./switch-to-configuration.sh;
    name = "switch-to-configuration.sh";
  };
  toplevel = mk "nixos-system-nixkit-vm-24.05" ''
    mkdir -p $out/bin $out/sw/bin
    ln -s ${kernel}/bzImage $out/kernel
    ln -s ${initrd}/initrd $out/initrd
    ln -s ${systemdBoot} $out/systemd-boot
    echo ${kernelVersion} > $out/kernel-version
    echo "console=ttyS0,115200 root=LABEL=${rootLabel}" > $out/kernel-params
    echo 24.05 > $out/nixos-version
    echo x86_64-linux > $out/system
    ln -s ${bb}/bin/sh $out/sw/bin/sh
    sed -e "s|@bb@|${bb}|g" -e "s|@out@|$out|g" ${stage2} > $out/init
    chmod 0755 $out/init
    sed -e "s|@bb@|${bb}|g" -e "s|@out@|$out|g" ${stc} > $out/bin/switch-to-configuration
    chmod 0755 $out/bin/switch-to-configuration
  '';
in
toplevel
