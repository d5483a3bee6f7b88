// UI test of "NixOS: Test Image in a VM" and "NixOS: Serve Netboot…" in the real workbench (code-server + headless
// Chromium), with no folder open, on nixkit's installer-media test image (test/targets/media/build-test-image.sh: a
// hybrid ISO and a netboot set whose busybox initrd prints NIXKIT-MEDIA-MARKER; cached by content).
//   Test Image: the ISO chosen in the file dialog, UEFI, as a USB stick; QEMU really boots it (KVM when usable,
//   else TCG). The notification must say it booted, and the "nixkit: Test Image" channel must show the stages and
//   the marker line from the serial console. Then BIOS, as a CD, cancelled from the progress notification at once:
//   the outcome says cancelled.
//   Netboot: the set's folder chosen, address 127.0.0.1:0 (any free port); the status bar shows the address, this
//   test fetches the iPXE script from it over HTTP, then presses Stop in the server's notification: the status bar
//   item goes and the port no longer answers.
// Leaves test-results/media-test-image.png and media-netboot.png (failure.png when it fails).
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as http from 'node:http';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import {
  REPO_ROOT,
  exitOnSignals,
  launchBrowser,
  pickInFileDialog,
  requireFile,
  runAsScript,
  runCommand,
  screenshot,
  sleep,
  startCodeServer,
  type Browser,
  type CodeServer,
} from './code-server';

const DEADLINE_MS = Number(process.env.NIXKIT_E2E_DEADLINE_MS) || 480_000;
const MARKER = 'NIXKIT-MEDIA-MARKER';

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
  });
}

/** Picks the quick pick item whose label is `label`. */
async function choose(page: Page, label: string): Promise<void> {
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
  await row.waitFor({ timeout: 15_000 });
  await row.click();
}

/** The text of the output view (the visible lines of the channel shown). */
async function outputText(page: Page): Promise<string> {
  // (the editor draws spaces as no-break spaces)
  return (await page.locator('.output-view .view-lines').allInnerTexts()).join('\n').replace(/\u00a0/g, ' ');
}

async function main(): Promise<void> {
  exitOnSignals();
  setTimeout(() => {
    console.error(`media-boot-ui: overall deadline of ${DEADLINE_MS} ms passed`);
    process.exit(2);
  }, DEADLINE_MS).unref();
  requireFile(path.join(REPO_ROOT, 'dist/remote.js'), 'run `npm run build` first');
  const t0 = Date.now();
  const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
  const media = execFileSync('bash', [path.join(REPO_ROOT, 'test/targets/media/build-test-image.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 600_000,
  }).trim();
  const iso = path.join(media, 'test.iso');
  const netbootDir = path.join(media, 'netboot');
  requireFile(iso, 'build-test-image.sh did not leave test.iso');
  console.log(`test image: ${media} (${elapsed()})`);
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
      await page.goto(cs.url);
      await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
      console.log(`workbench ready, no folder open (${elapsed()})`);

      // --- Test Image in a VM
      await runCommand(page, 'NixOS: Test Image in a VM');
      await pickInFileDialog(page, iso);
      await choose(page, 'UEFI');
      await choose(page, 'USB stick');
      const toast = page.locator('.notifications-toasts .notification-toast', {
        hasText: /nixkit: (booted|did not boot|cancelled)/,
      });
      await toast.first().waitFor({ timeout: 360_000 });
      const outcome = (await toast.first().innerText()).split('\n')[0];
      console.log(`outcome: ${outcome} (${elapsed()})`);
      await page.waitForTimeout(500);
      const channel = await outputText(page);
      console.log(`channel (end):\n${channel.split('\n').slice(-14).join('\n')}`);
      console.log(`screenshot: ${await screenshot(page, 'media-test-image.png')}`);
      assert.match(outcome, /nixkit: booted/, `the image did not boot: ${outcome}`);
      assert.match(outcome, /UEFI, USB stick/);
      assert.match(channel, /PASSED/, 'the channel does not end with the outcome');
      assert.match(channel, new RegExp(MARKER), 'the marker line is not in the channel');
      assert.match(channel, /the Linux kernel started/, 'the kernel stage is not listed');
      await runCommand(page, 'Notifications: Clear All Notifications');

      // --- Cancel: BIOS, as a CD; Cancel in the progress notification long before the image can boot.
      await runCommand(page, 'NixOS: Test Image in a VM');
      await pickInFileDialog(page, iso);
      await choose(page, 'BIOS');
      await choose(page, 'CD');
      const running = page.locator('.notifications-toasts .notification-toast', {
        hasText: 'Testing test.iso (BIOS, CD)',
      });
      await running.first().waitFor({ timeout: 30_000 });
      await running.first().locator('.monaco-button', { hasText: 'Cancel' }).click();
      const cancelled = page.locator('.notifications-toasts .notification-toast', {
        hasText: 'nixkit: cancelled',
      });
      await cancelled.first().waitFor({ timeout: 60_000 });
      const cancelText = (await cancelled.first().innerText()).split('\n')[0];
      console.log(`cancel: ${cancelText} (${elapsed()})`);
      assert.match(cancelText, /test\.iso \(BIOS, CD\)/);
      await page.waitForTimeout(300);
      assert.match(
        await outputText(page),
        /NOT BOOTED/,
        'the channel does not say the cancelled test did not boot',
      );
      await runCommand(page, 'Notifications: Clear All Notifications');

      // --- Serve Netboot
      await runCommand(page, 'NixOS: Serve Netboot…');
      await pickInFileDialog(page, netbootDir, { folder: true, okLabel: 'Serve this folder' });
      const input = page.locator('.quick-input-widget input');
      await page
        .locator('.quick-input-title', { hasText: 'Serve Netboot — address' })
        .waitFor({ timeout: 15_000 });
      assert.equal(
        await input.inputValue(),
        '127.0.0.1:8080',
        'the address does not default to 127.0.0.1:8080',
      );
      await input.fill('127.0.0.1:99999');
      await page.locator('.quick-input-message', { hasText: 'ADDR:PORT' }).waitFor({ timeout: 5000 });
      await input.fill('127.0.0.1:0');
      await sleep(300);
      await input.press('Enter');
      const item = page.locator('.statusbar-item', { hasText: 'Netboot 127.0.0.1:' });
      await item.first().waitFor({ timeout: 30_000 });
      const itemText = (await item.first().innerText()).trim();
      const port = Number(/127\.0\.0\.1:(\d+)/.exec(itemText)?.[1]);
      assert.ok(port > 0, `no port in the status bar item: ${itemText}`);
      console.log(`status bar: ${itemText} (${elapsed()})`);
      const note = page.locator('.notifications-toasts .notification-toast', {
        hasText: 'netboot server running',
      });
      await note.first().waitFor({ timeout: 15_000 });
      const noteText = await note.first().innerText();
      assert.ok(noteText.includes(`http://127.0.0.1:${port}/nixkit.ipxe`), `no script URL: ${noteText}`);
      const script = await get(`http://127.0.0.1:${port}/nixkit.ipxe`);
      assert.equal(script.status, 200);
      assert.match(script.body, /^#!ipxe/);
      // The channel shows the server: the script URL and the TFTP/DHCP lines (its end is in view).
      await page.waitForTimeout(500);
      const lines = await outputText(page);
      console.log(`netboot channel (in view):\n${lines}`);
      assert.ok(
        lines.includes(`http://127.0.0.1:${port}/nixkit.ipxe`),
        'the channel does not show the script URL',
      );
      console.log(`screenshot: ${await screenshot(page, 'media-netboot.png')}`);
      // Stop, from the server's notification.
      await note.first().locator('.monaco-button', { hasText: 'Stop' }).click();
      await item.first().waitFor({ state: 'detached', timeout: 15_000 });
      await assert.rejects(get(`http://127.0.0.1:${port}/nixkit.ipxe`), /ECONNREFUSED/);
      console.log(`stopped; the port no longer answers (${elapsed()})`);
    } catch (e) {
      const shot = await screenshot(page, 'failure.png').catch(() => '(none)');
      console.error(`screenshot of the failure: ${shot}`);
      throw e;
    }
    console.log(`media-boot-ui passed (${elapsed()})`);
  } finally {
    await browser?.close();
    await cs?.stop();
  }
}

runAsScript('media-boot-ui', main);
