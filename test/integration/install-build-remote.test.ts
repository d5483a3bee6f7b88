// The build step's two remote routes, run for real against the namespace target with the test closure
// (test/targets/closure/system.nix) evaluated by Debian's nix-bin on this machine:
// - on the target (`buildOn: 'target'`): the derivations exported here, imported into the root's store on the
//   target and built there; its closure listed and sized there; the copy step skipped; a failure later in the
//   install resumed without building again; a closure longer than one remote command line can carry;
// - on a build host (`buildOn: {host}`; the namespace target serves as one): the derivations copied over ssh-ng,
//   built by the host's own Nix, the result fetched into the local store; a host key that does not match stops it.
// Each route must give the toplevel a local build of the same derivation gives.
//
// The target is a machine of its own here: inside its mount namespace it gets its own /nix (the build host's
// store), its own /root (Nix writes ~/.nix-profile and ~/.cache there; root's nix.conf lives there too) and the
// configuration of a NixOS live ISO (build users, sandbox) — except `substituters =`: the ISO's cache.nixos.org is
// out of reach from the namespace, and nothing here may try it. nixkit itself passes Nix no options on the target: a rescue system's Nix is
// configured for that machine (the ISO has its nixbld group; a substituter saves building there at all), and
// overriding build-users-group or the sandbox would build as root, unconfined, on the user's machine.
// Nothing outside the test folder and the namespace is written. Needs root (namespaces, mounts).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EngineError } from '../../engine/errors';
import { NodeLocalRunner } from '../../engine/install/local-runner';
import type { InstallOptions, InstallState, PlannedCommand, StepId } from '../../protocol/install-state';
import type { Step } from '../../engine/install/plan';
import type { InstallFailedError } from '../../engine/install/runner';
import { StateStore, newInstallState } from '../../engine/install/state-store';
import { buildStep, type BuildOutputs } from '../../engine/install/steps/build';
import { copyStep } from '../../engine/install/steps/copy';
import { installStep, type InstallOutputs } from '../../engine/install/steps/install';
import { verifyStep } from '../../engine/install/steps/verify';
import { Session } from '../../engine/ssh/session';
import { closureOptions, inTarget, testNix, type TestNix } from '../targets/closure/test-closure';
import { runInstall, stepContext } from './install-run';
import { connectTarget, startNetnsTarget, type TestTarget } from './netns-target';

const T = { timeout: 120_000 };

let t: TestTarget;
let stop: (() => void) | undefined;
let dir: string;
let store: StateStore;
/** What a local build of the same closure gives: the toplevel and closure every route must match. */
let reference: BuildOutputs;
/** An ssh configuration for the build host: the target's key, its host key pinned, nothing else read. */
let sshConfig: string;
let changedSshConfig: string;

/**
 * The live ISO's build users (group nixbld, nixbld1..4) in the target's passwd and group: copies that only the
 * target's mount namespace sees (test/targets/netns/start.sh), so this machine's own accounts stay as they are.
 */
function addBuildUsers(stateDir: string): void {
  const group = path.join(stateDir, 'etc', 'group');
  if (/^nixbld:/m.test(fs.readFileSync(group, 'utf8'))) return;
  const users = [1, 2, 3, 4].map((i) => `nixbld${i}`);
  fs.appendFileSync(group, `nixbld:x:64300:${users.join(',')}\n`);
  fs.appendFileSync(
    path.join(stateDir, 'etc', 'passwd'),
    users.map((u, i) => `${u}:x:${64301 + i}:64300:Nix build user:/var/empty:/bin/false\n`).join(''),
  );
}

before(
  async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-build-remote-'));
    ({ target: t, stop } = startNetnsTarget());
    store = new StateStore(path.join(dir, 'state'));

    const machine = path.join(dir, 'target-machine');
    for (const d of ['nix', 'root/.config/nix']) fs.mkdirSync(path.join(machine, d), { recursive: true });
    // root's own nix.conf (this machine may have no /etc/nix to bind over, and its /etc is not the target's to
    // write): Nix reads ~/.config/nix/nix.conf after the system's, so these settings win either way.
    fs.writeFileSync(
      path.join(machine, 'root/.config/nix/nix.conf'),
      'build-users-group = nixbld\nsandbox = true\nsubstituters =\n',
    );
    addBuildUsers(t.stateDir);
    inTarget(t.stateDir, [
      'sh',
      '-c',
      'set -e; mount --bind "$1/nix" /nix; mount --bind "$1/root" /root',
      'machine',
      machine,
    ]);

    const ssh = path.join(dir, 'ssh');
    fs.mkdirSync(ssh);
    const hostKey = (set: string) =>
      fs
        .readFileSync(path.join(t.stateDir, 'hostkeys', set, 'ssh_host_ed25519_key.pub'), 'utf8')
        .split(' ')
        .slice(0, 2)
        .join(' ');
    const config = (name: string, set: string) => {
      fs.writeFileSync(path.join(ssh, `known_hosts-${name}`), `${t.host} ${hostKey(set)}\n`);
      const file = path.join(ssh, `config-${name}`);
      fs.writeFileSync(
        file,
        [
          `Host ${t.host}`,
          `  IdentityFile ${t.identity}`,
          '  IdentitiesOnly yes',
          `  UserKnownHostsFile ${path.join(ssh, `known_hosts-${name}`)}`,
          '  GlobalKnownHostsFile /dev/null',
          '  StrictHostKeyChecking yes',
          '  BatchMode yes',
          '',
        ].join('\n'),
      );
      return file;
    };
    sshConfig = config('primary', 'primary');
    changedSshConfig = config('changed', 'changed');

    const local = await runOnce(
      newInstallState(options(path.join(dir, 'unused-root'), testNix(path.join(dir, 'reference')), {}), [
        'build',
      ]),
      [buildStep],
    );
    assert.equal(local.error, undefined, local.error?.message);
    reference = outputsOf<BuildOutputs>(local.state, 'build');
    assert.equal(reference.builtOn, 'local');
  },
  { timeout: 120_000 },
);
after(
  () => {
    stop?.();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  },
  { timeout: 60_000 },
);

function connect(): Promise<Session> {
  return connectTarget(t, dir);
}

interface RunRecord {
  state: InstallState;
  commands: Partial<Record<StepId, PlannedCommand[]>>;
  notes: string[];
  error?: InstallFailedError;
}

async function runOnce(state: InstallState, steps: Step[]): Promise<RunRecord> {
  const rec: RunRecord = { state, commands: {}, notes: [] };
  rec.error = await runInstall(state, {
    steps,
    store,
    connect: () => connect(),
    local: new NodeLocalRunner(),
    onEvent: (step, e) => {
      if (e.kind === 'command') (rec.commands[step] ??= []).push(e.command);
      if (e.kind === 'note') rec.notes.push(`${step}: ${e.text}`);
    },
  });
  return rec;
}

function options(root: string, nix: TestNix, extra: Partial<InstallOptions>): InstallOptions {
  return {
    flake: '/nonexistent-flake',
    configuration: 'nixkit-test',
    target: `root@${t.host}`,
    buildOn: 'local',
    root,
    reboot: false,
    bootloader: { kind: 'systemd-boot' },
    ...closureOptions(nix),
    ...extra,
  };
}

const outputsOf = <O>(state: InstallState, id: StepId) => state.steps.find((s) => s.id === id)?.outputs as O;

/** Whether the paths are valid in a test store on this machine. */
function localValid(nix: TestNix, paths: string[]): boolean {
  try {
    execFileSync('nix-store', ['--store', nix.store, '--check-validity', ...paths], {
      env: { ...process.env, ...nix.env },
      stdio: 'ignore',
    });
    return true;
  } catch {
    return false;
  }
}

/** The closure as path → NAR size, to compare routes regardless of listing order. */
const sizesOf = (b: BuildOutputs) => new Map(b.closure.paths.map((p) => [p.path, p.narSize]));

function assertSameClosure(b: BuildOutputs): void {
  assert.equal(b.toplevel, reference.toplevel, 'same derivation, same output path as a local build');
  assert.deepEqual(sizesOf(b), sizesOf(reference), 'same paths with the same NAR sizes');
  assert.equal(b.closure.toplevel, b.toplevel);
  assert.equal(b.closure.totalBytes, reference.closure.totalBytes);
  assert.equal(
    b.closure.totalBytes,
    b.closure.paths.reduce((a, p) => a + p.narSize, 0),
  );
  assert.ok(b.closure.paths.every((p) => p.narSize > 0));
}

describe('build step: on the target, into the root store', () => {
  it('builds there what a local build gives; a failure later resumes without building again', T, async () => {
    const nix = testNix(path.join(dir, 'target-route'));
    const root = path.join(dir, 'target-root');
    // The install step fails while this exists (system.nix's switch-to-configuration): the later failure.
    fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
    fs.writeFileSync(path.join(root, 'etc', 'nixkit-fail-switch'), 'injected by the test');
    const steps = [buildStep, copyStep, installStep, verifyStep];
    const state = newInstallState(
      options(root, nix, { buildOn: 'target', installRoute: 'manual' }),
      steps.map((s) => s.id),
    );

    const first = await runOnce(state, steps);
    assert.ok(first.error, 'the first run fails at the install');
    assert.equal(first.error.stepId, 'install', first.error.message);
    assert.match(first.error.message, /Failed to install bootloader \(injected by the test\)/);
    const built = outputsOf<BuildOutputs>(state, 'build');
    assert.equal(state.steps.find((s) => s.id === 'build')?.status, 'done', 'built and verified');
    assert.equal(built.builtOn, 'target');
    assert.equal(built.storeSide, 'target');
    assertSameClosure(built);
    const buildCommands = first.commands.build ?? [];
    assert.deepEqual(
      buildCommands.map((c) => `${c.where}:${c.argv[0]}`),
      [
        'local:nix-instantiate',
        'local:nix-store',
        'local:nix-store',
        'target:nix-store',
        'target:nix-store',
        'target:nix-store',
        'target:xargs',
      ],
    );
    // Built there, not here: the local store has the derivation but never had the output.
    assert.equal(localValid(nix, [built.toplevel]), false, 'the toplevel was not built locally');
    // The whole closure is valid in the root's own Nix database on the target, and only there: the target's
    // own store (/nix in its namespace) got nothing.
    const paths = built.closure.paths.map((p) => p.path);
    const invalid = inTarget(t.stateDir, [
      'nix-store',
      '--store',
      root,
      '--check-validity',
      '--print-invalid',
      ...paths,
    ]);
    assert.equal(invalid.trim(), '');
    assert.equal(
      fs.existsSync(path.join(dir, 'target-machine', 'nix', 'store', path.basename(built.toplevel))),
      false,
    );
    // Nothing to copy: the copy step is skipped.
    assert.equal(state.steps.find((s) => s.id === 'copy')?.status, 'skipped');

    // Fix the install and resume: the build is verified (valid in the root's database), not run again.
    fs.rmSync(path.join(root, 'etc', 'nixkit-fail-switch'));
    const second = await runOnce(state, steps);
    assert.equal(second.error, undefined, second.error?.message);
    assert.equal(second.commands.build, undefined, 'the build was not redone');
    assert.ok(
      second.notes.includes('build: Build the system: finished earlier, still in place'),
      second.notes.join('\n'),
    );
    assert.equal(state.status, 'done');
    const installed = outputsOf<InstallOutputs>(state, 'install');
    assert.equal(installed.toplevel, reference.toplevel);
    assert.equal(installed.generation, 1);
    assert.equal(fs.readlinkSync(path.join(root, 'nix/var/nix/profiles/system-1-link')), reference.toplevel);

    // The build's verify asks the root's Nix database: a directory with the right name is not a built system.
    const session = await connect();
    try {
      const ctx = stepContext(state, session);
      await buildStep.verify(ctx, built);
      const fake = `/nix/store/${'a'.repeat(32)}-nixos-system-nixkit-test-24.05`;
      fs.mkdirSync(path.join(root, fake), { recursive: true });
      await assert.rejects(buildStep.verify(ctx, { ...built, toplevel: fake }), (e: EngineError) => {
        assert.equal(e.code, 'build-missing');
        assert.ok(e.message.includes(`${fake} is not (or no longer) a valid path`), e.message);
        return true;
      });
      await assert.rejects(
        buildStep.verify(ctx, { ...built, toplevel: fake + 'x' }),
        /build-missing|valid path/,
      );
    } finally {
      session.close();
    }
  });

  it('lists and sizes a closure longer than one remote command line carries', T, async () => {
    // 3,000 references of ~53 bytes each: 160 KB of paths, over Linux's 128 KiB for the one `sh -c` argument
    // sshd runs a command as.
    const n = 3000;
    const file = path.join(dir, 'many-references.nix');
    fs.writeFileSync(
      file,
      `{ busyboxDir, n }:
let
  bb = builtins.path { path = busyboxDir; name = "busybox-static-bootstrap"; };
  refs = builtins.genList (i: builtins.toFile "ref-\${toString i}" "reference \${toString i}\\n") (builtins.fromJSON n);
in
derivation {
  name = "many-references";
  system = "x86_64-linux";
  builder = "\${bb}/bin/sh";
  args = [ "-c" "\${bb}/bin/busybox cp \\"$refsPath\\" \\"$out\\"" ];
  passAsFile = [ "refs" ];
  refs = builtins.concatStringsSep "\\n" refs;
}
`,
    );
    const nix = testNix(path.join(dir, 'many'));
    const root = path.join(dir, 'many-root');
    fs.mkdirSync(root);
    const state = newInstallState(
      {
        ...options(root, nix, { buildOn: 'target' }),
        buildExpr: { file, arg: { busyboxDir: nix.busyboxDir }, argstr: { n: String(n) } },
      },
      ['build'],
    );
    const run = await runOnce(state, [buildStep]);
    assert.equal(run.error, undefined, run.error?.message);
    const built = outputsOf<BuildOutputs>(state, 'build');
    assert.match(built.toplevel, /-many-references$/);
    assert.equal(built.closure.paths.length, n + 1);
    assert.ok(
      built.closure.paths.map((p) => p.path).join(' ').length > 128 * 1024,
      'the paths are longer than one argument may be',
    );
    // The references are sources, so this machine's store has them too: the sizes measured on the target
    // match the local ones path for path.
    const refs = built.closure.paths.filter((p) => p.path !== built.toplevel);
    const localSizes = execFileSync('xargs', ['nix-store', '--store', nix.store, '-q', '--size'], {
      env: { ...process.env, ...nix.env },
      input: refs.map((p) => p.path).join('\n'),
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .map(Number);
    assert.deepEqual(
      refs.map((p) => p.narSize),
      localSizes,
    );
  });
});

describe('build step: on a build host', () => {
  it('copies the derivations there, builds with its Nix, fetches what a local build gives', T, async () => {
    const nix = testNix(path.join(dir, 'host-route'));
    const host = `root@${t.host}`;
    const state = newInstallState(
      options(path.join(dir, 'unused-root'), nix, {
        buildOn: { host },
        localNix: { store: nix.store, env: { ...nix.env, NIX_SSHOPTS: `-F ${sshConfig}` } },
      }),
      ['build'],
    );
    const run = await runOnce(state, [buildStep]);
    assert.equal(run.error, undefined, run.error?.message);
    assert.equal(state.steps[0].status, 'done', 'built and verified');
    const built = outputsOf<BuildOutputs>(state, 'build');
    assert.equal(built.builtOn, host);
    assert.equal(built.storeSide, 'local');
    assertSameClosure(built);
    // Every connection took the ssh configuration from NIX_SSHOPTS (Nix's ssh-ng ones and nixkit's own ssh).
    const ssh = (run.commands.build ?? []).find((c) => c.argv[0] === 'ssh');
    assert.deepEqual(ssh?.argv.slice(0, 5), ['ssh', '-F', sshConfig, '--', host]);
    // Built there: the build host's store (the target's own /nix) has the whole closure, valid in its database;
    // the local store has it too, fetched.
    const paths = built.closure.paths.map((p) => p.path);
    const invalid = inTarget(t.stateDir, ['nix-store', '--check-validity', '--print-invalid', ...paths]);
    assert.equal(invalid.trim(), '');
    assert.ok(localValid(nix, paths), 'the closure is in the local store');
    // This machine's real /nix/store got nothing (the namespace's /nix is the test's).
    assert.equal(fs.existsSync(path.join('/nix/store', path.basename(built.toplevel))), false);
  });

  it('refuses a build host name ssh would read as an option, before running anything', T, async () => {
    const nix = testNix(path.join(dir, 'host-option'));
    const state = newInstallState(
      options(path.join(dir, 'unused-root'), nix, {
        buildOn: { host: '-oProxyCommand=nc' },
        localNix: { store: nix.store, env: { ...nix.env, NIX_SSHOPTS: `-F ${sshConfig}` } },
      }),
      ['build'],
    );
    const run = await runOnce(state, [buildStep]);
    assert.ok(run.error, 'the build fails');
    assert.equal(run.error.causeCode, 'bad-build-host', run.error.message);
    assert.equal(run.commands.build, undefined, 'no command ran');
  });

  it('stops when the build host does not show the pinned host key', T, async () => {
    const nix = testNix(path.join(dir, 'host-changed'));
    const state = newInstallState(
      options(path.join(dir, 'unused-root'), nix, {
        buildOn: { host: `root@${t.host}` },
        localNix: { store: nix.store, env: { ...nix.env, NIX_SSHOPTS: `-F ${changedSshConfig}` } },
      }),
      ['build'],
    );
    const run = await runOnce(state, [buildStep]);
    assert.ok(run.error, 'the build fails');
    assert.equal(run.error.stepId, 'build');
    assert.match(run.error.message, /Host key verification failed/);
  });
});
