#!/bin/sh
# Rebuilds server/syntax/grammar/tree-sitter-nix.wasm from the npm package tree-sitter-nix, reproducibly.
#   scripts/build-grammar.sh           rebuild the committed file
#   scripts/build-grammar.sh --check   rebuild into a temporary file and compare (skipped without the toolchain)
# Toolchain: Debian clang-19 + lld-19 + wasi-libc (../shared/recipes/grammar.md). --strip-all drops the
# temporary object names that otherwise make two builds differ; web-tree-sitter still finds the dylink section.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SRC="$ROOT/node_modules/tree-sitter-nix"
OUT="$ROOT/server/syntax/grammar/tree-sitter-nix.wasm"
CC=${CLANG:-clang-19}
if ! command -v "$CC" >/dev/null 2>&1; then
  if [ "${1:-}" = "--check" ]; then echo "grammar check skipped: $CC not installed (apt-get install clang-19 lld-19)"; exit 0; fi
  echo "need $CC: apt-get install clang-19 lld-19 wasi-libc" >&2; exit 2
fi
[ -f "$SRC/src/parser.c" ] || { echo "missing $SRC/src/parser.c: run npm ci first" >&2; exit 2; }
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
cd "$SRC"
"$CC" --target=wasm32-wasi -fPIC -shared -Os -nostdlib -fno-exceptions -fvisibility=hidden \
  -Wl,--export=tree_sitter_nix -Wl,--allow-undefined -Wl,--no-entry -Wl,--strip-all \
  -I src src/parser.c src/scanner.c -o "$TMP/tree-sitter-nix.wasm" 2>"$TMP/cc.log" || { cat "$TMP/cc.log" >&2; exit 1; }
if [ "${1:-}" = "--check" ]; then
  if cmp -s "$TMP/tree-sitter-nix.wasm" "$OUT"; then echo "grammar check: committed tree-sitter-nix.wasm matches a fresh build"; exit 0; fi
  echo "grammar check: committed $OUT differs from a fresh build of node_modules/tree-sitter-nix (run scripts/build-grammar.sh)" >&2
  exit 1
fi
cp "$TMP/tree-sitter-nix.wasm" "$OUT"
echo "wrote $OUT ($(wc -c < "$OUT") bytes)"
