#!/usr/bin/env bash
# A real bootable system closure for the VM proof (test/vm/install-proof.test.ts), built by Debian's nix-bin from
# plain derivations (no nixpkgs) into a private store. Its kernel, initrd and boot loader are real:
#   - Debian's kernel (linux-image-*-amd64 .deb: vmlinuz and the few modules the initrd needs),
#   - an initramfs built here from Debian's busybox-static: loads virtio + ext4, mounts the installed root by
#     label and switch_roots into the closure's own `init` (on the installed disk), which prints the marker
#     `NIXKIT-INSTALLED-SYSTEM-BOOTED generation=N system=/nix/store/...` on the serial console and powers off,
#   - Debian's systemd-boot (systemd-boot-efi .deb), put on the ESP by the closure's switch-to-configuration.
#
#   sudo bash test/targets/vm-closure/build.sh      # prints the cache folder (the only line on stdout)
#
# The folder holds: inputs/ (what system.nix brings in with builtins.path), store/ (a `local?root=` Nix store with
# the closure built), nix-conf/ + home/ (NIX_CONF_DIR, HOME for Nix commands on it), toplevel (its store path),
# build-args.json (what the install's build step gets besides system.nix itself), manifest.txt.
# Cached by content: the key hashes this folder's files and the three .debs; a folder without `done` (a killed
# build) is rebuilt. .debs are fetched with `apt-get download` (Debian's mirror) into debs/ and reused; the kernel
# .deb the VM image's debootstrap already downloaded (NIXKIT_VM_CACHE/debs) is used when there, so the VM boots
# the same kernel the live system runs. Override with NIXKIT_VM_CLOSURE_KERNEL_DEB=FILE.
#
# Environment: NIXKIT_VM_CLOSURE_CACHE (default /var/cache/nixkit-vm-closure), NIXKIT_VM_CACHE (the VM image
# cache, default /var/cache/nixkit-vm), NIXKIT_VM_CLOSURE_KEEP_OLD=1 keeps older builds.
set -euo pipefail

HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
CACHE=${NIXKIT_VM_CLOSURE_CACHE:-/var/cache/nixkit-vm-closure}
VM_CACHE=${NIXKIT_VM_CACHE:-/var/cache/nixkit-vm}
# The modules the initrd loads, with their dependencies resolved from each .ko's modinfo (ext4 asks the crypto
# API for crc32c at mount time, which no modprobe in the initrd could answer: load it explicitly).
WANT_MODULES="virtio_pci virtio_blk crc32c_generic ext4"

T0=$(date +%s.%N)
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
log() { printf '[vm-closure %6ss] %s\n' "$(elapsed "$T0")" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (apt-get download into $CACHE, a private Nix store)"
for t in apt-get dpkg-deb nix-build nix-store sha256sum flock; do
  command -v "$t" >/dev/null || die "$t is missing (apt-get install nix-bin dpkg apt coreutils util-linux)"
done
mkdir -p "$CACHE/debs"
exec 9>"$CACHE/.lock"
flock 9

# --- the .debs (apt-get download into debs/, reused when there)
deb_of() { # $1 = package, $2 = version: the .deb in debs/ with that version, if any
  local f
  for f in "$CACHE/debs/$1"_*.deb; do
    if [ -f "$f" ] && [ "$(dpkg-deb -f "$f" Version)" = "$2" ]; then echo "$f"; return 0; fi
  done
  return 0
}
fetch() { # $1 = package; prints the .deb's path
  local pkg=$1 ver file
  ver=$(apt-cache policy "$pkg" | sed -n 's/^  Candidate: //p')
  [ -n "$ver" ] && [ "$ver" != "(none)" ] || die "apt knows no candidate for $pkg (apt-get update?)"
  file=$(deb_of "$pkg" "$ver")
  if [ -z "$file" ]; then
    log "apt-get download $pkg ($ver)"
    (cd "$CACHE/debs" && apt-get download -q "$pkg=$ver" >&2) || die "apt-get download $pkg failed"
    file=$(deb_of "$pkg" "$ver")
  fi
  [ -n "$file" ] || die "no .deb for $pkg after apt-get download"
  echo "$file"
}

kernel_deb() {
  if [ -n "${NIXKIT_VM_CLOSURE_KERNEL_DEB:-}" ]; then echo "$NIXKIT_VM_CLOSURE_KERNEL_DEB"; return; fi
  local f
  # The VM image's own kernel (debootstrap fetched it from the same mirror with apt's indexes)
  f=$({ find "$VM_CACHE/debs" "$CACHE/debs" -maxdepth 1 -name 'linux-image-[0-9]*-amd64_*.deb' 2>/dev/null || true; } |
    sort -V | tail -n 1)
  if [ -n "$f" ]; then echo "$f"; return; fi
  local pkg
  pkg=$(apt-cache depends linux-image-amd64 | sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | awk 'NR == 1')
  [ -n "$pkg" ] || die "cannot tell which kernel package linux-image-amd64 depends on"
  fetch "$pkg"
}

KDEB=$(kernel_deb)
BBDEB=$(fetch busybox-static)
SBDEB=$(fetch systemd-boot-efi)
log "kernel $(basename "$KDEB"), $(basename "$BBDEB"), $(basename "$SBDEB")"

KEY=$({
  for f in "$HERE"/*.sh "$HERE"/system.nix; do sha256sum <"$f"; done
  for f in "$KDEB" "$BBDEB" "$SBDEB"; do basename "$f"; stat -c %s "$f"; done
  echo "$WANT_MODULES"
} | sha256sum | cut -c1-16)
OUT=$CACHE/c-$KEY

if [ -f "$OUT/done" ]; then
  log "cached: $OUT"
  echo "$OUT"
  exit 0
fi
rm -rf --one-file-system "$OUT"
[ "${NIXKIT_VM_CLOSURE_KEEP_OLD:-0}" = 1 ] || find "$CACHE" -maxdepth 1 -name 'c-*' -type d -exec rm -rf --one-file-system {} +
mkdir -p "$OUT/inputs" "$OUT/nix-conf" "$OUT/home" "$OUT/store"
X=$(mktemp -d "$OUT/.extract.XXXXXX")

# --- extract: kernel + modules, busybox, systemd-boot
log "extracting the kernel package"
dpkg-deb --fsys-tarfile "$KDEB" | tar -x -C "$X" --wildcards './boot/vmlinuz-*' './lib/modules/*'
VMLINUZ=$(find "$X/boot" -name 'vmlinuz-*' | awk 'NR == 1')
[ -f "$VMLINUZ" ] || die "no vmlinuz in $KDEB"
KVER=${VMLINUZ##*/vmlinuz-}
MODDIR=$X/lib/modules/$KVER
[ -d "$MODDIR" ] || die "no modules for $KVER in $KDEB"
mkdir -p "$OUT/inputs/kernel" "$OUT/inputs/modules" "$OUT/inputs/busybox/bin" "$OUT/inputs/systemd-boot"
cp "$VMLINUZ" "$OUT/inputs/kernel/bzImage"
echo "$KVER" >"$OUT/inputs/kernel/version"

# name (with - as _) -> .ko, once for all modules
find "$MODDIR/kernel" -name '*.ko' | awk -F/ '{ n = $NF; sub(/\.ko$/, "", n); gsub(/-/, "_", n); print n, $0 }' >"$X/modindex"
modpath() { # module name -> its .ko (names use - and _ interchangeably)
  local f
  f=$(awk -v n="${1//-/_}" '$1 == n { print $2; exit }' "$X/modindex")
  [ -n "$f" ] || die "module $1 is not in $KDEB"
  echo "$f"
}
deps() { tr '\0' '\n' <"$1" | awk -F= '$1 == "depends" && !n++ { print $2 }' | tr ',' ' '; }
ORDER=()
visit() { # dependencies first
  local m=${1//-/_} d ko
  for d in "${ORDER[@]:-}"; do [ "$d" = "$m" ] && return 0; done
  ko=$(modpath "$m")
  for d in $(deps "$ko"); do visit "$d"; done
  cp "$ko" "$OUT/inputs/modules/$m.ko"
  ORDER+=("$m")
}
for m in $WANT_MODULES; do visit "$m"; done
printf '%s\n' "${ORDER[@]}" >"$OUT/inputs/modules/load-order"
log "initrd modules (load order): ${ORDER[*]}"

dpkg-deb --fsys-tarfile "$BBDEB" | tar -x -C "$X" ./bin/busybox
cp "$X/bin/busybox" "$OUT/inputs/busybox/bin/busybox"
chmod 0755 "$OUT/inputs/busybox/bin/busybox"
ln -s busybox "$OUT/inputs/busybox/bin/sh"
# (no `| grep -q` or `| head`: a reader quitting early fails the pipe under pipefail)
case $("$OUT/inputs/busybox/bin/busybox" cpio --help 2>&1 || true) in
  *'Create (requires -H newc)'*) ;;
  *) die "this busybox cannot create cpio archives" ;;
esac

dpkg-deb --fsys-tarfile "$SBDEB" | tar -x -C "$X" ./usr/lib/systemd/boot/efi/systemd-bootx64.efi
cp "$X/usr/lib/systemd/boot/efi/systemd-bootx64.efi" "$OUT/inputs/systemd-boot/systemd-bootx64.efi"
rm -rf --one-file-system "$X"

# --- build with Debian's nix-bin into the private store
printf 'build-users-group =\nexperimental-features = nix-command\nsandbox = true\nsubstituters =\n' >"$OUT/nix-conf/nix.conf"
export NIX_CONF_DIR=$OUT/nix-conf HOME=$OUT/home
log "nix-build (store local?root=$OUT/store)"
TOP=$(nix-build --store "local?root=$OUT/store" "$HERE/system.nix" --arg inputs "$OUT/inputs" --no-out-link |
  tail -n 1)
case $TOP in /nix/store/*) ;; *) die "nix-build printed no store path: $TOP" ;; esac
echo "$TOP" >"$OUT/toplevel"
cat >"$OUT/build-args.json" <<EOF
{ "arg": { "inputs": "$OUT/inputs" }, "store": "local?root=$OUT/store",
  "env": { "NIX_CONF_DIR": "$OUT/nix-conf", "HOME": "$OUT/home" }, "toplevel": "$TOP" }
EOF
{
  echo "toplevel $TOP"
  echo "kernel $KVER from $(basename "$KDEB")"
  echo "busybox $(basename "$BBDEB")"
  echo "systemd-boot $(basename "$SBDEB")"
  echo "modules ${ORDER[*]}"
  echo "closure:"
  nix-store --store "local?root=$OUT/store" -qR "$TOP" | while read -r p; do
    printf '  %s %s\n' "$(nix-store --store "local?root=$OUT/store" -q --size "$p")" "$p"
  done
} >"$OUT/manifest.txt"
touch "$OUT/done"
log "built $TOP in $(elapsed "$T0")s"
echo "$OUT"
