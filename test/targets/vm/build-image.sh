#!/usr/bin/env bash
# Builds (once, then cached) the live "rescue system" the full-tier VM target boots: a Debian bookworm root file
# system image plus the kernel and initrd for direct kernel boot, an SSH client key, the image's SSH host key and
# a password. Prints the image folder (the only line on stdout); progress and timings go to stderr.
#
#   sudo bash test/targets/vm/build-image.sh            # -> /var/cache/nixkit-vm/img-<key>
#
# Environment:
#   NIXKIT_VM_CACHE           cache folder (default /var/cache/nixkit-vm); kept outside the repository
#   NIXKIT_VM_MIRROR          Debian mirror for debootstrap (default: the bookworm URI apt is configured with)
#   NIXKIT_VM_EXTRA_PACKAGES  more Debian packages for the image, comma separated (part of the cache key)
#   NIXKIT_VM_KEEP_OLD=1      keep images built by other versions of this script (default: pruned)
#
# The cache key is a hash of this file (and NIXKIT_VM_EXTRA_PACKAGES): editing the script rebuilds the image.
# Needs root (debootstrap, chroot, device nodes). Network: only the Debian mirror apt already uses.
set -euo pipefail

SELF=$(readlink -f "${BASH_SOURCE[0]}")
CACHE=${NIXKIT_VM_CACHE:-/var/cache/nixkit-vm}
EXTRA=${NIXKIT_VM_EXTRA_PACKAGES:-}
SUITE=bookworm
HOSTNAME_VM=nixkit-vm
USER_VM=nixkit

# What the probe and the install need on a rescue system (debootstrap installs Depends, not Recommends).
PACKAGES=(
  systemd-sysv udev dbus kmod procps util-linux mount fdisk gdisk parted
  linux-image-amd64 initramfs-tools zstd
  openssh-server openssh-sftp-server sudo
  iproute2 netbase pciutils
  dosfstools mtools e2fsprogs btrfs-progs xfsprogs efibootmgr cryptsetup-bin lvm2
  tar gzip xz-utils less psmisc
)

T0=$(date +%s.%N)
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
log() { printf '[vm-image %6ss] %s\n' "$(elapsed "$T0")" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, chroot)"

KEY=$( { cat "$SELF"; printf 'extra=%s\n' "$EXTRA"; } | sha256sum | cut -c1-16)
OUT=$CACHE/img-$KEY

# ---- host packages ---------------------------------------------------------------------------------------------
# qemu + firmware + debootstrap; the rest is normally present (ssh-keygen, mkfs.ext4 -d, ss, jq for smoke.sh)
HOST_PACKAGES=(qemu-system-x86 qemu-utils ovmf debootstrap openssh-client e2fsprogs iproute2 openssl jq)
missing=()
for p in "${HOST_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  t=$(date +%s.%N)
  log "installing host packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! timeout 600 apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "${missing[@]}" >&2; then
    timeout 300 apt-get update >&2
    timeout 600 apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "${missing[@]}" >&2
  fi
  log "host packages installed in $(elapsed "$t")s"
fi

# Fast path: a finished image is only ever created by the final rename below.
if [ -f "$OUT/.complete" ]; then
  log "cached image $OUT"
  echo "$OUT"
  exit 0
fi

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
if ! flock -w 1800 9; then die "timed out waiting for another build (lock $CACHE/.lock)"; fi
# Another process may have finished the same build while we waited.
if [ -f "$OUT/.complete" ]; then
  log "cached image $OUT (built by another process)"
  echo "$OUT"
  exit 0
fi

# ---- work folder and cleanup of partial builds ----------------------------------------------------------------
unmount_under() { # unmount anything still mounted below $1 (deepest first); debootstrap runs in its own
  local m         # mount namespace, so this is only a safety net
  for m in $(findmnt -rn -o TARGET | awk -v p="$1/" 'index($0, p) == 1' | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
}
remove_tree() {
  [ -n "$1" ] && [ -e "$1" ] || return 0
  unmount_under "$1"
  rm -rf --one-file-system "$1"
}
for stale in "$CACHE"/.tmp-*; do
  [ -e "$stale" ] || continue
  log "removing partial build $stale"
  remove_tree "$stale"
done
if [ "${NIXKIT_VM_KEEP_OLD:-0}" != 1 ]; then
  for old in "$CACHE"/img-*; do
    [ -e "$old" ] && [ "$old" != "$OUT" ] || continue
    log "pruning image of another script version: $old"
    remove_tree "$old"
  done
fi
[ -e "$OUT" ] && remove_tree "$OUT" # present but incomplete

WORK=$CACHE/.tmp-$KEY-$$
ROOT=$WORK/rootfs
CHILD=
run_child() { # run_child LOG CMD...: long steps run in the background so a TERM to this script is handled at
  local log=$1   # once (by cleanup); the output goes to LOG (not redirected around the call, or the traps' too)
  shift
  "$@" >"$log" 2>&1 &
  CHILD=$!
  local rc=0
  wait "$CHILD" || rc=$?
  CHILD=
  return $rc
}
cleanup() {
  local rc=$?
  if [ -n "$CHILD" ] && kill -0 "$CHILD" 2>/dev/null; then
    kill -TERM "$CHILD" 2>/dev/null || true
    wait "$CHILD" 2>/dev/null || true
  fi
  if [ $rc -ne 0 ]; then log "build failed (exit $rc); removing $WORK"; fi
  remove_tree "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$WORK" "$CACHE/debs"

# ---- mirror: the one apt uses for bookworm ----------------------------------------------------------------------
MIRROR=${NIXKIT_VM_MIRROR:-}
if [ -z "$MIRROR" ]; then
  MIRROR=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null |
    awk -v s="$SUITE" '$2 == s { print $1; exit }')
fi
[ -n "$MIRROR" ] || die "no apt source for '$SUITE' found; set NIXKIT_VM_MIRROR"
log "mirror $MIRROR"

# ---- debootstrap -----------------------------------------------------------------------------------------------
include=$(IFS=,; echo "${PACKAGES[*]}")
[ -n "$EXTRA" ] && include="$include,$EXTRA"
t=$(date +%s.%N)
log "debootstrap $SUITE (minbase + ${#PACKAGES[@]} packages${EXTRA:+ + $EXTRA}) ..."
# Own mount namespace: whatever debootstrap mounts (proc, sys, dev binds) disappears with it, even on failure.
if ! run_child "$WORK/debootstrap.log" timeout 1500 unshare --mount --propagation private -- \
  debootstrap --variant=minbase --arch=amd64 --components=main --cache-dir="$CACHE/debs" \
  --include="$include" "$SUITE" "$ROOT" "$MIRROR"; then
  tail -n 30 "$WORK/debootstrap.log" >&2
  [ -f "$ROOT/debootstrap/debootstrap.log" ] && tail -n 30 "$ROOT/debootstrap/debootstrap.log" >&2
  die "debootstrap failed"
fi
log "debootstrap done in $(elapsed "$t")s"

# Run a command chrooted into the root, with /proc, /sys and /dev in a private mount namespace.
in_root() {
  timeout 600 unshare --mount --propagation private -- /bin/sh -c '
    r=$1; shift
    mount -t proc proc "$r/proc" && mount -t sysfs sys "$r/sys" && mount --rbind /dev "$r/dev" &&
    exec /usr/sbin/chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"
  ' sh "$ROOT" "$@"
}

# ---- configuration ---------------------------------------------------------------------------------------------
t=$(date +%s.%N)
ROOT_UUID=$(cat /proc/sys/kernel/random/uuid)
PASSWORD=$(openssl rand -hex 12)
HASH=$(openssl passwd -6 "$PASSWORD")

echo "$HOSTNAME_VM" >"$ROOT/etc/hostname"
cat >"$ROOT/etc/hosts" <<EOF
127.0.0.1 localhost
127.0.1.1 $HOSTNAME_VM
::1 localhost ip6-localhost ip6-loopback
EOF
cat >"$ROOT/etc/fstab" <<EOF
UUID=$ROOT_UUID / ext4 rw,errors=remount-ro 0 0
EOF
# A fixed machine id: no first-boot logic, same identity on every boot of this image.
tr -d - </proc/sys/kernel/random/uuid >"$ROOT/etc/machine-id"

# DHCP on every Ethernet NIC (qemu user networking serves 10.0.2.15).
mkdir -p "$ROOT/etc/systemd/network"
cat >"$ROOT/etc/systemd/network/50-nixkit-dhcp.network" <<'EOF'
[Match]
Type=ether

[Network]
DHCP=ipv4
LinkLocalAddressing=no
IPv6AcceptRA=no
EOF

# sshd: one ed25519 host key made here (its public half is kept in the cache for known_hosts), root by key or
# password, a password user with sudo.
rm -f "$ROOT"/etc/ssh/ssh_host_*
ssh-keygen -q -t ed25519 -N '' -C "root@$HOSTNAME_VM" -f "$ROOT/etc/ssh/ssh_host_ed25519_key"
cat >"$ROOT/etc/ssh/sshd_config.d/nixkit.conf" <<'EOF'
HostKey /etc/ssh/ssh_host_ed25519_key
PermitRootLogin yes
PasswordAuthentication yes
KbdInteractiveAuthentication yes
UseDNS no
PrintMotd no
PrintLastLog no
EOF
: >"$ROOT/etc/motd"
ssh-keygen -q -t ed25519 -N '' -C nixkit-vm-client -f "$WORK/id_ed25519"
install -d -m 700 "$ROOT/root/.ssh"
install -m 600 "$WORK/id_ed25519.pub" "$ROOT/root/.ssh/authorized_keys"
in_root useradd -m -s /bin/bash -G sudo "$USER_VM"
install -d -m 700 "$ROOT/home/$USER_VM/.ssh"
install -m 600 "$WORK/id_ed25519.pub" "$ROOT/home/$USER_VM/.ssh/authorized_keys"
in_root chown -R "$USER_VM:$USER_VM" "/home/$USER_VM/.ssh"
printf 'root:%s\n%s:%s\n' "$HASH" "$USER_VM" "$HASH" | in_root chpasswd -e

# Services: networkd on, everything periodic or waiting off (boot time under TCG matters).
in_root systemctl enable systemd-networkd.service ssh.service >/dev/null 2>&1
in_root systemctl mask systemd-networkd-wait-online.service apt-daily.timer apt-daily-upgrade.timer \
  e2scrub_all.timer e2scrub_reap.service fstrim.timer systemd-timesyncd.service >/dev/null 2>&1 || true

# Small initrd: only what finds the virtio root (decompressing a "most" initrd is slow under TCG).
cat >"$ROOT/etc/initramfs-tools/conf.d/nixkit.conf" <<'EOF'
MODULES=list
COMPRESS=zstd
EOF
printf '%s\n' virtio_pci virtio_blk virtio_net virtio_rng ext4 >>"$ROOT/etc/initramfs-tools/modules"
in_root update-initramfs -u -k all >"$WORK/initramfs.log" 2>&1 || { cat "$WORK/initramfs.log" >&2; die "update-initramfs failed"; }

in_root dpkg-query -W -f='${Package} ${Version}\n' >"$WORK/packages.txt"
rm -rf "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/lib/apt/lists/* "$ROOT"/var/log/*.log "$ROOT/debootstrap"
log "configured in $(elapsed "$t")s"

# ---- artifacts ---------------------------------------------------------------------------------------------------
t=$(date +%s.%N)
KVER=$(basename "$(ls -d "$ROOT"/lib/modules/* | sort -V | tail -n 1)")
cp "$ROOT/boot/vmlinuz-$KVER" "$WORK/vmlinuz"
cp "$ROOT/boot/initrd.img-$KVER" "$WORK/initrd.img"
echo "root=UUID=$ROOT_UUID rw console=ttyS0,115200n8 net.ifnames=1 systemd.show_status=1" >"$WORK/cmdline"
cp "$ROOT/etc/ssh/ssh_host_ed25519_key.pub" "$WORK/ssh_host_ed25519_key.pub"
ssh-keygen -lf "$WORK/ssh_host_ed25519_key.pub" | awk '{ print $2 }' >"$WORK/host_fingerprint"
echo "$PASSWORD" >"$WORK/password"
chmod 600 "$WORK/password"
echo "$USER_VM" >"$WORK/user"

used_mb=$(du -sxm "$ROOT" | cut -f1)
size_mb=$(((used_mb * 13 / 10 + 1024 + 255) / 256 * 256))
# -d copies the tree into the new file system: no mount, no loop device.
mkfs.ext4 -q -F -L nixkit-live -U "$ROOT_UUID" -d "$ROOT" "$WORK/root.img" "${size_mb}M" >/dev/null
chmod 444 "$WORK/root.img"
log "root.img ${size_mb} MiB (${used_mb} MiB used), kernel $KVER, in $(elapsed "$t")s"

cat >"$WORK/manifest.txt" <<EOF
key $KEY
built $(date -u +%Y-%m-%dT%H:%M:%SZ)
suite $SUITE
mirror $MIRROR
kernel $KVER
root_uuid $ROOT_UUID
hostname $HOSTNAME_VM
user $USER_VM
host_fingerprint $(cat "$WORK/host_fingerprint")
EOF
rm -rf --one-file-system "$ROOT"
mv "$WORK" "$OUT"
touch "$OUT/.complete"
trap - EXIT
log "image ready in $OUT, total $(elapsed "$T0")s"
echo "$OUT"
