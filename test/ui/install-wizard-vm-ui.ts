// "From VS Code, a configuration goes onto a blank disk and boots", in the real workbench: code-server with nixkit
// installed from this repository drives the install wizard ("NixOS: Install to Host…") against the UEFI VM
// (test/targets/vm: a Debian rescue system under OVMF, no Nix), installs the VM closure
// (test/targets/vm-closure: Debian's kernel, a busybox initrd, systemd-boot) onto its blank virtio disk, and then
// that disk boots alone under OVMF until the installed system's own init prints its marker on the serial console.
//
// The person's side is as real as it gets here: a HOME whose ~/.ssh/config has a Host alias for the VM (so only
// the alias is typed), the host key accepted in nixkit's modal after comparing its fingerprint with the VM's, the
// disk picked by its /dev/disk/by-id name and that name typed on the review. The one seam is
// NIXKIT_INSTALL_TEST_SEAMS (engine/install/test-seams.ts): nixpkgs cannot be fetched here, so the build
// is of the VM closure's system.nix into its private store. No FUSE seam: the VM's kernel has vfat.
//
// Pages: Target (alias) → probe summary (the target disk listed) → disk (the virtio-nixkit-target card; the live
// disk is shown but blocked) → configuration (nixkit-vm, the VM proof's flake) → strategy (automatic is the no-Nix
// route; reboot unticked: a reboot of the live VM would direct-boot the live kernel again, not the disk) → review
// (the disk's exact name typed) → Install → run → done. Then the live VM stops, `vm.sh boot-disk` boots the target
// disk alone with fresh firmware variables, and the marker must name generation 1 and the toplevel the wizard built
// (read from the install's saved state, beside the transcript the done page names).
//
// Root only (qemu, the image and closure builds). `npx tsc -p . && node scripts/build.mjs` first. Every VM is
// stopped on every path (exit hook, NIXKIT_VM_LIFETIME as the last resort). Leaves in test-results/:
// wizard-vm-{probe,disk,strategy,review,run,done}.png, wizard-vm-serial.log (the disk boot's console),
// wizard-vm-timings.json (each phase and each install step), wizard-vm-failure.png when it fails.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { InstallState, StepId } from '../../protocol/install-state';
import type { BuildOutputs } from '../../engine/install/steps/build';
import type { CopyOutputs } from '../../engine/install/steps/copy';
import type { InstallOutputs } from '../../engine/install/steps/install';
import type { PreflightOutputs } from '../../engine/install/steps/preflight';
import type { VerifyOutputs } from '../../engine/install/steps/verify';
import { startVmTarget, VM_SH, type VmTarget } from '../vm/vm-target';
import { writeFlake } from '../unit/install/fixtures';
import {
  REPO_ROOT,
  RESULTS_DIR,
  SetupError,
  copyExamples,
  exitOnSignals,
  launchBrowser,
  requireFile,
  runAsScript,
  runCommand,
  screenshot,
  startCodeServer,
  tempDir,
  waitForWorkbench,
  webviewFrame,
  workbenchUrl,
  type Browser,
  type CodeServer,
} from './code-server';

/** The whole run once the image is cached (a cold image build is several minutes of debootstrap on its own). */
const DEADLINE_MS = Number(process.env.NIXKIT_E2E_DEADLINE_MS) || 15 * 60_000;
const MIN = 60_000;
const BUILD_IMAGE = path.join(REPO_ROOT, 'test', 'targets', 'vm', 'build-image.sh');
const CLOSURE_BUILD = path.join(REPO_ROOT, 'test', 'targets', 'vm-closure', 'build.sh');
const SYSTEM_NIX = path.join(REPO_ROOT, 'test', 'targets', 'vm-closure', 'system.nix');
const TARGET_DISK = '/dev/disk/by-id/virtio-nixkit-target';
const LIVE_DISK = '/dev/disk/by-id/virtio-nixkit-live';
const CONFIG = 'nixkit-vm';
const ALIAS = 'rescue-vm';
const MARKER = 'NIXKIT-INSTALLED-SYSTEM-BOOTED';
const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';

const phases: { phase: string; seconds: number }[] = [];
const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

async function phase<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const t = Date.now();
  try {
    return await fn();
  } finally {
    const seconds = Math.round((Date.now() - t) / 100) / 10;
    phases.push({ phase: name, seconds });
    console.log(`phase ${name}: ${seconds} s (at ${elapsed()})`);
  }
}

/** A script as its own process (async: the browser's and the deadline's timers keep running meanwhile). */
function sh(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) =>
    execFile(
      'bash',
      [file, ...args],
      { env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err)
          reject(
            new Error(
              `${path.basename(file)} ${args.join(' ')} failed: ${err.message}\n${stderr.slice(-4000)}`,
            ),
          );
        else resolve({ stdout, stderr });
      },
    ),
  );
}

interface Closure {
  toplevel: string;
  inputs: string;
  store: string;
  env: Record<string, string>;
}

async function buildClosure(): Promise<Closure> {
  const { stdout } = await sh(CLOSURE_BUILD, [], process.env, 20 * MIN);
  const dir = stdout.trim().split('\n').pop() ?? '';
  const args = JSON.parse(fs.readFileSync(path.join(dir, 'build-args.json'), 'utf8')) as {
    arg: { inputs: string };
    store: string;
    env: Record<string, string>;
    toplevel: string;
  };
  return { toplevel: args.toplevel, inputs: args.arg.inputs, store: args.store, env: args.env };
}

/** The Host alias for the VM in ~/.ssh/config of `home`: the person types only the alias. */
function writeSshAlias(home: string, vm: VmTarget): void {
  fs.writeFileSync(
    path.join(home, '.ssh', 'config'),
    `Host ${ALIAS}\n  HostName ${vm.host}\n  Port ${vm.port}\n  User root\n  IdentityFile ${vm.identity}\n`,
    { mode: 0o600 },
  );
}

async function main(): Promise<void> {
  exitOnSignals();
  requireFile(path.join(REPO_ROOT, 'dist/extension.js'), 'run `node scripts/build.mjs` first');
  requireFile(
    path.join(REPO_ROOT, 'dist/webview/install-wizard-page.js'),
    'run `node scripts/build.mjs` first',
  );
  if (process.getuid?.() !== 0) throw new SetupError('needs root (qemu, the VM image and closure builds)');
  requireFile(OVMF_VARS, 'run test/targets/vm/build-image.sh as root (it installs ovmf)');

  // The image first, outside the deadline: cached it takes a second, cold it is debootstrap (minutes).
  await phase('VM image (build-image.sh, cached by content)', () =>
    sh(BUILD_IMAGE, [], process.env, 30 * MIN),
  );
  setTimeout(() => {
    console.error(`install-wizard-vm-ui: deadline of ${DEADLINE_MS / 1000} s passed (VM stopped on exit)`);
    process.exit(2);
  }, DEADLINE_MS).unref();

  // Its own state folder (other VM tests may run at the same time); stop() cleans it, also on process exit.
  // NIXKIT_VM_LIFETIME: a VM this process loses (killed with SIGKILL) dies on its own after the deadline.
  const lifetimeS = Math.ceil(DEADLINE_MS / 1000) + 300;
  const live = startVmTarget({
    sshDeadlineS: Number(process.env.NIXKIT_VM_SSH_DEADLINE) || 420,
    lifetimeS,
  });
  const vmEnv = (vm: VmTarget) => ({
    ...process.env,
    NIXKIT_VM_STATE: vm.state,
    NIXKIT_VM_LIFETIME: String(lifetimeS),
  });
  const scratch = tempDir('wizard-vm');
  let home: string | undefined;
  let ws: string | undefined;
  // Also on a signal or the deadline (process.exit skips the finally below).
  const removeTemp = () => {
    if (ws) fs.rmSync(path.dirname(ws), { recursive: true, force: true });
    if (home) fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(scratch, { recursive: true, force: true });
  };
  process.once('exit', removeTemp);
  let cs: CodeServer | undefined;
  let browser: Browser | undefined;
  let state: InstallState | undefined;
  try {
    // The VM boots (1–3 min under TCG) while the closure is built (cached) and VS Code starts.
    const vmReady = phase('live VM: start until sshd answers', () => live.ready);
    vmReady.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
    const closure = await phase('VM closure (vm-closure/build.sh, cached by content)', buildClosure);
    console.log(`closure ${closure.toplevel}`);
    ws = copyExamples();
    const flakeDir = writeFlake(path.join(ws, 'vm'), CONFIG);
    const seamsFile = path.join(scratch, 'seams.json');
    fs.writeFileSync(
      seamsFile,
      JSON.stringify({
        buildExpr: { file: SYSTEM_NIX, arg: { inputs: closure.inputs } },
        localNix: { store: closure.store, env: closure.env },
      }),
    );
    // A HOME with no keys, agent or known_hosts of its own; its ~/.ssh/config gets the alias once the VM's port is
    // known. VS Code starts meanwhile (nixkit reads ~/.ssh/config when it connects).
    home = tempDir('home');
    fs.mkdirSync(path.join(home, '.ssh'), { mode: 0o700 });
    const workspace = ws;
    cs = await phase('code-server start (during the VM boot)', () =>
      startCodeServer({
        linkExtension: true,
        env: { HOME: home!, SSH_AUTH_SOCK: '', NIXKIT_INSTALL_TEST_SEAMS: seamsFile },
      }),
    );
    browser = await launchBrowser();
    const { page } = browser;
    const cspViolations: string[] = [];
    page.on('console', (m) => {
      if (/Content.Security.Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    let transcriptPath = '';
    let vm: VmTarget | undefined;
    try {
      await phase('workbench ready, wizard open (during the VM boot)', async () => {
        await page.goto(workbenchUrl(cs!, workspace));
        await waitForWorkbench(page, 'flake.nix');
        await runCommand(page, 'NixOS: Install to Host…');
        await webviewFrame(page).locator('#page-target').waitFor({ timeout: 60_000 });
      });
      vm = await phase('live VM: the rest of the wait for sshd', () => vmReady);
      const { port, fingerprint } = vm;
      console.log(`live VM up at 127.0.0.1:${vm.port} (state ${vm.state}), host key ${vm.fingerprint}`);
      writeSshAlias(home, vm);

      await phase('wizard: target → review', async () => {
        // --- Target: the alias alone; the host key is checked against the VM's before it is trusted.
        const frame = webviewFrame(page);
        const targetInput = frame.locator('#target-input input');
        await targetInput.fill(ALIAS);
        await targetInput.press('Enter');
        const dialog = page.locator('.monaco-dialog-box');
        await dialog.waitFor({ timeout: 60_000 });
        const dialogText = await dialog.innerText();
        // The alias was resolved through ~/.ssh/config: the dialog names the VM's address and port.
        assert.ok(
          dialogText.includes(`127.0.0.1 port ${port}`),
          `the dialog names another host:\n${dialogText}`,
        );
        assert.ok(
          dialogText.includes(fingerprint),
          `the host key shown is not the VM's (${fingerprint}):\n${dialogText}`,
        );
        await dialog.locator('.monaco-button', { hasText: 'Trust and Connect' }).click();

        // --- the probe summary: UEFI, no Nix, the blank 4 GiB target disk (vdb: PCI 00:03.0 after the live disk).
        await frame.locator('#page-probe').waitFor({ timeout: 180_000 });
        const summary = await frame.locator('#page-probe').innerText();
        assert.match(summary, /Firmware\s+UEFI/, `not UEFI:\n${summary}`);
        assert.match(summary, /Nix\s+not installed/, `Nix found on the rescue system:\n${summary}`);
        assert.ok(
          summary.includes('/dev/vdb (4.0 GiB)'),
          `the summary does not list the target disk:\n${summary}`,
        );
        console.log(`probe summary shown (${elapsed()})`);
        await runCommand(page, 'Notifications: Clear All Notifications');
        await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
        console.log(`screenshot: ${await screenshot(page, 'wizard-vm-probe.png')}`);
        await frame.locator('vscode-button#next').click();

        // --- disk: the cards are offered by their by-id names; the live system's disk cannot be chosen.
        await frame.locator('#page-disk').waitFor({ timeout: 30_000 });
        const card = (name: string) =>
          frame.locator('.disk-card', { has: frame.locator(`vscode-radio[data-value="${name}"]`) });
        const liveCard = card(LIVE_DISK);
        await liveCard.waitFor({ timeout: 10_000 });
        assert.match(await liveCard.innerText(), /Cannot be erased: the running system runs from this disk/);
        assert.equal(await liveCard.locator('vscode-radio[disabled]').count(), 1);
        const targetCard = card(TARGET_DISK);
        assert.equal(await targetCard.getAttribute('data-disk'), '/dev/vdb');
        assert.match(await targetCard.innerText(), /No partitions\./);
        await targetCard.locator('vscode-radio').click();
        console.log(`screenshot: ${await screenshot(page, 'wizard-vm-disk.png')}`);
        await frame.locator('vscode-button#disk-next').click();

        // --- configuration: the VM proof's flake (writeFlake), named as there.
        await frame.locator('#page-configuration').waitFor({ timeout: 30_000 });
        const config = frame.locator(`.config-card[data-config="${CONFIG}"]`);
        await config.waitFor({ timeout: 120_000 });
        assert.equal(await config.locator('.error-badge').count(), 0, await config.innerText());
        await config.locator('vscode-radio').click();
        await frame.locator('vscode-button#config-next').click();

        // --- strategy: automatic is the rescue-system route (the probe found no Nix); no reboot.
        await frame.locator('#page-strategy').waitFor({ timeout: 120_000 });
        const auto = (await frame.locator('vscode-radio[data-value="auto"]').getAttribute('label')) ?? '';
        assert.equal(auto, 'Automatic: Rescue system without Nix');
        const reboot = frame.locator('vscode-checkbox#reboot');
        const rebootChecked = () => reboot.evaluate((e) => (e as unknown as { checked: boolean }).checked);
        if (await rebootChecked()) await reboot.click();
        assert.equal(await rebootChecked(), false, 'reboot still checked');
        console.log(`screenshot: ${await screenshot(page, 'wizard-vm-strategy.png')}`);
        await frame.locator('vscode-button#strategy-next').click();

        // --- network: the VM's address is a DHCP lease, so DHCP is suggested; this test leaves the network to the
        // configuration (no network.nix), as before the Network page (install-wizard-ui.ts covers keeping addresses).
        await frame.locator('#page-network').waitFor({ timeout: 60_000 });
        assert.match(
          (await frame.locator('vscode-radio[name="netmode"][data-value="dhcp"]').getAttribute('label')) ??
            '',
          /suggested/,
        );
        await frame.locator('vscode-radio[name="netmode"][data-value="none"]').click();
        await frame.locator('vscode-button#network-next').click();

        // --- review: the plan erases exactly this disk and builds the closure (the seam is visible in it).
        await frame.locator('#page-review').waitFor({ timeout: 60_000 });
        const review = await frame.locator('#page-review').innerText();
        assert.match(review, /Reboot at the end\s+no/);
        assert.match(review, /Rescue system without Nix \(automatic\)/);
        // (long commands are folded into a <details>: their whole text is in the DOM, not in innerText)
        const planText = (await frame.locator('#plan').textContent()) ?? '';
        assert.ok(
          planText.includes('nix-build') && planText.includes(SYSTEM_NIX),
          'the plan does not show the build of the closure',
        );
        const destructive = await frame.locator('#plan li.command.destructive').allInnerTexts();
        assert.ok(
          destructive.some((t) => t.includes(`wipefs --all ${TARGET_DISK}`)),
          `no wipefs of ${TARGET_DISK}: ${JSON.stringify(destructive)}`,
        );
        assert.equal(await frame.locator('#plan-error').count(), 0, 'the review shows a plan error');
        const install = frame.locator('vscode-button#install');
        assert.notEqual(
          await install.getAttribute('disabled'),
          null,
          'Install enabled before the name is typed',
        );
        await frame.locator('#confirm-disk input').fill(TARGET_DISK);
        await frame.locator('vscode-button#install:not([disabled])').waitFor({ timeout: 10_000 });
        console.log(`screenshot: ${await screenshot(page, 'wizard-vm-review.png')}`);
        await install.click();
      });

      await phase('wizard: install (run page → done page)', async () => {
        const frame = webviewFrame(page);
        await frame.locator('#page-run').waitFor({ timeout: 60_000 });
        const failed = frame.locator('#page-run .error-box');
        // Waits for `what`; a failed step ends the wait at once, with the end of the wizard's log.
        const until = async (what: string, timeout: number) => {
          await frame.locator(`${what}, #page-run .error-box`).first().waitFor({ timeout });
          if ((await failed.count()) === 0) return;
          const log = await frame
            .locator('#log')
            .innerText()
            .catch(() => '');
          throw new Error(
            `the install failed: ${await failed.innerText()}\n--- log (end):\n${log.split('\n').slice(-60).join('\n')}`,
          );
        };
        await until(
          '#step-list li[data-step="copy"]:is([data-status="running"], [data-status="done"])',
          8 * MIN,
        );
        console.log(`screenshot: ${await screenshot(page, 'wizard-vm-run.png')} (${elapsed()})`);
        await until('#page-done', 10 * MIN);
        const verification = await frame.locator('#verification').innerText();
        console.log(`verification:\n${verification}`);
        assert.match(verification, /systemd-boot/);
        assert.match(verification, /not rebooted/);
        // Each long step's progress notification closes with its step (fast ones too: the build is cached).
        const stepToasts = page.locator('.notifications-toasts .notification-toast', {
          hasText: 'NixOS install:',
        });
        for (
          const deadline = Date.now() + 10_000;
          (await stepToasts.count()) > 0;
          await page.waitForTimeout(250)
        )
          if (Date.now() > deadline)
            assert.fail(`step notifications left open: ${JSON.stringify(await stepToasts.allInnerTexts())}`);
        await runCommand(page, 'Notifications: Clear All Notifications');
        await page.waitForTimeout(300);
        console.log(`screenshot: ${await screenshot(page, 'wizard-vm-done.png')}`);
        transcriptPath = (await frame.locator('#page-done p.muted code').last().innerText()).trim();
      });
      assert.deepEqual(cspViolations, [], 'Content-Security-Policy violations');
    } catch (e) {
      const shot = await screenshot(page, 'wizard-vm-failure.png').catch(() => '(none)');
      console.error(`screenshot of the failure: ${shot}`);
      throw e;
    }

    assert.ok(vm);
    const liveVm = vm;
    // What the wizard did, from the install's saved state (beside the transcript the done page names).
    const transcript = fs.readFileSync(transcriptPath, 'utf8');
    assert.match(transcript, new RegExp(`wipefs --all ${TARGET_DISK}`));
    state = JSON.parse(fs.readFileSync(transcriptPath.replace(/\.log$/, '.json'), 'utf8')) as InstallState;
    const st = state;
    const outputsOf = <O>(id: StepId) => st.steps.find((s) => s.id === id)?.outputs as O;
    assert.equal(st.status, 'done');
    for (const s of st.steps) assert.equal(s.status, 'done', `step ${s.id} is ${s.status}`);
    assert.equal(st.options.target, ALIAS);
    assert.equal(st.options.disk, TARGET_DISK);
    assert.equal(outputsOf<PreflightOutputs>('preflight').strategy, 'no-nix');
    assert.equal(outputsOf<CopyOutputs>('copy').route, 'tar');
    const built = outputsOf<BuildOutputs>('build').toplevel;
    assert.equal(built, closure.toplevel, 'the wizard built another closure than build.sh');
    const installed = outputsOf<InstallOutputs>('install');
    assert.equal(installed.route, 'manual');
    assert.equal(installed.toplevel, built);
    assert.equal(
      outputsOf<VerifyOutputs>('verify').entry,
      '/mnt/boot/loader/entries/nixos-generation-1.conf',
    );
    for (const f of ['hardware-configuration.nix', 'disko.nix'])
      assert.ok(fs.existsSync(path.join(flakeDir, 'hosts', CONFIG, f)), `the install did not write ${f}`);

    // VS Code is done: its CPU goes to the disk boot.
    await browser.close();
    browser = undefined;
    await cs.stop();
    cs = undefined;

    // --- The installed disk boots alone: fresh firmware variables, so only \EFI\BOOT\BOOTX64.EFI can help.
    const env = vmEnv(liveVm);
    await phase('live VM: stop', () => sh(VM_SH, ['stop'], env, MIN));
    const vars = path.join(scratch, 'fresh-vars.fd');
    fs.copyFileSync(OVMF_VARS, vars);
    await phase('disk VM: launch', () => sh(VM_SH, ['boot-disk', '--vars', vars], env, MIN));
    const matched = await phase('disk VM: firmware → systemd-boot → kernel → initrd → marker', () =>
      sh(
        VM_SH,
        ['wait-serial', `${MARKER}|NIXKIT-STAGE[12]-FAILED`, process.env.NIXKIT_VM_SERIAL_DEADLINE ?? '420'],
        env,
        8 * MIN,
      ),
    ).finally(() => {
      const serial = path.join(liveVm.state, 'serial.log');
      fs.mkdirSync(RESULTS_DIR, { recursive: true });
      if (fs.existsSync(serial)) fs.copyFileSync(serial, path.join(RESULTS_DIR, 'wizard-vm-serial.log'));
    });
    assert.doesNotMatch(matched.stdout, /FAILED/, `the installed system did not boot: ${matched.stdout}`);
    // eslint-disable-next-line no-control-regex
    const ansi = /\x1b\[[0-9;=?]*[A-Za-z]/g;
    const lines = fs
      .readFileSync(path.join(RESULTS_DIR, 'wizard-vm-serial.log'), 'latin1')
      .replace(/\r/g, '')
      .replace(ansi, '')
      .split('\n');
    const expect = `${MARKER} generation=${installed.generation} system=${built}`;
    assert.equal(installed.generation, 1);
    const markerLine = lines.find((l) => l.includes(MARKER))?.trim();
    assert.equal(markerLine, expect, 'the disk booted another system than the wizard installed');
    console.log(`serial console: ${markerLine}`);
    console.log(`install-wizard-vm-ui passed (${elapsed()})`);
  } finally {
    await browser?.close();
    await cs?.stop();
    live.stop();
    for (const s of state?.steps ?? [])
      if (s.startedAt && s.finishedAt)
        phases.push({
          phase: `  install step ${s.id}`,
          seconds: Math.round((Date.parse(s.finishedAt) - Date.parse(s.startedAt)) / 100) / 10,
        });
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    fs.writeFileSync(
      path.join(RESULTS_DIR, 'wizard-vm-timings.json'),
      JSON.stringify({ phases, total: elapsed() }, null, 2) + '\n',
    );
    console.log(`timings (total ${elapsed()}):`);
    for (const p of phases) console.log(`  ${String(p.seconds).padStart(6)} s  ${p.phase}`);
    removeTemp();
  }
}

runAsScript('install-wizard-vm-ui', main);
