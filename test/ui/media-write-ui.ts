// UI test of "NixOS: Write Installer Image…" in the real workbench (code-server + headless Chromium), with NO
// folder open (the media commands must work without one).
//
// What is real and what is recorded: this machine has no USB stick and no kernel module to fake one (no
// scsi_debug; loop devices are not disks, and the engine never offers them), so the device list comes from two
// sources in turn:
//   1. this machine, for real: the engine's listing through the page ("This machine" → Read devices). Its only
//      disk holds `/`: the page must offer no device, show that disk greyed with the engine's reason, and keep
//      Write off. Then the namespace target (test/targets/netns; root) over SSH: the host key is asked in nixkit's
//      modal, and the same rules hold there (its loop disks are not write candidates).
//   2. a recorded lsblk of a machine with a USB stick, a large USB disk, a SATA disk with a mounted partition and
//      the system disk (NIXKIT_MEDIA_TEST_LSBLK: extension/media/recorded-devices.ts replaces only the engine's
//      listing script; announced in the page's warnings), whose stick (kernel name sdb) is a loop device this test
//      made, as the engine's own integration test does. Only the stick and the large disk are offered; the large one
//      only with its override ticked; the typed confirmation gates Write character for character. Then the stick is
//      swapped in the recording (another serial) before Write: the engine re-identifies it and refuses, nothing is
//      written. Then the real write: the engine's root script writes the image onto the loop device, reads it back
//      and compares; the page shows verified with the SHA-256, and the device holds the image's bytes.
// The image is a real file with an MBR boot signature and a .sha256 beside it: the page shows the engine's report
// (a disk image, checksum matches). Leaves test-results/media-write.png (media-write-local.png,
// media-write-refused.png, media-write-verified.png; failure.png).
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startNetnsTarget } from '../integration/netns-target';
import {
  REPO_ROOT,
  SetupError,
  exitOnSignals,
  launchBrowser,
  pickInFileDialog,
  requireFile,
  runAsScript,
  runCommand,
  screenshot,
  sshHomeWith,
  startCodeServer,
  tempDir,
  webviewFrame,
  type Browser,
  type CodeServer,
} from './code-server';

const DEADLINE_MS = Number(process.env.NIXKIT_E2E_DEADLINE_MS) || 240_000;
const HOSTILE_LABEL = `"$(touch /tmp/nixkit-pwned)\`id\`<b>x</b>`;

/** lsblk -J -b as util-linux 2.38 prints it, for a machine with a USB stick plugged in. */
function recordedLsblk(stick: { path: string; size: number; serial: string }): string {
  const disk = (o: Record<string, unknown>) => ({
    kname: o.name,
    path: `/dev/${String(o.name)}`,
    type: 'disk',
    ro: false,
    vendor: null,
    serial: null,
    mountpoints: [null],
    fstype: null,
    label: null,
    ...o,
  });
  return JSON.stringify({
    blockdevices: [
      disk({
        name: 'nvme0n1',
        size: 512 * 1024 ** 3,
        rm: false,
        tran: 'nvme',
        model: 'Samsung SSD 980',
        serial: 'S64ANS0T',
        children: [
          {
            name: 'nvme0n1p2',
            kname: 'nvme0n1p2',
            path: '/dev/nvme0n1p2',
            size: 500 * 1024 ** 3,
            type: 'part',
            mountpoints: ['/'],
            fstype: 'ext4',
            label: 'nixos',
          },
        ],
      }),
      disk({
        name: 'sda',
        size: 2000 * 1024 ** 3,
        rm: false,
        tran: 'sata',
        model: 'WDC WD20EZRZ',
        serial: 'WD-WCC4M',
        children: [
          {
            name: 'sda1',
            kname: 'sda1',
            path: '/dev/sda1',
            size: 2000 * 1024 ** 3,
            type: 'part',
            mountpoints: ['/data'],
            fstype: 'ext4',
            label: 'data',
          },
        ],
      }),
      // The stick: its kernel name is sdb, its device is the loop device this test made.
      disk({
        name: 'sdb',
        path: stick.path,
        size: stick.size,
        rm: true,
        tran: 'usb',
        vendor: 'SanDisk',
        model: 'Ultra',
        serial: stick.serial,
        children: [
          {
            name: 'sdb1',
            kname: 'sdb1',
            path: '/dev/sdb1',
            size: stick.size,
            type: 'part',
            mountpoints: [null],
            fstype: 'vfat',
            label: HOSTILE_LABEL,
          },
        ],
      }),
      disk({
        name: 'sdc',
        size: 1000 * 1024 ** 3,
        rm: false,
        tran: 'usb',
        vendor: 'Seagate',
        model: 'Expansion',
      }),
    ],
  });
}

const recordedById = (stick: string) =>
  [
    '/dev/disk/by-id/nvme-Samsung_SSD_980_S64ANS0T\t/dev/nvme0n1',
    '/dev/disk/by-id/ata-WDC_WD20EZRZ_WD-WCC4M\t/dev/sda',
    `/dev/disk/by-id/usb-SanDisk_Ultra_4C530001-0:0\t${stick}`,
    '/dev/disk/by-id/usb-Seagate_Expansion_NA8F-0:0\t/dev/sdc',
  ].join('\n');

const STICK_BYTES = 16 * 1024 * 1024;

/** A 4 MiB disk image with an MBR boot signature, and its .sha256 beside it. */
function makeImage(dir: string): string {
  const image = path.join(dir, 'nixos-test.img');
  const data = Buffer.alloc(4 * 1024 * 1024);
  data[510] = 0x55;
  data[511] = 0xaa;
  data.write('nixkit test image', 1024);
  fs.writeFileSync(image, data);
  const sha = crypto.createHash('sha256').update(data).digest('hex');
  fs.writeFileSync(`${image}.sha256`, `${sha}  nixos-test.img\n`);
  return image;
}

/** The first `n` bytes of a block device. */
function readDevice(dev: string, n: number): Buffer {
  const fd = fs.openSync(dev, 'r');
  try {
    const buf = Buffer.alloc(n);
    fs.readSync(fd, buf, 0, n, 0);
    return buf;
  } finally {
    fs.closeSync(fd);
  }
}

async function main(): Promise<void> {
  exitOnSignals();
  setTimeout(() => {
    console.error(`media-write-ui: overall deadline of ${DEADLINE_MS} ms passed`);
    process.exit(2);
  }, DEADLINE_MS).unref();
  requireFile(path.join(REPO_ROOT, 'dist/remote.js'), 'run `npm run build` first');
  requireFile(path.join(REPO_ROOT, 'dist/webview/media-write-page.js'), 'run `npm run build` first');
  if (process.getuid?.() !== 0) throw new SetupError('needs root (the namespace target: netns)');
  const t0 = Date.now();
  const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
  const { target, stop } = startNetnsTarget();
  process.once('exit', stop);
  console.log(`namespace target up at root@${target.host} (${elapsed()})`);
  const home = sshHomeWith(target.identity);
  const scratch = tempDir('media-ui');
  const image = makeImage(scratch);
  const fixture = path.join(scratch, 'lsblk.json');
  const byId = path.join(scratch, 'by-id.txt');
  // The stick: a loop device over a file in the scratch folder, filled with 0xab so a write shows.
  const backing = path.join(scratch, 'stick.img');
  fs.writeFileSync(backing, Buffer.alloc(STICK_BYTES, 0xab));
  const loop = execFileSync('losetup', ['--find', '--show', backing], { encoding: 'utf8' }).trim();
  const record = (serial: string) =>
    fs.writeFileSync(fixture, recordedLsblk({ path: loop, size: STICK_BYTES, serial }));
  record('4C530001');
  fs.writeFileSync(byId, recordedById(loop));
  let cs: CodeServer | undefined;
  let browser: Browser | undefined;
  try {
    const start = (env: Record<string, string>) =>
      startCodeServer({ port: Number(process.env.NIXKIT_CS_PORT) || undefined, linkExtension: true, env });
    browser = await launchBrowser();
    const { page } = browser;
    const cspViolations: string[] = [];
    page.on('console', (m) => {
      if (/Content.Security.Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    try {
      // --- 1. this machine, for real; no folder open.
      cs = await start({ HOME: home, SSH_AUTH_SOCK: '' });
      await page.goto(cs.url);
      await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
      console.log(`workbench ready, no folder open (${elapsed()})`);
      await runCommand(page, 'NixOS: Write Installer Image…');
      let frame = webviewFrame(page);
      await frame.locator('#page-choose').waitFor({ timeout: 30_000 });
      await frame.locator('vscode-button#read-devices').click();
      await frame.locator('#refused-list, #device-list').first().waitFor({ timeout: 30_000 });
      const realOffered = await frame.locator('#device-list .device-card').count();
      const realRefused = await frame.locator('#refused-list .device-card').allInnerTexts();
      console.log(`this machine: ${realOffered} offered; refused:\n  ${realRefused.join('\n  ')}`);
      assert.equal(realOffered, 0, 'a device of this machine (which has no stick) is offered');
      assert.ok(await frame.locator('#no-devices').count(), 'the page does not say that no stick was found');
      assert.ok(
        realRefused.some((t) => /Never written: .*(running system|\/)/.test(t)),
        `the system disk is not shown refused with its reason: ${realRefused.join(' / ')}`,
      );
      assert.equal(
        await frame.locator('#refused-list vscode-radio:not([disabled])').count(),
        0,
        'a refused device can be chosen',
      );
      console.log(`screenshot: ${await screenshot(page, 'media-write-local.png')}`);

      // --- 1b. the namespace target over SSH: its host key is asked for in nixkit's modal (fingerprint shown);
      // its disks are this kernel's (loop disks are no write candidates; the system disk is refused).
      await frame.locator('vscode-radio#where-ssh').click();
      await frame.locator('#where-target input').fill(`root@${target.host}`);
      await frame.locator('vscode-button#read-devices').click();
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ timeout: 30_000 });
      assert.ok(
        (await dialog.innerText()).includes(target.fingerprint),
        'the host key dialog lacks the fingerprint',
      );
      await dialog.locator('.monaco-button', { hasText: 'Trust and Connect' }).click();
      await frame.locator('#where-shown', { hasText: `root@${target.host}` }).waitFor({ timeout: 60_000 });
      assert.equal(
        await frame.locator('#device-list .device-card').count(),
        0,
        'a device of the target is offered',
      );
      const sshRefused = await frame.locator('#refused-list .device-card').allInnerTexts();
      assert.ok(
        sshRefused.some((t) => /running system/.test(t)),
        `target: ${sshRefused.join(' / ')}`,
      );
      assert.ok(
        !sshRefused.some((t) => t.includes(target.disks.a)),
        'a loop disk is listed as a write candidate',
      );
      console.log(`over SSH: nothing offered, ${sshRefused.length} refused (${elapsed()})`);
      await browser.page.goto('about:blank');
      await cs.stop();
      cs = undefined;

      // --- 2. the recorded machine with a stick.
      cs = await start({ NIXKIT_MEDIA_TEST_LSBLK: fixture, NIXKIT_MEDIA_TEST_BY_ID: byId });
      await page.goto(cs.url);
      await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
      await runCommand(page, 'NixOS: Write Installer Image…');
      frame = webviewFrame(page);
      await frame.locator('#page-choose').waitFor({ timeout: 30_000 });
      await frame.locator('vscode-button#pick-image').click();
      await pickInFileDialog(page, image);
      const report = frame.locator('#image-report');
      await report.waitFor({ timeout: 30_000 });
      assert.equal(await report.getAttribute('data-checksum'), 'match', await report.innerText());
      assert.equal(await report.getAttribute('data-boot'), 'disk-image', await report.innerText());
      console.log(`image report: ${(await report.innerText()).replace(/\n/g, ' | ')}`);

      await frame.locator('vscode-button#read-devices').click();
      await frame.locator('#device-list').waitFor({ timeout: 30_000 });
      const warnings = await frame.locator('#device-warnings').innerText();
      assert.match(warnings, /recorded|test/i, 'the recorded device list is not announced');
      const offered = await frame
        .locator('#device-list .device-card')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-device')));
      const refused = await frame
        .locator('#refused-list .device-card')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-device')));
      console.log(`offered: ${offered.join(', ')}; refused: ${refused.join(', ')}`);
      assert.deepEqual(offered, [loop, '/dev/sdc'], 'only the USB stick and the USB disk are offered');
      assert.deepEqual([...refused].sort(), ['/dev/nvme0n1', '/dev/sda']);
      const sdaText = await frame.locator('#refused-list .device-card[data-device="/dev/sda"]').innerText();
      assert.match(sdaText, /\/data/, `the mounted disk's reason does not name its mount: ${sdaText}`);
      // The hostile label is shown as text.
      const labels = await frame.locator('#device-list code.label').allTextContents();
      assert.ok(labels.includes(HOSTILE_LABEL), `hostile label not verbatim: ${JSON.stringify(labels)}`);

      const write = frame.locator('vscode-button#write');
      const confirm = frame.locator('#confirm-device input');
      const disabled = async () => (await write.getAttribute('disabled')) !== null;
      assert.ok(await disabled(), 'Write is on before a device is chosen');

      // The large USB disk: the override gates it.
      await frame.locator('vscode-radio[data-device="/dev/sdc"]').click();
      await confirm.fill('sdc');
      await frame.locator('#write-hint', { hasText: 'override' }).waitFor({ timeout: 5000 });
      assert.ok(await disabled(), 'Write is on for a large disk without its override');
      await frame
        .locator('.device-card[data-device="/dev/sdc"] vscode-checkbox[data-override="large"]')
        .click();
      await frame.locator('#write-hint', { hasText: 'will be erased' }).waitFor({ timeout: 5000 });
      assert.ok(!(await disabled()), 'Write stays off with the override ticked and the name typed');

      // The stick: the typed confirmation, exactly.
      await frame.locator(`vscode-radio[data-device="${loop}"]`).click();
      assert.equal(await confirm.inputValue(), '', 'the confirmation typed for another device is kept');
      assert.ok(await disabled(), 'Write is on after switching device');
      for (const typed of ['sd', 'SDB', '/dev/sdb', 'sdb ']) {
        await confirm.fill(typed);
        assert.ok(await disabled(), `Write is on for ${JSON.stringify(typed)}`);
      }
      await frame.locator('#write-hint', { hasText: 'exactly' }).waitFor({ timeout: 5000 });
      await confirm.fill('sdb');
      await frame.locator('#write-hint', { hasText: 'will be erased' }).waitFor({ timeout: 5000 });
      assert.ok(!(await disabled()), 'Write stays off with the exact name');
      await frame.locator('#confirm-device').evaluate((el) => el.scrollIntoView({ block: 'center' }));
      await page.waitForTimeout(300);
      console.log(`screenshot: ${await screenshot(page, 'media-write.png')}`);

      // A different stick in its place (another serial) before Write: the engine lists again, re-identifies the
      // device and refuses; nothing is written.
      record('0THER0002');
      await write.click();
      const outcome = frame.locator('#outcome:not([data-status="running"])');
      await outcome.waitFor({ timeout: 60_000 });
      let status = await outcome.getAttribute('data-status');
      let text = await outcome.innerText();
      console.log(`outcome (${status}): ${text}`);
      assert.equal(status, 'refused', `a swapped stick was not refused: ${text}`);
      assert.match(text, /Nothing was written: .*not the device that was confirmed/);
      assert.doesNotMatch(text, /\n\s+at /, 'a stack trace is shown');
      assert.deepEqual(readDevice(loop, 4096), Buffer.alloc(4096, 0xab), 'the refused write wrote something');
      console.log(`screenshot: ${await screenshot(page, 'media-write-refused.png')}`);

      // The stick as confirmed: written for real onto the loop device, read back, compared.
      record('4C530001');
      await frame.locator('vscode-button#again').click();
      await frame.locator('#device-list').waitFor({ timeout: 30_000 });
      await frame.locator('vscode-radio[data-device="' + loop + '"]').click();
      await confirm.fill('sdb');
      await frame.locator('#write-hint', { hasText: 'will be erased' }).waitFor({ timeout: 5000 });
      await write.click();
      await frame.locator('#page-run').waitFor({ timeout: 15_000 });
      await outcome.waitFor({ timeout: 120_000 });
      status = await outcome.getAttribute('data-status');
      text = await outcome.innerText();
      const log = await frame.locator('#log').innerText();
      console.log(`outcome (${status}): ${text}\nlog:\n${log}`);
      assert.equal(status, 'verified', text);
      assert.match(text, /^Written: the read-back of 4194304 bytes matches the image .*Verified/s);
      const image4 = fs.readFileSync(image);
      assert.equal(
        (await frame.locator('#sha256').innerText()).trim(),
        crypto.createHash('sha256').update(image4).digest('hex'),
      );
      assert.deepEqual(readDevice(loop, image4.length), image4, 'the device does not hold the image');
      assert.match(log, /\$ .*(sh|dd)/, 'the write command is not shown in the log');
      console.log(`screenshot: ${await screenshot(page, 'media-write-verified.png')}`);
      assert.deepEqual(cspViolations, [], 'Content-Security-Policy violations');
    } catch (e) {
      const shot = await screenshot(page, 'failure.png').catch(() => '(none)');
      console.error(`screenshot of the failure: ${shot}`);
      throw e;
    }
    console.log(`media-write-ui passed (${elapsed()})`);
  } finally {
    await browser?.close();
    await cs?.stop();
    stop();
    try {
      execFileSync('losetup', ['-d', loop]);
    } catch (e) {
      console.error(`could not detach ${loop}: ${String(e)}`);
    }
    fs.rmSync(scratch, { recursive: true, force: true });
    fs.rmSync(home, { recursive: true, force: true });
  }
}

runAsScript('media-write-ui', main);
