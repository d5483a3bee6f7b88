// The two POSIX sh scripts the media engine runs where the device is (dash, bash, busybox ash). Values are passed as
// positional parameters ($1…), never pasted into the script text, so a device path or label can never become code.
// Both speak to the engine through lines on stderr starting with MARK; anything else on stderr is shown as a note.

/** The prefix of every line the scripts print for the engine. */
export const MARK = '@@nixkit-media';

/** Separates lsblk's JSON from the by-id lines on stdout. */
export const BYID_MARK = '@@nixkit-media:by-id@@';

/**
 * Lists the whole disks: lsblk's JSON (the first column list this lsblk accepts), then `<by-id link>\t<device>` per
 * line. Needs no root.
 */
export const LIST_SCRIPT = `export LC_ALL=C
for cols in "$@"; do
  if out=$(lsblk -J -b -o "$cols" 2>/dev/null); then printf '%s\\n' "$out"; break; fi
done
printf '%s\\n' '${BYID_MARK}'
for l in /dev/disk/by-id/*; do
  [ -L "$l" ] || continue
  t=$(readlink -f "$l") || continue
  printf '%s\\t%s\\n' "$l" "$t"
done
exit 0
`;

/**
 * Writes, reads back and powers off, as root. Parameters:
 *   $1 mode: `file` (read the image from $2 on this machine; stdin only watched: its end cancels) or `stdin`
 *      (the image arrives on stdin, from the engine over SSH)
 *   $2 image path (file mode), $3 device, $4 image bytes, $5 device bytes as confirmed, $6 power off: yes|no,
 *   $7 `unmount` (unmount what is mounted straight from the device first, innermost first) or `keep`
 * The write is `dd bs=4M iflag=fullblock oflag=direct conv=fsync` (direct I/O, flushed before dd exits); the
 * read-back reads exactly the image's bytes (direct I/O when aligned, else after flushing the device's buffers) into
 * sha256sum. A short write (the input ended early: a cut connection) stops before the read-back and says so.
 * Exit: 0 done, 3 refused before writing, 4 write failed or short, 5 read-back failed, 130 cancelled.
 */
export const WRITE_SCRIPT = `set -u
export LC_ALL=C
# sudo without secure_path keeps a user's PATH, which on many systems lacks the sbin folders blockdev lives in.
export PATH="\${PATH:-/usr/bin:/bin}:/usr/local/sbin:/usr/sbin:/sbin"
mode=$1 src=$2 dev=$3 size=$4 devsize=$5 poff=$6 unmount=\${7:-keep}
say() { printf '${MARK} %s\\n' "$*" >&2; }
refuse() { say error "$*"; exit 3; }
have() { command -v "$1" >/dev/null 2>&1; }
tmp=$(mktemp -d 2>/dev/null) || refuse "cannot create a temporary directory"
pids=
cleanup() { for p in $pids; do kill -TERM "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap 'cleanup' EXIT
trap 'say cancelled; exit 130' INT TERM HUP
exec 3<&0
[ -b "$dev" ] || refuse "$dev is not a block device"
real=$(readlink -f "$dev")
kname=\${real##*/}
have blockdev || refuse "blockdev (util-linux) is missing"
have dd || refuse "dd is missing"
have sha256sum || refuse "sha256sum is missing"
actual=$(blockdev --getsize64 "$dev" 2>/dev/null) || refuse "cannot read the size of $dev"
[ "$actual" = "$devsize" ] || refuse "$dev now has $actual bytes, not the $devsize bytes confirmed: was the device changed?"
[ "$size" -le "$actual" ] || refuse "the image ($size bytes) does not fit on $dev ($actual bytes)"
mounted_from() { # mount points of the device and its partitions, last mounted first (/proc/mounts escapes spaces)
  while read -r m p _; do
    case $m in "$real"|"$real"[0-9]*|"$real"p[0-9]*) printf '%s\\n' "$p";; esac
  done </proc/mounts | sed -n '1!G;h;$p'
}
if [ "$unmount" = unmount ]; then
  set -f # mount points are data: no globbing of a '*' in one
  for p in $(mounted_from); do
    mp=$(printf '%b' "$p")
    case $mp in /media/*|/run/media/*|/mnt/*) ;; *) refuse "$mp is not where removable media are mounted: not unmounted";; esac
    umount -- "$mp" 2>/dev/null || refuse "could not unmount $mp (busy?): close what uses it"
    say unmounted "$mp"
  done
  set +f
fi
# The last guard, just before writing: nothing mounted from it, nothing built on it (LVM, LUKS, md).
while read -r m _; do
  case $m in "$real"|"$real"[0-9]*|"$real"p[0-9]*) refuse "$m is mounted: unmount it first";; esac
done </proc/mounts
for h in /sys/class/block/"$kname"/holders/* /sys/class/block/"$kname"/"$kname"*/holders/*; do
  [ -e "$h" ] && refuse "\${h##*/} is built on $dev (LVM, LUKS or md): close it first"
done
bytes_of() { tr '\\r' '\\n' <"$1" | sed -n 's/^\\([0-9][0-9]*\\) bytes.*/\\1/p' | tail -n 1; }
report() { # $1 phase, $2 dd's log: the byte count dd last printed, once a second
  while :; do sleep 1 </dev/null >/dev/null 2>&1; n=$(bytes_of "$2"); [ -n "$n" ] && say progress "$1" "$n"; done
}
if [ "$mode" = file ]; then
  # The engine holds stdin open and closes it to cancel (or by dying): then stop.
  ( while read -r _ <&3; do :; done; say input-closed; kill -TERM $$ ) &
  pids="$pids $!"
fi
say phase write
if [ "$mode" = file ]; then
  dd if="$src" of="$dev" bs=4M iflag=fullblock oflag=direct conv=fsync status=progress 2>"$tmp/w" &
else
  dd of="$dev" bs=4M iflag=fullblock oflag=direct conv=fsync status=progress <&3 2>"$tmp/w" &
fi
dd_pid=$!
pids="$pids $dd_pid"
say pid "$dd_pid"
report write "$tmp/w" &
rep=$!
pids="$pids $rep"
wait "$dd_pid"
rc=$?
say ended write
kill "$rep" 2>/dev/null
written=$(bytes_of "$tmp/w")
say written "\${written:-0}"
if [ "$rc" -ne 0 ]; then
  say error "dd failed: $(tail -n 3 "$tmp/w" | tr '\\r\\n' '  ')"
  exit 4
fi
[ "\${written:-0}" = "$size" ] || { say short "\${written:-0}"; exit 4; }
say phase verify
if [ $((size % 4096)) -eq 0 ]; then
  rflag=iflag=direct,count_bytes
else
  blockdev --flushbufs "$dev" 2>/dev/null
  rflag=iflag=count_bytes
fi
{ dd if="$dev" bs=4M "$rflag" count="$size" status=progress 2>"$tmp/r"; echo $? >"$tmp/rc"; } | sha256sum >"$tmp/sum" &
pipe=$!
pids="$pids $pipe"
report verify "$tmp/r" &
rep=$!
pids="$pids $rep"
wait "$pipe"
say ended verify
kill "$rep" 2>/dev/null
read_n=$(bytes_of "$tmp/r")
[ "$(cat "$tmp/rc" 2>/dev/null)" = 0 ] || { say error "reading $dev back failed: $(tail -n 3 "$tmp/r" | tr '\\r\\n' '  ')"; exit 5; }
say progress verify "\${read_n:-0}"
[ "\${read_n:-0}" = "$size" ] || { say error "read back \${read_n:-0} bytes of $size"; exit 5; }
sum=$(cut -c1-64 "$tmp/sum")
say sha256 "$sum"
if [ "$poff" = yes ]; then
  say phase power-off
  sync
  if have udisksctl; then
    if out=$(udisksctl power-off -b "$dev" 2>&1); then say poweroff udisksctl ok
    else say poweroff udisksctl fail "$(printf %s "$out" | tr '\\n' ' ')"; fi
  elif have eject; then
    if out=$(eject "$dev" 2>&1); then say poweroff eject ok
    else say poweroff eject fail "$(printf %s "$out" | tr '\\n' ' ')"; fi
  else
    say poweroff none
  fi
fi
say done
exit 0
`;
