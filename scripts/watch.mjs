// `npm run watch`: the daily loop. Recompiles out/ (what the tests run) and rebuilds dist/ (what VS Code and the
// CLI load) on every save: tsc --watch for the project and the webview, esbuild's watch for the bundles. Ctrl-C
// stops all three.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(root, 'node_modules/.bin/tsc');
// tsc --watch never deletes the output of a source removed while it runs; a restart of the watch prunes it.
spawnSync(process.execPath, [join(root, 'scripts/prune-out.mjs')], { stdio: 'inherit' });
const children = [
  ['tsc', tsc, ['-p', '.', '--watch', '--preserveWatchOutput']],
  ['tsc webview', tsc, ['-p', 'webview', '--watch', '--preserveWatchOutput']],
  ['esbuild', process.execPath, [join(root, 'scripts/build.mjs'), '--watch']],
].map(([name, command, args]) => {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`watch: ${name} stopped (${signal ?? code}); stopping the others`);
    stop(1);
  });
  return child;
});

let stopping = false;
function stop(code) {
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  process.exitCode = code;
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
