#!/usr/bin/env bash
# (Re)starts the target's sshd with the "primary" or the "changed" host key, inside the target's namespaces.
# Stops a running one first (the listener only, by its PID file; open sessions are left alone).
set -euo pipefail
S="${1:?usage: sshd.sh STATE_DIR primary|changed}"; SET="${2:-primary}"
case "$SET" in primary|changed) ;; *) echo "sshd.sh: key set must be primary or changed" >&2; exit 2;; esac
if [ -s "$S/sshd.pid" ]; then
  pid=$(cat "$S/sshd.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  rm -f "$S/sshd.pid"
fi
HOLDER=$(cat "$S/holder.pid")
nsenter -t "$HOLDER" -m -n /usr/sbin/sshd -f "$S/sshd_config.$SET" -E "$S/sshd.log" </dev/null >/dev/null 2>&1
for _ in $(seq 100); do [ -s "$S/sshd.pid" ] && break; sleep 0.05; done
[ -s "$S/sshd.pid" ] || { echo "sshd.sh: sshd did not start; see $S/sshd.log" >&2; exit 1; }
echo "$SET" > "$S/hostkey-set"
