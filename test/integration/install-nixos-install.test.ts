// The install step's nixos-install route and the verify step's GRUB check, run for real against the namespace
// target with the test closure built for GRUB (test/targets/closure/system.nix, bootloader = "grub"):
// - the route is picked because the target has `nixos-install` on its PATH (no probe said so), it is called with
//   exactly the flags nixkit promises, its output is streamed, its failure fails the step with its own message,
//   and a resume once the cause is gone redoes neither the build nor the copy;
// - a nixos-install that exits 0 without installing a boot loader (what install scripts then report as success)
//   fails the install at verify;
// - verify reads grub.cfg and looks for GRUB's EFI binary: a grub.cfg that does not name this system, none, or no
//   binary on the ESP fails with where it looked.
//
// NixOS's nixos-install cannot run here (it comes from nixpkgs, which cannot be fetched). Inside the target's mount
// namespace only, /usr/local/sbin (first in an SSH root session's PATH) is covered by a folder whose
// `nixos-install` is a stand-in taking the same flags and doing what the real one does with them on a root whose
// store is already filled: refuse a system the root's Nix database does not know, set the system profile, mark
// the root as NixOS, then enter the root (private mounts, /dev, /proc, /sys, /run) and run
// `NIXOS_INSTALL_BOOTLOADER=1 switch-to-configuration boot`, whose exit status is its own. It records its
// arguments, so the test sees what nixkit passed. Needs root (namespaces, loop devices, mounts).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { EngineError } from '../../engine/errors';
import { NodeLocalRunner } from '../../engine/install/local-runner';
import type { InstallOptions, InstallState, StepId } from '../../protocol/install-state';
import type { Step } from '../../engine/install/plan';
import type { InstallFailedError } from '../../engine/install/runner';
import { StateStore, newInstallState } from '../../engine/install/state-store';
import { buildStep, type BuildOutputs } from '../../engine/install/steps/build';
import { copyStep, type CopyOutputs } from '../../engine/install/steps/copy';
import { installStep, type InstallOutputs } from '../../engine/install/steps/install';
import { verifyStep, type VerifyOutputs } from '../../engine/install/steps/verify';
import type { Session } from '../../engine/ssh/session';
import {
  closureOptions,
  diskUp,
  inTarget,
  testNix,
  type TestDisk,
  type TestNix,
} from '../targets/closure/test-closure';
import { runInstall, stepContext, stopTargetWithDisk } from './install-run';
import { connectTarget, startNetnsTarget, type TestTarget } from './netns-target';

const STEPS: Step[] = [buildStep, copyStep, installStep, verifyStep];
const IDS = STEPS.map((s) => s.id);
const T = { timeout: 180_000 };
const MARKER = 'nixkit-fake-nixos-install';

let t: TestTarget;
let stop: (() => void) | undefined;
let dir: string;
let fake: string;
let nix: TestNix;
let disk: TestDisk;
let store: StateStore;

/**
 * The stand-in nixos-install (see the header). $NIXKIT_FAKE is baked in: where it records its arguments. A root
 * holding /etc/nixkit-skip-bootloader gets the profile but no boot loader, and the stand-in still exits 0.
 */
function writeFake(nixEnv: Record<string, string>): void {
  const bin = path.join(fake, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  const env = Object.entries(nixEnv)
    .map(([k, v]) => `export ${k}='${v}'\n`)
    .join('');
  fs.writeFileSync(
    path.join(bin, 'nixos-install'),
    `#!/bin/sh
# ${MARKER}: never the real one
set -eu
${env}printf '%s\\n' "$@" > '${fake}/argv'
system=; root=/mnt
while [ $# -gt 0 ]; do
  case $1 in
    --system|--root) [ $# -ge 2 ] || { echo "nixos-install: $1 needs an argument" >&2; exit 1; }
      if [ "$1" = --system ]; then system=$2; else root=$2; fi; shift 2;;
    --no-root-passwd|--no-channel-copy) shift;;
    *) echo "nixos-install: unrecognised flag '$1'" >&2; exit 1;;
  esac
done
[ -n "$system" ] || { echo "nixos-install: this stand-in needs --system" >&2; exit 1; }
mountpoint -q "$root" || { echo "nixos-install: $root is not a mount point" >&2; exit 1; }
nix-store --store "$root" --check-validity "$system" 2>/dev/null ||
  { echo "error: path '$system' is not valid in $root's Nix store" >&2; exit 1; }
dir=$root/nix/var/nix/profiles
mkdir -p "$dir" "$root/etc"
n=1
while [ -L "$dir/system-$n-link" ] && [ "$(readlink "$dir/system-$n-link")" != "$system" ]; do n=$((n + 1)); done
ln -sfn "$system" "$dir/system-$n-link"
ln -sfn "system-$n-link" "$dir/system"
touch "$root/etc/NIXOS"
if [ -e "$root/etc/nixkit-skip-bootloader" ]; then echo "installation finished!"; exit 0; fi
echo "installing the boot loader..."
unshare --mount --fork sh -c 'set -e; r=$1
  mount --make-rprivate /
  mkdir -p "$r/dev" "$r/proc" "$r/sys" "$r/run"
  mount --rbind /dev "$r/dev"; mount -t proc proc "$r/proc"; mount --rbind /sys "$r/sys"
  mount -t tmpfs -o mode=0755 tmpfs "$r/run"
  exec env NIXOS_INSTALL_BOOTLOADER=1 chroot "$r" /nix/var/nix/profiles/system/bin/switch-to-configuration boot' \\
  nixos-enter "$root"
echo "installation finished!"
`,
    { mode: 0o755 },
  );
}

before(
  () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-nixos-install-'));
    fake = path.join(dir, 'fake');
    ({ target: t, stop } = startNetnsTarget());
    nix = testNix(dir);
    store = new StateStore(path.join(dir, 'state'));
    writeFake(nix.env);
    inTarget(t.stateDir, ['mount', '--bind', path.join(fake, 'bin'), '/usr/local/sbin']);
    assert.ok(
      inTarget(t.stateDir, ['cat', '/usr/local/sbin/nixos-install']).includes(MARKER),
      'the stand-in covers /usr/local/sbin in the target',
    );
    assert.equal(fs.existsSync('/usr/local/sbin/nixos-install'), false, 'and only in the target');
    disk = diskUp(t.stateDir, dir);
  },
  { timeout: 120_000 },
);
after(() => stopTargetWithDisk(t, stop, dir), { timeout: 60_000 });

const connect = (): Promise<Session> => connectTarget(t, dir);

/** The session's `nixos-install` is the stand-in (or the test stops before installing anything). */
async function assertStandIn(): Promise<void> {
  const s = await connect();
  try {
    const r = await s.execAsRoot(['sh', '-c', 'command -v nixos-install'], { timeoutMs: 30_000 });
    assert.equal(r.stdout.toString().trim(), '/usr/local/sbin/nixos-install', 'ABORT: not the stand-in');
  } finally {
    s.close();
  }
}

interface RunRecord {
  commands: Partial<Record<StepId, string[][]>>;
  output: string;
  error?: InstallFailedError;
}

async function runOnce(state: InstallState): Promise<RunRecord> {
  const rec: RunRecord = { commands: {}, output: '' };
  rec.error = await runInstall(state, {
    steps: STEPS,
    store,
    connect,
    local: new NodeLocalRunner(),
    onEvent: (step, e) => {
      if (e.kind === 'command') (rec.commands[step] ??= []).push(e.command.argv);
      if (e.kind === 'output' && step === 'install') rec.output += e.text;
    },
  });
  return rec;
}

function options(): InstallOptions {
  return {
    flake: '/nonexistent-flake',
    configuration: 'nixkit-test-grub',
    target: `root@${t.host}`,
    buildOn: 'local',
    root: disk.root,
    reboot: false,
    copyRoute: 'auto',
    installRoute: 'auto',
    bootloader: { kind: 'grub', efiSupport: true },
    ...closureOptions(nix, { mib: 0, paths: 4 }, 'grub'),
  };
}

const outputsOf = <O>(state: InstallState, id: StepId) => state.steps.find((s) => s.id === id)?.outputs as O;
const inRoot = (script: string) => inTarget(t.stateDir, ['sh', '-c', script, 'x', disk.root]);

describe('install with the target’s nixos-install, GRUB verified (namespace target)', () => {
  let state: InstallState;
  let toplevel: string;

  it('a nixos-install that exits 0 without a boot loader fails the install at verify', T, async () => {
    await assertStandIn();
    inRoot('mkdir -p "$1/etc" && touch "$1/etc/nixkit-skip-bootloader"');
    const silent = newInstallState(options(), IDS);
    const run = await runOnce(silent);
    assert.ok(run.error, 'the install did not pass');
    assert.equal(run.error.stepId, 'verify', run.error.message);
    assert.equal(run.error.causeCode, 'bootloader-missing');
    assert.ok(
      run.error.message.includes(`no grub.cfg (looked in ${disk.root}/boot/grub)`),
      run.error.message,
    );
    assert.match(run.output, /installation finished!/, 'the stand-in said it finished');
    assert.equal(outputsOf<InstallOutputs>(silent, 'install').route, 'nixos-install');
    inRoot('rm -f "$1/etc/nixkit-skip-bootloader"');
  });

  it('finds nixos-install on the target, passes its flags, fails with its message, resumes', T, async () => {
    inRoot('echo "injected by the test" > "$1/etc/nixkit-fail-switch"');
    state = newInstallState(options(), IDS);
    const first = await runOnce(state);
    assert.ok(first.error, 'the first run fails');
    assert.equal(first.error.stepId, 'install');
    assert.equal(first.error.causeCode, 'install-failed');
    assert.match(
      first.error.message,
      /nixos-install failed \(exit 1\).*Failed to install bootloader \(injected by the test\)/s,
    );
    toplevel = outputsOf<BuildOutputs>(state, 'build').toplevel;
    assert.match(toplevel, /^\/nix\/store\/[a-z0-9]{32}-nixos-system-nixkit-test-24\.05$/);
    // Nothing said the target has nixos-install: the step looked, then ran it with exactly these flags.
    const cmds = first.commands.install ?? [];
    assert.deepEqual(cmds[cmds.length - 1], [
      'nixos-install',
      '--system',
      toplevel,
      '--no-root-passwd',
      '--no-channel-copy',
      '--root',
      disk.root,
    ]);
    assert.deepEqual(
      fs.readFileSync(path.join(fake, 'argv'), 'utf8').trim().split('\n'),
      cmds.at(-1)?.slice(1),
    );
    assert.equal(outputsOf<CopyOutputs>(state, 'copy').route, 'nix-copy', 'the installer has Nix');

    inRoot('rm -f "$1/etc/nixkit-fail-switch"');
    const second = await runOnce(state);
    assert.equal(second.error, undefined, second.error?.message);
    assert.equal(second.commands.build, undefined, 'the build was not redone');
    assert.equal(second.commands.copy, undefined, 'the copy was not redone (only verified)');
    assert.match(second.output, /installing the boot loader/);
    const inst = outputsOf<InstallOutputs>(state, 'install');
    assert.deepEqual(inst, { route: 'nixos-install', toplevel, generation: 1 });
    const verified = outputsOf<VerifyOutputs>(state, 'verify');
    assert.equal(verified.bootloader, 'grub');
    assert.equal(verified.entry, `${disk.root}/boot/grub/grub.cfg`);
    assert.match(inRoot('cat "$1/boot/grub/grub.cfg"'), new RegExp(`init=${toplevel}/init loglevel=4`));
  });

  it(
    'a grub.cfg that does not name this system, none, or no GRUB EFI binary fails verify with where',
    T,
    async () => {
      assert.ok(toplevel, 'the previous case installed');
      const session = await connect();
      const ctx = stepContext(state, session);
      const cfg = `${disk.root}/boot/grub/grub.cfg`;
      try {
        inRoot('cp "$1/boot/grub/grub.cfg" "$1/grub.cfg.bak"');
        // An older system's entry: the file is there, but this generation is not in it.
        inRoot(
          `sed -i 's|${toplevel}|/nix/store/00000000000000000000000000000000-nixos-system-old|g' "$1/boot/grub/grub.cfg"`,
        );
        await assert.rejects(verifyStep.run(ctx), (e: EngineError) => {
          assert.equal(e.code, 'bootloader-missing');
          assert.ok(e.message.includes(`${cfg} does not name this system (${toplevel})`), e.message);
          return true;
        });
        inRoot('cat "$1/grub.cfg.bak" > "$1/boot/grub/grub.cfg"');
        // grub.cfg alone boots nothing: GRUB built for EFI must have left its binary on the ESP.
        inRoot('mv "$1/boot/EFI/NixOS-boot/grubx64.efi" "$1/grubx64.efi.bak"');
        await assert.rejects(verifyStep.run(ctx), (e: EngineError) => {
          assert.equal(e.code, 'bootloader-missing');
          assert.ok(
            e.message.includes(`no GRUB EFI binary under ${disk.root}/boot/EFI (efiSupport is set)`),
            e.message,
          );
          assert.ok(!e.message.includes('grub.cfg'), e.message);
          return true;
        });
        inRoot('mv "$1/grubx64.efi.bak" "$1/boot/EFI/NixOS-boot/grubx64.efi"');
        inRoot('rm "$1/boot/grub/grub.cfg"');
        await assert.rejects(verifyStep.run(ctx), /no grub\.cfg \(looked in [^ ]*\/boot\/grub\)/);
        inRoot('cat "$1/grub.cfg.bak" > "$1/boot/grub/grub.cfg"');
        const ok = (await verifyStep.run(ctx)) as VerifyOutputs;
        assert.equal(ok.entry, cfg);
      } finally {
        session.close();
      }
    },
  );
});
