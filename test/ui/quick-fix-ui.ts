// UI test of nixkit's editor features on the example workspace's ESP finding, in the real workbench: code-server
// with nixkit installed from this repository, driven by headless chromium, on a throwaway copy of examples/.
//   1. hover the finding (`fileSystems."/boot/efi"` in hosts/demo/hardware-configuration.nix): the hover explains
//      the rule (its explanation from the rule file) and links to its documentation;
//   2. the quick-fix menu (Ctrl+.) lists both fixes; the first one applied, the finding leaves the Problems panel
//      while the file's other findings stay;
//   3. "NixOS: Show Configuration" opens a readable (rendered) document with `demo`'s platform, bootloader, ESP,
//      root filesystem and users, whose links open the definitions.
// One code-server start serves all three. Leaves test-results/hover.png, quick-fix.png, show-configuration.png
// (failure.png when it fails).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { ruleByCode } from '../../server/rules';
import {
  REPO_ROOT,
  copyExamples,
  exitOnSignals,
  runAsScript,
  fileProblemRows,
  launchBrowser,
  openFile,
  requireFile,
  runCommand,
  screenshot,
  startCodeServer,
  waitForWorkbench,
  webviewFrame,
  workbenchUrl,
  type Browser,
  type CodeServer,
} from './code-server';

const DEADLINE_MS = Number(process.env.NIXKIT_E2E_DEADLINE_MS) || 180_000;
const FILE = 'hardware-configuration.nix';
const ESP_CODE = 'esp-mount-mismatch';
const SET_FIX = 'Set boot.loader.efi.efiSysMountPoint';
const MOUNT_FIX = 'Mount the ESP at /boot';

let t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
const step = (what: string) => console.log(`${what} (${elapsed()})`);

/** Markdown as a hover renders it: inline code without backticks, whitespace collapsed. */
function rendered(markdown: string): string {
  return markdown.replace(/`/g, '').replace(/\s+/g, ' ').trim();
}
const collapse = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Puts the cursor on `line`:`column` (1-based) of the active editor through "Go to Line/Column". */
async function goTo(page: Page, line: number, column: number): Promise<void> {
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`:${line}:${column}`);
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden' });
  await page
    .locator('.statusbar-item', { hasText: `Ln ${line}, Col ${column}` })
    .first()
    .waitFor({ timeout: 5000 });
}

/** The 1-based position of the ESP finding, from its row in the Problems panel. */
async function espPosition(page: Page): Promise<{ line: number; column: number }> {
  const rows = await fileProblemRows(page, FILE, (rs) => rs.some((r) => r.includes(ESP_CODE)));
  const row = rows.find((r) => r.includes(ESP_CODE));
  const m = row && /\[Ln (\d+), Col (\d+)\]/.exec(row);
  assert.ok(m, `no ${ESP_CODE} row with a position for ${FILE}: ${rows.join(' / ')}`);
  return { line: Number(m[1]), column: Number(m[2]) };
}

async function checkHover(page: Page): Promise<void> {
  // VS Code caps a hover at a quarter of the editor's height (at least 250 px) and scrolls the rest: a taller
  // window, for this step only, lets the screenshot show all of it down to the documentation link.
  const viewport = page.viewportSize();
  await page.setViewportSize({ width: viewport?.width ?? 1400, height: 1500 });
  // editor.action.showHover: the hover a mouse would open, at the cursor.
  await runCommand(page, 'Show or Focus Hover');
  const hover = page.locator('.monaco-hover:visible', { hasText: ESP_CODE }).first();
  const rule = ruleByCode(ESP_CODE);
  assert.ok(rule, `no rule ${ESP_CODE}`);
  // The server's part of the hover arrives after VS Code's own (the finding's message).
  const firstSentence = rendered(rule.explanation).split('. ')[0];
  await hover.filter({ hasText: firstSentence }).waitFor({ timeout: 15_000 });
  const text = collapse(await hover.innerText());
  console.log(`hover: ${text.slice(0, 300)}…`);
  assert.ok(
    text.includes(rendered(rule.explanation)),
    `the hover does not show the rule's explanation:\n${text}`,
  );
  assert.ok(text.includes('Documentation'), 'the hover has no link to the rule documentation');
  const doc = await hover.locator('a', { hasText: 'Documentation' }).first().getAttribute('data-href');
  console.log(`hover documentation link: ${doc}`);
  assert.match(doc ?? '', new RegExp(`${ESP_CODE}(\\.md)?\\b`), 'the documentation link names the rule');
  const scrollable = await hover
    .locator('.monaco-scrollable-element')
    .first()
    .evaluate((e) => e.scrollHeight > e.clientHeight + 1);
  step(`screenshot: ${await screenshot(page, 'hover.png')}${scrollable ? ' (the hover scrolls)' : ''}`);
  await page.keyboard.press('Escape');
  await hover.waitFor({ state: 'hidden' });
  if (viewport) await page.setViewportSize(viewport);
}

async function checkQuickFix(page: Page): Promise<void> {
  // The menu, not the (empty) submenu panel that shares its class.
  const menu = page.locator('.action-widget:not(.action-list-submenu-panel)');
  const actions = menu.locator('.monaco-list-row.action');
  // Ctrl+. is sometimes swallowed while the hover is closing: close what is open and ask again, a few times.
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('Control+.');
    try {
      await actions.filter({ hasText: MOUNT_FIX }).first().waitFor({ timeout: 5_000 });
      break;
    } catch (e) {
      if (attempt === 3) throw e;
      await page.keyboard.press('Escape');
    }
  }
  const titles = (await actions.allInnerTexts()).map(collapse);
  console.log(`quick-fix menu:\n  ${titles.join('\n  ')}`);
  assert.ok(titles[0]?.startsWith(SET_FIX), `the first fix is not "${SET_FIX}…": ${titles.join(' | ')}`);
  assert.ok(titles.includes(MOUNT_FIX), `"${MOUNT_FIX}" is not offered: ${titles.join(' | ')}`);
  step(`screenshot: ${await screenshot(page, 'quick-fix.png')}`);
  await actions.first().click();
  await actions.first().waitFor({ state: 'hidden' });
  step(`applied "${titles[0]}"`);
}

/** Waits until the Problems panel lists the file's other findings but no longer the ESP finding. */
async function checkFindingGone(page: Page): Promise<void> {
  const others = ['host-platform-corrupted', 'unstable-device-path'];
  const gone = (rows: string[]) =>
    !rows.some((r) => r.includes(ESP_CODE)) && others.every((c) => rows.some((r) => r.includes(c)));
  const rows = await fileProblemRows(page, FILE, gone, 20_000);
  console.log(`${FILE} in the Problems panel after the fix:\n  ${rows.join('\n  ').replace(/\n/g, ' | ')}`);
  assert.ok(!rows.some((r) => r.includes(ESP_CODE)), `the ${ESP_CODE} finding is still listed`);
  assert.ok(gone(rows), `the file's other findings (${others.join(', ')}) are not all listed`);
}

async function checkShowConfiguration(page: Page): Promise<void> {
  await runCommand(page, 'View: Hide Panel');
  await runCommand(page, 'NixOS: Show Configuration');
  // A Markdown preview (a webview) of the nixkit: document.
  const preview = webviewFrame(page).locator('body');
  await preview.locator('h2', { hasText: 'demo' }).waitFor({ timeout: 20_000 });
  // The whole document, down to its last section.
  await preview.locator('h3', { hasText: 'Files (3)' }).waitFor({ timeout: 10_000 });
  const text = await preview.innerText();
  console.log(`Show Configuration:\n  ${text.split('\n').filter(Boolean).join('\n  ')}`);
  // Rendered, not Markdown source: a link the preview refused would show as [text](target).
  assert.doesNotMatch(text, /\]\(|\|---/, 'the preview shows raw Markdown');
  assert.match(text, /Problems in its files: 4 errors, 2 warnings/, 'the counts left after the fix');
  const row = (label: string) => {
    const line = text.split('\n').find((l) => l.startsWith(label));
    assert.ok(line, `no "${label}" row in:\n${text}`);
    return line;
  };
  // hardware-configuration.nix sets nixpkgs.hostPlatform (to a corrupted value), which overrides the flake's
  // `system`: the platform is honestly unknown, and the setting that makes it so is named.
  assert.match(row('Platform'), /not known statically \(nixpkgs\.hostPlatform\)/);
  assert.match(row('Bootloader'), /systemd-boot \(UEFI\)/);
  assert.match(row('ESP mount point'), /\/boot\/efi/, 'the applied fix set efiSysMountPoint');
  assert.match(row('EFI System Partition'), /\/boot\/efi: \/dev\/disk\/by-uuid\/7A1C-3E5F \(vfat\)/);
  assert.match(
    row('Root filesystem'),
    /\/: \/dev\/disk\/by-uuid\/5f3c1a2e-8b4d-4e6f-9a7b-2c1d0e9f8a6b \(ext4\)/,
  );
  assert.match(
    text,
    /Who can log in\s+root: no password or key[^\n]*\s+alice \(wheel: may use sudo\): SSH key/,
  );
  step(`screenshot: ${await screenshot(page, 'show-configuration.png')}`);
  // Its links lead to the definitions.
  await preview.locator('a', { hasText: 'systemd-boot (UEFI)' }).click();
  await page
    .locator('.tabs-container .tab.active', { hasText: 'configuration.nix' })
    .waitFor({ timeout: 10_000 });
  await page
    .locator('.statusbar-item', { hasText: /Ln 7, Col \d+/ })
    .first()
    .waitFor({ timeout: 10_000 });
  step('the Bootloader link opened configuration.nix at line 7');
}

async function main(): Promise<void> {
  exitOnSignals();
  setTimeout(() => {
    console.error(`quick-fix-ui: overall deadline of ${DEADLINE_MS} ms passed`);
    process.exit(2);
  }, DEADLINE_MS).unref();
  requireFile(path.join(REPO_ROOT, 'dist/extension.js'), 'run `npm run build` first');
  t0 = Date.now();
  const ws = copyExamples();
  let cs: CodeServer | undefined;
  let browser: Browser | undefined;
  try {
    cs = await startCodeServer({
      port: Number(process.env.NIXKIT_CS_PORT) || undefined,
      linkExtension: true,
    });
    browser = await launchBrowser();
    const { page } = browser;
    try {
      await page.goto(workbenchUrl(cs, ws));
      await waitForWorkbench(page, 'flake.nix');
      step('workbench ready');
      await openFile(page, FILE);
      const { line, column } = await espPosition(page);
      step(`${ESP_CODE} at Ln ${line}, Col ${column}`);
      // The menus and the hover get the whole window height without the panel.
      await runCommand(page, 'View: Hide Panel');
      // Inside the finding's range (it starts on the opening quote of "/boot/efi").
      await goTo(page, line, column + 2);
      await checkHover(page);
      await checkQuickFix(page);
      await checkFindingGone(page);
      await checkShowConfiguration(page);
    } catch (e) {
      const shot = await screenshot(page, 'failure.png').catch(() => '(none)');
      console.error(`screenshot of the failure: ${shot}`);
      throw e;
    }
    console.log(`quick-fix-ui passed (${elapsed()})`);
  } finally {
    await browser?.close();
    await cs?.stop();
    fs.rmSync(path.dirname(ws), { recursive: true, force: true });
  }
}

runAsScript('quick-fix-ui', main);
