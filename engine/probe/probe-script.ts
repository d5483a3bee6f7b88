// The probe: one POSIX sh script, sent in one exec, that collects raw facts and prints them as length-prefixed
// records. It interprets nothing (probe-parse.ts does), so hostile strings on the target (labels, model names with
// quotes, $(), newlines) are only ever data: each record is
//   R <name length> <value length>\n<name><value>\n
// with byte lengths (LC_ALL=C makes ${#v} count bytes in dash, bash and busybox ash). Values are bounded in size,
// stderr of every tool is discarded (it never mixes into a value), and a missing tool only leaves records out.
// Works with dash/bash/busybox ash; needs no Nix, no Python. Prefers lsblk/blkid/udevadm, reads /sys and /proc.

/** Bumped when the record vocabulary changes incompatibly (probe-parse.ts checks it). */
export const PROBE_SCRIPT_VERSION = 1;

/** Largest value one record may carry (bytes); bigger outputs are cut (and the parser notes the cut). */
export const MAX_VALUE_BYTES = 262_144;

/** EFI_GLOBAL_VARIABLE, the vendor GUID of the UEFI spec's global variables (SecureBoot, SetupMode, Boot####). */
export const EFI_GLOBAL_GUID = '8be4df61-93ca-11d2-aa0d-00e098032b8c';

/**
 * lsblk columns, newest util-linux first. An lsblk that does not know one column refuses the whole list (and prints
 * nothing), so the script falls back: PARTN is new in 2.39 (Debian 12 and Ubuntu 22.04 have 2.38), FSVER,
 * PARTTYPENAME and MOUNTPOINTS in 2.35–2.37 (the mount points come from mountinfo anyway).
 */
export const LSBLK_COLUMN_SETS: readonly string[] = (() => {
  const all =
    'NAME,KNAME,PATH,MAJ:MIN,TYPE,SIZE,MODEL,SERIAL,VENDOR,WWN,TRAN,ROTA,RM,RO,PTTYPE,PTUUID,PARTTYPE,PARTTYPENAME,PARTUUID,PARTLABEL,PARTN,FSTYPE,FSVER,UUID,LABEL,MOUNTPOINTS,PKNAME'.split(
      ',',
    );
  const without = (drop: string[]) => all.filter((c) => !drop.includes(c)).join(',');
  return [all.join(','), without(['PARTN']), without(['PARTN', 'FSVER', 'PARTTYPENAME', 'MOUNTPOINTS'])];
})();

/** Tools the probe uses when present; each absent one is reported in `missing`. */
export const PROBE_TOOLS = [
  'lsblk',
  'blkid',
  'sfdisk',
  'udevadm',
  'ip',
  'systemd-detect-virt',
  'nix',
  'readlink',
  'od',
  'head',
] as const;

export const PROBE_SCRIPT = String.raw`
LC_ALL=C; export LC_ALL
# NIXKIT_PROBE_PATH: tests simulate a rescue system with fewer tools
if [ -n "${'${NIXKIT_PROBE_PATH:-}'}" ]; then PATH=$NIXKIT_PROBE_PATH; else PATH=/run/current-system/sw/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH; fi; export PATH
umask 077
MAX=${MAX_VALUE_BYTES}
have() { command -v "$1" >/dev/null 2>&1; }
rec() { printf 'R %d %d\n%s%s\n' "${'${#1}'}" "${'${#2}'}" "$1" "$2"; }
# cmd NAME COMMAND...: stdout of a command, bounded; the trailing "." keeps trailing newlines intact
cmd() { _n=$1; shift; _v=$("$@" 2>/dev/null | head -c "$MAX"; echo .); rec "$_n" "${'${_v%.}'}"; }
# file NAME PATH: a whole (small) file, bounded
file() { [ -r "$2" ] || return 0; _v=$(head -c "$MAX" "$2" 2>/dev/null; echo .); rec "$1" "${'${_v%.}'}"; }
# attr NAME PATH: the first line of a sysfs attribute, read without forking
attr() { [ -r "$2" ] || return 0; _v=; IFS= read -r _v < "$2" 2>/dev/null; rec "$1" "$_v"; }
# link NAME PATH: a symlink's target
link() { [ -L "$2" ] || return 0; rec "$1" "$(readlink "$2" 2>/dev/null)"; }
# holders NAME DIR: the kernel names in a holders/ folder (what sits on the device: dm, md), space-separated
holders() { _h=; for _x in "$2"/holders/*; do [ -e "$_x" ] && _h="$_h ${'${_x##*/}'}"; done; [ -n "$_h" ] && rec "$1" "${'${_h# }'}"; return 0; }

rec meta/version ${PROBE_SCRIPT_VERSION}
rec meta/uid "$(id -u 2>/dev/null)"
for t in ${PROBE_TOOLS.join(' ')}; do have "$t" || rec missing "$t"; done

# --- system
cmd sys/arch uname -m
cmd sys/kernel uname -r
cmd sys/hostname uname -n
if [ -r /etc/os-release ]; then file sys/os-release /etc/os-release; else file sys/os-release /usr/lib/os-release; fi
[ -e /etc/NIXOS ] && rec sys/etc-nixos 1
have nixos-version && cmd sys/nixos-version nixos-version
have nix && cmd sys/nix-version nix --version
file sys/meminfo /proc/meminfo
have systemd-detect-virt && cmd sys/detect-virt systemd-detect-virt
for f in sys_vendor product_name board_vendor bios_vendor; do attr "dmi/$f" "/sys/class/dmi/id/$f"; done
file sys/cmdline /proc/cmdline

# --- cpu: the first processor block and the count (cpuinfo of a big machine is long)
cmd cpu/first sed '/^$/q' /proc/cpuinfo
cmd cpu/count grep -c '^processor' /proc/cpuinfo
attr cpu/governors /sys/devices/system/cpu/cpu0/cpufreq/scaling_available_governors

# --- firmware
if [ -d /sys/firmware/efi ]; then
  rec fw/efi 1
  attr fw/platform-size /sys/firmware/efi/fw_platform_size
  for f in /sys/firmware/efi/efivars/SecureBoot-${EFI_GLOBAL_GUID} /sys/firmware/efi/efivars/SetupMode-${EFI_GLOBAL_GUID}; do
    [ -r "$f" ] && cmd "fw/${'${f##*/}'}" od -An -tu1 -j4 -N1 "$f"
  done
fi

# --- mounts and swap
file mnt/mountinfo /proc/self/mountinfo
file mnt/swaps /proc/swaps

# --- block devices
if have lsblk; then
  # the first column list this lsblk accepts (an older one prints nothing for a list with a column it lacks)
  for _c in ${LSBLK_COLUMN_SETS.join(' ')}; do
    _v=$(lsblk -J -b -o "$_c" 2>/dev/null | head -c "$MAX"; echo .)
    [ "$_v" = . ] || break
  done
  rec blk/lsblk "${'${_v%.}'}"
fi
for d in /sys/block/*; do
  [ -e "$d/dev" ] || continue
  n=${'${d##*/}'}
  _s=; IFS= read -r _s < "$d/size" 2>/dev/null
  [ "$_s" = 0 ] && continue
  rec "blk/$n/size" "$_s"
  attr "blk/$n/dev" "$d/dev"
  attr "blk/$n/removable" "$d/removable"
  attr "blk/$n/ro" "$d/ro"
  attr "blk/$n/rotational" "$d/queue/rotational"
  attr "blk/$n/logical-block-size" "$d/queue/logical_block_size"
  attr "blk/$n/model" "$d/device/model"
  attr "blk/$n/vendor" "$d/device/vendor"
  attr "blk/$n/serial" "$d/device/serial"
  attr "blk/$n/wwid" "$d/device/wwid"
  attr "blk/$n/loop-backing" "$d/loop/backing_file"
  attr "blk/$n/loop-offset" "$d/loop/offset"
  attr "blk/$n/loop-sizelimit" "$d/loop/sizelimit"
  link "blk/$n/module" "$d/device/driver/module"
  [ -e "$d/device" ] && rec "blk/$n/devpath" "$(readlink -f "$d/device" 2>/dev/null)"
  # what is built on the disk (LVM, dm-crypt, md): the install refuses a disk something still holds
  holders "blk/$n/holders" "$d"
  attr "blk/$n/dm-name" "$d/dm/name"
  attr "blk/$n/dm-uuid" "$d/dm/uuid"
  attr "blk/$n/md-level" "$d/md/level"
  for p in "$d/$n"*; do
    [ -e "$p/partition" ] || continue
    pn=${'${p##*/}'}
    attr "part/$n/$pn/partition" "$p/partition"
    attr "part/$n/$pn/start" "$p/start"
    attr "part/$n/$pn/size" "$p/size"
    attr "part/$n/$pn/dev" "$p/dev"
    holders "part/$n/$pn/holders" "$p"
    have blkid && cmd "blkid/$pn" blkid -p -o udev "/dev/$pn"
  done
  have blkid && cmd "blkid/$n" blkid -p -o udev "/dev/$n"
  case "$n" in loop*|ram*|zram*|sr*|fd*) ;; *) have sfdisk && cmd "ptable/$n" sfdisk -J "/dev/$n" ;; esac
  case "$n" in loop*) have sfdisk && [ "$(cat "$d/loop/offset" 2>/dev/null)" = 0 ] && cmd "ptable/$n" sfdisk -J "/dev/$n" ;; esac
done
# busybox blkid knows no -p/-o: one plain listing as the fallback
have blkid && cmd blkid-all blkid
for l in /dev/disk/by-id/*; do [ -L "$l" ] && rec "byid/${'${l##*/}'}" "$(readlink "$l" 2>/dev/null)"; done
for b in /sys/class/mmc_host/*; do link "mmc/${'${b##*/}'}/module" "$b/device/driver/module"; done

# --- controllers (PCI storage / USB / FireWire / network) and USB interfaces
for p in /sys/bus/pci/devices/*; do
  [ -r "$p/class" ] || continue
  id=${'${p##*/}'}
  _c=; IFS= read -r _c < "$p/class" 2>/dev/null
  case "$_c" in 0x01*|0x0c03*|0x0c00*|0x02*|0x0d*)
    rec "pci/$id/class" "$_c"
    attr "pci/$id/vendor" "$p/vendor"
    attr "pci/$id/device" "$p/device"
    link "pci/$id/driver" "$p/driver"
    link "pci/$id/module" "$p/driver/module" ;;
  esac
done
for u in /sys/bus/usb/devices/*; do
  [ -r "$u/bInterfaceClass" ] || continue
  id=${'${u##*/}'}
  attr "usb/$id/class" "$u/bInterfaceClass"
  attr "usb/$id/subclass" "$u/bInterfaceSubClass"
  attr "usb/$id/protocol" "$u/bInterfaceProtocol"
  link "usb/$id/module" "$u/driver/module"
done
for s in /sys/bus/pci/slots/*; do attr "slot/${'${s##*/}'}/address" "$s/address"; done

# --- network
for i in /sys/class/net/*; do
  [ -e "$i" ] || continue
  n=${'${i##*/}'}
  rec "net/$n/name" "$n"
  attr "net/$n/address" "$i/address"
  attr "net/$n/operstate" "$i/operstate"
  attr "net/$n/type" "$i/type"
  attr "net/$n/name-assign-type" "$i/name_assign_type"
  attr "net/$n/dev-port" "$i/dev_port"
  [ -e "$i/wireless" ] || [ -e "$i/phy80211" ] && rec "net/$n/wireless" 1
  if [ -e "$i/device" ]; then
    rec "net/$n/devpath" "$(readlink -f "$i/device" 2>/dev/null)"
    link "net/$n/driver" "$i/device/driver"
    attr "net/$n/acpi-index" "$i/device/acpi_index"
    attr "net/$n/index" "$i/device/index"
    attr "net/$n/label" "$i/device/label"
    have udevadm && cmd "net/$n/net-id" udevadm test-builtin net_id "$i"
  fi
done
if have ip; then
  cmd ip/addr ip -o addr show
  cmd ip/route4 ip -4 route show default
  cmd ip/route6 ip -6 route show default
else
  file ip/proc-route /proc/net/route
fi
file dns/resolv /etc/resolv.conf
rec meta/end 1
`;

/** The command that runs the script: `sh -c SCRIPT` (argv, quoted by the session). */
export function probeArgv(): string[] {
  return ['sh', '-c', PROBE_SCRIPT];
}
