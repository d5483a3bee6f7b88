#!@bb@/bin/sh
# The system's init (the toplevel's `init`), run from the installed disk after stage 1 switched to it: proves
# that this system, from this disk, is what booted. Prints the marker with the generation the system profile
# gives and the toplevel the profile points at, then powers the machine off.
export PATH=@bb@/bin
exec 0</dev/console 1>/dev/console 2>&1
mount -t proc proc /proc 2>/dev/null
self=@out@
link=$(readlink /nix/var/nix/profiles/system)
gen=$(echo "$link" | sed -n 's/^system-\([0-9]*\)-link$/\1/p')
current=$(readlink -f /nix/var/nix/profiles/system)
if [ "$current" != "$self" ] || [ -z "$gen" ] || [ ! -e /etc/NIXOS ]; then
  echo "NIXKIT-STAGE2-FAILED: profile $link -> $current, this system $self, /etc/NIXOS $([ -e /etc/NIXOS ] && echo yes || echo no)"
else
  echo "NIXKIT-INSTALLED-SYSTEM-BOOTED generation=$gen system=$self"
fi
sync
poweroff -f
