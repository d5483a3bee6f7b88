#!/usr/bin/env bash
# The one test command (README, .ci/run): static checks, then every test tier, each named as it starts.
# A tier that needs something this machine lacks fails loudly; nothing is skipped silently.
set -euo pipefail
cd "$(dirname "$0")/.."
tier() { printf '\n=== %s\n' "$1"; }

tier "format and lint";      npx prettier --check . && npx eslint .
tier "type check";           npx tsc -p . && npx tsc -p webview
tier "bundle";               node scripts/build.mjs
tier "grammar reproducible"; sh scripts/build-grammar.sh --check
tier "unit tests";           node --test out/test/unit
# (further tiers are added below as they land)
tier "language server over stdio"; node --test out/test/protocol
