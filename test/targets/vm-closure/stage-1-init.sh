#!/bin/sh
# /init of the initramfs (busybox sh; system.nix puts busybox at /bin with its applets). Loads the modules the
# Debian kernel needs for a virtio disk and ext4, finds the installed root by its label (root=LABEL=... on the
# kernel command line), mounts it read-only and switch_roots into the system's own init (init=... on the command
# line), which lives on the installed disk. Any failure prints NIXKIT-STAGE1-FAILED and powers off, so a test
# waiting for the marker fails at once instead of timing out.
export PATH=/bin
mount -t devtmpfs devtmpfs /dev
exec 0</dev/console 1>/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys

fail() {
  echo "NIXKIT-STAGE1-FAILED: $*"
  sleep 1
  poweroff -f
  sleep 10
}

echo "nixkit stage 1: kernel $(uname -r), initrd @initrd@"
for m in $(cat /lib/modules/load-order); do
  insmod "/lib/modules/$m.ko" || fail "insmod $m"
done
echo "nixkit stage 1: loaded $(tr '\n' ' ' </lib/modules/load-order)"

root=
init=
for w in $(cat /proc/cmdline); do
  case $w in
    root=*) root=${w#root=} ;;
    init=*) init=${w#init=} ;;
  esac
done
[ -n "$root" ] || fail "no root= on the kernel command line"
[ -n "$init" ] || fail "no init= on the kernel command line"

dev=
i=0
while :; do
  case $root in
    LABEL=* | UUID=*) dev=$(findfs "$root" 2>/dev/null) ;;
    /dev/*) [ -b "$root" ] && dev=$root ;;
    *) fail "root=$root: give LABEL=, UUID= or a /dev path" ;;
  esac
  [ -n "$dev" ] && break
  i=$((i + 1))
  [ $i -le 300 ] || fail "no block device with $root after 30 s ($(cat /proc/partitions | tr -s ' \n' ' '))"
  sleep 0.1
done
echo "nixkit stage 1: root $root is $dev"

mkdir -p /new
mount -t ext4 -o ro "$dev" /new || fail "mount $dev"
[ -f "/new$init" ] || fail "$init is not on the installed root"
[ -d /new/dev ] || fail "the installed root has no /dev"
echo "nixkit stage 1: switching to $init"
mount --move /dev /new/dev
umount /proc /sys
exec switch_root /new "$init"
fail "switch_root failed"
