#!/usr/bin/env bash
# Tears down the namespace targets whose owner is gone: a test process killed by a timeout or a crash (SIGKILL
# leaves no handler a chance) leaves its target's namespace, mounts and loop devices behind. The next start sweeps
# them. Only state folders start.sh made are looked at (TMPDIR/nixkit-target-*/owner), and only those whose owner
# process (PID and start time, as start.sh recorded them) no longer runs; stop.sh then touches only what that state
# folder provably owns. A live run's target, another program's loop devices or namespaces are never touched.
# usage: sweep.sh [TMPDIR]   prints one line per target it tore down
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
TMP="${1:-${TMPDIR:-/tmp}}"
for d in "$TMP"/nixkit-target-*/; do
  d=${d%/}
  [ -s "$d/owner" ] || continue
  read -r pid start < "$d/owner" || continue
  if [ -r "/proc/$pid/stat" ] && [ "$(sed 's/.*) //' "/proc/$pid/stat" | cut -d' ' -f20)" = "$start" ]; then
    continue  # its owner still runs
  fi
  "$HERE/stop.sh" "$d"
  rm -rf "$d"
  echo "swept the test target left by process $pid: $d"
done
exit 0
