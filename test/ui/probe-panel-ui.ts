// UI test of "NixOS: Probe Hardware…" in the real workbench: starts the namespace target (test/targets/netns; needs
// root), code-server with nixkit installed from this repository and a throwaway HOME whose ~/.ssh holds the target's
// client key (so nixkit authenticates as a user's setup would), then: runs the command, types the target, accepts
// the unknown host key in nixkit's modal (checking the fingerprint it shows), waits for the probe panel, checks the
// disk table (the target's loop disks, the hostile labels verbatim, no command ran), saves a screenshot, and saves
// the probe to the workspace. Leaves test-results/probe-panel.png (failure.png when it fails).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { restartSshd, startNetnsTarget } from '../integration/netns-target';
import {
  REPO_ROOT,
  SetupError,
  copyExamples,
  exitOnSignals,
  runAsScript,
  launchBrowser,
  runCommand,
  screenshot,
  requireFile,
  sshHomeWith,
  startCodeServer,
  waitForWorkbench,
  webviewFrame,
  workbenchUrl,
  type Browser,
  type CodeServer,
} from './code-server';

const DEADLINE_MS = Number(process.env.NIXKIT_E2E_DEADLINE_MS) || 240_000;

async function main(): Promise<void> {
  exitOnSignals();
  setTimeout(() => {
    console.error(`probe-panel-ui: overall deadline of ${DEADLINE_MS} ms passed`);
    process.exit(2);
  }, DEADLINE_MS).unref();
  requireFile(path.join(REPO_ROOT, 'dist/extension.js'), 'run `npm run build` first');
  requireFile(path.join(REPO_ROOT, 'dist/webview/probe-page.js'), 'run `npm run build` first');
  if (process.getuid?.() !== 0)
    throw new SetupError('needs root (the namespace target: netns, loop devices)');
  const t0 = Date.now();
  const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

  const { target, stop } = startNetnsTarget();
  process.once('exit', stop);
  console.log(`namespace target up at root@${target.host} (${elapsed()})`);
  const home = sshHomeWith(target.identity);
  const ws = copyExamples();
  let cs: CodeServer | undefined;
  let browser: Browser | undefined;
  try {
    cs = await startCodeServer({
      port: Number(process.env.NIXKIT_CS_PORT) || undefined,
      linkExtension: true,
      env: { HOME: home, SSH_AUTH_SOCK: '' },
    });
    browser = await launchBrowser();
    const { page } = browser;
    // Content-Security-Policy violations in the panel (or anywhere) show up on the console.
    const cspViolations: string[] = [];
    page.on('console', (m) => {
      if (/Content.Security.Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    try {
      await page.goto(workbenchUrl(cs, ws));
      await waitForWorkbench(page, 'flake.nix');
      console.log(`workbench ready (${elapsed()})`);

      // No saved targets in a fresh workspace: the command asks for one straight away.
      await runCommand(page, 'NixOS: Probe Hardware…');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible' });
      await input.fill(`root@${target.host}`);
      await page.keyboard.press('Enter');

      // The trust-on-first-use dialog, with the fingerprint to compare.
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ timeout: 30_000 });
      const dialogText = await dialog.innerText();
      assert.ok(
        dialogText.includes(target.fingerprint),
        `the host key dialog does not show ${target.fingerprint}:\n${dialogText}`,
      );
      assert.match(dialogText, /new host keys on every boot/);
      console.log(`host key dialog shows ${target.fingerprint} (${elapsed()})`);
      console.log(`screenshot: ${await screenshot(page, 'probe-hostkey.png')}`);
      await dialog.locator('.monaco-button', { hasText: 'Trust and Connect' }).click();

      const frame = webviewFrame(page);
      const diskTable = frame.locator('#disk-table');
      await diskTable.waitFor({ timeout: 60_000 });
      console.log(`probe panel shown (${elapsed()})`);
      const tableText = await diskTable.innerText();
      for (const dev of [target.disks.a, target.disks.b])
        assert.ok(tableText.includes(dev), `the disk table does not list ${dev}:\n${tableText}`);
      // Target strings are shown verbatim (as text: quotes, $(), backticks, newline and backslash included).
      const raws = await frame
        .locator('#disk-table code.raw')
        .evaluateAll((els) => els.map((e) => e.textContent));
      assert.ok(
        raws.includes(target.hostileLabel),
        `hostile filesystem label not shown verbatim: ${JSON.stringify(raws)}`,
      );
      assert.ok(raws.includes(target.hostilePartName), `hostile partition name not shown verbatim`);
      assert.ok(raws.includes('BOOT') && raws.includes('nixos'), 'the labels of disk a are missing');
      // Nothing from the target became markup or ran: one script (ours), and the marker file was never created.
      // (VS Code injects one script of its own into every webview document; the page itself has exactly one.)
      const scripts = await frame
        .locator('script')
        .evaluateAll((els) => els.map((e) => (e.getAttribute('src') ?? '') + ' ' + e.outerHTML.slice(0, 80)));
      console.log(`scripts: ${JSON.stringify(scripts)}`);
      assert.equal(
        scripts.filter((s) => s.includes('probe-page.js')).length,
        1,
        'the panel script is missing',
      );
      assert.ok(scripts.length <= 2, `unexpected scripts in the panel: ${JSON.stringify(scripts)}`);
      assert.equal(await frame.locator('#disk-table b, #disk-table img, #disk-table iframe').count(), 0);
      assert.ok(!fs.existsSync(target.marker), `${target.marker} exists: a label was executed`);
      const warnings = await frame.locator('#warnings li').allInnerTexts();
      console.log(`warnings in the panel: ${JSON.stringify(warnings)}`);
      const firmware = await frame.locator('#system dd').first().innerText();
      assert.equal(
        warnings.some((w) => /^BIOS/.test(w)),
        /BIOS/.test(firmware),
        `the BIOS warning does not match the firmware (${firmware})`,
      );

      // Close the notifications so the screenshot shows the panel.
      await runCommand(page, 'Notifications: Clear All Notifications');
      await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
      await page.waitForTimeout(300);
      console.log(`screenshot: ${await screenshot(page, 'probe-panel-top.png')}`);
      // The main screenshot shows the disk table with the hostile labels.
      await frame.locator('#disks').evaluate((el) => el.scrollIntoView({ block: 'start' }));
      console.log(`screenshot: ${await screenshot(page, 'probe-panel.png')}`);

      // Save to workspace: the configurations come from the language server (demo in examples/).
      // (by keyboard: the panel's buttons take focus and Enter)
      await frame.locator('vscode-button[data-action="probe/save"]').focus();
      await page.keyboard.press('Enter');
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: 'demo' }).first();
      await row.waitFor({ timeout: 30_000 });
      await row.click();
      await frame.locator('#status', { hasText: 'Saved as' }).waitFor({ timeout: 15_000 });
      const saved = path.join(ws, '.nixkit', 'hosts', 'demo.json');
      const report = JSON.parse(fs.readFileSync(saved, 'utf8')) as { disks: { path: string }[] };
      assert.ok(
        report.disks.some((d) => d.path === target.disks.b),
        'the saved probe lacks disk b',
      );
      const index = JSON.parse(fs.readFileSync(path.join(ws, '.nixkit', 'hosts.json'), 'utf8')) as {
        hosts: Record<string, { probe: string }>;
      };
      assert.equal(index.hosts.demo?.probe, '.nixkit/hosts/demo.json');
      console.log(`saved ${path.relative(ws, saved)} (${elapsed()})`);

      // Generate hardware-configuration.nix: pick the target's install root, get a diff against the existing
      // file, apply it.
      await frame.locator('vscode-button[data-action="probe/generateHwconfig"]').click();
      const rootRow = page
        .locator('.quick-input-list .monaco-list-row', { hasText: target.installRoot })
        .first();
      await rootRow.waitFor({ timeout: 30_000 });
      await rootRow.click();
      await page.locator('.monaco-diff-editor').first().waitFor({ timeout: 30_000 });
      const tab = await page.locator('.tabs-container .tab.active').innerText();
      assert.match(tab, /hardware-configuration\.nix.*generated/s);
      await page.waitForTimeout(500);
      console.log(`screenshot: ${await screenshot(page, 'probe-hwconfig-diff.png')}`);
      await runCommand(page, 'NixOS: Apply Generated hardware-configuration.nix');
      const hwFile = path.join(ws, 'hosts', 'demo', 'hardware-configuration.nix');
      const deadline = Date.now() + 15_000;
      let written = '';
      while (Date.now() < deadline && !(written = fs.readFileSync(hwFile, 'utf8')).includes('nixkit')) {
        await page.waitForTimeout(200);
      }
      const ext4 = JSON.parse(fs.readFileSync(saved, 'utf8')) as {
        disks: { partitions: { path: string | null; fs: { uuid: string | null } | null }[] }[];
      };
      const rootUuid = ext4.disks.flatMap((d) => d.partitions).find((p) => p.path === target.disks.aRoot)
        ?.fs?.uuid;
      assert.ok(rootUuid, 'no UUID for the root partition in the probe');
      assert.ok(written.includes('generated by nixkit'), `not applied:\n${written}`);
      assert.ok(written.includes(`/dev/disk/by-uuid/${rootUuid}`), `root file system missing:\n${written}`);
      console.log(`applied ${path.relative(ws, hwFile)} (${elapsed()})`);

      // A reboot of a live system: new host key. "Probe again" stops with the changed-key error; forgetting the old
      // key takes two confirmations; the next connection asks about the new key, and the panel shows the new probe.
      restartSshd(target, 'changed');
      await page.locator('.tabs-container .tab', { hasText: 'Probe:' }).first().click();
      await frame.locator('vscode-button[data-action="probe/reprobe"]').click();
      const changed = page.locator('.monaco-dialog-box', { hasText: 'has CHANGED' });
      await changed.waitFor({ timeout: 30_000 });
      const changedText = await changed.innerText();
      assert.match(changedText, /new host keys on every boot/);
      assert.ok(
        changedText.includes(target.changedFingerprint),
        'the changed-key error lacks the new fingerprint',
      );
      console.log(`screenshot: ${await screenshot(page, 'probe-hostkey-changed.png')}`);
      await changed.locator('.monaco-button', { hasText: 'Forget Old Key' }).click();
      const confirm = page.locator('.monaco-dialog-box', { hasText: 'Forget the recorded host key' });
      await confirm.waitFor({ timeout: 10_000 });
      await confirm.locator('.monaco-button', { hasText: 'Forget Key' }).click();
      const again = page.locator('.notifications-toasts .monaco-button', { hasText: 'Probe Again' });
      await again.waitFor({ timeout: 10_000 });
      await again.click();
      const tofu = page.locator('.monaco-dialog-box', { hasText: target.changedFingerprint });
      await tofu.waitFor({ timeout: 30_000 });
      await tofu.locator('.monaco-button', { hasText: 'Trust and Connect' }).click();
      await frame.locator('.meta', { hasText: 'not saved' }).waitFor({ timeout: 30_000 });
      console.log(
        `changed host key: stopped, forgotten after two confirmations, new key accepted (${elapsed()})`,
      );
      assert.deepEqual(cspViolations, [], 'Content-Security-Policy violations');
    } catch (e) {
      const shot = await screenshot(page, 'failure.png').catch(() => '(none)');
      console.error(`screenshot of the failure: ${shot}`);
      throw e;
    }
    console.log(`probe-panel-ui passed (${elapsed()})`);
  } finally {
    await browser?.close();
    await cs?.stop();
    stop();
    fs.rmSync(path.dirname(ws), { recursive: true, force: true });
    fs.rmSync(home, { recursive: true, force: true });
  }
}

runAsScript('probe-panel-ui', main);
