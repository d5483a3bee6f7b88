#!/usr/bin/env bash
# The one test command (README, .ci/run): static checks, then every test tier, each named as it starts.
# A tier that needs something this machine lacks fails loudly; nothing is skipped silently.
set -euo pipefail
cd "$(dirname "$0")/.."
START=$SECONDS
TIERS=0
LAST=$SECONDS
# Each tier prints its name and, when the next begins, how long the previous one took.
tier() {
  if [ "$TIERS" -gt 0 ]; then printf '(%ss)\n' "$((SECONDS - LAST))"; fi
  TIERS=$((TIERS + 1))
  LAST=$SECONDS
  printf '\n=== %s\n' "$1"
}
trap 'status=$?; if [ $status -eq 0 ]; then printf "(%ss)\n\nall tiers took %ss\ntiers: %s passed, 0 failed\n" "$((SECONDS - LAST))" "$((SECONDS - START))" "$TIERS"; else printf "\ntiers: %s passed, 1 failed\n" "$((TIERS - 1))"; fi' EXIT
bin=node_modules/.bin

tier "system packages";      bash scripts/setup-system.sh test
tier "npm packages";         [ -x "$bin/tsc" ] || npm ci --no-audit --no-fund
tier "format and lint";      "$bin/prettier" --check . && "$bin/eslint" .
tier "type check";           rm -rf out && "$bin/tsc" -p . && "$bin/tsc" -p webview   # no stale compiled tests
tier "bundle";               node scripts/build.mjs
tier "grammar reproducible"; sh scripts/build-grammar.sh --check
tier "unit tests";           node --test out/test/unit
# (further tiers are added below as they land)
tier "language server over stdio"; node --test out/test/protocol
tier "VS Code: install code-server"; sh scripts/setup-code-server.sh
tier "VS Code: integration suite in code-server"; node out/test/ui/run-vscode-tests.js
tier "VS Code: UI test (Problems panel)"; node out/test/ui/ui-test.js
tier "integration (namespace target)"; node --test --test-concurrency=1 --test-timeout=300000 $(find out/test/integration -name '*.test.js' | sort)
tier "vm target smoke"; bash test/targets/vm/smoke.sh
tier "differential vs nix-instantiate"; node --test out/test/differential
tier "VS Code: probe panel UI (namespace target)"; node out/test/ui/probe-panel-ui.js
tier "VS Code: quick-fix menu, hover and Show Configuration UI"; node out/test/ui/quick-fix-ui.js
tier "VS Code: install wizard UI (namespace target)"; node out/test/ui/install-wizard-ui.js
tier "VM: probe, sudo, hwconfig; nixkit install onto the blank disk, boot it; LUKS; in place (lustrate); kexec"; node --test --test-concurrency=1 $(find out/test/vm -name "*.test.js" | sort)
tier "VS Code: install wizard onto the VM, boot the installed disk"; node out/test/ui/install-wizard-vm-ui.js
