// Entry point VS Code calls inside the extension host (`extensionTestsPath`): runs every `*.test.js` next to
// this file with Mocha. The same entry serves code-server (test/ui/run-vscode-tests.ts) and desktop VS Code
// (test/ui/run-electron.ts), so nothing here may depend on which host runs it.
import * as fs from 'node:fs';
import * as path from 'node:path';
// Mocha 12 is an ES module; this compiles to require(esm), which needs Node >= 20.19 / 22.12 in the host.
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'bdd',
    // The host's log has no terminal behind it: escape codes would show up raw.
    color: false,
    timeout: Number(process.env.NIXKIT_TEST_TIMEOUT_MS) || 60_000,
    grep: process.env.NIXKIT_TEST_GREP,
  });
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort();
  for (const f of files) mocha.addFile(path.join(__dirname, f));

  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) =>
        failures > 0 ? reject(new Error(`${failures} of the VS Code integration tests failed`)) : resolve(),
      );
    } catch (e) {
      reject(e);
    }
  });
}
