// The runner with fake steps: order, state after every step, resume without redoing finished work (a failed step
// retried, a finished step whose result is gone re-run), cancellation, and secrets absent from state and transcript.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { CancelledError, EngineError } from '../../../engine/errors';
import type { InstallOptions, StepId } from '../../../protocol/install-state';
import type { Step, StepContext } from '../../../engine/install/plan';
import { InstallFailedError, InstallRunner, runCommand } from '../../../engine/install/runner';
import { newInstallState, StateStore } from '../../../engine/install/state-store';
import type { Session } from '../../../engine/ssh/session';

const SUDO = 'sudo-Secret-123';
const LUKS = 'luks passphrase: correct horse';

const OPTIONS: InstallOptions = {
  flake: '/f',
  configuration: 'demo',
  target: 'root@t',
  buildOn: 'local',
  root: '/mnt',
  reboot: false,
};

interface Behaviour {
  fail?: boolean;
  verifyFails?: boolean;
  cancel?: AbortController;
}

/** A fake session: exec records the argv and answers from a script; redact hides the sudo password. */
function fakeSession(log: string[]): Session {
  return {
    redact: (t: string) => t.split(SUDO).join('«redacted»'),
    execAsRoot: async (
      argv: readonly string[],
      o: { stdin?: string | Buffer; onStdout?: (c: Buffer) => void },
    ) => {
      log.push(`exec ${argv.join(' ')}${o.stdin ? ' <stdin>' : ''}`);
      o.onStdout?.(Buffer.from(`ran ${argv[0]} with ${SUDO.slice(0, 7)}`));
      // (the passphrase can only show up once it was asked for: in the command that got it)
      o.onStdout?.(Buffer.from(`${SUDO.slice(7)} and ${o.stdin ? LUKS : 'no stdin'}\n`));
      return {
        code: argv[0] === 'false' ? 1 : 0,
        stdout: Buffer.from(''),
        stderr: Buffer.from(`failed: ${SUDO}\n`),
      };
    },
    ensureRoot: async () => 'root',
    close: () => log.push('close'),
  } as unknown as Session;
}

function fakeSteps(ids: StepId[], behaviour: Map<StepId, Behaviour>, log: string[]): Step[] {
  return ids.map((id) => ({
    id,
    title: `step ${id}`,
    // as the real partition step: running it again erases what the later steps wrote
    invalidatesLaterSteps: id === 'partition',
    describe: () => ({ id, title: `step ${id}`, commands: [] }),
    async run(ctx: StepContext) {
      log.push(`run ${id}`);
      const b = behaviour.get(id) ?? {};
      if (id === 'partition') {
        const p = await ctx.secret?.('luks-passphrase');
        await runCommand(
          ctx,
          { where: 'target', argv: ['cryptsetup', 'open', '--key-file=-'], purpose: 'unlock' },
          { stdin: p },
        );
      }
      await runCommand(ctx, { where: 'target', argv: ['echo', id], purpose: `say ${id}` });
      if (b.cancel) {
        b.cancel.abort();
        throw new CancelledError('step');
      }
      if (b.fail) {
        await runCommand(ctx, {
          where: 'target',
          argv: ['false'],
          purpose: `fail in ${id} (password ${SUDO})`,
        });
      }
      return { made: id, at: log.length };
    },
    async verify(_ctx, outputs) {
      log.push(`verify ${id}`);
      if (behaviour.get(id)?.verifyFails) {
        behaviour.get(id)!.verifyFails = false;
        throw new EngineError('gone', `${id} result is gone`);
      }
      assert.equal(outputs.made, id);
    },
  }));
}

const IDS: StepId[] = ['preflight', 'partition', 'mount', 'hardware-config'];

function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-runner-'));
  const store = new StateStore(path.join(dir, 'installs'));
  const log: string[] = [];
  const behaviour = new Map<StepId, Behaviour>();
  const steps = fakeSteps(IDS, behaviour, log);
  const make = (state = newInstallState(OPTIONS, IDS), signal?: AbortSignal) =>
    new InstallRunner(state, {
      steps,
      store,
      signal,
      secrets: [SUDO],
      luksPassphrase: async () => LUKS,
      connect: async () => {
        log.push('connect');
        return fakeSession(log);
      },
    });
  return { dir, store, log, behaviour, make };
}

describe('install runner', () => {
  it('runs every step in order, verifies each, saves the state', async () => {
    const { store, log, make } = setup();
    const r = make();
    const state = await r.run();
    assert.equal(state.status, 'done');
    assert.deepEqual(
      log.filter((l) => /^(run|verify|connect|close)/.test(l)),
      [
        'connect',
        'run preflight',
        'verify preflight',
        'run partition',
        'verify partition',
        'run mount',
        'verify mount',
        'run hardware-config',
        'verify hardware-config',
        'close',
      ],
    );
    const saved = store.load(state.id);
    assert.deepEqual(
      saved.steps.map((s) => s.status),
      ['done', 'done', 'done', 'done'],
    );
    assert.equal(saved.steps[1].outputs?.made, 'partition');
  });

  it('resumes at the failed step: nothing finished is redone, the failed step is retried', async () => {
    const { store, log, behaviour, make } = setup();
    behaviour.set('mount', { fail: true });
    const first = make();
    await assert.rejects(first.run(), (e: unknown) => {
      assert.ok(e instanceof InstallFailedError);
      assert.equal(e.stepId, 'mount');
      assert.match(e.message, /"step mount" failed: fail in mount/);
      assert.ok(!e.message.includes(SUDO));
      return true;
    });
    const saved = store.load(first.state.id);
    assert.deepEqual(
      saved.steps.map((s) => s.status),
      ['done', 'done', 'failed', 'pending'],
    );
    assert.equal(saved.status, 'failed');
    assert.ok(saved.steps[2].error && !saved.steps[2].error.includes(SUDO));
    const partitionOutputs = saved.steps[1].outputs;

    behaviour.set('mount', {});
    log.length = 0;
    const resumed = await make(store.load(first.state.id)).run();
    assert.equal(resumed.status, 'done');
    assert.deepEqual(
      log.filter((l) => /^(run|verify)/.test(l)),
      [
        'verify preflight',
        'verify partition',
        'run mount',
        'verify mount',
        'run hardware-config',
        'verify hardware-config',
      ],
    );
    assert.deepEqual(store.load(first.state.id).steps[1].outputs, partitionOutputs);
  });

  it('partitioning again makes every later step run again; a step that failed re-running is checked first', async () => {
    const { store, log, behaviour, make } = setup();
    behaviour.set('hardware-config', { fail: true });
    const first = make();
    await assert.rejects(first.run(), InstallFailedError);
    // The disk's partitions are gone and re-partitioning fails (say, a mistyped passphrase refused).
    behaviour.set('hardware-config', {});
    behaviour.set('partition', { verifyFails: true, fail: true });
    log.length = 0;
    await assert.rejects(make(store.load(first.state.id)).run(), InstallFailedError);
    assert.deepEqual(
      log.filter((l) => /^(run|verify)/.test(l)),
      ['verify preflight', 'verify partition', 'run partition'],
    );
    const saved = store.load(first.state.id);
    assert.deepEqual(
      saved.steps.map((s) => s.status),
      ['done', 'failed', 'pending', 'pending'],
    );
    assert.equal(saved.steps[2].outputs, undefined, 'mount kept outputs from before the re-partitioning');
    // Resumed again: partition's earlier work is in place after all (checked, not redone); mount and
    // hardware-config run again since they were undone.
    behaviour.set('partition', {});
    log.length = 0;
    const done = await make(store.load(first.state.id)).run();
    assert.equal(done.status, 'done');
    assert.deepEqual(
      log.filter((l) => /^(run|verify)/.test(l)),
      [
        'verify preflight',
        'verify partition',
        'run mount',
        'verify mount',
        'run hardware-config',
        'verify hardware-config',
      ],
    );
  });

  it('a finished step whose result is gone runs again on resume', async () => {
    const { store, log, behaviour, make } = setup();
    behaviour.set('hardware-config', { fail: true });
    const first = make();
    await assert.rejects(first.run(), InstallFailedError);
    behaviour.set('hardware-config', {});
    behaviour.set('mount', { verifyFails: true });
    log.length = 0;
    await make(store.load(first.state.id)).run();
    assert.deepEqual(
      log.filter((l) => /^(run|verify)/.test(l)),
      [
        'verify preflight',
        'verify partition',
        'verify mount',
        'run mount',
        'verify mount',
        'run hardware-config',
        'verify hardware-config',
      ],
    );
  });

  it('cancellation stops at the step and marks it cancelled; resume continues there', async () => {
    const { store, log, behaviour, make } = setup();
    const controller = new AbortController();
    behaviour.set('partition', { cancel: controller });
    const r = make(undefined, controller.signal);
    await assert.rejects(
      r.run(),
      (e: unknown) => e instanceof InstallFailedError && e.cancelled && e.code === 'install-cancelled',
    );
    const saved = store.load(r.state.id);
    assert.equal(saved.status, 'cancelled');
    assert.deepEqual(
      saved.steps.map((s) => s.status),
      ['done', 'cancelled', 'pending', 'pending'],
    );
    behaviour.set('partition', {});
    log.length = 0;
    await make(store.load(r.state.id)).run();
    assert.deepEqual(
      log.filter((l) => l.startsWith('run')),
      ['run partition', 'run mount', 'run hardware-config'],
    );
  });

  it('an aborted signal before the start runs nothing', async () => {
    const { log, make } = setup();
    const c = new AbortController();
    c.abort();
    await assert.rejects(make(undefined, c.signal).run());
    assert.ok(!log.some((l) => l.startsWith('run')));
  });

  it('the sudo password and the LUKS passphrase never reach the transcript or the state', async () => {
    const { store, behaviour, make, dir } = setup();
    behaviour.set('mount', { fail: true });
    const r = make();
    await assert.rejects(r.run());
    const transcript = fs.readFileSync(r.transcriptPath, 'utf8');
    // the commands and their output are there...
    assert.match(transcript, /target: cryptsetup open --key-file=-/);
    assert.match(transcript, /target: echo partition/);
    assert.match(transcript, /ran cryptsetup with «redacted» and «redacted»/);
    // ...the secrets are not, not even split over two output chunks
    for (const file of fs.readdirSync(path.join(dir, 'installs'))) {
      const text = fs.readFileSync(path.join(dir, 'installs', file), 'utf8');
      assert.ok(!text.includes(SUDO), `${file} holds the sudo password`);
      assert.ok(!text.includes(LUKS), `${file} holds the LUKS passphrase`);
      assert.ok(!text.includes('correct horse'), file);
    }
    assert.ok(fs.existsSync(store.statePath(r.state.id)));
    assert.equal((fs.statSync(r.transcriptPath).mode & 0o777).toString(8), '600');
  });
  it("a step's adopted session (the kexec'd system's) serves it and every later step; the old one is closed", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-runner-'));
    const log: string[] = [];
    let n = 0;
    const session = (name: string) =>
      ({
        name,
        redact: (t: string) => t,
        ensureRoot: async () => 'root',
        close: () => log.push(`close ${name}`),
      }) as unknown as Session;
    const seen = (id: StepId, ctx: StepContext) =>
      log.push(`${id} on ${(ctx.session as unknown as { name: string }).name}`);
    const steps: Step[] = (['preflight', 'partition', 'mount'] as StepId[]).map((id) => ({
      id,
      title: id,
      describe: () => ({ id, title: id, commands: [] }),
      async run(ctx) {
        seen(id, ctx);
        if (id === 'preflight') {
          ctx.adoptSession!(await ctx.reconnect!());
          seen(id, ctx);
        }
        return {};
      },
      async verify(ctx) {
        seen(id, ctx);
      },
    }));
    const runner = new InstallRunner(newInstallState(OPTIONS, ['preflight', 'partition', 'mount']), {
      steps,
      store: new StateStore(path.join(dir, 'installs')),
      connect: async () => session(`s${++n}`),
    });
    assert.equal((await runner.run()).status, 'done');
    assert.deepEqual(log, [
      'preflight on s1',
      'close s1',
      'preflight on s2',
      'preflight on s2',
      'partition on s2',
      'partition on s2',
      'mount on s2',
      'mount on s2',
      'close s2',
    ]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
