// What every VM-tier test shares: one VM per test in its own state folder (test/targets/vm/vm.sh), stopped on
// every path (after hooks, process exit, NIXKIT_VM_LIFETIME as the last resort); the live system's host key pinned
// up front; the VM closure (test/targets/vm-closure/build.sh, cached by content); `nixkit install` as a child
// process; and the phase timings each test writes to test-results/.
import { execFile, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TEST_SEAMS_ENV } from '../../engine/install/test-seams';
import { FileHostKeyStore } from '../../engine/ssh/known-hosts';
import { CLI, REPO_ROOT } from '../helpers';

export const VM_SH = path.join(REPO_ROOT, 'test', 'targets', 'vm', 'vm.sh');
export const VM_SYSTEM_NIX = path.join(REPO_ROOT, 'test', 'targets', 'vm-closure', 'system.nix');
export const RESULTS = path.join(REPO_ROOT, 'test-results');
export const VM_TARGET_DISK = '/dev/disk/by-id/virtio-nixkit-target';
export const MIN = 60_000;
const CLOSURE_BUILD = path.join(REPO_ROOT, 'test', 'targets', 'vm-closure', 'build.sh');

export const diag = (text: string): void => void process.stderr.write(`${text}\n`);

/** Phases with their durations, printed as they end and saved with the test's results. */
export class Phases {
  readonly list: { phase: string; seconds: number }[] = [];

  async run<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
    const t = Date.now();
    try {
      return await fn();
    } finally {
      this.add(name, Math.round((Date.now() - t) / 100) / 10);
    }
  }

  add(name: string, seconds: number): void {
    this.list.push({ phase: name, seconds });
    diag(`phase ${name}: ${seconds}s`);
  }

  summary(): string {
    return this.list.map((p) => `${p.phase} ${p.seconds}s`).join(' | ');
  }
}

/** The live VM as a test reaches it: 127.0.0.1:port, the root key, the pinned known_hosts file. */
export interface LiveVm {
  port: number;
  key: string;
  knownHosts: string;
  hostKeyPub: string;
  image: string;
}

/** One VM in its own state folder (tests running at the same time each have theirs). */
export class Vm {
  constructor(readonly stateDir: string) {
    process.on('exit', () => this.stopSync());
  }

  private env(): NodeJS.ProcessEnv {
    return { ...process.env, NIXKIT_VM_STATE: this.stateDir, NIXKIT_VM_LIFETIME: '1800' };
  }

  /** vm.sh SUBCOMMAND ... (async, so a long wait does not block the test runner's timers). */
  sh(args: string[], timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        'bash',
        [VM_SH, ...args],
        { env: this.env(), timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 },
        (err, stdout, stderr) => {
          if (stderr.trim()) diag(stderr.trim());
          if (err) reject(new Error(`vm.sh ${args.join(' ')} failed: ${err.message}\n${stderr}`));
          else resolve(stdout);
        },
      );
    });
  }

  /**
   * Boots the live system and waits for its sshd; pins its host key in `knownHosts`. `--keep-target` boots it with
   * the target disk as it is (the rescue system of an installed disk).
   */
  async startLive(phases: Phases, knownHosts: string, startArgs: string[] = []): Promise<LiveVm> {
    await phases.run('live VM: start (image cached by vm.sh)', () =>
      this.sh(['start', ...startArgs], 30 * MIN),
    );
    await phases.run('live VM: boot until sshd answers', () =>
      this.sh(['wait-ssh', process.env.NIXKIT_VM_SSH_DEADLINE ?? '300'], 7 * MIN),
    );
    const env = Object.fromEntries(
      (await this.sh(['env'], 30_000))
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    const image = fs.readFileSync(path.join(this.stateDir, 'image'), 'utf8').trim();
    const live: LiveVm = {
      port: Number(env.NIXKIT_VM_PORT),
      key: env.NIXKIT_VM_KEY,
      knownHosts,
      hostKeyPub: path.join(image, 'ssh_host_ed25519_key.pub'),
      image,
    };
    new FileHostKeyStore(knownHosts).add(
      '127.0.0.1',
      live.port,
      Buffer.from(fs.readFileSync(live.hostKeyPub, 'utf8').split(' ')[1], 'base64'),
    );
    return live;
  }

  /** Stops the VM synchronously (safe to call any number of times, also from an exit handler). */
  stopSync(): void {
    if (!this.stateDir || !fs.existsSync(this.stateDir)) return;
    try {
      execFileSync('bash', [VM_SH, 'stop'], { env: this.env(), stdio: 'ignore', timeout: 30_000 });
    } catch {
      /* the lifetime limit still ends it */
    }
  }

  running(): boolean {
    try {
      execFileSync('bash', [VM_SH, 'status'], { env: this.env(), stdio: 'ignore', timeout: 10_000 });
      return true;
    } catch {
      return false;
    }
  }

  /** Stops it and deletes its state folder; `keep` (e.g. the serial log) is copied to test-results/ first. */
  clean(keep: Record<string, string> = {}): void {
    this.stopSync();
    fs.mkdirSync(RESULTS, { recursive: true });
    for (const [name, as] of Object.entries(keep)) {
      const from = path.join(this.stateDir, name);
      if (fs.existsSync(from)) fs.copyFileSync(from, path.join(RESULTS, as));
    }
    if (fs.existsSync(this.stateDir)) {
      try {
        execFileSync('bash', [VM_SH, 'clean'], { env: this.env(), stdio: 'ignore', timeout: 30_000 });
      } catch {
        /* stopped above */
      }
    }
  }
}

export interface VmClosure {
  dir: string;
  store: string;
  env: Record<string, string>;
  toplevel: string;
  inputs: string;
}

/** Builds (or finds cached) the VM system closure: Debian's kernel, a busybox initrd, Debian's systemd-boot. */
export async function buildVmClosure(phases: Phases): Promise<VmClosure> {
  return phases.run('closure build (vm-closure/build.sh, cached by content)', async () => {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        'bash',
        [CLOSURE_BUILD],
        { timeout: 20 * MIN, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 },
        (err, stdout, stderr) => {
          if (stderr.trim()) diag(stderr.trim().split('\n').slice(-12).join('\n  '));
          if (err) reject(new Error(`build.sh failed: ${err.message}\n${stderr}`));
          else resolve(stdout.trim().split('\n').pop() ?? '');
        },
      ),
    );
    const args = JSON.parse(fs.readFileSync(path.join(out, 'build-args.json'), 'utf8')) as {
      arg: { inputs: string };
      store: string;
      env: Record<string, string>;
      toplevel: string;
    };
    return { dir: out, store: args.store, env: args.env, toplevel: args.toplevel, inputs: args.arg.inputs };
  });
}

/** The seams file that makes `nixkit install` (or the wizard) build the VM closure instead of the flake. */
export function writeVmSeams(file: string, closure: VmClosure): string {
  fs.writeFileSync(
    file,
    JSON.stringify({
      buildExpr: { file: VM_SYSTEM_NIX, arg: { inputs: closure.inputs } },
      localNix: { store: closure.store, env: closure.env },
      fuseVfatFallback: false,
    }),
  );
  return file;
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node dist/cli.js ARGS` as its own process. Past the time limit it gets SIGINT (the CLI cancels and saves
 * the install's state, as on Ctrl-C), then SIGKILL.
 */
export function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    let kill: NodeJS.Timeout | undefined;
    const stop = setTimeout(() => {
      diag(`nixkit ${args[0]} still running after ${timeoutMs / MIN} min: interrupting it`);
      child.kill('SIGINT');
      kill = setTimeout(() => child.kill('SIGKILL'), 60_000);
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(stop);
      clearTimeout(kill);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Seconds between two ISO times (a step's startedAt and finishedAt). */
export const secondsBetween = (from?: string, to?: string): number | undefined =>
  from && to ? Math.round((Date.parse(to) - Date.parse(from)) / 100) / 10 : undefined;

/**
 * `nixkit install` of `flake#nixkit-vm` onto the live VM, as these tests run it: a HOME of its own (no
 * ~/.ssh/config, no nixkit host keys of this machine's user) and no agent, so the key file and the pinned host key
 * are all the CLI has; the closure's build through the seams file. `more` are the install's own flags.
 */
export function vmInstall(
  o: { live: LiveVm; flake: string; stateDir: string; seams: string; home: string },
  more: string[],
): { args: string[]; env: NodeJS.ProcessEnv } {
  fs.mkdirSync(o.home, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: o.home, [TEST_SEAMS_ENV]: o.seams };
  delete env.SSH_AUTH_SOCK;
  const args = [
    'install',
    '--flake',
    `${o.flake}#nixkit-vm`,
    '--target',
    'root@127.0.0.1',
    '--port',
    String(o.live.port),
    '--identity',
    o.live.key,
    '--known-hosts',
    o.live.knownHosts,
    '--state-dir',
    o.stateDir,
    ...more,
  ];
  return { args, env };
}
