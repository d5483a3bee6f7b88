#!/usr/bin/env bash
# Full-tier test target: a UEFI (OVMF) q35 virtual machine under TCG, reachable over SSH on 127.0.0.1 only.
#
#   vm.sh start [--keep-target] live mode: direct kernel boot of the cached rescue image (build-image.sh), live root
#                               as a copy-on-write overlay, a fresh blank 4 GiB target disk (--keep-target: the
#                               last run's, as it is), a fresh copy of VARS
#   vm.sh boot-disk [DISK] [--vars FILE]
#                               disk mode: OVMF boots DISK alone (default: the target disk of the last live run,
#                               with that run's VARS, so boot entries written by an install are kept)
#   vm.sh wait-ssh [SECONDS]    wait for sshd (default 180 s); prints host, port, key, host key fingerprint
#   vm.sh wait-serial REGEX [SECONDS]   wait until the serial log matches REGEX (default 300 s)
#   vm.sh ssh [ARGS...]         ssh to root@VM with the right key, port and known_hosts (live mode)
#   vm.sh env                   shell assignments describing the running VM (eval "$(vm.sh env)")
#   vm.sh status | stop | clean (clean = stop + delete the state folder)
#
# Environment:
#   NIXKIT_VM_STATE     state folder of this VM instance (default /tmp/nixkit-vm); one VM per folder
#   NIXKIT_VM_CACHE     image cache, see build-image.sh
#   NIXKIT_VM_LIFETIME  hard limit in seconds after which qemu is killed even if nobody stops it (default 7200)
#   NIXKIT_VM_TARGET_SIZE  size of the blank target disk (default 4G)
#   NIXKIT_VM_MEM, NIXKIT_VM_SMP  (defaults 2048, 2)
#   NIXKIT_VM_USB_STICK  live mode: a raw image file attached as a removable USB stick (usb-storage on an xHCI
#                       controller at 00:05.0, serial nixkit-stick), for `nixkit media write`
#
# Guest hardware (same PCI addresses in both modes, so names seen by an install stay valid when its disk boots):
#   00:01.0 virtio-net   -> enp0s1, user networking restricted to the host, only tcp 127.0.0.1:PORT -> guest :22
#   00:02.0 virtio-blk   live root (live mode only), serial nixkit-live
#   00:03.0 virtio-blk   target disk, serial nixkit-target -> /dev/disk/by-id/virtio-nixkit-target
#   00:04.0 virtio-rng
# Needs root only for the image build; qemu itself runs as the caller.
set -euo pipefail

HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
STATE=${NIXKIT_VM_STATE:-/tmp/nixkit-vm}
LIFETIME=${NIXKIT_VM_LIFETIME:-7200}
TARGET_SIZE=${NIXKIT_VM_TARGET_SIZE:-4G}
MEM=${NIXKIT_VM_MEM:-2048}
SMP=${NIXKIT_VM_SMP:-2}
OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
TARGET_SERIAL=nixkit-target

T0=$(date +%s.%N)
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
log() { printf '[vm %6ss] %s\n' "$(elapsed "$T0")" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

qemu_pid() { # pid of this state's qemu if it is running, else nothing
  local pid
  pid=$(cat "$STATE/qemu.pid" 2>/dev/null) || return 0
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 0
  # guard against a reused pid: it must be a qemu started with this state folder
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "-pidfile $STATE/qemu.pid" && echo "$pid"
  return 0
}
running() { [ -n "$(qemu_pid)" ]; }

free_port() {
  local p used
  used=$(ss -Htan | awk '{ n = split($4, a, ":"); print a[n] }')
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 40000))
    grep -qx "$p" <<<"$used" || { echo "$p"; return 0; }
  done
  die "no free port found"
}

# Launch qemu in the background under a hard lifetime. $1 = mode, rest = mode-specific qemu arguments.
launch() {
  local mode=$1; shift
  local try port wrapper
  for try in 1 2 3 4 5; do
    port=$(free_port)
    rm -f "$STATE/qemu.pid" "$STATE/qmp.sock"
    : >"$STATE/serial.log"
    # Not -daemonize: qemu stays the child of `timeout`, so it dies after NIXKIT_VM_LIFETIME whatever happens.
    setsid timeout --kill-after=10 "$LIFETIME" qemu-system-x86_64 \
      -name nixkit-vm -machine q35 -accel tcg,thread=multi -cpu max -smp "$SMP" -m "$MEM" \
      -nodefaults -no-user-config -display none \
      -drive if=pflash,format=raw,unit=0,readonly=on,file="$OVMF_CODE" \
      -drive if=pflash,format=raw,unit=1,file="$STATE/vars.fd" \
      -netdev "user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:$port-:22" \
      -device virtio-net-pci,netdev=n0,mac=52:54:00:12:34:56,romfile=,addr=0x1 \
      -device virtio-rng-pci,addr=0x4 \
      -serial "file:$STATE/serial.log" \
      -qmp "unix:$STATE/qmp.sock,server=on,wait=off" \
      -pidfile "$STATE/qemu.pid" \
      "$@" </dev/null >"$STATE/qemu.out" 2>&1 &
    wrapper=$!
    echo "$wrapper" >"$STATE/wrapper.pid"
    # Up when qemu listens on the forwarded port (slirp is set up during init); gone when the wrapper exited.
    for _ in $(seq 1 100); do
      if ! kill -0 "$wrapper" 2>/dev/null; then break; fi
      if [ -n "$(qemu_pid)" ] && ss -Htln "sport = :$port" | grep -q .; then
        echo "$port" >"$STATE/port"
        echo "$mode" >"$STATE/mode"
        date +%s >"$STATE/started"
        log "qemu pid $(qemu_pid) ($mode mode), ssh on 127.0.0.1:$port, serial log $STATE/serial.log"
        return 0
      fi
      sleep 0.1
    done
    if kill -0 "$wrapper" 2>/dev/null; then
      kill "$wrapper" 2>/dev/null || true
      stop_qemu
      die "qemu did not come up within 10 s: $(cat "$STATE/qemu.out")"
    fi
    if grep -q -i 'hostfwd\|forward' "$STATE/qemu.out"; then
      log "port $port taken, retrying ($try)"
      continue
    fi
    die "qemu failed: $(cat "$STATE/qemu.out")"
  done
  die "could not start qemu"
}

stop_qemu() {
  local pid wrapper
  pid=$(qemu_pid)
  wrapper=$(cat "$STATE/wrapper.pid" 2>/dev/null || true)
  if [ -n "$pid" ]; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    log "stopped qemu $pid"
  fi
  # the timeout wrapper exits with qemu; make sure (it is ours only if it still runs `timeout ... qemu`)
  if [ -n "$wrapper" ] && tr '\0' ' ' <"/proc/$wrapper/cmdline" 2>/dev/null | grep -qF -- "-pidfile $STATE/qemu.pid"; then
    kill -TERM "$wrapper" 2>/dev/null || true
  fi
  rm -f "$STATE/qemu.pid" "$STATE/wrapper.pid" "$STATE/qmp.sock"
}

need_qemu() {
  command -v qemu-system-x86_64 >/dev/null && [ -f "$OVMF_CODE" ] ||
    die "qemu/OVMF missing: run build-image.sh as root (it installs qemu-system-x86 qemu-utils ovmf debootstrap)"
}

image_dir() { # the cached image; builds it when this script runs as root
  if [ -n "${NIXKIT_VM_IMAGE:-}" ]; then echo "$NIXKIT_VM_IMAGE"; return; fi
  bash "$HERE/build-image.sh"
}

cmd_start() {
  running && die "already running (pid $(qemu_pid)); vm.sh stop first or use another NIXKIT_VM_STATE"
  # --keep-target: boot the live (rescue) system again with the target disk as it is (a rescue of what was
  # installed there); without it the target disk starts blank.
  local img keep=""
  while [ $# -gt 0 ]; do
    case $1 in
      --keep-target) keep=1; shift ;;
      *) die "start: unknown option $1" ;;
    esac
  done
  img=$(image_dir)
  need_qemu
  mkdir -p "$STATE"
  rm -f "$STATE/live.qcow2" "$STATE/vars.fd" "$STATE/known_hosts"
  if [ -z "$keep" ] || [ ! -f "$STATE/target.img" ]; then
    rm -f "$STATE/target.img"
    truncate -s "$TARGET_SIZE" "$STATE/target.img"
  fi
  echo "$img" >"$STATE/image"
  cp "$OVMF_VARS" "$STATE/vars.fd"
  # the cached root stays pristine: the VM writes into a per-run overlay
  qemu-img create -q -f qcow2 -F raw -b "$img/root.img" "$STATE/live.qcow2"
  local stick=()
  if [ -n "${NIXKIT_VM_USB_STICK:-}" ]; then
    [ -f "$NIXKIT_VM_USB_STICK" ] || die "NIXKIT_VM_USB_STICK: no file $NIXKIT_VM_USB_STICK"
    stick=(-device qemu-xhci,id=xhci,addr=0x5
      -drive if=none,id=stick,format=raw,file="$NIXKIT_VM_USB_STICK"
      -device usb-storage,bus=xhci.0,drive=stick,serial=nixkit-stick,removable=on)
  fi
  launch live \
    -kernel "$img/vmlinuz" -initrd "$img/initrd.img" -append "$(cat "$img/cmdline")" \
    -drive if=none,id=live,format=qcow2,file="$STATE/live.qcow2" \
    -device virtio-blk-pci,drive=live,serial=nixkit-live,addr=0x2 \
    -drive if=none,id=target,format=raw,file="$STATE/target.img" \
    -device virtio-blk-pci,drive=target,serial="$TARGET_SERIAL",addr=0x3 \
    "${stick[@]}"
  local port
  port=$(cat "$STATE/port")
  echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$img/ssh_host_ed25519_key.pub")" >"$STATE/known_hosts"
}

cmd_boot_disk() {
  running && die "already running (pid $(qemu_pid)); vm.sh stop first"
  local disk="" vars="" fmt
  while [ $# -gt 0 ]; do
    case $1 in
      --vars) vars=$2; shift 2 ;;
      *) disk=$1; shift ;;
    esac
  done
  mkdir -p "$STATE"
  disk=${disk:-$STATE/target.img}
  disk=$(readlink -f "$disk")
  [ -f "$disk" ] || die "no disk image $disk"
  need_qemu
  if [ -n "$vars" ]; then
    [ "$(readlink -f "$vars")" = "$STATE/vars.fd" ] || cp "$vars" "$STATE/vars.fd"
  elif [ ! -f "$STATE/vars.fd" ]; then
    cp "$OVMF_VARS" "$STATE/vars.fd"
  fi
  case $disk in *.qcow2) fmt=qcow2 ;; *) fmt=raw ;; esac
  rm -f "$STATE/known_hosts" "$STATE/image"
  launch disk \
    -drive if=none,id=target,format="$fmt",file="$disk" \
    -device virtio-blk-pci,drive=target,serial="$TARGET_SERIAL",addr=0x3
}

ssh_opts() {
  local img port
  img=$(cat "$STATE/image" 2>/dev/null) || die "no live VM in $STATE"
  port=$(cat "$STATE/port")
  echo "-p $port -i $img/id_ed25519 -o IdentitiesOnly=yes -o UserKnownHostsFile=$STATE/known_hosts" \
    "-o StrictHostKeyChecking=yes -o BatchMode=yes -o ConnectTimeout=10 -o LogLevel=ERROR"
}

cmd_wait_ssh() {
  local deadline=${1:-180} port mode start
  running || die "not running"
  port=$(cat "$STATE/port"); mode=$(cat "$STATE/mode")
  start=$(date +%s.%N)
  while :; do
    running || { tail -n 40 "$STATE/serial.log" >&2; die "qemu exited while waiting for ssh"; }
    if [ "$mode" = live ]; then
      # shellcheck disable=SC2046
      timeout 20 ssh $(ssh_opts) root@127.0.0.1 true 2>/dev/null && break
    else
      # installed system: no known host key; wait for the SSH banner
      timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port && head -c 4 <&3" 2>/dev/null | grep -q SSH- && break
    fi
    if [ "$(elapsed "$start" | cut -d. -f1)" -ge "$deadline" ]; then
      tail -n 40 "$STATE/serial.log" >&2
      die "sshd did not answer within ${deadline}s"
    fi
    sleep 2
  done
  log "sshd answered after $(elapsed "$start")s of waiting ($(($(date +%s) - $(cat "$STATE/started")))s since launch)"
  if [ "$mode" = live ]; then
    local img; img=$(cat "$STATE/image")
    echo "host 127.0.0.1"
    echo "port $port"
    echo "user root (key) / $(cat "$img/user") (password in $img/password, sudo)"
    echo "key $img/id_ed25519"
    echo "known_hosts $STATE/known_hosts"
    echo "host_key $(ssh-keygen -lf "$img/ssh_host_ed25519_key.pub")"
  else
    echo "host 127.0.0.1"
    echo "port $port"
    echo "host_key $(ssh-keyscan -T 10 -p "$port" -t ed25519 127.0.0.1 2>/dev/null | ssh-keygen -lf - 2>/dev/null || echo unknown)"
  fi
}

cmd_wait_serial() {
  local re=${1:?regex} deadline=${2:-300} start
  start=$(date +%s)
  while ! grep -aqE -- "$re" "$STATE/serial.log" 2>/dev/null; do
    running || { tail -n 40 "$STATE/serial.log" >&2; die "qemu exited before the serial log matched /$re/"; }
    [ $(($(date +%s) - start)) -lt "$deadline" ] || { tail -n 40 "$STATE/serial.log" >&2; die "serial log did not match /$re/ within ${deadline}s"; }
    sleep 1
  done
  log "serial log matched /$re/ after $(($(date +%s) - start))s"
  grep -aE -m1 -- "$re" "$STATE/serial.log"
}

cmd_env() {
  running || die "not running"
  local img port
  port=$(cat "$STATE/port")
  printf 'NIXKIT_VM_HOST=127.0.0.1\nNIXKIT_VM_PORT=%s\nNIXKIT_VM_MODE=%s\nNIXKIT_VM_SERIAL_LOG=%s\n' \
    "$port" "$(cat "$STATE/mode")" "$STATE/serial.log"
  printf 'NIXKIT_VM_TARGET_DISK=/dev/disk/by-id/virtio-%s\nNIXKIT_VM_TARGET_IMAGE=%s\n' "$TARGET_SERIAL" "$STATE/target.img"
  if img=$(cat "$STATE/image" 2>/dev/null); then
    printf 'NIXKIT_VM_KEY=%s\nNIXKIT_VM_KNOWN_HOSTS=%s\nNIXKIT_VM_FINGERPRINT=%s\nNIXKIT_VM_USER=%s\nNIXKIT_VM_PASSWORD=%s\n' \
      "$img/id_ed25519" "$STATE/known_hosts" "$(cat "$img/host_fingerprint")" "$(cat "$img/user")" "$(cat "$img/password")"
  fi
}

cmd_status() {
  if running; then
    echo "running pid $(qemu_pid) mode $(cat "$STATE/mode") port $(cat "$STATE/port") up $(($(date +%s) - $(cat "$STATE/started")))s state $STATE"
  else
    echo "stopped (state $STATE)"
    return 3
  fi
}

case ${1:-} in
  start) shift; cmd_start "$@" ;;
  boot-disk) shift; cmd_boot_disk "$@" ;;
  wait-ssh) shift; cmd_wait_ssh "$@" ;;
  wait-serial) shift; cmd_wait_serial "$@" ;;
  ssh) shift; running || die "not running"
    # shellcheck disable=SC2046
    exec ssh $(ssh_opts) root@127.0.0.1 "$@" ;;
  env) cmd_env ;;
  status) cmd_status ;;
  stop) stop_qemu ;;
  clean) stop_qemu; rm -rf --one-file-system "$STATE" ;;
  *) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
