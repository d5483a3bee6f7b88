// Bundles the extension, the language server, the CLI and the webview scripts with esbuild, and copies the
// WASM files they load at run time next to them. `node scripts/build.mjs [--watch] [--production]`.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, chmodSync, existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const dist = join(root, 'dist');
mkdirSync(dist, { recursive: true });

// web-tree-sitter's ESM build loads node:module with import(), which starts Node's ESM loader (~20 ms) in every
// process; its CommonJS build (what the compiled tests load) uses require().
const treeSitterCjs = {
  name: 'web-tree-sitter-cjs',
  setup(build) {
    build.onResolve({ filter: /^web-tree-sitter$/ }, () => ({
      path: join(dirname(require.resolve('web-tree-sitter')), 'tree-sitter.cjs'),
    }));
  },
};
const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // ssh2 probes optional native helpers at run time and falls back to pure JS when they are missing.
  external: ['vscode', 'cpu-features', '*.node'],
  // web-tree-sitter's loader calls createRequire(import.meta.url), which a CJS bundle lacks.
  define: { 'import.meta.url': '__nixkitImportMetaUrl' },
  banner: { js: "const __nixkitImportMetaUrl = require('url').pathToFileURL(__filename).href;" },
  plugins: [treeSitterCjs],
};
// What cli/main.ts imports lazily, and the bundle (beside dist/cli.js) each import becomes.
export const CLI_BUNDLES = {
  './check-command': './cli-check.js',
  './remote-commands': './cli-remote.js',
  './media-command': './cli-media.js',
  '../server/lsp/main': './server.js',
};
// The dispatchers that load those bundles: cli/main.ts, and cli/media-command.ts (whose `list` and `write` need the
// remote engine, ssh2, which the rest of `nixkit media` does not).
const CLI_DISPATCHERS = ['cli/main.ts', 'cli/media-command.ts'].map((f) => join(root, f));
const cliSplit = {
  name: 'nixkit-cli-split',
  setup(build) {
    build.onResolve({ filter: /./ }, (args) => {
      const bundle = CLI_BUNDLES[args.path];
      if (!bundle || !CLI_DISPATCHERS.includes(args.importer)) return undefined;
      if (args.kind !== 'require-call')
        throw new Error(
          `${args.importer} must load ${args.path} with require(), or it lands in its own bundle`,
        );
      return { path: bundle, external: true };
    });
  },
};
const builds = [
  { ...node, entryPoints: { extension: join(root, 'extension/main.ts') }, outdir: dist },
  // The SSH side of the extension, loaded on first use (see extension/remote.ts).
  { ...node, entryPoints: { remote: join(root, 'extension/remote.ts') }, outdir: dist },
  { ...node, entryPoints: { server: join(root, 'server/lsp/main.ts') }, outdir: dist },
  // The CLI is a small dispatcher plus one bundle per group of commands, loaded when a command runs: `nixkit
  // version` then parses a few KB instead of the engine, and `nixkit check` never loads ssh2.
  {
    ...node,
    entryPoints: { cli: join(root, 'cli/main.ts') },
    outdir: dist,
    banner: { js: '#!/usr/bin/env node\n' + node.banner.js },
    plugins: [cliSplit, treeSitterCjs],
  },
  {
    ...node,
    entryPoints: {
      'cli-check': join(root, 'cli/check-command.ts'),
      'cli-remote': join(root, 'cli/remote-commands.ts'),
      'cli-media': join(root, 'cli/media-command.ts'),
    },
    outdir: dist,
    plugins: [cliSplit, treeSitterCjs],
  },
];
const webviewDir = join(root, 'webview');
const webviewEntries = existsSync(webviewDir)
  ? readdirSync(webviewDir)
      .filter((f) => /^[a-z-]+-page\.ts$/.test(f))
      .map((f) => join(webviewDir, f))
  : [];
if (webviewEntries.length) {
  builds.push({
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
    entryPoints: webviewEntries,
    outdir: join(dist, 'webview'),
  });
}

function copyAssets() {
  copyFileSync(require.resolve('web-tree-sitter/tree-sitter.wasm'), join(dist, 'tree-sitter.wasm'));
  copyFileSync(join(root, 'server/syntax/grammar/tree-sitter-nix.wasm'), join(dist, 'tree-sitter-nix.wasm'));
  if (existsSync(join(dist, 'cli.js'))) chmodSync(join(dist, 'cli.js'), 0o755);
}

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
  copyAssets();
  console.log('esbuild: watching');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  copyAssets();
}
