#!/usr/bin/env bash
# Starts the fast-tier test target: a network namespace with its own OpenSSH server, test users, host keys (a
# "primary" set and a "changed" set) and loop-device disks (one with hostile labels), then writes STATE/target.json.
# usage: start.sh STATE_DIR [SUFFIX]   (SUFFIX 1..250 picks the /30 10.233.SUFFIX.0 so parallel runs don't collide;
#                                      taken, the next free one is used)
# On any failure everything started so far is torn down (stop.sh), so a failed start leaves nothing behind.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
S="${1:?usage: start.sh STATE_DIR [SUFFIX]}"
SUFFIX="${2:-$(( ($$ % 200) + 20 ))}"
[[ "$SUFFIX" =~ ^[0-9]+$ ]] && (( SUFFIX >= 1 && SUFFIX <= 250 )) || { echo "start.sh: SUFFIX must be 1..250" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "start.sh: needs root (namespaces, loop devices)" >&2; exit 2; }
for tool in sshd ip unshare nsenter losetup sfdisk mkfs.vfat mkfs.ext4 mkfs.btrfs mkswap ssh-keygen openssl sudo udevadm; do
  command -v "$tool" >/dev/null || { echo "start.sh: missing tool: $tool" >&2; exit 2; }
done

mkdir -p "$S"
S="$(cd "$S" && pwd)"
chmod 755 "$S"  # sshd reads authorized_keys as the user
# Who this target belongs to (PID and start time: PIDs are reused): sweep.sh tears down the targets of owners that
# are gone — a test process killed by a timeout or a crash leaves its namespace, mounts and loop devices otherwise.
OWNER="${NIXKIT_TARGET_OWNER:-$PPID}"
echo "$OWNER $(sed 's/.*) //' "/proc/$OWNER/stat" | cut -d' ' -f20)" > "$S/owner"
trap 'rc=$?; if [ $rc != 0 ]; then echo "start.sh: failed (exit $rc), tearing down" >&2; "$HERE/stop.sh" "$S" >&2 || true; fi' EXIT

# --- network: a /30 that only exists between our two veth ends. SUFFIX is where the search for a free one starts:
# a namespace or veth of that name may be another run's (another worktree, `npm run target`); `ip netns add` claims
# a name atomically, so two starts never take the same one.
CLAIMED=
for i in $(seq 0 249); do
  s=$(( (SUFFIX - 1 + i) % 250 + 1 ))
  ip link show "nkh$s" >/dev/null 2>&1 && continue
  if ip netns add "nkt-$s" 2>/dev/null; then CLAIMED=$s; break; fi
done
[ -n "$CLAIMED" ] || { echo "start.sh: no free namespace name nkt-1..250" >&2; exit 1; }
SUFFIX=$CLAIMED; NS="nkt-$SUFFIX"; HV="nkh$SUFFIX"; TV="nkt$SUFFIX"
echo "$NS" > "$S/netns"
stat -L -c %i "/run/netns/$NS" > "$S/netns.id"  # stop.sh acts on the namespace only while it is this one
HOST_IP="10.233.$SUFFIX.1"; TARGET_IP="10.233.$SUFFIX.2"
MARKER="/tmp/nkpw-$SUFFIX"  # short: a GPT partition name holds 36 characters
rm -f "$MARKER"
ip link add "$HV" type veth peer name "$TV"
ip link set "$TV" netns "$NS"
ip addr add "$HOST_IP/30" dev "$HV"; ip link set "$HV" up
ip -n "$NS" addr add "$TARGET_IP/30" dev "$TV"; ip -n "$NS" link set "$TV" up; ip -n "$NS" link set lo up
ip -n "$NS" route add default via "$HOST_IP"

# --- keys: client keys (one with a passphrase), two host key sets
rm -rf "$S/client" "$S/hostkeys" "$S/authorized_keys" "$S/etc" "$S/home" "$S/target.json" "$S/sshd.log"
mkdir -p "$S/client" "$S/hostkeys/primary" "$S/hostkeys/changed" "$S/authorized_keys" "$S/etc/pam.d" "$S/home"
ssh-keygen -q -t ed25519 -N '' -C nixkit-test -f "$S/client/id_ed25519"
ssh-keygen -q -t ed25519 -N 'test-passphrase' -C nixkit-test-pp -f "$S/client/id_ed25519_pp"
for set in primary changed; do ssh-keygen -q -t ed25519 -N '' -C "$set" -f "$S/hostkeys/$set/ssh_host_ed25519_key"; done

# --- users: copies of passwd/shadow/group with test users, bind-mounted only inside the target's mount namespace
PASSWORD='test-pass'; SUDO_PASSWORD='sudo-pass'
cp /etc/passwd "$S/etc/passwd"; cp /etc/group "$S/etc/group"; cp /etc/shadow "$S/etc/shadow"
hash_of() { openssl passwd -6 "$1"; }
add_user() { # name uid password-or-empty
  mkdir -p "$S/home/$1"; chown "$2:$2" "$S/home/$1"
  echo "$1:x:$2:$2::$S/home/$1:/bin/sh" >> "$S/etc/passwd"
  echo "$1:x:$2:" >> "$S/etc/group"
  if [ -n "$3" ]; then echo "$1:$(hash_of "$3"):19000:0:99999:7:::" >> "$S/etc/shadow"; else echo "$1:*:19000:0:99999:7:::" >> "$S/etc/shadow"; fi
}
add_user nk-pass 64201 "$PASSWORD"
add_user nk-kbd 64202 "$PASSWORD"
add_user nk-sudo 64203 ''
add_user nk-sudopw 64204 "$SUDO_PASSWORD"
add_user nk-nosudo 64205 ''
chmod 0640 "$S/etc/shadow"
for u in root nk-sudo nk-sudopw nk-nosudo; do cat "$S/client/id_ed25519.pub" "$S/client/id_ed25519_pp.pub" > "$S/authorized_keys/$u"; done
cat > "$S/etc/sudoers" <<SUDO
Defaults env_reset, !lecture, passwd_tries=1, timestamp_timeout=0
root ALL=(ALL:ALL) ALL
nk-sudo ALL=(ALL:ALL) NOPASSWD: ALL
nk-sudopw ALL=(ALL:ALL) ALL
SUDO
chmod 0440 "$S/etc/sudoers"
# A PAM stack of our own (the host's sshd stack wants loginuid, motd, ...): pam_unix against the copied shadow.
for svc in sshd sudo; do
  printf 'auth required pam_unix.so\naccount required pam_unix.so\nsession required pam_permit.so\npassword required pam_deny.so\n' > "$S/etc/pam.d/$svc"
done
printf 'auth required pam_deny.so\naccount required pam_deny.so\nsession required pam_deny.so\npassword required pam_deny.so\n' > "$S/etc/pam.d/other"

for set in primary changed; do
  cat > "$S/sshd_config.$set" <<CONF
Port 22
ListenAddress $TARGET_IP
HostKey $S/hostkeys/$set/ssh_host_ed25519_key
PidFile $S/sshd.pid
AuthorizedKeysFile $S/authorized_keys/%u
PermitRootLogin prohibit-password
PasswordAuthentication yes
KbdInteractiveAuthentication yes
UsePAM yes
StrictModes no
PrintMotd no
ClientAliveInterval 0
MaxStartups 50:30:100
Match User nk-pass
  AuthenticationMethods password
Match User nk-kbd
  AuthenticationMethods keyboard-interactive
Match User root,nk-sudo,nk-sudopw,nk-nosudo
  AuthenticationMethods publickey
CONF
done
mkdir -p /run/sshd; /usr/sbin/sshd -t -f "$S/sshd_config.primary"

# --- root's home and the system bashrc: the target's own, empty, not this machine's. sshd runs every command
# through root's shell, and bash run by sshd reads /etc/bash.bashrc and ~/.bashrc even for `bash -c`: a developer's
# ~/.bashrc (pyenv, nvm, conda init: a dozen processes) then runs once per remote command, and on a busy machine
# each command took half a second or more — a partition + format + mount of a small disk over a minute.
mkdir -p "$S/home/root"; chmod 700 "$S/home/root"
echo '# the test target: its own, empty' > "$S/etc/bash.bashrc"

# --- a holder process owns the target's mount namespace (inside the netns), so restarting sshd keeps the mounts
ip netns exec "$NS" unshare -m --propagation slave sh -c '
  mount --bind "$1/etc/passwd" /etc/passwd && mount --bind "$1/etc/shadow" /etc/shadow &&
  mount --bind "$1/etc/group" /etc/group && mount --bind "$1/etc/sudoers" /etc/sudoers &&
  mount --bind "$1/etc/pam.d" /etc/pam.d && mount --bind "$1/home/root" /root &&
  { [ ! -e /etc/bash.bashrc ] || mount --bind "$1/etc/bash.bashrc" /etc/bash.bashrc; } && mkdir -p /run/sshd &&
  echo $$ > "$1/holder.pid" && exec sleep 2147483647' holder "$S" </dev/null >/dev/null 2>&1 &
for _ in $(seq 100); do [ -s "$S/holder.pid" ] && break; sleep 0.05; done
[ -s "$S/holder.pid" ] || { echo "start.sh: namespace holder did not start" >&2; exit 1; }

# --- udevd (none runs on this host): lsblk needs its database for filesystem facts and /dev/disk links
if udevadm control --ping 2>/dev/null; then echo "start.sh: a udevd already runs; using it" >&2
else
  /lib/systemd/systemd-udevd </dev/null >/dev/null 2>&1 &
  echo $! > "$S/udevd.pid"
  for _ in $(seq 100); do udevadm control --ping 2>/dev/null && break; sleep 0.05; done
fi

# --- disks. The kernel here parses no partition tables, so each partition is its own loop device at an offset.
# Every image lies under $S: that is how stop.sh knows a loop device is this target's (by its backing file).
SECTOR=512
part_loop() { # image start size -> loop device
  losetup --find --show -o $(( $2 * SECTOR )) --sizelimit $(( $3 * SECTOR )) "$1"
}
part_geom() { # disk partition-number -> "start size"
  sfdisk -J "$1" | sed -n '/"partitions"/,$p' | awk -v want="$2" '/"start"/{n++; gsub(/[^0-9]/,"",$0); st=$0} /"size"/{gsub(/[^0-9]/,"",$0); if(n==want){print st, $0; exit}}'
}
mkdir -p "$S/disks"
# disk A: a plain install disk: ESP (vfat BOOT), root (ext4 nixos), swap
truncate -s 400M "$S/disks/a.img"
DA=$(losetup --find --show "$S/disks/a.img")
sfdisk -q --wipe always "$DA" >/dev/null 2>&1 <<SF
label: gpt
size=64MiB, type=uefi, name=ESP
size=256MiB, type=linux, name=nixos
type=swap, name=swap
SF
read -r st sz < <(part_geom "$DA" 1); A1=$(part_loop "$S/disks/a.img" "$st" "$sz")
read -r st sz < <(part_geom "$DA" 2); A2=$(part_loop "$S/disks/a.img" "$st" "$sz")
read -r st sz < <(part_geom "$DA" 3); A3=$(part_loop "$S/disks/a.img" "$st" "$sz")
mkfs.vfat -F 32 -n BOOT "$A1" >/dev/null
mkfs.ext4 -q -F -L nixos "$A2"
mkswap -L swap "$A3" >/dev/null
# disk B: hostile strings in the GPT partition name and the btrfs label (quotes, $(), backticks, newline, backslash)
HOSTILE_PART=$(printf 'p"q'"'"'$(touch %s)`id`\nx' "$MARKER")
HOSTILE_LABEL=$(printf 'l"b'"'"'$(touch %s)`id`\n\\${x}' "$MARKER")
truncate -s 200M "$S/disks/b.img"
DB=$(losetup --find --show "$S/disks/b.img")
printf 'label: gpt\ntype=linux\n' | sfdisk -q --wipe always "$DB" >/dev/null 2>&1
sfdisk -q --part-label "$DB" 1 "$HOSTILE_PART" >/dev/null 2>&1 || true  # the kernel cannot re-read: expected
read -r st sz < <(part_geom "$DB" 1); B1=$(part_loop "$S/disks/b.img" "$st" "$sz")
mkfs.btrfs -q -f -L "$HOSTILE_LABEL" "$B1" >/dev/null
udevadm trigger --subsystem-match=block --action=add 2>/dev/null || true
udevadm settle --timeout=10 2>/dev/null || true

# --- sshd (primary host key), then mount the install root inside the target as an installer would
"$HERE/sshd.sh" "$S" primary
HOLDER=$(cat "$S/holder.pid")
# The install root lives in the state folder, not /mnt: this host has its own mounts under /mnt.
# vfat: the kernel has none, so FUSE (fsname= makes /proc/self/mountinfo name the device, as a kernel mount would).
ROOT="$S/root"; mkdir -p "$ROOT"
nsenter -t "$HOLDER" -m -n sh -c '
  set -e; mount "$1" "$3" && mkdir -p "$3/boot" &&
  { mount -o umask=0077 "$2" "$3/boot" 2>/dev/null || fusefat -o "rw+,allow_other,fsname=$2" "$2" "$3/boot"; }' mnt "$A2" "$A1" "$ROOT" </dev/null >/dev/null 2>&1

fp() { ssh-keygen -lf "$1" | awk '{print $2}'; }
json_str() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n' | sed 's/\(..\)/\\u00\1/g'; }
cat > "$S/target.json" <<JSON
{
  "host": "$TARGET_IP",
  "hostSideAddress": "$HOST_IP",
  "port": 22,
  "netns": "$NS",
  "hostVeth": "$HV",
  "targetVeth": "$TV",
  "stateDir": "$S",
  "identity": "$S/client/id_ed25519",
  "identityWithPassphrase": "$S/client/id_ed25519_pp",
  "passphrase": "test-passphrase",
  "fingerprint": "$(fp "$S/hostkeys/primary/ssh_host_ed25519_key.pub")",
  "changedFingerprint": "$(fp "$S/hostkeys/changed/ssh_host_ed25519_key.pub")",
  "users": { "root": "root", "password": "nk-pass", "keyboardInteractive": "nk-kbd", "sudo": "nk-sudo",
             "sudoPassword": "nk-sudopw", "noSudo": "nk-nosudo" },
  "password": "$PASSWORD",
  "sudoPassword": "$SUDO_PASSWORD",
  "marker": "$MARKER",
  "hostilePartName": "$(json_str "$HOSTILE_PART")",
  "hostileLabel": "$(json_str "$HOSTILE_LABEL")",
  "disks": { "a": "$DA", "aEsp": "$A1", "aRoot": "$A2", "aSwap": "$A3", "b": "$DB", "bData": "$B1" },
  "installRoot": "$ROOT"
}
JSON
trap - EXIT
echo "target up: root@$TARGET_IP (state $S)"
