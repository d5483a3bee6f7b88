#!/usr/bin/env bash
# The installer-media test image: a small hybrid ISO (grub-mkrescue/xorriso) that boots under UEFI and BIOS, as a
# CD and as a USB disk, and a netboot set (bzImage, initrd, netboot.ipxe) of the same system. The system is a Linux
# kernel (the VM image's, see test/targets/vm/build-image.sh, else this machine's) and a busybox initrd whose /init
# prints the marker line `NIXKIT-MEDIA-MARKER via=<how it booted>` on the serial console and powers off. No NixOS
# ISO can be downloaded here; this one proves the same path (firmware -> boot loader -> kernel -> userspace).
#
#   bash test/targets/media/build-test-image.sh [OUT.iso] [--netboot DIR]
#
# Prints the cache folder (the only line on stdout); it holds test.iso, netboot/{bzImage,initrd,netboot.ipxe} and
# manifest.txt. With OUT.iso the ISO is copied there too; with --netboot DIR the netboot set is copied into DIR.
# Cached by content: the key hashes this script, the kernel and busybox, and grub's version; a folder without
# .complete (a killed build) is rebuilt.
#
# Environment:
#   NIXKIT_MEDIA_CACHE   cache folder (default /var/cache/nixkit-media when writable, else ~/.cache/nixkit-media)
#   NIXKIT_MEDIA_KERNEL  the kernel to use (default: the newest VM image's vmlinuz, else /boot/vmlinuz-$(uname -r))
#   NIXKIT_VM_CACHE      the VM image cache (default /var/cache/nixkit-vm)
# Needs grub-mkrescue (grub-common, grub-pc-bin, grub-efi-amd64-bin), xorriso, mtools, busybox-static, cpio, gzip
# (scripts/setup-system.sh installs them). No root needed when the cache folder is writable.
set -euo pipefail

SELF=$(readlink -f "${BASH_SOURCE[0]}")
VM_CACHE=${NIXKIT_VM_CACHE:-/var/cache/nixkit-vm}
MARKER=NIXKIT-MEDIA-MARKER

T0=$(date +%s.%N)
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
log() { printf '[media-image %6ss] %s\n' "$(elapsed "$T0")" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

OUT_ISO=
NETBOOT_COPY=
while [ $# -gt 0 ]; do
  case $1 in
    --netboot) [ $# -ge 2 ] || die "--netboot needs a folder"; NETBOOT_COPY=$2; shift 2 ;;
    -h | --help) sed -n '2,22p' "$SELF" >&2; exit 0 ;;
    -*) die "unknown option $1" ;;
    *) [ -z "$OUT_ISO" ] || die "one OUT.iso only"; OUT_ISO=$1; shift ;;
  esac
done

for t in grub-mkrescue xorriso mformat cpio gzip sha256sum flock; do
  command -v "$t" >/dev/null ||
    die "$t is missing (apt-get install grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools cpio gzip)"
done
[ -d /usr/lib/grub/i386-pc ] || die "grub-pc-bin is missing (BIOS boot of the ISO)"
[ -d /usr/lib/grub/x86_64-efi ] || die "grub-efi-amd64-bin is missing (UEFI boot of the ISO)"
BUSYBOX=/bin/busybox # busybox-static's (the initrd has no libc)
[ -x "$BUSYBOX" ] || die "busybox-static is missing"

# --- the kernel: the VM image's (the kernel every VM test boots), else this machine's
KERNEL=${NIXKIT_MEDIA_KERNEL:-}
if [ -z "$KERNEL" ]; then
  for d in $(ls -dt "$VM_CACHE"/img-* 2>/dev/null); do
    if [ -f "$d/.complete" ] && [ -f "$d/vmlinuz" ]; then KERNEL=$d/vmlinuz; break; fi
  done
fi
[ -n "$KERNEL" ] || KERNEL=/boot/vmlinuz-$(uname -r)
[ -r "$KERNEL" ] || die "no kernel found: build the VM image (test/targets/vm/build-image.sh) or set NIXKIT_MEDIA_KERNEL"

# --- cache folder and key
if [ -n "${NIXKIT_MEDIA_CACHE:-}" ]; then
  CACHE=$NIXKIT_MEDIA_CACHE
elif mkdir -p /var/cache/nixkit-media 2>/dev/null && [ -w /var/cache/nixkit-media ]; then
  CACHE=/var/cache/nixkit-media
else
  CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/nixkit-media
fi
mkdir -p "$CACHE"
KEY=$( {
  cat "$SELF"
  sha256sum "$KERNEL" "$BUSYBOX" | cut -d' ' -f1
  grub-mkrescue --version
  xorriso -version 2>/dev/null | head -n 1
} | sha256sum | cut -c1-16)
OUT=$CACHE/test-$KEY

finish() {
  if [ -n "$OUT_ISO" ]; then cp "$OUT/test.iso" "$OUT_ISO"; fi
  if [ -n "$NETBOOT_COPY" ]; then mkdir -p "$NETBOOT_COPY" && cp "$OUT"/netboot/* "$NETBOOT_COPY"/; fi
  echo "$OUT"
  exit 0
}
[ -f "$OUT/.complete" ] && { log "cached $OUT"; finish; }
exec 9>"$CACHE/.lock"
flock -w 600 9 || die "timed out waiting for another build (lock $CACHE/.lock)"
[ -f "$OUT/.complete" ] && { log "cached $OUT (built by another process)"; finish; }

WORK=$CACHE/.tmp-$KEY-$$
trap 'rc=$?; rm -rf "$WORK"; [ $rc -eq 0 ] || log "build failed (exit $rc)"' EXIT
rm -rf "$CACHE"/.tmp-* "$OUT"
mkdir -p "$WORK/initrd/bin" "$WORK/initrd/dev" "$WORK/initrd/proc" "$WORK/initrd/sys" "$WORK/iso/boot/grub" \
  "$WORK/out/netboot"

# --- the initrd: busybox and an /init that prints the marker and powers off
cp "$BUSYBOX" "$WORK/initrd/bin/busybox"
ln -s busybox "$WORK/initrd/bin/sh"
cat >"$WORK/initrd/init" <<INIT
#!/bin/sh
# The test image's whole userspace: say how it booted (nixkit.via= on the kernel command line), power off.
export PATH=/bin
/bin/busybox mount -t devtmpfs devtmpfs /dev
exec 0</dev/console 1>/dev/console 2>&1
/bin/busybox mount -t proc proc /proc
via=unknown
for a in \$(/bin/busybox cat /proc/cmdline); do
  case \$a in nixkit.via=*) via=\${a#nixkit.via=} ;; esac
done
echo "$MARKER via=\$via"
/bin/busybox sleep 1
/bin/busybox poweroff -f
INIT
chmod 755 "$WORK/initrd/init"
(cd "$WORK/initrd" && find . -print0 | sort -z | cpio --null -o -H newc --quiet --reproducible) |
  gzip -9 -n >"$WORK/initrd.gz"

# --- the ISO (GRUB 2.06's EFI build runs out of memory loading the kernel with 256 MiB: boot it with >= 384 MiB)
# GRUB for BIOS (El Torito + hybrid MBR) and UEFI (El Torito EFI image + ESP for USB), serial console
cp "$KERNEL" "$WORK/iso/boot/bzImage"
cp "$WORK/initrd.gz" "$WORK/iso/boot/initrd"
cat >"$WORK/iso/boot/grub/grub.cfg" <<'GRUB'
# BIOS: GRUB writes to the serial port itself. UEFI: OVMF already mirrors the EFI console to the serial port
# (GRUB's serial terminal too would print every line twice).
if [ "$grub_platform" = pc ]; then
  serial --unit=0 --speed=115200
  terminal_input serial console
  terminal_output serial console
fi
set timeout=0
menuentry "nixkit media test image" {
  echo "Booting nixkit media test image (GRUB, $grub_platform)"
  if [ "$grub_platform" = efi ]; then set via=efi; else set via=bios; fi
  linux /boot/bzImage console=ttyS0,115200 panic=5 nixkit.via=grub-$via
  initrd /boot/initrd
}
GRUB
log "grub-mkrescue (kernel $KERNEL)"
grub-mkrescue -o "$WORK/out/test.iso" "$WORK/iso" -- -volid NIXKIT_MEDIA_TEST >"$WORK/mkrescue.log" 2>&1 ||
  { cat "$WORK/mkrescue.log" >&2; die "grub-mkrescue failed"; }

# --- the netboot set: iPXE fetches bzImage and initrd relative to the script's own URL
cp "$KERNEL" "$WORK/out/netboot/bzImage"
cp "$WORK/initrd.gz" "$WORK/out/netboot/initrd"
cat >"$WORK/out/netboot/netboot.ipxe" <<'IPXE'
#!ipxe
echo Booting nixkit media test image (iPXE)
kernel bzImage console=ttyS0,115200 panic=5 nixkit.via=netboot
initrd initrd
boot
IPXE

cat >"$WORK/out/manifest.txt" <<MAN
key $KEY
built $(date -u +%Y-%m-%dT%H:%M:%SZ)
kernel $KERNEL $(sha256sum "$KERNEL" | cut -c1-16)
marker $MARKER
MAN
chmod -R a+rX "$WORK/out"
mv "$WORK/out" "$OUT"
touch "$OUT/.complete"
log "built $OUT ($(du -sh "$OUT/test.iso" | cut -f1) ISO)"
finish
