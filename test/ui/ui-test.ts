// UI test through the real workbench: code-server with nixkit installed from this repository, driven by
// headless chromium. Opens a broken file and expects nixkit's syntax error in the Problems panel.
// Leaves test-results/problems.png (and failure.png when it fails).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  REPO_ROOT,
  SetupError,
  copyExamples,
  exitOnSignals,
  fileProblemRows,
  launchBrowser,
  openFile,
  requireFile,
  screenshot,
  startCodeServer,
  waitForWorkbench,
  workbenchUrl,
  type Browser,
  type CodeServer,
} from './code-server';

const DEADLINE_MS = Number(process.env.NIXKIT_E2E_DEADLINE_MS) || 180_000;

async function main(): Promise<void> {
  exitOnSignals();
  setTimeout(() => {
    console.error(`ui-test: overall deadline of ${DEADLINE_MS} ms passed`);
    process.exit(2);
  }, DEADLINE_MS).unref();
  requireFile(path.join(REPO_ROOT, 'dist/extension.js'), 'run `npm run build` first');
  const t0 = Date.now();
  const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
  const ws = copyExamples();
  fs.writeFileSync(path.join(ws, 'broken.nix'), '{ a = 1 b = 2; }\n');
  let cs: CodeServer | undefined;
  let browser: Browser | undefined;
  try {
    // Installed rather than a development extension: without the smoke-test driver, notifications and
    // dialogs behave as for a user, which the webview tests built on this need.
    cs = await startCodeServer({
      port: Number(process.env.NIXKIT_CS_PORT) || undefined,
      linkExtension: true,
    });
    browser = await launchBrowser();
    const { page } = browser;
    try {
      await page.goto(workbenchUrl(cs, ws));
      await waitForWorkbench(page, 'flake.nix');
      console.log(`workbench ready (${elapsed()})`);
      await openFile(page, 'broken.nix');
      // The example workspace has findings of its own (a syntax error among them): only broken.nix's rows count.
      const isError = (r: string) => r.includes('nixkit') && r.includes('syntax-error');
      const rows = await fileProblemRows(page, 'broken.nix', (rs) => rs.some(isError));
      const all = await page.locator('.markers-panel .monaco-list-row').allInnerTexts();
      console.log(`Problems panel (${elapsed()}):\n  ${all.join('\n  ').replace(/\n(?! )/g, ' | ')}`);
      const error = rows.find(isError);
      assert.ok(
        error,
        `no nixkit syntax-error row for broken.nix in the Problems panel: ${rows.join(' / ')}`,
      );
      assert.match(error, /Ln 1, Col \d+/, 'the error is not placed on line 1');
      console.log(`screenshot: ${await screenshot(page, 'problems.png')}`);
    } catch (e) {
      const shot = await screenshot(page, 'failure.png').catch(() => '(none)');
      console.error(`screenshot of the failure: ${shot}`);
      throw e;
    }
    console.log(`ui-test passed (${elapsed()})`);
  } finally {
    await browser?.close();
    await cs?.stop();
    fs.rmSync(path.dirname(ws), { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof SetupError ? `ui-test: ${e.message}` : e);
    process.exit(e instanceof SetupError ? 2 : 1);
  },
);
