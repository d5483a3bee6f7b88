// Runs the Mocha suite (out/test/extension-host) inside a real VS Code extension host: code-server on 127.0.0.1,
// driven by headless chromium. The suite reports its log and exit code to the page through the smoke-test
// driver's hooks, as @vscode/test-web does. Exit code: 0 passed, 1 failed, 2 could not run.
// The extension under test is what users install: dist/nixkit.vsix (`npm run package`), installed with
// `code-server --install-extension`. VS Code runs a test runner only beside a development extension, so the
// installed folder is also named as extensionDevelopmentPath; the suite checks that it runs from there.
//   NIXKIT_FROM_SOURCE=1  test the repository folder instead (quicker while developing: no packaging)
//   NIXKIT_CS_PORT   port for code-server (default: a free one)
//   NIXKIT_E2E_DEADLINE_MS  overall deadline (default 300000)
//   NIXKIT_TEST_GREP passed through to Mocha in the extension host
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  REPO_ROOT,
  SetupError,
  copyExamples,
  exitOnSignals,
  launchBrowser,
  requireFile,
  screenshot,
  startCodeServer,
  workbenchUrl,
  type Browser,
  type CodeServer,
} from './code-server';

const SUITE = path.join(REPO_ROOT, 'out/test/extension-host/index.js');
const VSIX = path.join(REPO_ROOT, 'dist/nixkit.vsix');
const DEADLINE_MS = Number(process.env.NIXKIT_E2E_DEADLINE_MS) || 300_000;

async function main(): Promise<number> {
  exitOnSignals();
  // Backstop for a hang outside the awaited steps; process exit still ends code-server's process group.
  setTimeout(() => {
    console.error(`run-vscode-tests: overall deadline of ${DEADLINE_MS + 60_000} ms passed`);
    process.exit(2);
  }, DEADLINE_MS + 60_000).unref();
  const fromSource = process.env.NIXKIT_FROM_SOURCE === '1';
  if (fromSource) requireFile(path.join(REPO_ROOT, 'dist/extension.js'), 'run `npm run build` first');
  else requireFile(VSIX, 'run `npm run package` first (or set NIXKIT_FROM_SOURCE=1)');
  requireFile(SUITE, 'run `npx tsc -p .` first');
  const t0 = Date.now();
  const ws = copyExamples();
  let cs: CodeServer | undefined;
  let browser: Browser | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    cs = await startCodeServer({
      port: Number(process.env.NIXKIT_CS_PORT) || undefined,
      smokeTestDriver: true,
      ...(fromSource ? { env: { NIXKIT_EXPECTED_EXTENSION_PATH: REPO_ROOT } } : { installVsix: VSIX }),
    });
    const extensionPath = cs.installedExtension ?? REPO_ROOT;
    console.log(`extension under test: ${extensionPath}`);
    console.log(`code-server up on ${cs.url} in ${Date.now() - t0} ms; workspace ${ws}`);
    browser = await launchBrowser();
    const { page } = browser;
    let finish: (code: number) => void = () => undefined;
    const exited = new Promise<number>((r) => (finish = r));
    await page.exposeFunction('codeAutomationLog', (_type: string, args: unknown[]) => console.log(...args));
    await page.exposeFunction('codeAutomationExit', (code: number) => finish(code));
    const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), DEADLINE_MS)));
    await page.goto(workbenchUrl(cs, ws, { extensionPath, testsPath: SUITE }));
    const result = await Promise.race([exited, timedOut]);
    if (result === 'timeout') {
      const shot = await screenshot(page, 'vscode-tests-timeout.png').catch(() => '(no screenshot)');
      console.error(`the extension tests did not finish within ${DEADLINE_MS} ms; screenshot: ${shot}`);
      console.error(`code-server log:\n${cs.log()}`);
      return 2;
    }
    console.log(`extension tests exited with ${result} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return result === 0 ? 0 : 1;
  } finally {
    clearTimeout(timer);
    await browser?.close();
    await cs?.stop();
    fs.rmSync(path.dirname(ws), { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof SetupError ? `run-vscode-tests: ${e.message}` : e);
    process.exit(2);
  },
);
