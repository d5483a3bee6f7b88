#!/bin/sh
# `npm run package`: dist/nixkit.vsix from a clean production build (vsce runs vscode:prepublish), then checks
# what went in (scripts/check-vsix.mjs). dist/ is emptied first so nothing from a development build (source
# maps, bundles of a removed entry) can be packaged.
# README links stay relative (--no-rewrite-relative-links): package.json names no public repository vsce could
# point them at, and the .vsix carries the docs they lead to. Once a real repository URL is in package.json,
# drop the flag and vsce rewrites them to that repository.
set -eu
cd "$(dirname "$0")/.."
rm -rf dist
node_modules/.bin/vsce package --no-dependencies --no-rewrite-relative-links --out dist/nixkit.vsix
node scripts/check-vsix.mjs dist/nixkit.vsix
