#!/usr/bin/env bash
# Tears the target down from what STATE_DIR recorded; safe to run twice and after a half-finished start.
# Only processes this target started are stopped, each by its recorded PID.
set -uo pipefail
S="${1:?usage: stop.sh STATE_DIR}"
[ -d "$S" ] || exit 0
pid_of() { [ -s "$S/$1" ] && cat "$S/$1"; }
children_of() { cat /proc/"$1"/task/*/children 2>/dev/null; }
if HOLDER=$(pid_of holder.pid) && kill -0 "$HOLDER" 2>/dev/null; then
  nsenter -t "$HOLDER" -m umount -R "$S/root" 2>/dev/null || nsenter -t "$HOLDER" -m umount -R -l "$S/root" 2>/dev/null
fi
if SSHD=$(pid_of sshd.pid); then
  for c in $(children_of "$SSHD"); do kill -9 "$c" 2>/dev/null; done
  kill "$SSHD" 2>/dev/null
fi
[ -n "${HOLDER:-}" ] && kill "$HOLDER" 2>/dev/null
if [ -s "$S/loops" ]; then
  # partitions first, then whole disks (reverse order of creation). The partitions an install's partx gave a disk
  # go before it: a loop device detached without partition scanning keeps them, and whoever attaches that loop next
  # would find them describing another image (a FUSE ESP's process may hold one a moment after its unmount).
  for l in $(tac "$S/loops"); do
    for _ in $(seq 20); do
      ls /sys/class/block/"${l##*/}"/*/partition >/dev/null 2>&1 || break
      partx --delete "$l" 2>/dev/null || sleep 0.1
    done
    losetup -d "$l" 2>/dev/null
  done
  rm -f "$S/loops"
fi
if UDEVD=$(pid_of udevd.pid); then
  kill "$UDEVD" 2>/dev/null
  for _ in $(seq 100); do kill -0 "$UDEVD" 2>/dev/null || break; sleep 0.05; done
  # only what a udevd we started left behind (no udevd ran before it)
  rm -rf /run/udev /dev/disk
  rm -f "$S/udevd.pid"
fi
if [ -s "$S/netns" ]; then
  NS=$(cat "$S/netns")
  ip netns del "$NS" 2>/dev/null
  ip link del "nkh${NS#nkt-}" 2>/dev/null
  rm -f "$S/netns"
fi
rm -f "$S/sshd.pid" "$S/holder.pid"
rm -rf "$S/disks"
exit 0
