// The finish step's reboot path against the namespace target, driven through the install runner: unmount, the
// reboot, the wait for SSH (refused while "booting"), the changed host key of the installed system refused with an
// explanation and accepted by the person before a resume that only confirms, kept host keys, a system that never
// comes back, and a firmware that booted the wrong system.
//
// There is no PID namespace here: a real `reboot` run in the target would reboot this machine. Inside the target's
// mount namespace only, /usr/local/sbin (first in the PATH of an SSH root session) is covered by a folder whose
// `reboot` is a stand-in, and every run that may reboot first checks through SSH that `reboot` resolves to it. The
// stand-in does what the engine can observe of a reboot: sshd and every session go away, SSH is refused for a
// while, /run/current-system and the system profile become the installed system's (tmpfs mounts in the target's
// namespace: this machine's /run and /nix are untouched), and sshd comes back with a new or the kept host key.
// Needs root (namespaces, mounts).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type {
  InstallOptions,
  InstallState,
  StepEvent,
  StepId,
  StepOutputs,
} from '../../protocol/install-state';
import type { Step } from '../../engine/install/plan';
import type { InstallFailedError } from '../../engine/install/runner';
import { StateStore, newInstallState } from '../../engine/install/state-store';
import { finishStep, type FinishOutputs } from '../../engine/install/steps/finish';
import { createMountStep } from '../../engine/install/steps/mount';
import { FileHostKeyStore } from '../../engine/ssh/known-hosts';
import { Session } from '../../engine/ssh/session';
import { REPO_ROOT } from '../helpers';
import { inTarget, isMounted } from '../targets/closure/test-closure';
import {
  FakePrompter,
  restartSshd,
  resolved,
  startNetnsTarget,
  trustingStore,
  type TestTarget,
} from './netns-target';
import { runInstall } from './install-run';

// Store-path shaped (32 characters of Nix's base32); nothing needs to exist behind them.
const TOP = '/nix/store/0123456789abcdfghijklmnpqrsvwxyz-nixos-system-nixkit-reboot-24.05';
const OTHER = '/nix/store/zyxwvsrqpnmlkjihgfdcba9876543210-nixos-system-the-old-one-23.11';
// The mount step comes along so a resume shows whether the finished steps before finish are checked (and so
// run again) on the rebooted system, where the live system's mounts are gone.
const STEPS: Step[] = [createMountStep(), finishStep];
const T = { timeout: 90_000 };
const MARKER = 'nixkit-fake-reboot';

let t: TestTarget;
let stop: (() => void) | undefined;
let dir: string;
let fake: string;
let root: string;
let store: StateStore;

const diag = (text: string) => process.stderr.write(`# ${text}\n`);

/** The stand-ins put over /usr/local/sbin in the target, and the "boot" the fake reboot starts. */
function writeFakes(): void {
  const bin = path.join(fake, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  const sshdSh = path.join(REPO_ROOT, 'test', 'targets', 'netns', 'sshd.sh');
  const script = (name: string, body: string) =>
    fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n# ${MARKER}: never the real one\n${body}`, {
      mode: 0o755,
    });
  // Detached (own session, no descriptors of the SSH session): it kills that session's sshd.
  script(
    'reboot',
    `echo "reboot $*" >> '${fake}/calls'\n` +
      `setsid -f sh '${fake}/boot.sh' </dev/null >>'${fake}/boot.log' 2>&1\nexit 0\n`,
  );
  script('systemctl', `echo "systemctl $*" >> '${fake}/calls'\nexit 1\n`);
  script('swapoff', `echo "swapoff $*" >> '${fake}/calls'\n`);
  fs.writeFileSync(
    path.join(fake, 'boot.sh'),
    `set -u
. '${fake}/case.env'
S='${t.stateDir}'
echo $$ > '${fake}/boot.pid'
echo down > '${fake}/boot.state'
sleep 0.5
# The old system goes down: sshd's listener and every session.
pid=$(cat "$S/sshd.pid")
for c in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do kill -9 "$c"; done
kill "$pid"
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
rm -f "$S/sshd.pid"
# The new system's view, in this mount namespace only.
mount -t tmpfs -o mode=0755 nixkit-fake-run /run
mkdir -m 0755 /run/sshd
ln -s "$CURRENT" /run/current-system
mount -t tmpfs -o mode=0755 nixkit-fake-profiles /nix/var/nix/profiles
ln -s '${TOP}' /nix/var/nix/profiles/system-1-link
ln -s system-1-link /nix/var/nix/profiles/system
sleep "$DOWN"
[ "$MODE" = never ] || bash '${sshdSh}' "$S" "$MODE"
echo done > '${fake}/boot.state'
`,
  );
}

before(
  () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-install-reboot-'));
    fake = path.join(dir, 'fake');
    root = path.join(dir, 'root');
    store = new StateStore(path.join(dir, 'state'));
    ({ target: t, stop } = startNetnsTarget());
    writeFakes();
    // The live system's host keys (what keepHostKeys copies) are the ones its sshd serves: the primary set.
    const etcSsh = path.join(dir, 'live-etc-ssh');
    fs.mkdirSync(etcSsh);
    for (const f of ['ssh_host_ed25519_key', 'ssh_host_ed25519_key.pub'])
      fs.copyFileSync(path.join(t.stateDir, 'hostkeys', 'primary', f), path.join(etcSsh, f));
    inTarget(t.stateDir, [
      'sh',
      '-c',
      'set -e; mount --bind "$1" /usr/local/sbin; mount --bind "$2" /etc/ssh',
      'fakes',
      path.join(fake, 'bin'),
      etcSsh,
    ]);
    assert.ok(
      inTarget(t.stateDir, ['cat', '/usr/local/sbin/reboot']).includes(MARKER),
      'the stand-in covers /usr/local/sbin in the target',
    );
    assert.equal(fs.existsSync('/usr/local/sbin/reboot'), false, 'and only in the target');
  },
  { timeout: 120_000 },
);

after(
  () => {
    if (t) killBoot();
    stop?.();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  },
  { timeout: 60_000 },
);

/** Stops a fake boot still running (ours: its PID file, its command line). */
function killBoot(): void {
  try {
    const pid = Number(fs.readFileSync(path.join(fake, 'boot.pid'), 'utf8').trim());
    if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`${fake}/boot.sh`))
      process.kill(pid, 'SIGKILL');
  } catch {
    /* not running */
  }
}

async function waitForBoot(ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!fs.existsSync(path.join(fake, 'boot.state'))) return;
    if (fs.readFileSync(path.join(fake, 'boot.state'), 'utf8').trim() === 'done') return;
    await new Promise((r) => setTimeout(r, 200));
  }
  killBoot();
}

/** Back to the live system: the fake boot's mounts gone, sshd with the primary key, a fresh bind-mounted root. */
async function resetTarget(env: { mode: 'changed' | 'primary' | 'never'; current: string; down: number }) {
  await waitForBoot(20_000);
  inTarget(t.stateDir, [
    'sh',
    '-c',
    `while grep -q '^nixkit-fake-run /run ' /proc/self/mounts; do umount -l /run; done
while grep -q '^nixkit-fake-profiles /nix/var/nix/profiles ' /proc/self/mounts; do umount -l /nix/var/nix/profiles; done
while grep -q ' /proc/swaps ' /proc/self/mounts; do umount -l /proc/swaps; done
while mountpoint -q "$1"; do umount -l "$1"; done
true`,
    'reset',
    root,
  ]);
  restartSshd(t, 'primary');
  for (const f of ['calls', 'boot.state', 'boot.pid', 'boot.log'])
    fs.rmSync(path.join(fake, f), { force: true });
  fs.writeFileSync(
    path.join(fake, 'case.env'),
    `MODE=${env.mode}\nCURRENT='${env.current}'\nDOWN=${env.down}\n`,
  );
  fs.rmSync(root, { recursive: true, force: true });
  fs.mkdirSync(root);
  // The "new system's root": a bind mount, so what finish writes into it stays visible once it is unmounted.
  inTarget(t.stateDir, ['mount', '--bind', root, root]);
  assert.ok(isMounted(t.stateDir, root));
}

const calls = () => {
  try {
    return fs.readFileSync(path.join(fake, 'calls'), 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
};

/** Connects as the runner does, recording every attempt's outcome (the first is the runner's own connection). */
function connector(hostKeyStore: FileHostKeyStore, prompter = new FakePrompter()) {
  const attempts: string[] = [];
  const connect = async (signal?: AbortSignal): Promise<Session> => {
    try {
      const s = await Session.connect({
        target: resolved(t, 'root'),
        prompter,
        hostKeyStore,
        userKnownHostsFiles: [],
        agent: false,
        useDefaultIdentities: false,
        readyTimeoutMs: 5_000,
        signal,
      });
      attempts.push('ok');
      return s;
    } catch (e) {
      attempts.push(`${(e as Error).constructor.name}: ${(e as Error).message}`);
      throw e;
    }
  };
  return { connect, attempts, prompter };
}

/** Refuses to go on unless `reboot` (and `systemctl`) in an SSH root session are the stand-ins. */
async function assertFakeReboot(connect: () => Promise<Session>): Promise<void> {
  const s = await connect();
  try {
    const r = await s.execAsRoot(
      ['sh', '-c', 'command -v reboot; command -v systemctl; cat "$(command -v reboot)"'],
      { timeoutMs: 30_000 },
    );
    const [reboot, systemctl] = r.stdout.toString().split('\n');
    if (
      reboot !== '/usr/local/sbin/reboot' ||
      systemctl !== '/usr/local/sbin/systemctl' ||
      !r.stdout.toString().includes(MARKER)
    )
      throw new Error(`ABORT: reboot in the target is not the stand-in:\n${r.stdout.toString()}`);
  } finally {
    s.close();
  }
}

interface RunRecord {
  notes: string[];
  commands: string[][];
  error?: InstallFailedError;
  ms: number;
}

async function runOnce(state: InstallState, connect: (signal: AbortSignal) => Promise<Session>) {
  const rec: RunRecord = { notes: [], commands: [], ms: 0 };
  const started = Date.now();
  try {
    rec.error = await runInstall(state, {
      steps: STEPS,
      store,
      connect,
      onEvent: (step: StepId, e: StepEvent) => {
        if (e.kind === 'note') rec.notes.push(`${step}: ${e.text}`);
        if (e.kind === 'command') rec.commands.push([step, ...e.command.argv]);
      },
    });
  } finally {
    rec.ms = Date.now() - started;
  }
  return rec;
}

/** An install whose steps up to finish are done: the build's toplevel and what was mounted at the root. */
function installState(extra: Partial<InstallOptions>, mount: StepOutputs = {}): InstallState {
  const options: InstallOptions = {
    flake: '/nonexistent-flake',
    configuration: 'nixkit-reboot',
    target: `root@${t.host}`,
    buildOn: 'local',
    root,
    reboot: true,
    rebootTimeoutMs: 60_000,
    ...extra,
  };
  const state = newInstallState(options, ['build', 'mount', 'finish']);
  const done = (id: StepId, outputs: StepOutputs) =>
    Object.assign(state.steps.find((s) => s.id === id)!, { status: 'done', outputs });
  done('build', {
    toplevel: TOP,
    builtOn: 'local',
    storeSide: 'local',
    closure: { paths: [], totalBytes: 0 },
  });
  done('mount', {
    mounts: [{ target: root, device: root, fsType: 'ext4', options: [] }],
    espTarget: `${root}/boot`,
    ...mount,
  });
  return state;
}

const finishOf = (state: InstallState) => state.steps.find((s) => s.id === 'finish')!;

describe('finish: reboot into the installed system and confirm it (namespace target)', () => {
  it('a new host key is refused with an explanation; accepted, the resume only confirms', T, async () => {
    await resetTarget({ mode: 'changed', current: TOP, down: 6 });
    const hostKeys = trustingStore(t, dir);
    const first = connector(hostKeys);
    await assertFakeReboot(first.connect);
    first.attempts.length = 0;
    const state = installState({ keepHostKeys: false });
    const run1 = await runOnce(state, first.connect);
    diag(`first run ${run1.ms} ms; connections: ${JSON.stringify(first.attempts)}`);

    assert.ok(run1.error, 'the first run fails');
    assert.equal(run1.error.stepId, 'finish');
    assert.equal(run1.error.causeCode, 'new-host-key', run1.error.message);
    assert.ok(run1.error.message.includes(t.changedFingerprint), run1.error.message);
    assert.match(run1.error.message, /new SSH host keys \(made on its first boot\)/);
    assert.match(run1.error.message, /"Forget host key", then connect/);
    assert.match(run1.error.message, /resume the install to confirm the new system/);
    assert.equal(calls().filter((c) => c.startsWith('reboot')).length, 1, calls().join('\n'));
    assert.equal(isMounted(t.stateDir, root), false, 'the root was unmounted before the reboot');
    // The wait went on through the refused connections while the target was down, then met the new key.
    assert.equal(first.attempts[0], 'ok');
    assert.ok(first.attempts.length >= 3, JSON.stringify(first.attempts));
    assert.match(first.attempts.slice(1, -1).join('\n'), /ECONNREFUSED|refused/i);
    assert.match(first.attempts[first.attempts.length - 1], /^HostKeyChangedError/);
    // This machine's /run and profiles are untouched (the fake boot's mounts live in the target only).
    assert.equal(fs.existsSync('/run/current-system'), false);
    assert.equal(fs.existsSync('/nix/var/nix/profiles/system-1-link'), false);

    const saved = store.load(state.id);
    assert.equal(saved.status, 'failed');
    assert.equal(finishOf(saved).status, 'failed');
    assert.match(finishOf(saved).error ?? '', /new host key/);
    assert.equal(saved.steps.find((s) => s.id === 'mount')?.status, 'done');

    // The person checks the fingerprint, forgets the old key and connects: asked, accepts, remembered.
    await waitForBoot(20_000);
    assert.equal(hostKeys.forget(t.host, t.port), 1);
    const second = connector(hostKeys, new FakePrompter({ trust: true }));
    await assertFakeReboot(second.connect);
    assert.deepEqual(second.prompter.asked, [`hostkey:${t.changedFingerprint}`]);
    second.attempts.length = 0;
    const run2 = await runOnce(saved, second.connect);
    diag(`resume ${run2.ms} ms; notes: ${JSON.stringify(run2.notes)}`);
    assert.equal(run2.error, undefined, run2.error?.message);
    assert.equal(saved.status, 'done');
    assert.deepEqual(second.attempts, ['ok'], 'no waiting: the session reaches the new system');
    assert.equal(calls().filter((c) => c.startsWith('reboot')).length, 1, 'no second reboot');
    assert.ok(!run2.commands.some((c) => c[0] === 'finish' && c.includes('nixkit-unmount')), 'no unmount');
    // The mount step was not checked against (nor run again on) the new system.
    assert.ok(!run2.commands.some((c) => c[0] === 'mount'), JSON.stringify(run2.commands));
    assert.ok(run2.notes.some((n) => n.startsWith('mount: ') && n.includes('not checked again')));
    const out = finishOf(saved).outputs as FinishOutputs;
    assert.equal(out.currentSystem, TOP);
    assert.equal(out.generation, 1);
    assert.equal(out.rebooted, true);
    assert.ok(
      run2.notes.includes(`finish: the new system runs: ${TOP} (generation 1)`),
      run2.notes.join('\n'),
    );
  });

  it(
    'kept host keys: the same key answers and one run confirms; the swap is turned off first',
    T,
    async () => {
      await resetTarget({ mode: 'primary', current: TOP, down: 6 });
      // The mount step records the swap by the path it used (a /dev/disk link); /proc/swaps names the device.
      const link = path.join(dir, 'swap-link');
      fs.rmSync(link, { force: true });
      fs.symlinkSync(t.disks.aSwap, link);
      fs.writeFileSync(
        path.join(fake, 'swaps'),
        `Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n${t.disks.aSwap}\t\t\t\tpartition\t1024\t\t0\t\t-2\n`,
      );
      // A stand-in /proc/swaps in the target only: the swap is never really on (it would be this machine's).
      inTarget(t.stateDir, ['mount', '--bind', path.join(fake, 'swaps'), '/proc/swaps']);
      const c = connector(trustingStore(t, dir));
      await assertFakeReboot(c.connect);
      c.attempts.length = 0;
      const state = installState({ keepHostKeys: true }, { swap: link });
      const run = await runOnce(state, c.connect);
      diag(`run ${run.ms} ms; connections: ${JSON.stringify(c.attempts)}`);
      assert.equal(run.error, undefined, run.error?.message);
      assert.equal(state.status, 'done');
      const out = finishOf(state).outputs as FinishOutputs;
      assert.equal(out.hostKeysKept, true);
      assert.equal(out.currentSystem, TOP);
      assert.equal(out.generation, 1);
      assert.equal(calls().filter((x) => x.startsWith('reboot')).length, 1);
      assert.ok(calls().includes(`swapoff ${t.disks.aSwap}`), calls().join('\n'));
      assert.ok(c.attempts.length >= 3 && c.attempts.at(-1) === 'ok', JSON.stringify(c.attempts));
      // The live system's keys went into the installed root (private key owner-only) before it was unmounted.
      const primary = path.join(t.stateDir, 'hostkeys', 'primary', 'ssh_host_ed25519_key');
      const copied = path.join(root, 'etc', 'ssh', 'ssh_host_ed25519_key');
      assert.equal(fs.readFileSync(copied, 'utf8'), fs.readFileSync(primary, 'utf8'));
      assert.equal(fs.statSync(copied).mode & 0o777, 0o600);
      assert.equal(fs.readFileSync(copied + '.pub', 'utf8'), fs.readFileSync(primary + '.pub', 'utf8'));
      assert.equal(isMounted(t.stateDir, root), false);
      assert.ok(run.notes.includes(`finish: the new system runs: ${TOP} (generation 1)`));
    },
  );

  it('a system that does not come back fails with reboot-timeout, without hanging', T, async () => {
    await resetTarget({ mode: 'never', current: TOP, down: 1 });
    const c = connector(trustingStore(t, dir));
    await assertFakeReboot(c.connect);
    const state = installState({ keepHostKeys: false, rebootTimeoutMs: 12_000 });
    const run = await runOnce(state, c.connect);
    diag(`run ${run.ms} ms; error: ${run.error?.message}`);
    assert.ok(run.error);
    assert.equal(run.error.stepId, 'finish');
    assert.equal(run.error.causeCode, 'reboot-timeout', run.error.message);
    assert.match(
      run.error.message,
      new RegExp(`${t.host.replace(/\./g, '\\.')} did not answer SSH within 12 s`),
    );
    assert.match(run.error.message, /last: .*(ECONNREFUSED|refused)/i);
    assert.match(run.error.message, /boot order/);
    // It waited the whole timeout; that it then stopped is the error above (a hang would be the test's own timeout,
    // and how much longer than 12 s it took is the machine's load, not the engine's).
    assert.ok(run.ms >= 12_000, `${run.ms} ms`);
    assert.equal(store.load(state.id).status, 'failed');
    assert.equal(calls().filter((x) => x.startsWith('reboot')).length, 1);
  });

  it('the wrong system running after the reboot fails with wrong-system', T, async () => {
    await resetTarget({ mode: 'primary', current: OTHER, down: 6 });
    const c = connector(trustingStore(t, dir));
    await assertFakeReboot(c.connect);
    const state = installState({ keepHostKeys: true });
    const run = await runOnce(state, c.connect);
    diag(`run ${run.ms} ms; error: ${run.error?.message}`);
    assert.ok(run.error);
    assert.equal(run.error.stepId, 'finish');
    assert.equal(run.error.causeCode, 'wrong-system', run.error.message);
    assert.ok(run.error.message.includes(`runs ${OTHER}, not the installed ${TOP}`), run.error.message);
    assert.equal(finishOf(store.load(state.id)).status, 'failed');
    assert.equal(calls().filter((x) => x.startsWith('reboot')).length, 1);
  });
});
