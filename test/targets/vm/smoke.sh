#!/usr/bin/env bash
# Smoke test of the full-tier target: build the image (cached), boot the UEFI VM, reach it over plain ssh with
# strict host key checking, check UEFI, a virtio target disk with a by-id name and a predicted NIC name, stop.
#   sudo bash test/targets/vm/smoke.sh
set -euo pipefail
HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
VM=$HERE/vm.sh
T0=$(date +%s.%N)
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
say() { printf '[smoke %6ss] %s\n' "$(elapsed "$T0")" "$*"; }
fail() { say "FAIL: $*"; exit 1; }

[ "$(id -u)" = 0 ] || fail "run as root (the image build needs it)"

t=$(date +%s.%N)
IMG=$(bash "$HERE/build-image.sh")
say "image $IMG ready in $(elapsed "$t")s"

NIXKIT_VM_STATE=$(mktemp -d /tmp/nixkit-vm-smoke.XXXXXX)
export NIXKIT_VM_STATE NIXKIT_VM_IMAGE=$IMG
export NIXKIT_VM_LIFETIME=${NIXKIT_VM_LIFETIME:-900} # a VM this test loses dies on its own after 15 min
cleanup() {
  local rc=$?
  bash "$VM" clean >/dev/null 2>&1 || true
  rm -rf "$NIXKIT_VM_STATE"
  [ $rc -eq 0 ] && say "PASS (total $(elapsed "$T0")s)" || say "failed (exit $rc); VM stopped and removed"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

t=$(date +%s.%N)
bash "$VM" start
# 180 s is plenty on an idle machine (about 45 s); 300 keeps a heavily loaded one (6x oversubscribed: 124 s) green
bash "$VM" wait-ssh "${NIXKIT_VM_SSH_DEADLINE:-300}" | sed 's/^/  /'
BOOT=$(elapsed "$t")
say "ssh up ${BOOT}s after start"

# Plain ssh, host key pinned from the cache (vm.sh start wrote known_hosts from the image's host key).
PORT=$(cat "$NIXKIT_VM_STATE/port")
SSH=(ssh -p "$PORT" -i "$IMG/id_ed25519" -o IdentitiesOnly=yes -o BatchMode=yes -o ConnectTimeout=20
  -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$NIXKIT_VM_STATE/known_hosts" root@127.0.0.1)
OUT=$NIXKIT_VM_STATE/probe.txt
t=$(date +%s.%N)
timeout 120 "${SSH[@]}" 'set -e
  nic=$(ls /sys/class/net | grep -vx lo | head -n 1)
  echo "@@nic $nic"
  test -d /sys/firmware/efi && echo "@@efi yes"
  echo "@@efivars $(findmnt -n -o FSTYPE,OPTIONS /sys/firmware/efi/efivars || echo none)"
  echo "@@lsblk"; lsblk -J -O
  echo "@@byid"; ls -l /dev/disk/by-id/
  echo "@@netid"; udevadm test-builtin net_id "/sys/class/net/$nic" 2>/dev/null
  echo "@@addr"; ip -br addr
  echo "@@uname $(uname -r) $(hostname)"
  echo "@@end"' >"$OUT" || fail "probe over ssh failed"
say "probe over ssh took $(elapsed "$t")s"

section() { awk -v s="@@$1" '$0 ~ /^@@/ { on = ($0 == s) ; next } on' "$OUT"; }
field() { sed -n "s/^@@$1 //p" "$OUT"; }

grep -qx '@@end' "$OUT" || fail "probe output incomplete: $(cat "$OUT")"
NIC=$(field nic)
EFI=$(field efi)
LSBLK=$(section lsblk)
NETID=$(section netid)

echo "--- what the VM reported"
echo "kernel/hostname: $(field uname)"
echo "firmware: ${EFI:+UEFI (/sys/firmware/efi present)}; efivarfs: $(field efivars)"
echo "disks (lsblk -J -O, selected fields):"
jq -r '.blockdevices[] | "  \(.name) \(.size) type=\(.type) serial=\(.serial) model=\(.model) fstype=\(.fstype) mount=\(.mountpoints | map(select(. != null)) | join(","))"' <<<"$LSBLK"
echo "by-id:"; section byid | grep -o 'virtio-.*' | sed 's/^/  /'
echo "NIC $NIC, udevadm test-builtin net_id:"; sed 's/^/  /' <<<"$NETID"
echo "addresses:"; section addr | sed 's/^/  /'
echo "---"

[ "$EFI" = yes ] || fail "no /sys/firmware/efi: not booted via UEFI"
target=$(jq -r '.blockdevices[] | select(.serial == "nixkit-target") | .name' <<<"$LSBLK")
[ -n "$target" ] || fail "no disk with serial nixkit-target in lsblk"
[ "$(jq -r --arg n "$target" '.blockdevices[] | select(.name == $n) | .fstype' <<<"$LSBLK")" = null ] ||
  fail "target disk is not blank"
[ "$(jq -r --arg n "$target" '.blockdevices[] | select(.name == $n) | .size' <<<"$LSBLK")" = 4G ] ||
  fail "target disk is not 4G"
section byid | grep -q "virtio-nixkit-target -> ../../$target\$" || fail "no /dev/disk/by-id/virtio-nixkit-target -> $target"
grep -Eq '^ID_NET_NAME_PATH=enp[0-9]+s[0-9]+$' <<<"$NETID" || fail "no predicted PCI path name for the NIC"
grep -Eq "^ID_NET_NAME_(PATH|SLOT|ONBOARD)=$NIC\$" <<<"$NETID" || fail "NIC name $NIC is not a predicted name"
section addr | grep -q "^$NIC .*10\.0\.2\.15/" || fail "no DHCP address on $NIC"
say "checks passed: UEFI, /dev/$target = /dev/disk/by-id/virtio-nixkit-target (blank, 4G), NIC $NIC (predicted), DHCP"

# Second boot mode: make the target disk bootable the way an install does (GPT, ESP, an EFI binary, a boot entry in
# the firmware's variables), stop, boot that disk alone under OVMF with the same VARS, and see the kernel start with
# the command line from the boot entry.
t=$(date +%s.%N)
timeout 120 "${SSH[@]}" 'set -e
  d=/dev/disk/by-id/virtio-nixkit-target
  printf "label: gpt\nsize=100MiB, type=uefi, name=ESP\n" | sfdisk -q "$d"
  udevadm settle
  mkfs.vfat -F 32 -n ESP "$d-part1" >/dev/null
  mkdir -p /mnt/esp && mount "$d-part1" /mnt/esp
  mkdir -p /mnt/esp/EFI/nixkit
  cp /vmlinuz /mnt/esp/EFI/nixkit/vmlinuz.efi
  cp /initrd.img /mnt/esp/EFI/nixkit/initrd.img
  umount /mnt/esp
  sync
  efibootmgr -q -c -d "$d" -p 1 -L nixkit-smoke -l "\\EFI\\nixkit\\vmlinuz.efi" \
    -u "console=ttyS0,115200n8 initrd=\\EFI\\nixkit\\initrd.img nixkit-smoke-marker"
  efibootmgr | grep -E "^(BootOrder|Boot[0-9A-F]{4}\* nixkit-smoke)"' | sed 's/^/  /' || fail "making the target disk bootable failed"
say "target disk made bootable in $(elapsed "$t")s"

t=$(date +%s.%N)
bash "$VM" stop
bash "$VM" status >/dev/null && fail "VM still running after stop"
say "live VM stopped in $(elapsed "$t")s"

t=$(date +%s.%N)
bash "$VM" boot-disk
bash "$VM" wait-serial 'Command line:.*nixkit-smoke-marker' 120 | sed 's/^/  /'
tr -d '\r' <"$NIXKIT_VM_STATE/serial.log" | grep -a -o 'BdsDxe: starting.*' | head -n 1 | sed 's/^/  /'
bash "$VM" stop
say "disk boot: firmware started the installed entry, kernel up, in $(elapsed "$t")s; live boot-to-ssh ${BOOT}s"
