// Extension-level numbers: the packaged .vsix size, and the activation time of the installed .vsix measured inside
// a real VS Code extension host (the integration suite prints `nixkit activation: <ms> ms`).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../helpers';
import type { BenchRow } from './table';

export function benchVsixSize(): BenchRow[] {
  const r = spawnSync('npm', ['run', 'package', '--silent'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 300_000,
  });
  const vsix = path.join(REPO_ROOT, 'dist/nixkit.vsix');
  if (r.status !== 0 || !fs.existsSync(vsix))
    return [{ name: '.vsix size', value: `packaging failed: ${r.stderr.slice(-300)}` }];
  const kb = fs.statSync(vsix).size / 1024;
  return [{ name: '.vsix size (npm run package)', value: `${kb.toFixed(0)} KB` }];
}

export function benchActivation(): BenchRow[] {
  const runner = path.join(REPO_ROOT, 'out/test/ui/run-vscode-tests.js');
  if (!fs.existsSync(path.join(REPO_ROOT, '.vscode-test/code-server'))) {
    return [
      { name: 'extension activation', value: 'skipped: code-server is not installed (npm run setup:vscode)' },
    ];
  }
  // The runner tests the packaged extension (dist/nixkit.vsix); the `vsix` row, listed before this one, builds it.
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist/nixkit.vsix'))) {
    return [{ name: 'extension activation', value: 'skipped: no dist/nixkit.vsix (npm run package)' }];
  }
  const r = spawnSync(process.execPath, [runner], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 240_000,
    env: { ...process.env, NIXKIT_TEST_GREP: 'activat' },
  });
  const m = /nixkit activation: ([\d.]+) ms/.exec(r.stdout + r.stderr);
  if (!m) return [{ name: 'extension activation', value: `not measured (runner exit ${r.status})` }];
  const ms = Number(m[1]);
  return [
    {
      name: 'extension activation (code-server extension host)',
      value: `${ms.toFixed(1)} ms`,
      goal: '< 50 ms',
      met: ms < 50,
    },
  ];
}
