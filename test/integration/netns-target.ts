// Starts and stops the fast-tier target (test/targets/netns) for integration tests, and describes it in the shape
// every probe/auth test takes, so a VM target can be passed instead (another host, port, key, fingerprint).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileHostKeyStore } from '../../engine/ssh/known-hosts';
import { Session, type ConnectOptions, type HostKeyInfo, type Prompter } from '../../engine/ssh/session';
import type { ResolvedTarget } from '../../engine/ssh/target';
import { REPO_ROOT } from '../helpers';

export interface TestTarget {
  host: string;
  port: number;
  identity: string;
  identityWithPassphrase: string;
  passphrase: string;
  fingerprint: string;
  changedFingerprint: string;
  users: {
    root: string;
    password: string;
    keyboardInteractive: string;
    sudo: string;
    sudoPassword: string;
    noSudo: string;
  };
  password: string;
  sudoPassword: string;
  marker: string;
  hostilePartName: string;
  hostileLabel: string;
  disks: Record<'a' | 'aEsp' | 'aRoot' | 'aSwap' | 'b' | 'bData', string>;
  installRoot: string;
  stateDir: string;
  hostVeth: string;
}

const SCRIPTS = path.join(REPO_ROOT, 'test', 'targets', 'netns');

const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/**
 * Starts the target, first sweeping away the targets of test processes that died without stopping theirs
 * (sweep.sh). The returned stop() also runs when this process exits or is told to stop: the test runner ends a file
 * that overran its timeout with SIGTERM, which runs no `after` hook. A SIGKILL leaves the next start's sweep to it.
 */
export function startNetnsTarget(): { target: TestTarget; stop: () => void } {
  const swept = execFileSync('bash', [path.join(SCRIPTS, 'sweep.sh'), os.tmpdir()], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
  if (swept) process.stderr.write(swept);
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-target-'));
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', stop);
    for (const s of STOP_SIGNALS) process.off(s, onSignal);
    execFileSync('bash', [path.join(SCRIPTS, 'stop.sh'), state], { stdio: 'ignore', timeout: 60_000 });
    fs.rmSync(state, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    try {
      stop();
    } finally {
      process.exit(128 + (os.constants.signals[signal] ?? 15));
    }
  };
  // before start.sh: a signal while it runs still stops what it made so far
  process.on('exit', stop);
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  // Where start.sh begins its search for a free /30 and namespace name (files running at once get separate ones).
  const suffix = String(20 + (process.pid % 200));
  try {
    execFileSync('bash', [path.join(SCRIPTS, 'start.sh'), state, suffix], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 60_000,
    });
  } catch (e) {
    stop();
    throw e;
  }
  const target = JSON.parse(fs.readFileSync(path.join(state, 'target.json'), 'utf8')) as TestTarget;
  return { target, stop };
}

/**
 * A blank disk image of `mib` MiB on a loop device, for a test to install onto. The image lies in the target's
 * state folder, which makes the loop device the target's: its stop (even a later sweep's) detaches it.
 */
export function attachTestDisk(t: TestTarget, name: string, mib: number): { image: string; loop: string } {
  const disks = path.join(t.stateDir, 'disks');
  fs.mkdirSync(disks, { recursive: true });
  const image = path.join(disks, `${name}.img`);
  fs.writeFileSync(image, '');
  fs.truncateSync(image, mib * 1024 * 1024);
  const loop = execFileSync('losetup', ['--find', '--show', image], {
    encoding: 'utf8',
    timeout: 60_000,
  }).trim();
  return { image, loop };
}

/** A symlink a test makes (under /dev/disk), removed by the target's stop: recorded before it is made. */
export function makeTestLink(t: TestTarget, target: string, link: string): void {
  fs.appendFileSync(path.join(t.stateDir, 'links'), link + '\n');
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.symlinkSync(target, link);
}

/** Restarts the target's sshd with its primary or its "changed" host key (a reboot of a live system). */
export function restartSshd(t: TestTarget, set: 'primary' | 'changed'): void {
  execFileSync('bash', [path.join(SCRIPTS, 'sshd.sh'), t.stateDir, set], {
    stdio: 'ignore',
    timeout: 30_000,
  });
}

/** Kills the per-connection sshd processes (children of the listener), as a crash or reboot would. */
export function killSshSessions(t: TestTarget): number {
  const pid = fs.readFileSync(path.join(t.stateDir, 'sshd.pid'), 'utf8').trim();
  let killed = 0;
  for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
    const children = fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
    for (const c of children.split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(c), 'SIGKILL');
        killed++;
      } catch {
        /* already gone */
      }
    }
  }
  return killed;
}

export function resolved(
  t: TestTarget,
  user: string,
  identityFiles: string[] = [t.identity],
): ResolvedTarget {
  return { label: `${user}@${t.host}`, user, host: t.host, port: t.port, identityFiles, proxyJump: [] };
}

/** A scripted Prompter that records what it was asked. */
export class FakePrompter implements Prompter {
  asked: string[] = [];
  constructor(
    private readonly answers: {
      password?: string;
      passphrase?: string;
      keyboard?: string[];
      trust?: boolean;
    } = {},
  ) {}
  async password(prompt: string) {
    this.asked.push(`password:${prompt}`);
    return this.answers.password;
  }
  async passphrase(keyPath: string) {
    this.asked.push(`passphrase:${keyPath}`);
    return this.answers.passphrase;
  }
  async keyboardInteractive(
    _name: string,
    _instructions: string,
    prompts: { prompt: string; echo: boolean }[],
  ) {
    this.asked.push(`keyboard:${prompts.map((p) => p.prompt).join('|')}`);
    return this.answers.keyboard;
  }
  async confirmHostKey(info: HostKeyInfo) {
    this.asked.push(`hostkey:${info.fingerprint}`);
    return this.answers.trust ?? false;
  }
}

/** A fresh nixkit known-hosts store that already trusts the target (tests not about host keys use it). */
export function trustingStore(t: TestTarget, dir: string): FileHostKeyStore {
  const store = new FileHostKeyStore(path.join(dir, `known_hosts-${Math.random().toString(36).slice(2)}`));
  const pub = fs
    .readFileSync(path.join(t.stateDir, 'hostkeys', 'primary', 'ssh_host_ed25519_key.pub'), 'utf8')
    .split(' ');
  store.add(t.host, t.port, Buffer.from(pub[1], 'base64'));
  return store;
}

/**
 * How tests reach the target: as `user` with the test key only (no agent, no ~/.ssh, no default identities), the
 * target's primary host key trusted from a known_hosts file in `dir`, nothing prompted; `extra` overrides.
 */
export function testConnectOptions(
  t: TestTarget,
  dir: string,
  user = 'root',
  extra: Partial<ConnectOptions> = {},
): ConnectOptions {
  return {
    target: resolved(t, user, extra.target?.identityFiles ?? [t.identity]),
    prompter: new FakePrompter(),
    hostKeyStore: trustingStore(t, dir),
    userKnownHostsFiles: [],
    agent: false,
    useDefaultIdentities: false,
    readyTimeoutMs: 10_000,
    ...extra,
  };
}

export function connectTarget(
  t: TestTarget,
  dir: string,
  user = 'root',
  extra: Partial<ConnectOptions> = {},
): Promise<Session> {
  return Session.connect(testConnectOptions(t, dir, user, extra));
}
