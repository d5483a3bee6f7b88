// The kexec strategy for real, in the VM tier: `nixkit install --strategy kexec` (the real CLI) uploads an
// "installer image" to the live VM, loads it with kexec-tools, replaces the running kernel with it (kexec -e, no
// firmware, no reboot of the machine: the qemu process stays the same while the boot id changes), waits for SSH
// on the new system, probes it again, chooses the strategy there (no-nix) and installs onto the target disk.
// The image stands in for a NixOS installer: the live system's own kernel and initrd with its command line, so the
// kexec boots the same rescue system again (same root, same host key) — a real kexec cycle without a NixOS image,
// which this machine cannot build. The live image has no kexec-tools: its .deb (and the Xen libraries it links,
// whose own dependencies the image has) are fetched here with apt-get download and installed with dpkg.
// Root only (qemu). `node scripts/build.mjs` first (dist/cli.js).
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { InstallState, StepId } from '../../protocol/install-state';
import { StateStore } from '../../engine/install/state-store';
import type { InstallOutputs } from '../../engine/install/steps/install';
import type { PreflightOutputs } from '../../engine/install/steps/preflight';
import type { VerifyOutputs } from '../../engine/install/steps/verify';
import { CLI } from '../helpers';
import { writeFlake } from '../unit/install/fixtures';
import {
  MIN,
  Phases,
  RESULTS,
  VM_TARGET_DISK,
  Vm,
  buildVmClosure,
  diag,
  runCli,
  vmInstall,
  writeVmSeams,
  type LiveVm,
  type VmClosure,
} from './vm-harness';

/** kexec-tools and what the image lacks of its dependencies (checked with dpkg -I against the image). */
const KEXEC_DEBS = [
  'kexec-tools',
  'libxenmisc4.17',
  'libxencall1',
  'libxendevicemodel1',
  'libxenevtchn1',
  'libxenforeignmemory1',
  'libxengnttab1',
  'libxenhypfs1',
  'libxenstore4',
  'libxentoollog1',
  'libxentoolcore1',
  'libyajl2',
];
const DEB_CACHE = '/var/cache/nixkit-vm/debs-kexec';

const phases = new Phases();
let dir = '';
let vm: Vm;
let live: LiveVm;
let closure: VmClosure;
let state: InstallState | undefined;

/** A command on the live VM as root over OpenSSH, with the pinned host key; `input` on its stdin. */
function onVm(script: string, input?: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'ssh',
      [
        ...['-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${live.knownHosts}`],
        ...['-o', 'StrictHostKeyChecking=yes', '-o', 'ConnectTimeout=20', '-i', live.key],
        ...['-p', String(live.port), 'root@127.0.0.1', script],
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    const t = setTimeout(() => child.kill('SIGKILL'), 5 * MIN);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(t);
      if (code === 0) resolve(out);
      else reject(new Error(`on the VM: ${script}\nexit ${code}\n${err}`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}

/** The .debs, from the cache or fetched once with apt-get download (a Debian mirror is reachable). */
function kexecDebs(): string[] {
  fs.mkdirSync(DEB_CACHE, { recursive: true });
  const have = () => fs.readdirSync(DEB_CACHE).filter((f) => f.endsWith('.deb'));
  const missing = KEXEC_DEBS.filter((p) => !have().some((f) => f.startsWith(`${p}_`)));
  if (missing.length > 0)
    execFileSync('apt-get', ['download', ...missing], { cwd: DEB_CACHE, stdio: 'ignore', timeout: 5 * MIN });
  return KEXEC_DEBS.map((p) => {
    const f = have().find((x) => x.startsWith(`${p}_`));
    assert.ok(f, `apt-get download ${p} left no .deb in ${DEB_CACHE}`);
    return path.join(DEB_CACHE, f);
  });
}

const qemuPid = () => fs.readFileSync(path.join(vm.stateDir, 'qemu.pid'), 'utf8').trim();
const bootId = async () => (await onVm('cat /proc/sys/kernel/random/boot_id')).trim();

before(
  async () => {
    assert.equal(process.getuid?.(), 0, 'the VM tier runs as root (qemu)');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-vm-kexec-'));
    vm = new Vm(path.join(dir, 'vm'));
    closure = await buildVmClosure(phases);
    live = await vm.startLive(phases, path.join(dir, 'known_hosts'));
  },
  { timeout: 45 * MIN },
);

after(
  () => {
    vm?.clean({ 'serial.log': 'vm-kexec-serial.log' });
    fs.mkdirSync(RESULTS, { recursive: true });
    fs.writeFileSync(
      path.join(RESULTS, 'vm-kexec.json'),
      JSON.stringify({ phases: phases.list, steps: state?.steps }, null, 2) + '\n',
    );
    diag('phases: ' + phases.summary());
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  },
  { timeout: 2 * MIN },
);

const outputsOf = <O>(id: StepId) => state!.steps.find((s) => s.id === id)?.outputs as O;

describe('kexec into an installer image, through the CLI', () => {
  it(
    'refuses without an image or kexec-tools, then kexecs, re-chooses the strategy and installs',
    { timeout: 40 * MIN },
    async () => {
      assert.ok(fs.existsSync(CLI), `${CLI} is missing: run node scripts/build.mjs first`);
      const flake = writeFlake(path.join(dir, 'flake'), 'nixkit-vm');
      const seams = writeVmSeams(path.join(dir, 'seams.json'), closure);
      const layout = path.join(dir, 'layout.json');
      fs.writeFileSync(layout, JSON.stringify({ espSizeMiB: 256, rootFs: 'ext4' }));
      const stateDir = path.join(dir, 'installs');
      const { args: base, env } = vmInstall({ live, flake, stateDir, seams, home: path.join(dir, 'home') }, [
        ...['--disk', VM_TARGET_DISK, '--confirm-disk', VM_TARGET_DISK, '--layout', layout, '--yes'],
      ]);

      // Never chosen on its own; refused with its preconditions' reasons (no image; no kexec-tools yet).
      const refused = await phases.run('refusal: no --kexec-image, no kexec-tools', () =>
        runCli([...base, '--strategy', 'kexec'], env, 10 * MIN),
      );
      assert.equal(refused.code, 1, `without --kexec-image: ${refused.stdout}\n${refused.stderr}`);
      assert.match(refused.stdout + refused.stderr, /no NixOS installer kexec image was given/);
      assert.match(refused.stdout + refused.stderr, /kexec \(kexec-tools\) is not available on the target/);
      fs.rmSync(stateDir, { recursive: true, force: true });

      await phases.run('live VM: install kexec-tools (apt-get download here, dpkg -i there)', async () => {
        const debs = kexecDebs().map((d) => path.basename(d));
        // One connection for all of them (each ssh handshake is seconds under TCG).
        const tar = execFileSync('tar', ['-C', DEB_CACHE, '-cf', '-', ...debs], {
          maxBuffer: 64 * 1024 * 1024,
        });
        await onVm(
          `set -e; mkdir -p /tmp/kexec-debs; cd /tmp/kexec-debs; tar -xf -
           DEBIAN_FRONTEND=noninteractive dpkg -i ${debs.join(' ')} >/dev/null; command -v kexec`,
          tar,
        );
      });

      // The stand-in installer image: the live system's kernel, initrd and command line (vm.sh boots them).
      const image = path.join(dir, 'kexec-image');
      fs.mkdirSync(image);
      fs.symlinkSync(path.join(live.image, 'vmlinuz'), path.join(image, 'bzImage'));
      fs.symlinkSync(path.join(live.image, 'initrd.img'), path.join(image, 'initrd'));
      fs.copyFileSync(path.join(live.image, 'cmdline'), path.join(image, 'cmdline'));

      const pidBefore = qemuPid();
      const bootBefore = await bootId();
      const args = [...base, '--strategy', 'kexec', '--kexec-image', image];
      diag(`$ node dist/cli.js ${args.join(' ')}`);
      const run = await phases.run('kexec and install through the CLI', () => runCli(args, env, 30 * MIN));
      diag('stdout:\n  ' + run.stdout.trimEnd().slice(-10_000).replace(/\n/g, '\n  '));
      diag(
        'kexec lines:\n  ' +
          run.stdout
            .split('\n')
            .filter((l) => /kexec|strategy|boot id|root access/.test(l))
            .map((l) => l.slice(0, 240))
            .join('\n  '),
      );
      diag('stderr:\n  ' + run.stderr.trimEnd().slice(-4_000).replace(/\n/g, '\n  '));
      const saved = new StateStore(stateDir).list();
      assert.equal(saved.length, 1);
      state = saved[0];
      const preflightSt = state.steps.find((s) => s.id === 'preflight');
      if (preflightSt?.startedAt && preflightSt.finishedAt)
        phases.add(
          'step preflight (with the kexec)',
          (Date.parse(preflightSt.finishedAt) - Date.parse(preflightSt.startedAt)) / 1000,
        );
      assert.equal(run.code, 0, `nixkit install exited with ${run.code ?? run.signal}`);
      assert.equal(state.status, 'done');

      // The plan showed the kexec commands and the warning before anything ran.
      const planEnd = run.stdout.indexOf(`\ninstall ${state.id} (state and transcript in`);
      const plan = run.stdout.slice(0, planEnd);
      assert.ok(planEnd > 0, 'no plan before the run');
      assert.match(plan, /replaced in memory/);
      assert.match(
        plan,
        /target: kexec --load \/root\/nixkit-kexec\/kernel --initrd=\/root\/nixkit-kexec\/initrd /,
      );
      assert.match(plan, new RegExp(`nixkit\\.kexec=${state.id}`));
      assert.match(plan, /target \[DESTRUCTIVE\]: sh -c '\(sleep 1; sync; kexec -e\)/);

      // A real kexec: a new boot of the same machine (qemu never restarted), marked as this install's.
      const pre = outputsOf<PreflightOutputs>('preflight');
      assert.equal(pre.kexec?.bootIdBefore, bootBefore);
      assert.notEqual(pre.kexec?.bootIdAfter, bootBefore);
      assert.equal(qemuPid(), pidBefore, 'the VM process changed: that was not a kexec');
      assert.equal(await bootId(), pre.kexec?.bootIdAfter, 'the target booted again after the kexec');
      assert.match(await onVm('cat /proc/cmdline'), new RegExp(`(^| )nixkit\\.kexec=${state.id}(\\s|$)`));

      // Then the strategy chosen on the new system, and the install onto the disk, verified.
      assert.equal(pre.strategy, 'no-nix');
      assert.equal(pre.strategyOverridden, false);
      for (const s of state.steps)
        assert.equal(s.status, 'done', `step ${s.id} is ${s.status}: ${s.error ?? ''}`);
      assert.equal(outputsOf<InstallOutputs>('install').route, 'manual');
      const verify = outputsOf<VerifyOutputs>('verify');
      assert.equal(verify.bootloader, 'systemd-boot');
      assert.equal(verify.entry, '/mnt/boot/loader/entries/nixos-generation-1.conf');
    },
  );
});
