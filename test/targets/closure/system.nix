# A NixOS-shaped system closure without nixpkgs, for the install engine's tests: plain derivations whose builder
# is a static busybox. The toplevel has what the install steps rely on — kernel, initrd, init, kernel-params,
# nixos-version, sw/bin and a bin/switch-to-configuration that installs a systemd-boot-like layout on /boot — and
# its paths reference each other for real, so `nix-store -qR` sees a closure.
#
#   nix-build system.nix --arg busyboxDir DIR [--argstr payloadMiB 64] [--argstr payloadPaths 4]
#
# DIR holds bin/busybox (a static busybox, e.g. Debian's busybox-static /bin/busybox) and bin/sh -> busybox
# (busybox picks the applet from the name it is started as, so the builder must be started as "sh").
#
# payloadMiB spreads that much incompressible data over payloadPaths store paths (for the copy benchmark and
# for cutting a copy mid-way). The switch-to-configuration fails (exit 1, a message on stderr) while the target
# root holds /etc/nixkit-fail-switch: that is how the tests inject a failing install and then "fix" it.
#
# bootloader = "grub" makes switch-to-configuration install a GRUB-like layout instead, as NixOS's GRUB module does
# with the ESP at /boot: kernels under /boot/kernels, /boot/grub/grub.cfg with a menu entry naming this system's
# init, and an EFI binary under /boot/EFI/NixOS-boot.
{
  busyboxDir,
  payloadMiB ? "0",
  payloadPaths ? "4",
  tag ? "",
  bootloader ? "systemd-boot",
}:
let
  bbDir = builtins.path {
    path = busyboxDir;
    name = "busybox-static-bootstrap";
  };
  # busybox with its applets as links: the builder of everything else.
  bb = derivation {
    name = "busybox-static-1.35";
    system = "x86_64-linux";
    builder = "${bbDir}/bin/sh";
    args = [
      "-c"
      "${bbDir}/bin/busybox mkdir -p $out/bin && ${bbDir}/bin/busybox cp ${bbDir}/bin/busybox $out/bin/busybox && cd $out/bin && for a in $(./busybox --list); do [ $a = busybox ] || ./busybox ln -s busybox $a; done"
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
        script
      ];
      PATH = "${bb}/bin";
    };
  kernel = mk "linux-6.1.0-nixkit-test" "mkdir $out; echo NIXKIT-TEST-KERNEL > $out/bzImage";
  initrd = mk "initrd-linux-6.1.0-nixkit-test" "mkdir $out; echo NIXKIT-TEST-INITRD > $out/initrd";
  firmware = mk "firmware-nixkit-test" "mkdir -p $out/lib/firmware; for i in 1 2 3; do echo blob-$i > $out/lib/firmware/fw-$i.bin; done";
  nPayload = builtins.fromJSON payloadPaths;
  perPath = (builtins.fromJSON payloadMiB) / nPayload;
  payload =
    if payloadMiB == "0" then
      [ ]
    else
      builtins.genList (
        i:
        mk "payload-${toString i}-${toString perPath}MiB" ''
          mkdir -p $out/share
          j=0
          while [ $j -lt ${toString perPath} ]; do
            dd if=/dev/urandom of=$out/share/blob-$j bs=1048576 count=1 2>/dev/null
            j=$((j+1))
          done
        ''
      ) nPayload;
  # What every boot loader install below starts with: refuse what the real one refuses, fail on request.
  stcCommon = ''
    #!@sh@
    set -e
    export PATH=@bb@/bin
    top=$(dirname $(dirname $(readlink -f "$0")))
    action="$1"
    [ "$action" = boot ] || { echo "switch-to-configuration: unsupported action $action" >&2; exit 1; }
    [ -e /etc/NIXOS ] || { echo "switch-to-configuration: not a NixOS root (no /etc/NIXOS)" >&2; exit 1; }
    if [ -e /etc/nixkit-fail-switch ]; then
      echo "installing the boot loader..."
      echo "error: Failed to install bootloader ($(cat /etc/nixkit-fail-switch))" >&2
      exit 1
    fi
    [ "$NIXOS_INSTALL_BOOTLOADER" = 1 ] && echo "installing the boot loader (NIXOS_INSTALL_BOOTLOADER=1)"
    gen=$(readlink /nix/var/nix/profiles/system | sed -n 's/^system-\([0-9]*\)-link$/\1/p')
    [ -n "$gen" ] || gen=1
  '';
  # GRUB with the ESP at /boot: kernels copied under /boot/kernels, a grub.cfg entry naming this system's init.
  grubStc = builtins.toFile "switch-to-configuration" (
    stcCommon
    + ''
      mkdir -p /boot/kernels /boot/grub /boot/EFI/NixOS-boot
      k=$(basename $(dirname $(readlink -f $top/kernel)))-bzImage
      i=$(basename $(dirname $(readlink -f $top/initrd)))-initrd
      cp $top/kernel /boot/kernels/$k
      cp $top/initrd /boot/kernels/$i
      echo NIXKIT-TEST-GRUB > /boot/EFI/NixOS-boot/grubx64.efi
      {
        echo "set default=0"
        echo "menuentry \"NixOS - Default\" {"
        echo "  linux /kernels/$k init=$top/init $(cat $top/kernel-params)"
        echo "  initrd /kernels/$i"
        echo "}"
      } > /boot/grub/grub.cfg
      echo "installed GRUB for generation $gen"
    ''
  );
  # systemd-boot: kernel and initrd onto the ESP, the loader and an entry for this generation.
  sdbootStc = builtins.toFile "switch-to-configuration" (
    stcCommon
    + ''
      mkdir -p /boot/EFI/nixos /boot/loader/entries /boot/EFI/BOOT /boot/EFI/systemd
      k=$(basename $(dirname $(readlink -f $top/kernel)))-bzImage.efi
      i=$(basename $(dirname $(readlink -f $top/initrd)))-initrd.efi
      cp $top/kernel /boot/EFI/nixos/$k
      cp $top/initrd /boot/EFI/nixos/$i
      echo NIXKIT-TEST-SYSTEMD-BOOT > /boot/EFI/systemd/systemd-bootx64.efi
      cp /boot/EFI/systemd/systemd-bootx64.efi /boot/EFI/BOOT/BOOTX64.EFI
      {
        echo "title NixOS"
        echo "version Generation $gen NixOS $(cat $top/nixos-version)"
        echo "linux /EFI/nixos/$k"
        echo "initrd /EFI/nixos/$i"
        echo "options init=$top/init $(cat $top/kernel-params)"
        echo "machine-id 00000000000000000000000000000000"
      } > /boot/loader/entries/nixos-generation-$gen.conf
      echo "default nixos-generation-$gen.conf" > /boot/loader/loader.conf
      echo "environment: /proc=$(test -e /proc/self && echo ok || echo MISSING) /dev/null=$(test -c /dev/null && echo ok || echo MISSING) /run=$(test -d /run && echo ok || echo MISSING)"
    ''
  );
  toplevel = mk "nixos-system-nixkit-test-24.05${tag}" ''
    mkdir -p $out/bin $out/sw/bin $out/sw/share
    ln -s ${kernel}/bzImage $out/kernel
    ln -s ${initrd}/initrd $out/initrd
    ln -s ${firmware} $out/firmware
    echo "loglevel=4" > $out/kernel-params
    echo 24.05 > $out/nixos-version
    echo x86_64-linux > $out/system
    printf '#!${bb}/bin/sh\necho init stub\n' > $out/init; chmod +x $out/init
    ln -s ${bb}/bin/sh $out/sw/bin/sh
    ${builtins.concatStringsSep "\n" (
      builtins.genList (i: "ln -s ${builtins.elemAt payload i} $out/sw/share/payload-${toString i}") (
        builtins.length payload
      )
    )}
    sed -e 's|@sh@|${bb}/bin/sh|' -e 's|@bb@|${bb}|' ${
      if bootloader == "grub" then grubStc else sdbootStc
    } > $out/bin/switch-to-configuration
    chmod +x $out/bin/switch-to-configuration
  '';
in
toplevel
