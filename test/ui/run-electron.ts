// Runs the same Mocha suite (out/test/extension-host) in desktop VS Code through @vscode/test-electron, for machines
// that can download VS Code or have one installed (VSCODE_EXECUTABLE=/path/to/code). Where neither works, it
// says so in one line and exits 2; `npm run test:vscode` runs the suite in code-server instead.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SilentReporter, TestRunFailedError, download, runTests } from '@vscode/test-electron';
import { REPO_ROOT, SetupError, copyExamples, requireFile, tempDir } from './code-server';

const SUITE = path.join(REPO_ROOT, 'out/test/extension-host/index.js');

async function vscodeExecutable(): Promise<string> {
  const local = process.env.VSCODE_EXECUTABLE;
  if (local) {
    requireFile(local, 'VSCODE_EXECUTABLE names no file');
    return local;
  }
  try {
    return await download({
      cachePath: path.join(REPO_ROOT, '.vscode-test'),
      version: process.env.VSCODE_VERSION || 'stable',
      reporter: new SilentReporter(),
      timeout: 30_000,
    });
  } catch (e) {
    const cause = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new SetupError(
      `cannot download VS Code (${cause}). Set VSCODE_EXECUTABLE to an installed VS Code, ` +
        'or run the suite in code-server with `npm run test:vscode`.',
    );
  }
}

async function main(): Promise<number> {
  requireFile(path.join(REPO_ROOT, 'dist/extension.js'), 'run `npm run build` first');
  requireFile(SUITE, 'run `npx tsc -p .` first');
  const exe = await vscodeExecutable();
  const ws = copyExamples();
  const profile = tempDir('vscode-profile');
  try {
    await runTests({
      vscodeExecutablePath: exe,
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: SUITE,
      launchArgs: [
        ws,
        '--disable-extensions',
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        `--user-data-dir=${path.join(profile, 'user-data')}`,
        `--extensions-dir=${path.join(profile, 'extensions')}`,
      ],
    });
    return 0;
  } catch (e) {
    if (e instanceof TestRunFailedError) return 1;
    throw e;
  } finally {
    fs.rmSync(path.dirname(ws), { recursive: true, force: true });
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof SetupError ? `run-electron: ${e.message}` : e);
    process.exit(2);
  },
);
