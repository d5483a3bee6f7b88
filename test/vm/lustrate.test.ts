// The in-place strategy (lustrate) for real, in the VM tier: the live VM plays an installed Linux — its root is a
// disk (the qcow2 overlay of the image, thrown away afterwards) and an ESP is mounted at /boot, as a distribution
// installed with systemd-boot has it — and `nixkit install --strategy lustrate --root /` (the real CLI) turns the
// running root into NixOS: the closure copied into /nix/store (tar: no Nix there), the system profile, /etc/NIXOS
// and /etc/NIXOS_LUSTRATE, the boot loader installed by the new system's switch-to-configuration onto the running
// system's ESP, verified; nothing unmounted (the root is the running one) and the system still answers afterwards.
// What is not run: the lustration itself at the next boot (NixOS's stage 1 moves the old files to /old-root; the
// test closure's busybox stage 1 does not implement it).
// Root only (qemu). `node scripts/build.mjs` first (dist/cli.js).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { InstallState, StepId } from '../../protocol/install-state';
import { StateStore } from '../../engine/install/state-store';
import type { BuildOutputs } from '../../engine/install/steps/build';
import type { FinishOutputs } from '../../engine/install/steps/finish';
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

const phases = new Phases();
let dir = '';
let vm: Vm;
let live: LiveVm;
let closure: VmClosure;
let state: InstallState | undefined;

/** A command on the live VM as root over OpenSSH, with the pinned host key. */
function onVm(script: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      'ssh',
      [
        '-o',
        'BatchMode=yes',
        '-o',
        `UserKnownHostsFile=${live.knownHosts}`,
        '-o',
        'StrictHostKeyChecking=yes',
        '-i',
        live.key,
        '-p',
        String(live.port),
        'root@127.0.0.1',
        script,
      ],
      { timeout: 5 * MIN, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) =>
        err ? reject(new Error(`on the VM: ${script}\n${err.message}\n${stderr}`)) : resolve(stdout),
    ),
  );
}

before(
  async () => {
    assert.equal(process.getuid?.(), 0, 'the VM tier runs as root (qemu)');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-vm-lustrate-'));
    vm = new Vm(path.join(dir, 'vm'));
    closure = await buildVmClosure(phases);
    live = await vm.startLive(phases, path.join(dir, 'known_hosts'));
    // The installed Linux's ESP, mounted at /boot as systemd-boot wants it (the configuration's efiSysMountPoint).
    await phases.run('live VM: an ESP at /boot, as an installed distribution has', () =>
      onVm(
        `set -e; printf 'label: gpt\\nsize=128MiB, type=uefi, name=ESP\\n' | sfdisk -q --wipe always ${VM_TARGET_DISK}
         udevadm settle; mkfs.vfat -F 32 -n ESP ${VM_TARGET_DISK}-part1 >/dev/null
         mkdir -p /boot && mount ${VM_TARGET_DISK}-part1 /boot`,
      ),
    );
  },
  { timeout: 45 * MIN },
);

after(
  () => {
    vm?.clean({ 'serial.log': 'vm-lustrate-serial.log' });
    fs.mkdirSync(RESULTS, { recursive: true });
    fs.writeFileSync(
      path.join(RESULTS, 'vm-lustrate.json'),
      JSON.stringify({ phases: phases.list, steps: state?.steps }, null, 2) + '\n',
    );
    diag('phases: ' + phases.summary());
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  },
  { timeout: 2 * MIN },
);

const outputsOf = <O>(id: StepId) => state!.steps.find((s) => s.id === id)?.outputs as O;

describe('in place over the running Linux (lustrate), through the CLI', () => {
  it(
    'installs onto the running root, installs the boot loader on its ESP, unmounts nothing',
    { timeout: 30 * MIN },
    async () => {
      assert.ok(fs.existsSync(CLI), `${CLI} is missing: run node scripts/build.mjs first`);
      const flake = writeFlake(path.join(dir, 'flake'), 'nixkit-vm');
      const seams = writeVmSeams(path.join(dir, 'seams.json'), closure);
      const stateDir = path.join(dir, 'installs');
      const { args: base, env } = vmInstall(
        { live, flake, stateDir, seams, home: path.join(dir, 'home') },
        [],
      );
      // Never chosen on its own, and refused with a reason unless the root is the running one.
      const refused = await runCli([...base, '--strategy', 'lustrate', '--yes'], env, 10 * MIN);
      assert.equal(refused.code, 1, `without --root /: ${refused.stdout}\n${refused.stderr}`);
      assert.match(refused.stdout + refused.stderr, /the install root must be \//);
      fs.rmSync(stateDir, { recursive: true, force: true });

      const args = [...base, '--strategy', 'lustrate', '--root', '/', '--yes'];
      diag(`$ node dist/cli.js ${args.join(' ')}`);
      const run = await phases.run('install in place through the CLI', () => runCli(args, env, 25 * MIN));
      diag('stdout:\n  ' + run.stdout.trimEnd().slice(-10_000).replace(/\n/g, '\n  '));
      diag('stderr:\n  ' + run.stderr.trimEnd().slice(-4_000).replace(/\n/g, '\n  '));
      const saved = new StateStore(stateDir).list();
      assert.equal(saved.length, 1);
      state = saved[0];
      assert.equal(run.code, 0, `nixkit install exited with ${run.code ?? run.signal}`);
      assert.equal(state.status, 'done');

      // The plan said what lustration means before anything ran.
      assert.match(run.stdout, /\/old-root/);
      assert.match(run.stdout, /nixkit-lustrate/);
      assert.equal(outputsOf<PreflightOutputs>('preflight').strategy, 'lustrate');
      assert.equal(state.steps.find((s) => s.id === 'partition')?.status, 'skipped'); // no disk to erase
      const top = outputsOf<BuildOutputs>('build').toplevel;
      assert.equal(top, closure.toplevel);
      const install = outputsOf<InstallOutputs>('install');
      assert.equal(install.route, 'lustrate');
      assert.equal(install.generation, 1);
      const verify = outputsOf<VerifyOutputs>('verify');
      assert.equal(verify.bootloader, 'systemd-boot');
      assert.match(verify.entry, /^\/+boot\/loader\/entries\/nixos-generation-1\.conf$/);
      const finish = outputsOf<FinishOutputs>('finish');
      assert.equal(finish.unmounted, false, 'the running root must not be unmounted');

      // On the running system: NixOS marks, the profile, the loader and this generation's entry on its ESP; still
      // mounted and still answering.
      const facts = await onVm(
        `set -e; test -e /etc/NIXOS && echo nixos; test -e /etc/NIXOS_LUSTRATE && echo lustrate
       readlink /nix/var/nix/profiles/system; readlink -f /nix/var/nix/profiles/system
       test -e /boot/EFI/systemd/systemd-bootx64.efi && echo loader
       grep -c "init=${top}/init" /boot/loader/entries/nixos-generation-1.conf
       findmnt -n -o TARGET /boot; findmnt -n -o TARGET /`,
      );
      assert.deepEqual(facts.trim().split('\n'), [
        'nixos',
        'lustrate',
        'system-1-link',
        top,
        'loader',
        '1',
        '/boot',
        '/',
      ]);
      // The hardware configuration describes the running root and its ESP.
      const hw = fs.readFileSync(
        path.join(flake, 'hosts', 'nixkit-vm', 'hardware-configuration.nix'),
        'utf8',
      );
      assert.match(hw, /fileSystems\."\/" =/);
      assert.match(hw, /fileSystems\."\/boot" =/);
    },
  );
});
