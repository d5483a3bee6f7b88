// The install's steps 4–8 (build, copy, install, verify, finish) end to end against the namespace target, with a
// real Nix closure built by Debian's nix-bin (test/targets/closure/system.nix) and a disk this test prepares itself
// (GPT, offset loop devices, ext4 root, vfat ESP through fusefat), driven through the install runner:
// - the tar route (no Nix used on the target) with the connection cut mid-copy, then resumed: only the paths not
//   complete are sent again; then a failing switch-to-configuration, fixed and resumed: build and copy not redone;
//   the store's contents verified against the local store (nothing lost); the verify step catching a missing entry;
// - the `nix copy` route onto a fresh disk, then a second install of the unchanged closure copying nothing;
// - a full disk: too little room refused before anything is sent; a disk that fills up mid-copy named as such, and
//   the resume keeping only complete paths (checked against their hashes).
// Needs root (namespaces, loop devices, mounts).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { EngineError } from '../../engine/errors';
import { NodeLocalRunner } from '../../engine/install/local-runner';
import type { InstallOptions, InstallState, StepEvent, StepId } from '../../protocol/install-state';
import type { Step } from '../../engine/install/plan';
import type { InstallFailedError } from '../../engine/install/runner';
import { StateStore, newInstallState } from '../../engine/install/state-store';
import { buildStep, type BuildOutputs } from '../../engine/install/steps/build';
import { copyStep, type CopyOutputs } from '../../engine/install/steps/copy';
import { finishStep } from '../../engine/install/steps/finish';
import { installStep, type InstallOutputs } from '../../engine/install/steps/install';
import { verifyStep } from '../../engine/install/steps/verify';
import { Session } from '../../engine/ssh/session';
import {
  closureOptions,
  diskDown,
  diskUp,
  inTarget,
  isMounted,
  testNix,
  type TestDisk,
  type TestNix,
} from '../targets/closure/test-closure';
import { runInstall, stepContext, stopTargetWithDisk } from './install-run';
import { connectTarget, killSshSessions, startNetnsTarget, type TestTarget } from './netns-target';

const STEPS: Step[] = [buildStep, copyStep, installStep, verifyStep, finishStep];
const IDS = STEPS.map((s) => s.id);
const T = { timeout: 180_000 };

let t: TestTarget;
let stop: (() => void) | undefined;
let dir: string;
let nix: TestNix;
let disk: TestDisk | undefined;
let store: StateStore;

before(
  () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-install-e2e-'));
    ({ target: t, stop } = startNetnsTarget());
    nix = testNix(dir);
    store = new StateStore(path.join(dir, 'state'));
  },
  { timeout: 120_000 },
);
after(() => stopTargetWithDisk(t, stop, dir), { timeout: 60_000 });

function connect(): Promise<Session> {
  return connectTarget(t, dir);
}

/** One run of the runner, recording what each step did (commands announced, bytes and paths sent). */
interface RunRecord {
  commands: Partial<Record<StepId, number>>;
  copyBytes: number;
  notes: string[];
  error?: InstallFailedError;
}

async function runOnce(
  state: InstallState,
  steps: Step[] = STEPS,
  onEvent?: (step: StepId, e: StepEvent) => void,
): Promise<RunRecord> {
  const rec: RunRecord = { commands: {}, copyBytes: 0, notes: [] };
  rec.error = await runInstall(state, {
    steps,
    store,
    connect: () => connect(),
    local: new NodeLocalRunner(),
    onEvent: (step, e) => {
      if (e.kind === 'command') rec.commands[step] = (rec.commands[step] ?? 0) + 1;
      if (e.kind === 'progress' && e.unit === 'bytes' && step === 'copy')
        rec.copyBytes = Math.max(rec.copyBytes, e.done);
      if (e.kind === 'note') rec.notes.push(`${step}: ${e.text}`);
      onEvent?.(step, e);
    },
  });
  return rec;
}

function options(root: string, extra: Partial<InstallOptions>): InstallOptions {
  return {
    flake: '/nonexistent-flake',
    configuration: 'nixkit-test',
    target: `root@${t.host}`,
    buildOn: 'local',
    root,
    reboot: false,
    bootloader: { kind: 'systemd-boot' },
    ...closureOptions(nix, { mib: 48, paths: 6 }),
    ...extra,
  };
}

const diag = (text: string) => process.stderr.write(`# ${text}\n`);

const outputsOf = <O>(state: InstallState, id: StepId) => state.steps.find((s) => s.id === id)?.outputs as O;

/** Loads the registration into the installed store and checks every path's contents against its hash. */
function checkInstalledStore(root: string, closure: string[]): void {
  inTarget(t.stateDir, [
    'sh',
    '-c',
    'NIX_CONF_DIR=$2 HOME=$3 nix-store --store "$1" --load-db < "$1/nix-path-registration"',
    'load',
    root,
    nix.env.NIX_CONF_DIR,
    nix.env.HOME,
  ]);
  const out = inTarget(t.stateDir, [
    'env',
    `NIX_CONF_DIR=${nix.env.NIX_CONF_DIR}`,
    `HOME=${nix.env.HOME}`,
    'nix-store',
    '--store',
    root,
    '--verify-path',
    ...closure,
  ]);
  assert.equal(out.trim(), '', `nix-store --verify-path reported: ${out}`);
}

describe('Session.exec with a streamed stdin', () => {
  it('streams a Readable with backpressure and ends the input when it ends', T, async () => {
    const session = await connect();
    try {
      let produced = 0;
      const chunk = Buffer.alloc(64 * 1024, 7);
      const source = new Readable({
        read() {
          if (produced >= 32 * 1024 * 1024) return void this.push(null);
          produced += chunk.length;
          this.push(chunk);
        },
      });
      const r = await session.exec(['sh', '-c', 'sleep 0.3; wc -c'], { stdin: source, timeoutMs: 60_000 });
      assert.equal(r.code, 0);
      assert.equal(r.stdout.toString().trim(), String(32 * 1024 * 1024));
      // A failing source fails the command.
      const bad = new Readable({ read() {} });
      setTimeout(() => bad.destroy(new Error('source broke')), 100);
      await assert.rejects(session.exec(['cat'], { stdin: bad, timeoutMs: 10_000 }), /source broke/);
    } finally {
      session.close();
    }
  });
});

describe('install steps 4–8 on the namespace target (real Nix closure)', () => {
  let tarState: InstallState;
  let toplevel: string;
  let closurePaths: string[];

  it('tar route: build, copy cut mid-way, resume copies only the rest', T, async () => {
    disk = diskUp(t.stateDir, dir);
    tarState = newInstallState(options(disk.root, { copyRoute: 'tar', installRoute: 'manual' }), IDS);
    let cut = false;
    let killed = 0;
    const first = await runOnce(tarState, STEPS, (step, e) => {
      // Cut the connection once some paths are complete and the big ones are still on their way.
      if (!cut && step === 'copy' && e.kind === 'progress' && e.unit === 'paths' && e.done >= 2) {
        cut = true;
        killed = killSshSessions(t);
      }
    });
    assert.ok(cut && killed > 0, 'the copy was cut');
    assert.ok(first.error, 'the first run fails');
    assert.equal(first.error.stepId, 'copy');
    assert.equal(first.error.causeCode, 'connection-lost', first.error.message);
    const build = outputsOf<BuildOutputs>(tarState, 'build');
    toplevel = build.toplevel;
    closurePaths = build.closure.paths.map((p) => p.path);
    assert.match(toplevel, /^\/nix\/store\/[a-z0-9]{32}-nixos-system-nixkit-test-24\.05$/);
    assert.ok(closurePaths.length >= 10, `closure of ${closurePaths.length} paths`);
    assert.equal(tarState.steps.find((s) => s.id === 'copy')?.status, 'failed');

    // Inject a failing boot loader install for the next run (switch-to-configuration exits 1 while this exists).
    inTarget(t.stateDir, [
      'sh',
      '-c',
      'mkdir -p "$1/etc" && echo "injected by the test" > "$1/etc/nixkit-fail-switch"',
      'x',
      disk.root,
    ]);

    const second = await runOnce(tarState);
    diag(
      `cut after ${first.copyBytes} bytes; resume: copied ${outputsOf<CopyOutputs>(tarState, 'copy').copied}, ` +
        `skipped ${outputsOf<CopyOutputs>(tarState, 'copy').skipped} of ${closurePaths.length} paths, ${second.copyBytes} bytes`,
    );
    // Build: verified only (one check of the toplevel), not rebuilt.
    assert.equal(second.commands.build, undefined, 'the build was not redone');
    const copy = outputsOf<CopyOutputs>(tarState, 'copy');
    assert.equal(copy.route, 'tar');
    assert.ok(copy.skipped >= 2, `paths complete before the cut were skipped (${copy.skipped})`);
    assert.ok(
      copy.copied > 0 && copy.copied < closurePaths.length,
      `copied ${copy.copied} of ${closurePaths.length}`,
    );
    assert.equal(copy.skipped + copy.copied, closurePaths.length);
    assert.ok(
      second.copyBytes < build.closure.totalBytes,
      `resumed copy sent ${second.copyBytes} < ${build.closure.totalBytes}`,
    );
    // The install step failed with switch-to-configuration's message.
    assert.ok(second.error);
    assert.equal(second.error.stepId, 'install');
    assert.match(
      second.error.message,
      /switch-to-configuration boot.*failed \(exit 1\).*Failed to install bootloader \(injected by the test\)/s,
    );

    // Fix it and resume: only the install onwards runs.
    inTarget(t.stateDir, ['rm', '-f', `${disk.root}/etc/nixkit-fail-switch`]);
    const third = await runOnce(tarState, [buildStep, copyStep, installStep, verifyStep]);
    assert.equal(third.error, undefined, third.error?.message);
    assert.equal(third.commands.build, undefined, 'build not redone');
    assert.equal(third.commands.copy, undefined, 'copy not redone (only verified)');
    assert.equal(third.copyBytes, 0);
    assert.ok(third.commands.install && third.commands.install >= 2);
    diag(`third run commands: ${JSON.stringify(third.commands)}`);
    const inst = outputsOf<InstallOutputs>(tarState, 'install');
    assert.equal(inst.route, 'manual');
    assert.equal(inst.generation, 1, 'the failed attempt made no extra generation');
    // Nothing lost: every path's contents match the hash in the local store's database.
    checkInstalledStore(disk.root, closurePaths);
  });

  it('the boot loader landed; a missing entry fails verify with where', T, async () => {
    assert.ok(disk);
    const esp = `${disk.root}/boot`;
    const entry = inTarget(t.stateDir, ['cat', `${esp}/loader/entries/nixos-generation-1.conf`]);
    assert.match(entry, new RegExp(`options init=${toplevel}/init loglevel=4`));
    assert.ok(
      inTarget(t.stateDir, ['cat', `${esp}/EFI/BOOT/BOOTX64.EFI`]).includes('NIXKIT-TEST-SYSTEMD-BOOT'),
    );
    // The chroot's view: /proc, /dev/null and /run were there (printed by switch-to-configuration).
    assert.equal(tarState.steps.find((s) => s.id === 'verify')?.status, 'done');
    // Nothing leaked from the chroot's private mount namespace.
    const mounts = inTarget(t.stateDir, ['cat', '/proc/self/mounts']);
    assert.ok(!mounts.includes(`${disk.root}/proc`) && !mounts.includes(`${disk.root}/dev`), mounts);

    inTarget(t.stateDir, ['mv', `${esp}/loader/entries/nixos-generation-1.conf`, `${dir}/entry.bak`]);
    const session = await connect();
    try {
      const ctx = stepContext(tarState, session);
      await assert.rejects(verifyStep.run(ctx), (e: EngineError) => {
        assert.equal(e.code, 'bootloader-missing');
        assert.ok(e.message.includes(`${esp}/loader/entries/nixos-generation-1.conf is missing`), e.message);
        return true;
      });
    } finally {
      session.close();
      inTarget(t.stateDir, [
        'sh',
        '-c',
        'cat "$1" > "$2"',
        'x',
        `${dir}/entry.bak`,
        `${esp}/loader/entries/nixos-generation-1.conf`,
      ]);
    }
  });

  it('finish unmounts everything under the root', T, async () => {
    assert.ok(disk);
    const fourth = await runOnce(tarState);
    assert.equal(fourth.error, undefined, fourth.error?.message);
    for (const id of ['build', 'copy', 'install', 'verify'] as const)
      assert.equal(fourth.commands[id], undefined, `${id} not redone`);
    assert.equal(tarState.status, 'done');
    assert.equal(isMounted(t.stateDir, disk.root), false);
    assert.match(fourth.notes.join('\n'), /new SSH host keys/);
  });

  it('nix copy route onto a fresh disk, then a second install copies nothing', T, async () => {
    diskDown(t.stateDir, dir);
    disk = diskUp(t.stateDir, dir);
    const state = newInstallState(options(disk.root, { copyRoute: 'auto' }), IDS);
    const first = await runOnce(state, [buildStep, copyStep, installStep, verifyStep]);
    assert.equal(first.error, undefined, first.error?.message);
    const copy = outputsOf<CopyOutputs>(state, 'copy');
    assert.equal(copy.route, 'nix-copy');
    assert.equal(copy.copied, closurePaths.length);
    assert.equal(
      outputsOf<BuildOutputs>(state, 'build').toplevel,
      toplevel,
      'same closure, rebuilt from cache',
    );
    assert.equal(outputsOf<InstallOutputs>(state, 'install').route, 'manual');
    // The target's Nix database knows the paths (nix copy registered them).
    const valid = inTarget(t.stateDir, [
      'env',
      `NIX_CONF_DIR=${nix.env.NIX_CONF_DIR}`,
      `HOME=${nix.env.HOME}`,
      'nix-store',
      '--store',
      disk.root,
      '--check-validity',
      '--print-invalid',
      ...closurePaths,
    ]);
    assert.equal(valid.trim(), '');

    const again = newInstallState(options(disk.root, { copyRoute: 'auto' }), IDS);
    const second = await runOnce(again, [buildStep, copyStep, installStep, verifyStep]);
    assert.equal(second.error, undefined, second.error?.message);
    const copy2 = outputsOf<CopyOutputs>(again, 'copy');
    assert.equal(copy2.copied, 0);
    assert.equal(copy2.skipped, closurePaths.length);
    assert.equal(outputsOf<InstallOutputs>(again, 'install').generation, 1, 'same system: same generation');
  });

  it(
    'a full disk: refused before sending; filling up mid-copy is said so, and a resume loses nothing',
    T,
    async () => {
      diskDown(t.stateDir, dir);
      const d = (disk = diskUp(t.stateDir, dir));
      // Without root's reserve, df's "available" is what tar (as root) can write: the disk is full when df says so.
      execFileSync('tune2fs', ['-m', '0', d.rootPart], { stdio: 'ignore' });
      const MiB = 1024 * 1024;
      const free = () =>
        Number(
          inTarget(t.stateDir, ['sh', '-c', 'df -Pk "$1" | tail -n 1', 'x', d.root]).trim().split(/\s+/)[3],
        ) * 1024;
      const fill = (leave: number) =>
        inTarget(t.stateDir, [
          'fallocate',
          '-l',
          String(Math.max(MiB, free() - leave)),
          `${d.root}/filler-${leave}`,
        ]);
      const unfill = () => inTarget(t.stateDir, ['sh', '-c', 'rm -f "$1"/filler-*', 'x', d.root]);

      fill(16 * MiB);
      const state = newInstallState(options(d.root, { copyRoute: 'tar', installRoute: 'manual' }), IDS);
      const first = await runOnce(state, [buildStep, copyStep]);
      assert.ok(first.error, 'refused');
      assert.equal(first.error.stepId, 'copy');
      assert.equal(first.error.causeCode, 'target-full', first.error.message);
      assert.match(
        first.error.message,
        new RegExp(
          `Not enough space on the target: ${d.root}/nix/store \\(on the file system mounted at ${d.root}\\) has ` +
            `1\\d(\\.\\d)? MiB free, and the ${closurePaths.length} paths still to copy need about [45]\\d(\\.\\d)? MiB\\. Nothing was copied\\.`,
        ),
      );
      assert.equal(first.copyBytes, 0, 'nothing sent');

      // Room at the check; the disk fills up while the copy runs.
      unfill();
      let filled = false;
      const second = await runOnce(state, [buildStep, copyStep], (step, e) => {
        if (!filled && step === 'copy' && e.kind === 'progress' && e.unit === 'paths' && e.done >= 2) {
          filled = true;
          fill(4 * MiB);
        }
      });
      assert.ok(filled, 'the disk was filled during the copy');
      assert.ok(second.error, 'the copy failed');
      assert.equal(second.error.stepId, 'copy');
      assert.equal(second.error.causeCode, 'target-full', second.error.message);
      assert.match(second.error.message, /disk filled up during the copy \(.*No space left on device/s);
      assert.match(second.error.message, /resume: only the rest is copied/);
      assert.equal(second.commands.build, undefined, 'the build was not redone');

      unfill();
      const third = await runOnce(state, [buildStep, copyStep]);
      assert.equal(third.error, undefined, third.error?.message);
      const copy = outputsOf<CopyOutputs>(state, 'copy');
      diag(`after the full disk: copied ${copy.copied}, skipped ${copy.skipped} of ${closurePaths.length}`);
      assert.ok(copy.skipped >= 2, `paths complete before the disk filled were kept (${copy.skipped})`);
      assert.equal(copy.skipped + copy.copied, closurePaths.length);
      // Nothing lost or half-written: every path's contents match its hash.
      checkInstalledStore(d.root, closurePaths);
    },
  );
});
