#!/usr/bin/env bash
# Installs the Debian packages nixkit's tests (or `npm start`) need, when they are missing. Idempotent.
#   scripts/setup-system.sh test    everything the test tiers use
#   scripts/setup-system.sh start   what `npm start` needs (code-server's native modules)
set -euo pipefail
purpose=${1:-test}
start_pkgs=(libkrb5-dev)
test_pkgs=(
  libkrb5-dev chromium                                   # code-server + the UI tests
  nix-bin                                                # Nix's own parser and store: the differential test, closures
  clang-19 lld-19 wasi-libc                              # rebuilding the grammar WASM to check it is reproducible
  openssh-server openssh-client iproute2 iputils-ping udev jq sudo  # the namespace test target
  tinyproxy                                              # the HTTP proxy an install goes through (namespace tier)
  fdisk dosfstools mtools fusefat btrfs-progs xfsprogs e2fsprogs cryptsetup-bin busybox-static util-linux
  grub-common grub-pc-bin grub-efi-amd64-bin xorriso cpio ipxe-qemu seabios  # the installer-media test image, netboot
  qemu-system-x86 qemu-utils ovmf debootstrap            # the VM test target
  systemd-journal-remote                                 # writing a real journal for the rescue's namespace test
)
if [ "$purpose" = start ]; then pkgs=("${start_pkgs[@]}"); else pkgs=("${test_pkgs[@]}"); fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "nixkit needs these Debian packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
