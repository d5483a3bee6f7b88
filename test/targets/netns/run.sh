#!/usr/bin/env bash
# `npm run target`: starts the namespace target for a person to try nixkit against, says how to connect, and
# tears everything down on Ctrl-C (or any exit).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
[ "$(id -u)" = 0 ] || { echo "npm run target: needs root (network namespaces, loop devices); try: sudo npm run target" >&2; exit 2; }
"$HERE/sweep.sh" /tmp  # targets of earlier runs that were killed before they could stop theirs
S="$(mktemp -d /tmp/nixkit-target-XXXXXX)"
SLEEPER=
trap '[ -n "$SLEEPER" ] && kill "$SLEEPER" 2>/dev/null; "$HERE/stop.sh" "$S"; rm -rf "$S"; echo "target stopped"' EXIT
trap 'exit 0' INT TERM
"$HERE/start.sh" "$S" "${NIXKIT_TARGET_SUFFIX:-}"
H=$(sed -n 's/.*"host": "\(.*\)",/\1/p' "$S/target.json")
FP=$(sed -n 's/.*"fingerprint": "\(.*\)",/\1/p' "$S/target.json")
ROOT=$(sed -n 's/.*"installRoot": "\(.*\)"/\1/p' "$S/target.json")
cat <<MSG

nixkit test target is up (network namespace, OpenSSH, loop disks; state in $S)
  host key fingerprint: $FP   (check it when nixkit asks)

  probe it:      node dist/cli.js probe root@$H -i $S/client/id_ed25519
                 node dist/cli.js probe root@$H -i $S/client/id_ed25519 --json > probe.json
  hardware config: node dist/cli.js hwconfig probe.json --root $ROOT
  plain ssh:     ssh -i $S/client/id_ed25519 root@$H

  other users: nk-pass / nk-kbd (password 'test-pass', password / keyboard-interactive),
               nk-sudo (key, sudo without password), nk-sudopw (key, sudo password 'sudo-pass'), nk-nosudo (key)

Press Ctrl-C to stop and remove the target.
MSG
while true; do sleep 3600 & SLEEPER=$!; wait "$SLEEPER"; done
