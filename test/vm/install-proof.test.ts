// The VM tier's proof: from the command line, a configuration goes onto the VM's blank disk and boots from that
// disk alone.
//
// 1. test/targets/vm-closure/build.sh: a system closure built by Debian's nix-bin from plain derivations, whose
//    kernel (Debian's), initrd (busybox, made here) and boot loader (Debian's systemd-boot) are real (cached).
// 2. The live VM (test/targets/vm: a Debian rescue system under OVMF, no Nix) is installed onto by the real CLI
//    binary, as a person would run it: `node dist/cli.js install --flake FLAKE#nixkit-vm --target root@127.0.0.1
//    --port P --identity KEY --known-hosts FILE --disk /dev/disk/by-id/virtio-nixkit-target --yes --confirm-disk
//    ... --strategy no-nix --state-dir DIR`. The only test seam is NIXKIT_INSTALL_TEST_SEAMS (a JSON file: build
//    the closure's system.nix into its private store instead of the flake's toplevel, since nixpkgs cannot be
//    fetched offline), which the CLI announces on stderr. It prints the plan, then runs every step in order:
//    preflight (probe, disk checks) → partition (GPT: ESP vfat + ext4 root) → mount → hardware-config → build
//    (nix-build of the closure, locally) → copy (the tar route, chosen because the probe found no Nix) → install
//    (the manual route, chosen because there is no nixos-install: system profile, /etc/NIXOS, enter the root,
//    switch-to-configuration boot, which installs systemd-boot) → verify (loader, generation entry, kernel and
//    initrd on the ESP) → finish (unmount). The saved state in the state folder says what each step did.
// 3. The live VM stops; a second VM boots the target disk alone (`vm.sh boot-disk`, fresh OVMF variables: no
//    boot entry helps, the firmware finds \EFI\BOOT\BOOTX64.EFI) and the serial console must show the marker the
//    installed system's own init prints from the disk: `NIXKIT-INSTALLED-SYSTEM-BOOTED generation=1 system=...`.
//
// Root only (the image build, qemu). `node scripts/build.mjs` first (dist/cli.js). Every VM is stopped whatever
// happens (after hooks, process exit, and NIXKIT_VM_LIFETIME as the last resort). Timings of every phase (and of
// each step, from the saved state) go to test-results/vm-install-proof.json, the serial log of the disk boot to
// test-results/vm-install-proof-serial.log.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { InstallState, StepId } from '../../protocol/install-state';
import { StateStore } from '../../engine/install/state-store';
import type { BuildOutputs } from '../../engine/install/steps/build';
import type { CopyOutputs } from '../../engine/install/steps/copy';
import type { InstallOutputs } from '../../engine/install/steps/install';
import type { PreflightOutputs } from '../../engine/install/steps/preflight';
import type { VerifyOutputs } from '../../engine/install/steps/verify';
import { TEST_SEAMS_ENV } from '../../engine/install/test-seams';
import { CLI } from '../helpers';
import { writeFlake } from '../unit/install/fixtures';
import {
  MIN,
  Phases,
  RESULTS,
  VM_SYSTEM_NIX as SYSTEM_NIX,
  VM_TARGET_DISK as TARGET_DISK,
  Vm,
  buildVmClosure,
  diag,
  runCli as cli,
  secondsBetween,
  vmInstall,
  writeVmSeams,
  type LiveVm,
  type VmClosure,
} from './vm-harness';

const MARKER = 'NIXKIT-INSTALLED-SYSTEM-BOOTED';
const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';

const phases = new Phases();
const phase = <T>(name: string, fn: () => Promise<T> | T) => phases.run(name, fn);

let dir = '';
let vmState = '';
let vmHandle: Vm;
const vm = (args: string[], timeoutMs: number) => vmHandle.sh(args, timeoutMs);
const vmRunning = () => vmHandle.running();

let closure: VmClosure;
let live: LiveVm;
let knownHosts: string;
let state: InstallState;

before(
  async () => {
    assert.equal(process.getuid?.(), 0, 'the VM proof runs as root (image build, qemu, apt-get download)');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-vm-proof-'));
    vmState = path.join(dir, 'vm');
    vmHandle = new Vm(vmState);
    closure = await buildVmClosure(phases);
    // The live system's host key, pinned up front in the file the CLI gets with --known-hosts: nothing is asked.
    knownHosts = path.join(dir, 'known_hosts');
    live = await vmHandle.startLive(phases, knownHosts);
  },
  { timeout: 45 * MIN },
);

after(
  () => {
    vmHandle?.clean({ 'serial.log': 'vm-install-proof-serial.log' });
    fs.mkdirSync(RESULTS, { recursive: true });
    fs.writeFileSync(
      path.join(RESULTS, 'vm-install-proof.json'),
      JSON.stringify({ phases: phases.list, steps: state?.steps, toplevel: closure?.toplevel }, null, 2) +
        '\n',
    );
    diag('phases: ' + phases.summary());
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  },
  { timeout: 2 * MIN },
);

const outputsOf = <O>(id: StepId) => state.steps.find((s) => s.id === id)?.outputs as O;

describe('VM proof: install onto the blank disk with `nixkit install`, then boot that disk alone', () => {
  it(
    'installs with every step, through the CLI (no Nix on the target: tar copy, manual install)',
    { timeout: 30 * MIN },
    async () => {
      assert.ok(fs.existsSync(CLI), `${CLI} is missing: run node scripts/build.mjs first`);
      const flake = writeFlake(path.join(dir, 'flake'), 'nixkit-vm');
      const layout = path.join(dir, 'layout.json');
      fs.writeFileSync(layout, JSON.stringify({ espSizeMiB: 256, rootFs: 'ext4' }));
      const seams = writeVmSeams(path.join(dir, 'test-seams.json'), closure);
      const stateDir = path.join(dir, 'installs');
      const { args, env } = vmInstall({ live, flake, stateDir, seams, home: path.join(dir, 'home') }, [
        '--disk',
        TARGET_DISK,
        '--layout',
        layout,
        '--yes',
        '--confirm-disk',
        TARGET_DISK,
        '--strategy',
        'no-nix',
      ]);
      diag(`$ node dist/cli.js ${args.join(' ')}`);
      const run = await phase('install through the CLI (nixkit install, all steps)', () =>
        cli(args, env, 28 * MIN),
      );
      diag('nixkit install, stdout:\n  ' + run.stdout.trimEnd().slice(-12_000).replace(/\n/g, '\n  '));
      diag('nixkit install, stderr:\n  ' + run.stderr.trimEnd().slice(-6_000).replace(/\n/g, '\n  '));

      // The saved state says what every step did; its times give each step's phase.
      const saved = new StateStore(stateDir).list();
      assert.equal(saved.length, 1, `one install in ${stateDir}, found ${saved.length}`);
      state = saved[0];
      for (const st of state.steps) {
        const seconds = secondsBetween(st.startedAt, st.finishedAt);
        if (seconds !== undefined) phases.add(`step ${st.id} (${st.status})`, seconds);
      }
      assert.equal(run.code, 0, `nixkit install exited with ${run.code ?? run.signal}`);
      assert.equal(state.status, 'done');
      assert.deepEqual(
        state.steps.map((s) => s.id),
        [
          'preflight',
          'partition',
          'mount',
          'hardware-config',
          'build',
          'copy',
          'install',
          'verify',
          'finish',
        ],
      );
      for (const s of state.steps)
        assert.equal(s.status, 'done', `step ${s.id} is ${s.status}: ${s.error ?? ''}`);

      // The CLI announced the seam, printed the plan (the seam's build in it) before anything ran, streamed the
      // steps and said it finished.
      assert.ok(
        run.stderr.includes(`test seams from ${TEST_SEAMS_ENV}=${seams} are in effect: builds ${SYSTEM_NIX}`),
        run.stderr,
      );
      const out = run.stdout;
      const planAt = out.indexOf(`Install plan for ${flake}#nixkit-vm onto root@127.0.0.1:`);
      assert.ok(planAt >= 0, 'no plan on stdout');
      const runAt = out.indexOf(`\ninstall ${state.id} (state and transcript in ${stateDir})`);
      assert.ok(runAt > planAt, 'the plan did not come before the run');
      const plan = out.slice(planAt, runAt);
      assert.match(plan, new RegExp(`target \\[DESTRUCTIVE\\]: wipefs --all ${TARGET_DISK}`));
      assert.match(plan, new RegExp(`local: nix-build .*${SYSTEM_NIX} --arg inputs `));
      for (const title of ['Partition and format the disk', 'Copy the system to the target'])
        assert.ok(out.slice(runAt).includes(`==> ${title}`), `no "==> ${title}" on stdout`);
      assert.match(out, new RegExp(`install ${state.id} finished\\. Transcript: `));

      assert.equal(outputsOf<PreflightOutputs>('preflight').strategy, 'no-nix');
      const build = outputsOf<BuildOutputs>('build');
      assert.equal(build.toplevel, closure.toplevel, 'the CLI built the same closure build.sh built');
      assert.equal(outputsOf<CopyOutputs>('copy').route, 'tar');
      const install = outputsOf<InstallOutputs>('install');
      assert.equal(install.route, 'manual');
      assert.equal(install.generation, 1);
      const verify = outputsOf<VerifyOutputs>('verify');
      assert.equal(verify.bootloader, 'systemd-boot');
      assert.equal(verify.entry, '/mnt/boot/loader/entries/nixos-generation-1.conf');
      diag(
        `installed ${build.toplevel} (${build.closure.paths.length} paths, ${build.closure.totalBytes} bytes), generation ${install.generation}`,
      );
    },
  );

  it(
    'boots the installed disk alone under OVMF and its own init prints the marker',
    { timeout: 15 * MIN },
    async () => {
      assert.equal(state?.status, 'done', 'the install did not finish');
      await phase('live VM: stop', () => vm(['stop'], 60_000));
      assert.equal(vmRunning(), false, 'the live VM is still running');
      // Fresh firmware variables: no boot entry from the install helps; the firmware must find the removable-media
      // path \EFI\BOOT\BOOTX64.EFI (systemd-boot) on the disk by itself.
      const vars = path.join(dir, 'fresh-vars.fd');
      fs.copyFileSync(OVMF_VARS, vars);
      await phase('disk VM: launch', () => vm(['boot-disk', '--vars', vars], 60_000));
      const expect = `${MARKER} generation=1 system=${closure.toplevel}`;
      const matched = await phase(
        'disk VM: firmware → systemd-boot → kernel → initrd → installed init prints the marker',
        () =>
          vm(
            [
              'wait-serial',
              `${MARKER}|NIXKIT-STAGE[12]-FAILED`,
              process.env.NIXKIT_VM_SERIAL_DEADLINE ?? '420',
            ],
            8 * MIN,
          ),
      );
      // eslint-disable-next-line no-control-regex
      const ansi = /\x1b\[[0-9;=?]*[A-Za-z]/g;
      const serial = fs
        .readFileSync(path.join(vmState, 'serial.log'), 'latin1')
        .replace(/\r/g, '')
        .replace(ansi, '');
      const lines = serial.split('\n');
      const pick = (re: RegExp) => lines.filter((l) => re.test(l));
      const evidence = [
        ...pick(/BdsDxe: (loading|starting)/),
        ...pick(/Linux version|Command line:/),
        ...pick(/nixkit stage 1|NIXKIT-/),
      ];
      diag('serial console of the disk boot:\n  ' + evidence.join('\n  '));
      assert.doesNotMatch(matched, /FAILED/, `the installed system did not boot: ${matched}`);
      assert.ok(
        lines.some((l) => l.trim() === expect),
        `no "${expect}" on the serial console`,
      );
      // systemd-boot read the generation's entry: it started the kernel from the ESP with the entry's initrd and
      // options (the firmware alone passes no command line), from the target disk at PCI 00:03.0.
      const cmdline = pick(/Command line:/).join('\n');
      assert.match(
        cmdline,
        /Command line: initrd=\\EFI\\nixos\\\S+-initrd\.efi /,
        'no initrd= from the entry',
      );
      assert.ok(
        cmdline.includes(`init=${closure.toplevel}/init console=ttyS0,115200 root=LABEL=nixos`),
        `the kernel was not started with the installed generation's options: ${cmdline}`,
      );
      assert.ok(
        pick(/BdsDxe: starting .*Pci\(0x3,0x0\)/).length > 0,
        'the firmware did not boot from the target disk (PCI 00:03.0)',
      );
      // The installed init powers the machine off after the marker.
      await phase('disk VM: powers itself off', async () => {
        const deadline = Date.now() + 2 * MIN;
        while (vmRunning() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1000));
      });
      assert.equal(vmRunning(), false, 'the installed system did not power off after the marker');
    },
  );
});
