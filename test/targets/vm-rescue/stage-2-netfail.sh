#!@bb@/bin/sh
# A stage 2 whose network never comes up (see netfail.nix): it looks for the interface its configuration names,
# does not find it, writes why to /var/log/stage-2.log on the installed root, and powers the machine off.
export PATH=@bb@/bin
exec 0</dev/console 1>/dev/console 2>&1
mount -t proc proc /proc 2>/dev/null
mount -t sysfs sysfs /sys 2>/dev/null
mount -o remount,rw /
mkdir -p /var/log
have=$(ls /sys/class/net 2>/dev/null | tr '\n' ' ')
{
  echo "[    0.000000] Command line: $(cat /proc/cmdline)"
  echo "stage 2: @out@ bringing up the network on @iface@"
  if [ -e /sys/class/net/@iface@ ]; then
    echo "stage 2: @iface@ is there but no address was configured"
  else
    echo "stage 2: error: interface @iface@ does not exist (interfaces here: ${have:-none}); the network was not brought up"
  fi
} >>/var/log/stage-2.log
sync
mount -o remount,ro / 2>/dev/null
echo "NIXKIT-STAGE2-NETWORK-FAILED: @iface@ does not exist (interfaces: ${have:-none})"
sync
poweroff -f
