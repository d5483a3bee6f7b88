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
# The tiers below run scripts/tier.sh, as `npm run test:<tier>` does, without compiling and bundling again.
export NIXKIT_BUILT=1
tier "grammar reproducible"; sh scripts/build-grammar.sh --check
tier "unit tests";           bash scripts/tier.sh unit
# (further tiers are added below as they land)
tier "language server over stdio"; bash scripts/tier.sh protocol
tier "VS Code: install code-server"; sh scripts/setup-code-server.sh
tier "VS Code: package the .vsix (contents and size checked), install it in code-server, run the integration suite"; bash scripts/tier.sh vscode
tier "VS Code: UI test (Problems panel)"; bash scripts/tier.sh ui:problems
tier "integration (namespace target)"; bash scripts/tier.sh integration
tier "vm target smoke"; bash scripts/tier.sh vm:smoke
tier "installer media: boot the test image (UEFI/BIOS, CD/USB) and netboot it in QEMU"; bash scripts/tier.sh media
tier "differential vs nix-instantiate"; bash scripts/tier.sh differential
tier "VS Code: probe panel UI (namespace target)"; bash scripts/tier.sh ui:probe-panel
tier "VS Code: quick-fix menu, hover and Show Configuration UI"; bash scripts/tier.sh ui:quick-fix
tier "VS Code: install wizard UI (namespace target)"; bash scripts/tier.sh ui:install-wizard
tier "VS Code: Write Installer Image page UI (no folder open; this machine, the namespace target over SSH, then a recorded lsblk)"; bash scripts/tier.sh ui:media
tier "VS Code: Test Image in a VM (QEMU boots the test ISO to its marker) and Serve Netboot (status bar, Stop)"; bash scripts/tier.sh ui:media-boot
tier "VM: probe, sudo, hwconfig; nixkit install onto the blank disk, boot it; LUKS; in place (lustrate); kexec; rescue (a generation that does not come back, rolled back)"; bash scripts/tier.sh vm:tests
tier "VS Code: install wizard onto the VM, boot the installed disk"; bash scripts/tier.sh vm:wizard
