// UI test of "NixOS: Install to Host…" in the real workbench, against the namespace target (test/targets/netns;
// needs root): code-server with nixkit installed from this repository, a throwaway HOME whose ~/.ssh holds the
// target's client key, and a workspace holding the examples (whose demo configuration has errors) plus a small clean
// flake (lab/). The wizard is driven page by page: Target (typed, host key accepted in nixkit's modal) → the probe
// summary → disk and layout (a loop disk of the target; disks in use are shown but cannot be chosen) → configuration
// (demo is blocked by its errors, lab is picked) → strategy (reboot unticked: this target shares the machine's
// PID namespace) → network (the target's uplink has static IPv4 and IPv6 addresses and an IPv6 gateway outside its
// prefix, as network-static.test.ts makes them: "keep these addresses" is preselected, the scripted style is refused
// for its virtual NIC, networkd is kept; a proxy with a password and "keep it in proxy.nix") → review. On the review: the plan lists the destructive commands for the chosen disk, and Install
// stays disabled until the disk's exact name is typed. Then the panel is closed and reopened: the wizard comes back
// at the review. Then the install runs for real onto that disk: partition, format, mount at /mnt (an empty tmpfs in
// the target's mount namespace), hardware-configuration.nix and disko.nix written into lab/, build, copy, install,
// verify, unmount; the run page and the status bar are watched and the done page checked; network.nix holds the
// target's addresses and routes, proxy.nix the proxy without its password, and no install state or transcript holds
// the password.
// Two seams, from NIXKIT_INSTALL_TEST_SEAMS (engine/install/test-seams.ts): nixpkgs cannot be fetched
// here, so the build is of the test closure (test/targets/closure/system.nix, plain derivations, a private store);
// this kernel has no vfat, so the ESP is mounted through FUSE.
// Leaves test-results/wizard-review.png, wizard-run.png, wizard-done.png (and wizard-*.png of the other pages;
// failure.png when it fails).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { startNetnsTarget } from '../integration/netns-target';
import { closureOptions, inTarget, testNix } from '../targets/closure/test-closure';
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

const DEADLINE_MS = Number(process.env.NIXKIT_E2E_DEADLINE_MS) || 300_000;
/** The proxy the wizard is given: nothing listens there (this install fetches nothing on the target). */
const PROXY_PASSWORD = 'Wz-s3cret-91f';

/** A small flake without findings: the configuration the wizard installs. */
function writeLabFlake(ws: string): string {
  const dir = path.join(ws, 'lab');
  fs.mkdirSync(path.join(dir, 'hosts', 'lab'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'flake.nix'),
    `{
  description = "A small host for the install wizard test";
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = { self, nixpkgs, ... }: {
    nixosConfigurations.lab = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./hosts/lab/configuration.nix ];
    };
  };
}
`,
  );
  fs.writeFileSync(
    path.join(dir, 'hosts', 'lab', 'configuration.nix'),
    `{ ... }:

{
  boot.loader.systemd-boot.enable = true;
  boot.loader.efi.canTouchEfiVariables = false;
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
  fileSystems."/boot" = { device = "/dev/disk/by-label/ESP"; fsType = "vfat"; };
  networking.hostName = "lab";
  services.openssh.enable = true;
  users.users.root.openssh.authorizedKeys.keys = [
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJqIDjZXtgGz20XLopUuM6INIZ5LWP9USC/dYFiqrNey admin@laptop"
  ];
  system.stateVersion = "24.11";
}
`,
  );
  return dir;
}

async function main(): Promise<void> {
  exitOnSignals();
  setTimeout(() => {
    console.error(`install-wizard-ui: overall deadline of ${DEADLINE_MS} ms passed`);
    process.exit(2);
  }, DEADLINE_MS).unref();
  requireFile(path.join(REPO_ROOT, 'dist/extension.js'), 'run `npm run build` first');
  requireFile(path.join(REPO_ROOT, 'dist/webview/install-wizard-page.js'), 'run `npm run build` first');
  if (process.getuid?.() !== 0)
    throw new SetupError('needs root (the namespace target: netns, loop devices)');
  const t0 = Date.now();
  const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

  const { target, stop } = startNetnsTarget();
  process.once('exit', stop);
  console.log(`namespace target up at root@${target.host} (${elapsed()})`);
  const home = sshHomeWith(target.identity);
  const ws = copyExamples();
  const labDir = writeLabFlake(ws);
  // The seams (engine/install/test-seams.ts): build the test closure into a private store, ESP via FUSE.
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-wizard-install-'));
  const seamsFile = path.join(scratch, 'seams.json');
  fs.writeFileSync(
    seamsFile,
    JSON.stringify({ ...closureOptions(testNix(scratch)), fuseVfatFallback: true }),
  );
  // /mnt is the install root: this host has mounts under it, which the target's mount namespace (and only it)
  // lets go of, as on a fresh rescue system.
  inTarget(target.stateDir, [
    'sh',
    '-c',
    `for m in $(awk '$2 ~ "^/mnt/" { print $2 }' /proc/self/mounts | sort -r); do umount -l "$m"; done`,
  ]);
  // A rented server's uplink (see network-static.test.ts): static IPv6 beside the static IPv4, and an IPv6 default
  // gateway outside the /64, reached through a route on the link. Gone with the target's namespace.
  const sub = target.host.split('.')[2];
  const v6 = `fd00:6e6c:${sub}::2`;
  const gw6 = 'fd00:6e6c:ffff::1';
  inTarget(target.stateDir, [
    'sh',
    '-c',
    "set -e; dev=$(ip -4 route show default | awk '{ print $5; exit }'); " +
      'ip -6 addr add "$1/64" dev "$dev" nodad; ip -6 route add "$2" dev "$dev"; ' +
      'ip -6 route add default via "$2" dev "$dev"',
    'net',
    v6,
    gw6,
  ]);
  const hostIp = target.host.replace(/\.\d+$/, '.1');
  let cs: CodeServer | undefined;
  let browser: Browser | undefined;
  try {
    cs = await startCodeServer({
      port: Number(process.env.NIXKIT_CS_PORT) || undefined,
      linkExtension: true,
      env: { HOME: home, SSH_AUTH_SOCK: '', NIXKIT_INSTALL_TEST_SEAMS: seamsFile },
    });
    browser = await launchBrowser();
    const { page } = browser;
    const cspViolations: string[] = [];
    page.on('console', (m) => {
      if (/Content.Security.Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    try {
      await page.goto(workbenchUrl(cs, ws));
      await waitForWorkbench(page, 'flake.nix');
      console.log(`workbench ready (${elapsed()})`);

      // --- Target
      await runCommand(page, 'NixOS: Install to Host…');
      const frame = webviewFrame(page);
      await frame.locator('#page-target').waitFor({ timeout: 30_000 });
      // Only the first page is reachable at the start.
      assert.equal(await frame.locator('#pages button:not([disabled])').count(), 0);
      const targetInput = frame.locator('#target-input input');
      await targetInput.fill(`root@${target.host}`);
      await targetInput.press('Enter');
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ timeout: 30_000 });
      assert.ok(
        (await dialog.innerText()).includes(target.fingerprint),
        'the host key dialog lacks the fingerprint',
      );
      await dialog.locator('.monaco-button', { hasText: 'Trust and Connect' }).click();

      // --- the probe summary
      await frame.locator('#page-probe').waitFor({ timeout: 60_000 });
      const summary = await frame.locator('#page-probe').innerText();
      assert.ok(summary.includes(target.disks.b), `the summary does not list ${target.disks.b}:\n${summary}`);
      console.log(`probe summary shown (${elapsed()})`);
      await runCommand(page, 'Notifications: Clear All Notifications');
      await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
      console.log(`screenshot: ${await screenshot(page, 'wizard-probe.png')}`);
      await frame.locator('vscode-button#next').click();

      // --- disk and layout
      await frame.locator('#page-disk').waitFor({ timeout: 15_000 });
      // Disk a has the install root mounted: shown, but it cannot be chosen.
      const diskA = frame.locator(`.disk-card[data-disk="${target.disks.a}"]`);
      await diskA.waitFor();
      assert.match(await diskA.innerText(), /Cannot be erased: in use/);
      assert.equal(await diskA.locator('vscode-radio[disabled]').count(), 1);
      // The hostile labels of the target are shown verbatim.
      const partitionTexts = await frame.locator('#disk-list ul.partitions code').allTextContents();
      assert.ok(
        partitionTexts.some((t) => t.includes(target.hostileLabel)),
        `hostile label not shown verbatim: ${JSON.stringify(partitionTexts)}`,
      );
      const diskB = frame.locator(`.disk-card[data-disk="${target.disks.b}"]`);
      await diskB.locator('vscode-radio').click();
      const esp = frame.locator('#esp-size input');
      await esp.fill('64');
      console.log(`screenshot: ${await screenshot(page, 'wizard-disk.png')}`);
      await frame.locator('vscode-button#disk-next').click();

      // --- configuration: demo has errors and blocks; lab is clean
      await frame.locator('#page-configuration').waitFor({ timeout: 15_000 });
      const lab = frame.locator('.config-card[data-config="lab"]');
      await lab.waitFor({ timeout: 60_000 });
      const demo = frame.locator('.config-card[data-config="demo"]');
      if ((await demo.count()) > 0) {
        // The language server may still be checking the files: its error count arrives with the diagnostics.
        const demoText = await demo.innerText();
        console.log(`demo configuration: ${demoText.split('\n').slice(0, 2).join(' | ')}`);
      }
      await lab.locator('vscode-radio').click();
      console.log(`screenshot: ${await screenshot(page, 'wizard-configuration.png')}`);
      await frame.locator('vscode-button#config-next').click();

      // --- strategy
      await frame.locator('#page-strategy').waitFor({ timeout: 60_000 });
      // (a vscode-radio's label is its attribute, drawn in its shadow root)
      const auto = (await frame.locator('vscode-radio[data-value="auto"]').getAttribute('label')) ?? '';
      assert.match(auto, /^Automatic: /, `no automatic strategy: ${auto}`);
      console.log(`strategy: ${auto}`);
      // This target has no PID namespace of its own: a reboot there would be this machine's. The finished run
      // here stops before the reboot (unmounted, "runs at the next boot"); rebooting is tested with a simulated
      // reboot in test/integration/install-reboot.test.ts.
      const reboot = frame.locator('vscode-checkbox#reboot');
      if (
        (await reboot.getAttribute('checked')) !== null ||
        (await reboot.evaluate((e) => (e as unknown as { checked: boolean }).checked))
      )
        await reboot.click();
      assert.equal(
        await reboot.evaluate((e) => (e as unknown as { checked: boolean }).checked),
        false,
        'reboot still checked',
      );
      console.log(`screenshot: ${await screenshot(page, 'wizard-strategy.png')}`);
      await frame.locator('vscode-button#strategy-next').click();

      // --- network: what the target has now, and the choice
      await frame.locator('#page-network').waitFor({ timeout: 30_000 });
      const nics = await frame.locator('#network-interfaces').innerText();
      assert.ok(nics.includes(`${target.host}/30 — static`), `IPv4 not shown as static:\n${nics}`);
      assert.ok(nics.includes(`${v6}/64 — static`), `IPv6 not shown as static:\n${nics}`);
      assert.match(nics, /virtual: matched by MAC/);
      const routesText = await frame.locator('#network-routes').innerText();
      assert.ok(routesText.includes(`IPv4 default via ${hostIp}`), routesText);
      assert.ok(routesText.includes(`IPv6 default via ${gw6}`), routesText);
      assert.match(routesText, /outside the interface’s prefix: it is routed on the link first/);
      const checked = (sel: string) =>
        frame.locator(sel).evaluate((e) => (e as unknown as { checked: boolean }).checked);
      assert.equal(
        await checked('vscode-radio[name="netmode"][data-value="static"]'),
        true,
        'keep is preselected',
      );
      assert.equal(
        await checked('vscode-radio[name="netstyle"][data-value="networkd"]'),
        true,
        'networkd default',
      );
      // The scripted style needs the NIC's NixOS name, which a veth has none of: refused with the reason.
      await frame.locator('vscode-radio[name="netstyle"][data-value="scripted"]').click();
      await frame.locator('vscode-button#network-next').click();
      await frame.locator('#error', { hasText: 'networkd style' }).waitFor({ timeout: 15_000 });
      await frame.locator('vscode-radio[name="netstyle"][data-value="networkd"]').click();
      // A hostile proxy URL is refused without echoing its password.
      await frame.locator('#proxy-url input').fill(`http://wizard:${PROXY_PASSWORD}$(reboot)@${hostIp}:3128`);
      await frame.locator('vscode-button#network-next').click();
      const proxyError = frame.locator('#error', { hasText: 'not usable' });
      await proxyError.waitFor({ timeout: 15_000 });
      assert.ok(!(await proxyError.innerText()).includes(PROXY_PASSWORD), 'the error shows the password');
      // The password goes into its own hidden field; the URL names the user.
      await frame.locator('#proxy-url input').fill(`http://wizard@${hostIp}:3128`);
      await frame.locator('#proxy-password input').fill(PROXY_PASSWORD);
      assert.equal(await frame.locator('#proxy-password input').getAttribute('type'), 'password');
      await frame.locator('#no-proxy input').fill('localhost,.lab.internal');
      await frame.locator('vscode-checkbox#proxy-in-config').click();
      await frame.locator('#proxy-url').evaluate((el) => el.scrollIntoView({ block: 'center' }));
      console.log(`screenshot: ${await screenshot(page, 'wizard-network.png')}`);
      await frame.locator('#network-interfaces').evaluate((el) => el.scrollIntoView({ block: 'start' }));
      await page.waitForTimeout(200);
      console.log(`screenshot: ${await screenshot(page, 'wizard-network-facts.png')}`);
      await frame.locator('vscode-button#network-next').click();

      // --- review
      await frame.locator('#page-review').waitFor({ timeout: 30_000 });
      const disk = target.disks.b;
      const destructive = frame.locator('#plan li.command.destructive');
      const destructiveTexts = await destructive.allInnerTexts();
      console.log(`destructive commands: ${destructiveTexts.length}`);
      assert.ok(
        destructiveTexts.length >= 3,
        `too few destructive commands: ${JSON.stringify(destructiveTexts)}`,
      );
      for (const t of destructiveTexts) assert.match(t, /ERASES DATA/);
      assert.ok(
        destructiveTexts.some((t) => t.includes(`wipefs --all ${disk}`)),
        'wipefs of the disk missing',
      );
      assert.ok(
        destructiveTexts.some((t) => t.includes(`sfdisk`) && t.includes(disk)),
        'sfdisk of the disk missing',
      );
      const steps = await frame
        .locator('#plan > li')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-step')));
      console.log(`plan steps: ${steps.join(', ')}`);
      assert.deepEqual(steps.slice(0, 4), ['preflight', 'partition', 'mount', 'hardware-config']);
      // The network and proxy choices: shown (password hidden), and the files they write are in the plan.
      const reviewText = await frame.locator('#page-review').innerText();
      assert.ok(!reviewText.includes(PROXY_PASSWORD), 'the review shows the proxy password');
      assert.ok(
        reviewText.includes(`http://wizard:***@${hostIp}:3128`),
        'the review does not show the proxy',
      );
      assert.match(reviewText, /keep the current addresses \(network\.nix, networkd\)/);
      const written = await frame.locator('li[data-step="hardware-config"] ul.files').innerText();
      assert.match(written, /network\.nix/);
      assert.match(written, /proxy\.nix .*without the password/);

      // Install stays off until the exact name is typed.
      const install = frame.locator('vscode-button#install');
      const confirm = frame.locator('#confirm-disk input');
      const disabled = async () => (await install.getAttribute('disabled')) !== null;
      assert.ok(await disabled(), 'Install is enabled before the disk name was typed');
      await confirm.fill(disk.slice(0, -1));
      assert.ok(await disabled(), 'Install is enabled for a prefix of the disk name');
      await confirm.fill(disk + ' ');
      assert.ok(await disabled(), 'Install is enabled for the name with a trailing space');
      await frame.locator('#install-hint', { hasText: 'exactly' }).waitFor({ timeout: 5000 });
      await confirm.fill(disk);
      await frame.locator('#install-hint', { hasText: 'will be erased' }).waitFor({ timeout: 5000 });
      const planError = await frame.locator('#plan-error').count();
      if (planError === 0) assert.ok(!(await disabled()), 'Install stays disabled with the exact name');
      else console.log(`plan error shown: ${await frame.locator('#plan-error').innerText()}`);
      console.log(`disk confirmation gate checked (${elapsed()})`);

      // The screenshot: the first destructive command and its badge in view.
      await destructive.first().evaluate((el) => el.scrollIntoView({ block: 'center' }));
      await page.waitForTimeout(300);
      console.log(`screenshot: ${await screenshot(page, 'wizard-review.png')}`);
      await frame.locator('#confirm-disk').evaluate((el) => el.scrollIntoView({ block: 'center' }));
      await page.waitForTimeout(200);
      console.log(`screenshot: ${await screenshot(page, 'wizard-review-confirm.png')}`);

      // State survives closing the panel: reopening comes back at the review, with the same plan.
      await runCommand(page, 'View: Close All Editors');
      await frame
        .locator('#page-review')
        .waitFor({ state: 'detached', timeout: 10_000 })
        .catch(() => undefined);
      await runCommand(page, 'NixOS: Install to Host…');
      await webviewFrame(page).locator('#page-review').waitFor({ timeout: 60_000 });
      assert.equal(
        await webviewFrame(page).locator('#plan li.command.destructive').count(),
        destructiveTexts.length,
      );
      assert.ok(
        (await webviewFrame(page).locator('vscode-button#install').getAttribute('disabled')) !== null,
        'the confirmation must be typed again after reopening',
      );
      console.log(`reopened at the review (${elapsed()})`);
      const review = await webviewFrame(page).locator('#page-review').innerText();
      assert.match(review, /Reboot at the end\s+no/, 'the review does not say "no reboot"');
      assert.ok(!/\breboot\b.*reboot into the installed system/.test(review), 'a reboot command is planned');

      // --- run: the install itself, onto disk B, with the test closure (the seams file) and the ESP through FUSE.
      const f2 = webviewFrame(page);
      await f2.locator('#confirm-disk input').fill(disk);
      await f2.locator('vscode-button#install:not([disabled])').waitFor({ timeout: 10_000 });
      await f2.locator('vscode-button#install').click();
      await f2.locator('#page-run').waitFor({ timeout: 30_000 });
      // While it runs: the status bar item names the running step.
      const status = page.locator('.statusbar-item', { hasText: 'NixOS install' });
      await status.first().waitFor({ timeout: 30_000 });
      console.log(`status bar: ${(await status.first().innerText()).trim()} (${elapsed()})`);
      // Waits for `what` (a selector in the wizard); a failed step ends the wait at once with the wizard's log.
      const failed = f2.locator('#page-run .error-box');
      const until = async (what: string, timeout: number) => {
        await f2.locator(`${what}, #page-run .error-box`).first().waitFor({ timeout });
        if ((await failed.count()) === 0) return;
        const log = await f2
          .locator('#log')
          .innerText()
          .catch(() => '');
        throw new Error(
          `the install failed: ${await failed.innerText()}\n--- log (end):\n${log.split('\n').slice(-40).join('\n')}`,
        );
      };
      await until(
        '#step-list li[data-step="copy"]:is([data-status="running"], [data-status="done"])',
        240_000,
      );
      // The progress shown is the running step's own, never what an earlier step reported.
      const shownProgress = await f2.locator('#progress').innerText();
      assert.ok(
        !/format|partition/i.test(shownProgress),
        `stale progress under a later step: ${shownProgress}`,
      );
      console.log(`screenshot: ${await screenshot(page, 'wizard-run.png')}`);
      await until('#page-done', 300_000);
      const verification = await f2.locator('#verification').innerText();
      console.log(`verification:\n${verification}`);
      assert.match(verification, /systemd-boot/, 'the done page does not name the verified boot loader');
      assert.match(verification, /not rebooted/, 'the done page does not say the target was not rebooted');
      await runCommand(page, 'Notifications: Clear All Notifications');
      await page.waitForTimeout(300);
      console.log(`screenshot: ${await screenshot(page, 'wizard-done.png')}`);
      console.log(`install finished in the wizard (${elapsed()})`);
      assert.equal(await status.count(), 0, 'the status bar item stays after the install');

      // What the install left: the flake has the generated files, the disk holds the system, nothing is mounted.
      for (const f of ['hardware-configuration.nix', 'disko.nix'])
        assert.ok(
          fs.existsSync(path.join(labDir, 'hosts', 'lab', f)),
          `the install did not write ${f} into the flake`,
        );
      const mounts = inTarget(target.stateDir, ['cat', '/proc/self/mounts']);
      assert.ok(
        !/ \/mnt\/boot /.test(mounts) && !mounts.split('\n').some((l) => l.split(' ')[0].startsWith(disk)),
        `still mounted:\n${mounts}`,
      );
      const transcriptPath = (await f2.locator('#page-done p.muted code').last().innerText()).trim();
      const transcript = fs.readFileSync(transcriptPath, 'utf8');
      assert.match(transcript, /wipefs --all/);
      assert.match(transcript, /switch-to-configuration/);

      // network.nix: the target's addresses and gateways (networkd, matched by the veth's MAC), the IPv6 gateway on
      // the link; imported by hardware-configuration.nix with proxy.nix, which has the proxy without its password.
      const hosts = path.join(labDir, 'hosts', 'lab');
      const networkNix = fs.readFileSync(path.join(hosts, 'network.nix'), 'utf8');
      console.log(`network.nix:\n${networkNix}`);
      for (const want of [
        `"${target.host}/30"`,
        `"${v6}/64"`,
        `Gateway = "${hostIp}";`,
        `Gateway = "${gw6}"; GatewayOnLink = true;`,
        'matchConfig.MACAddress',
        'networking.useNetworkd = true;',
      ])
        assert.ok(networkNix.includes(want), `network.nix lacks ${want}`);
      const hw = fs.readFileSync(path.join(hosts, 'hardware-configuration.nix'), 'utf8');
      assert.match(hw, /\.\/network\.nix/);
      assert.match(hw, /\.\/proxy\.nix/);
      const proxyNix = fs.readFileSync(path.join(hosts, 'proxy.nix'), 'utf8');
      assert.ok(proxyNix.includes(`networking.proxy.default = "http://wizard@${hostIp}:3128";`), proxyNix);
      assert.ok(proxyNix.includes('networking.proxy.noProxy = "localhost,.lab.internal";'), proxyNix);
      // The password is in none of the files nixkit wrote: transcript, install state, the flake's files.
      assert.match(transcript, new RegExp(`http://wizard:\\*\\*\\*@${hostIp.replace(/\./g, '\\.')}:3128`));
      const installs = path.dirname(transcriptPath);
      for (const f of fs.readdirSync(installs))
        assert.ok(
          !fs.readFileSync(path.join(installs, f), 'utf8').includes(PROXY_PASSWORD),
          `${f} holds the proxy password`,
        );
      for (const f of fs.readdirSync(hosts))
        assert.ok(!fs.readFileSync(path.join(hosts, f), 'utf8').includes(PROXY_PASSWORD), `${f} holds it`);
      assert.deepEqual(cspViolations, [], 'Content-Security-Policy violations');
    } catch (e) {
      const shot = await screenshot(page, 'failure.png').catch(() => '(none)');
      console.error(`screenshot of the failure: ${shot}`);
      throw e;
    }
    console.log(`install-wizard-ui passed (${elapsed()})`);
  } finally {
    await browser?.close();
    await cs?.stop();
    stop();
    fs.rmSync(path.dirname(ws), { recursive: true, force: true });
    fs.rmSync(scratch, { recursive: true, force: true });
    fs.rmSync(home, { recursive: true, force: true });
  }
}

runAsScript('install-wizard-ui', main);
