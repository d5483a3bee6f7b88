#!/usr/bin/env bash
# One test tier by name, compiled and bundled first: `bash scripts/tier.sh unit` (= `npm run test:unit`).
# scripts/test-all.sh runs the same commands (it compiles and bundles once, then sets NIXKIT_BUILT=1).
#   unit          node --test out/test/unit (no root, no network)
#   protocol      the language server over stdio
#   differential  the parser and evaluator against nix-instantiate
#   integration   the SSH engine against a network-namespace target (root: loop devices, namespaces)
#   package       npm run package: dist/nixkit.vsix, its contents and size checked
#   vscode        the Mocha suite (test/extension-host) in code-server, against the INSTALLED .vsix
#   ui            the UI tests in code-server (the probe panel and wizard ones need the namespace target: root)
#   vm            the UEFI virtual machine: smoke test, install proofs, the wizard onto the VM (root, KVM or TCG)
#   media         installer media: nixkit media test on the test image (OVMF/SeaBIOS, CD/USB), netboot via iPXE
# Steps of a tier can be run alone too (ui:problems, ui:probe-panel, ui:quick-fix, ui:install-wizard, ui:media,
# ui:media-boot, vm:smoke, vm:tests, vm:wizard), which is how scripts/test-all.sh names them.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=node_modules/.bin

# Stale compiled files (of a moved or deleted source) are pruned, or node --test would still run them.
prepare() {
  [ "${NIXKIT_BUILT:-}" = 1 ] && return 0
  node scripts/prune-out.mjs
  "$bin/tsc" -p .
  "$bin/tsc" -p webview
  node scripts/build.mjs
}

run() {
  case $1 in
    unit) node --test out/test/unit ;;
    protocol) node --test out/test/protocol ;;
    differential) node --test out/test/differential ;;
    integration)
      # shellcheck disable=SC2046 # one argument per test file
      node --test --test-concurrency=1 --test-timeout=300000 $(find out/test/integration -name '*.test.js' | sort)
      ;;
    package) sh scripts/package.sh ;;
    vscode)
      sh scripts/setup-code-server.sh
      # Packaging empties dist/ and leaves the production build there; the suite then runs what the .vsix holds.
      sh scripts/package.sh
      node out/test/ui/run-vscode-tests.js
      ;;
    ui) for step in problems probe-panel quick-fix install-wizard media media-boot; do run "ui:$step"; done ;;
    ui:problems) node out/test/ui/ui-test.js ;;
    ui:probe-panel) node out/test/ui/probe-panel-ui.js ;;
    ui:quick-fix) node out/test/ui/quick-fix-ui.js ;;
    ui:install-wizard) node out/test/ui/install-wizard-ui.js ;;
    ui:media) node out/test/ui/media-write-ui.js ;;
    ui:media-boot) node out/test/ui/media-boot-ui.js ;;
    vm) for step in smoke tests wizard; do run "vm:$step"; done ;;
    vm:smoke) bash test/targets/vm/smoke.sh ;;
    vm:tests)
      # shellcheck disable=SC2046
      node --test --test-concurrency=1 $(find out/test/vm -name '*.test.js' | sort)
      ;;
    vm:wizard) node out/test/ui/install-wizard-vm-ui.js ;;
    media)
      # shellcheck disable=SC2046
      node --test --test-concurrency=1 $(find out/test/media -name '*.test.js' | sort)
      ;;
  esac
}

TIERS=" unit protocol differential integration package vscode ui ui:problems ui:probe-panel ui:quick-fix ui:install-wizard ui:media ui:media-boot vm vm:smoke vm:tests vm:wizard media "
if [ $# -ne 1 ] || [[ "$TIERS" != *" $1 "* ]]; then
  sed -n '2,14p' "$0" >&2
  echo "tier.sh: name one tier:$TIERS" >&2
  exit 2
fi
prepare
run "$1"
