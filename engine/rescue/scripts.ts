// The shell scripts the rescue runs on the target (POSIX sh; busybox ash too). Every value reaches them as a
// positional parameter, never spliced into the script text, so a hostile label, path or command cannot become code.

/**
 * The holder: a process in a private mount namespace (`unshare --mount`) that owns the rescue's mounts. Every later
 * command enters its namespace (`nsenter -t PID -m`), so nothing the rescue mounts is visible to the rescue system
 * and nothing is left behind: when its input ends — nixkit is done, or the SSH connection dropped — it unmounts
 * everything under its mount point (deepest first, lazily if busy), closes the LUKS mappings this rescue opened
 * (`nixkit-rescue-<nonce>-*`) and removes the mount point. $1 = the nonce.
 */
export const HOLDER_SCRIPT = `set -u
nonce=$1
mnt=$(mktemp -d /tmp/nixkit-rescue.XXXXXX) || exit 1
cleanup() {
  trap - EXIT HUP INT TERM PIPE
  cd /
  for m in $(cut -d' ' -f2 /proc/self/mounts | grep -e "^$mnt\\$" -e "^$mnt/" | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || echo "nixkit-rescue: could not unmount $m" >&2
  done
  for d in /dev/mapper/nixkit-rescue-"$nonce"-*; do
    [ -e "$d" ] || continue
    cryptsetup close "\${d##*/}" || echo "nixkit-rescue: could not close \${d##*/}" >&2
  done
  rmdir "$mnt" 2>/dev/null || echo "nixkit-rescue: $mnt is not empty; left in place" >&2
  echo "nixkit-rescue: cleaned up" >&2
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM PIPE
echo "nixkit-rescue-ready $$ $mnt"
cat >/dev/null
exit 0`;

/**
 * Resolves a device as the configuration names it (a by-label/by-uuid/by-partlabel/by-partuuid link or LABEL=…,
 * UUID=…), printing every matching device, one a line: blkid is asked whenever the name is a label or UUID, since
 * a rescue system may lack the udev links, and two disks with the same label must be seen (not the first one
 * taken). $1 = the name; $2 = the blkid key and $3 its value (decoded by nixkit), or empty.
 */
export const RESOLVE_SCRIPT = `spec=$1; key=$2; val=$3
if [ -n "$key" ] && command -v blkid >/dev/null 2>&1; then
  out=$(blkid -c /dev/null -o device -t "$key=$val" 2>/dev/null)
  if [ -n "$out" ]; then printf '%s\\n' "$out"; exit 0; fi
fi
if [ -e "$spec" ]; then readlink -f -- "$spec"; exit 0; fi
exit 3`;

/**
 * Mounts $1 (device) at $2 (directory) read-only with type $3 (may be empty) and extra options $4 (may be empty).
 * vfat falls back to FUSE (fusefat) where the kernel has no vfat (the project's CI kernel; rescue systems have it).
 */
export const MOUNT_RO_SCRIPT = `dev=$1; dir=$2; type=$3; extra=$4
opts=ro\${extra:+,$extra}
[ -d "$dir" ] || { echo "$dir does not exist on the installed system" >&2; exit 3; }
if [ -n "$type" ]; then err=$(mount -t "$type" -o "$opts" "$dev" "$dir" 2>&1) && exit 0
else err=$(mount -o "$opts" "$dev" "$dir" 2>&1) && exit 0; fi
if [ "$type" = vfat ] && command -v fusefat >/dev/null 2>&1; then
  fusefat -o "ro,allow_other,fsname=$dev" "$dev" "$dir" >/dev/null && exit 0
fi
printf '%s\\n' "$err" >&2
exit 1`;

/**
 * Makes the mount at $1 (device $2, type $3) writable: `mount -o remount,rw`, or for a FUSE vfat mount, unmounted
 * and mounted again writable.
 */
export const REMOUNT_RW_SCRIPT = `dir=$1; dev=$2; type=$3
case $type in
  fuse*) umount "$dir" && exec fusefat -o "rw+,allow_other,fsname=$dev" "$dev" "$dir" >/dev/null ;;
  *) exec mount -o remount,rw "$dir" ;;
esac`;

/** Writes $2 to the file $1 through a temporary file beside it and a rename (a cut connection leaves the old file). */
export const WRITE_FILE_SCRIPT = `set -e
printf '%s' "$2" > "$1.nixkit-new"
sync "$1.nixkit-new" 2>/dev/null || sync
mv -f "$1.nixkit-new" "$1"
sync`;

/**
 * Reads what the diagnosis needs from the root mounted at $1, each part after a line "$2 <part>" ($2 is a marker
 * unique to this run, so no file on the disk can fake a section): the generations, the current one, the boot
 * loader's files under /boot, /boot/efi and /efi, whether journalctl exists, the journal's boots, and the newest
 * text logs under /var/log (their last lines). Reads only.
 */
export const DIAGNOSE_SCRIPT = `m=$1; k=$2
sec() { printf '\\n%s %s\\n' "$k" "$1"; }
sec generations
for l in "$m"/nix/var/nix/profiles/system-*-link; do
  [ -L "$l" ] || continue
  printf '%s\\t%s\\t%s\\n' "\${l##*/}" "$(readlink "$l")" "$(stat -c %Y "$l" 2>/dev/null)"
done
sec current
readlink "$m/nix/var/nix/profiles/system" 2>/dev/null
for d in /boot /boot/efi /efi; do
  [ -d "$m$d" ] || continue
  if [ -f "$m$d/loader/loader.conf" ]; then sec "file $d/loader/loader.conf"; head -c 65536 "$m$d/loader/loader.conf"; fi
  for e in "$m$d"/loader/entries/*.conf; do
    [ -f "$e" ] || continue
    sec "file $d/loader/entries/\${e##*/}"; head -c 65536 "$e"
  done
  if [ -f "$m$d/grub/grub.cfg" ]; then sec "file $d/grub/grub.cfg"; head -c 1048576 "$m$d/grub/grub.cfg"; fi
  if [ -f "$m$d/grub/grubenv" ]; then sec "file $d/grub/grubenv"; head -c 1024 "$m$d/grub/grubenv"; fi
done
sec journalctl
command -v journalctl || echo none
sec journal-dir
if [ -d "$m/var/log/journal" ]; then find "$m/var/log/journal" -name '*.journal' 2>/dev/null | head -n 1; fi
sec list-boots
if command -v journalctl >/dev/null 2>&1 && [ -d "$m/var/log/journal" ]; then
  journalctl -D "$m/var/log/journal" --list-boots --no-pager 2>&1 | tail -n 20
fi
sec text-logs
find "$m/var/log" -maxdepth 2 -type f -size +0 ! -path "$m/var/log/journal/*" ! -name '*.gz' ! -name '*.xz' \\
  ! -name '*.zst' ! -name '*.bz2' ! -name wtmp ! -name btmp ! -name lastlog ! -name faillog ! -name '*.journal*' \\
  -exec ls -t {} + 2>/dev/null | head -n 6 | while IFS= read -r f; do
  sec "log \${f#$m}"
  tail -n 80 "$f" | cut -c1-1000
done
sec end`;

/**
 * The lines of one boot of the journal at $1 (boot id $2), after markers "$3 <part>": the start of the boot (the
 * kernel command line, interface renames), its errors, the lines about failures and interfaces, and its end.
 */
export const JOURNAL_SCRIPT = `d=$1; b=$2; k=$3
j() { journalctl -D "$d" -b "$b" --no-pager -q -o short-monotonic "$@" 2>&1; }
printf '%s %s\\n' "$k" head; j | head -n 400 | cut -c1-1000
printf '%s %s\\n' "$k" errors; j -p err | tail -n 200 | cut -c1-1000
printf '%s %s\\n' "$k" matches; j | grep -E 'Failed|failed|timed out|renamed from|Link UP|link becomes ready|carrier|Dependency failed|NIC|network' | tail -n 400 | cut -c1-1000
printf '%s %s\\n' "$k" tail; j | tail -n 120 | cut -c1-1000
printf '%s %s\\n' "$k" end`;
