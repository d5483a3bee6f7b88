#!@bb@/bin/sh
# switch-to-configuration of the VM proof's system, `boot` only, run inside the installed root (the install
# step's chroot): installs Debian's systemd-boot on the ESP (/boot, which must be a mounted vfat), copies the
# kernel and initrd to /boot/EFI/nixos/, writes loader/loader.conf and loader/entries/nixos-generation-N.conf
# as NixOS's systemd-boot-builder does. Every copy is checked; any failure exits non-zero.
set -eu
export PATH=@bb@/bin
top=@out@
esp=/boot
fail() {
  echo "switch-to-configuration: $*" >&2
  exit 1
}
action=${1-}
[ "$action" = boot ] || fail "unsupported action '$action' (this system only installs its boot loader: boot)"
[ -e /etc/NIXOS ] || fail "not a NixOS root (no /etc/NIXOS)"
[ -r /proc/mounts ] || fail "no /proc in the root (enter it with proc mounted)"
fstype=$(awk -v m="$esp" '$2 == m { t = $3 } END { print t }' /proc/mounts)
case $fstype in
  vfat | fuse*) ;;
  '') fail "nothing is mounted at $esp: the ESP must be mounted there" ;;
  *) fail "$esp holds $fstype, not the ESP (vfat)" ;;
esac
[ "${NIXOS_INSTALL_BOOTLOADER-}" = 1 ] && echo "installing systemd-boot (NIXOS_INSTALL_BOOTLOADER=1)"
gen=$(readlink /nix/var/nix/profiles/system | sed -n 's/^system-\([0-9]*\)-link$/\1/p')
[ -n "$gen" ] || fail "the system profile names no generation"
[ "$(readlink -f /nix/var/nix/profiles/system)" = "$top" ] || fail "the system profile does not point at $top"

put() { # $1 = source, $2 = path on the ESP; copy through a temporary file, then compare
  mkdir -p "$(dirname "$esp/$2")"
  cp "$1" "$esp/$2.tmp"
  mv "$esp/$2.tmp" "$esp/$2"
  cmp -s "$1" "$esp/$2" || fail "$esp/$2 differs from $1 after copying"
}
kname=$(basename "$(dirname "$(readlink -f "$top/kernel")")")
iname=$(basename "$(dirname "$(readlink -f "$top/initrd")")")
k=EFI/nixos/$kname-bzImage.efi
i=EFI/nixos/$iname-initrd.efi
put "$top/kernel" "$k"
put "$top/initrd" "$i"
put "$top/systemd-boot/systemd-bootx64.efi" EFI/systemd/systemd-bootx64.efi
put "$top/systemd-boot/systemd-bootx64.efi" EFI/BOOT/BOOTX64.EFI

mkdir -p "$esp/loader/entries"
entry=$esp/loader/entries/nixos-generation-$gen.conf
{
  echo "title NixOS"
  echo "version Generation $gen NixOS $(cat "$top/nixos-version"), Linux $(cat "$top/kernel-version")"
  echo "linux /$k"
  echo "initrd /$i"
  echo "options init=$top/init $(cat "$top/kernel-params")"
  echo "machine-id 6e6978b17b17b17b17b17b17b17b17b1"
} >"$entry.tmp"
mv "$entry.tmp" "$entry"
printf 'timeout 0\ndefault nixos-generation-%s.conf\nconsole-mode keep\n' "$gen" >"$esp/loader/loader.conf.tmp"
mv "$esp/loader/loader.conf.tmp" "$esp/loader/loader.conf"
sync
echo "systemd-boot installed on $esp ($fstype): $(basename "$entry") boots $top"
