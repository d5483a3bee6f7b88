#!/usr/bin/env bash
# Tears the target down from what STATE_DIR holds; safe to run twice, after a half-finished start, and after the
# process that started it died (sweep.sh runs it then). It only touches what is provably this target's:
# - processes in its network namespace (its own name, recorded in STATE_DIR/netns) or in the mount namespace of
#   its holder: sshd, sessions, FUSE daemons, the holder;
# - the mounts under STATE_DIR in that mount namespace;
# - loop devices whose backing file lies under STATE_DIR (every disk image of the target and of its tests does),
#   their partitions, and swap on them;
# - the /dev/disk links listed in STATE_DIR/links, the udevd it started (PID file, checked against its command line).
# Other loop devices, namespaces, mounts and swaps on this machine are never looked at twice.
set -uo pipefail
S="${1:?usage: stop.sh STATE_DIR}"
[ -d "$S" ] || exit 0
S="$(cd "$S" && pwd)"
pid_of() { [ -s "$S/$1" ] && cat "$S/$1"; }
alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }
NS=$(pid_of netns || true)
# The namespace is ours only while it is the one start.sh made (its inode, recorded): a name can be reused.
if [ -n "$NS" ] && [ "$(stat -L -c %i "/run/netns/$NS" 2>/dev/null)" != "$(pid_of netns.id)" ]; then NS=; fi
nspids() { [ -n "$NS" ] && ip netns pids "$NS" 2>/dev/null; }
# The holder is ours only while it runs in our network namespace (a PID can be reused).
HOLDER=$(pid_of holder.pid || true)
{ alive "$HOLDER" && nspids | grep -qx "$HOLDER"; } || HOLDER=

# Our loop devices: by backing file, so a loop detached by a test and reused by someone else is not ours any more.
our_loops() {
  for f in /sys/block/loop*/loop/backing_file; do
    [ -r "$f" ] || continue
    case "$(cat "$f" 2>/dev/null)" in "$S"/*) l=${f#/sys/block/}; echo "/dev/${l%%/*}" ;; esac
  done
}
LOOPS=$(our_loops)
is_ours() { # a block device name (loop7, loop7p2) -> is it one of LOOPS or a partition of one?
  local n=$1
  [ -e "/sys/class/block/$n/partition" ] && { n=$(readlink -f "/sys/class/block/$n/.."); n=${n##*/}; }
  printf '%s\n' $LOOPS | grep -qx "/dev/$n"
}

# 1. swap on our devices (swap is the whole machine's: a test's swapon reaches past the namespace)
if [ -n "$LOOPS" ]; then
  tail -n +2 /proc/swaps | while read -r dev _; do
    n=$(readlink -f "$dev" 2>/dev/null); n=${n##*/}
    [ -n "$n" ] && is_ours "$n" && swapoff "$dev" 2>/dev/null
  done
fi

# 2. mounts under the state folder, inside the target's mount namespace, deepest first
MNTNS=
if [ -n "$HOLDER" ]; then
  MNTNS=$(readlink "/proc/$HOLDER/ns/mnt" 2>/dev/null)
  # never the machine's own mount namespace (the holder always has one of its own)
  case "$MNTNS" in "$(readlink /proc/1/ns/mnt)" | "$(readlink /proc/$$/ns/mnt)") MNTNS= ;; esac
  awk '{print $5}' "/proc/$HOLDER/mountinfo" 2>/dev/null | grep -F "$S/" | awk '{print length, $0}' | sort -rn |
    cut -d' ' -f2- | while read -r m; do
      m=$(printf '%b' "$m")  # mountinfo escapes spaces as \040
      nsenter -t "$HOLDER" -m umount -l "$m" 2>/dev/null
    done
fi

# 3. every process of the target: in its network namespace, or in its mount namespace (a FUSE daemon started with
#    nsenter -m alone); TERM first, KILL what is left
procs() {
  { nspids
    # one find, not a readlink per process (on a busy machine a loop of forks takes seconds); the link reads
    # mnt:[INODE], and ? stands for the brackets (they would be a pattern)
    if [ -n "$MNTNS" ]; then
      find /proc/[0-9]*/ns/mnt -maxdepth 0 -lname "mnt:?${MNTNS//[^0-9]/}?" -printf '%h\n' 2>/dev/null |
        sed 's#^/proc/##; s#/ns$##'
    fi; } | sort -u | grep -vx "$$"
}
P=$(procs)
if [ -n "$P" ]; then
  kill $P 2>/dev/null
  for _ in $(seq 40); do P=$(procs); [ -z "$P" ] && break; sleep 0.05; done
  [ -n "$P" ] && kill -9 $P 2>/dev/null
  for _ in $(seq 40); do [ -z "$(procs)" ] && break; sleep 0.05; done
fi

# 4. loop devices, each with its partitions first: a loop detached without partition scanning keeps the partitions
#    partx gave it, and whoever attaches that loop next would find them describing another image. (Detaching a loop
#    still in use only marks it to go when its last user does.)
for l in $LOOPS; do
  for _ in $(seq 20); do
    ls /sys/class/block/"${l##*/}"/*/partition >/dev/null 2>&1 || break
    partx --delete "$l" 2>/dev/null || sleep 0.1
  done
  losetup -d "$l" 2>/dev/null
done
rm -f "$S/loops"

# 5. /dev/disk links the tests made (listed as they were made; only symlinks are removed)
if [ -s "$S/links" ]; then
  while IFS= read -r link; do [ -L "$link" ] && rm -f -- "$link"; done < "$S/links"
  rm -f "$S/links"
fi

# 6. the udevd start.sh started (no udevd ran before it), and only what it left behind. Another target that is still
#    up (a parallel run) may be using it: it is handed over to that one (its PID file), whose stop ends it.
handover() {
  local d
  for d in "${S%/*}"/nixkit-target-*/; do
    d=${d%/}
    [ "$d" != "$S" ] && [ ! -e "$d/udevd.pid" ] && [ -s "$d/holder.pid" ] && alive "$(cat "$d/holder.pid")" &&
      mv "$S/udevd.pid" "$d/udevd.pid" 2>/dev/null && return 0
  done
  return 1
}
if UDEVD=$(pid_of udevd.pid) && ! { alive "$UDEVD" && handover; }; then
  if alive "$UDEVD" && grep -q udevd "/proc/$UDEVD/cmdline" 2>/dev/null; then
    kill "$UDEVD" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$UDEVD" 2>/dev/null || break; sleep 0.05; done
  fi
  # its database and links, unless another udevd runs by now (then they are that one's)
  udevadm control --ping 2>/dev/null || rm -rf /run/udev /dev/disk
  rm -f "$S/udevd.pid"
fi

# 7. the network namespace and the host end of its veth pair
if [ -n "$NS" ]; then
  ip netns del "$NS" 2>/dev/null
  ip link del "nkh${NS#nkt-}" 2>/dev/null
fi
rm -f "$S/netns" "$S/netns.id"
rm -f "$S/sshd.pid" "$S/holder.pid"
rm -rf "$S/disks"
exit 0
