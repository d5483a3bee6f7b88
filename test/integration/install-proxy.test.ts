// An install behind a proxy, for real: the target namespace builds the test closure on the target (`buildOn:
// 'target'`), and its Nix may not build anything itself (max-jobs = 0): every output must come from a binary cache
// served over HTTP on this machine's 127.0.0.1, which the target cannot route to (its 127.0.0.1 is its own). The
// only way there is tinyproxy (Debian's), listening on the host's end of the target's veth and asking a password.
// Without the proxy the build fails (the cache is out of reach); with `proxy` set it succeeds, tinyproxy's log
// shows the target's requests for the cache's files, the cache served them, and neither the saved state nor the
// transcript holds the password (only `user:***`). The proxy's environment file on the target is gone afterwards.
//
// The target machine is set up as in install-build-remote.test.ts (its own /nix and /root, the ISO's build
// users). Everything is torn down in `after`, on exit and on a signal: the target, tinyproxy, the HTTP server.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { NodeLocalRunner } from '../../engine/install/local-runner';
import { installProxy, parseProxyUrl } from '../../engine/install/proxy';
import { StateStore, newInstallState } from '../../engine/install/state-store';
import { buildStep, type BuildOutputs } from '../../engine/install/steps/build';
import type { InstallOptions, InstallState, PlannedCommand } from '../../protocol/install-state';
import { closureOptions, inTarget, testNix } from '../targets/closure/test-closure';
import { runInstall } from './install-run';
import { connectTarget, startNetnsTarget, type TestTarget } from './netns-target';

const T = { timeout: 180_000 };
const PASSWORD = 'Pr0xy-s3cret-7d1f';
const USER = 'nixkit';

let t: TestTarget;
let stop: (() => void) | undefined;
let dir: string;
let machine: string;
let proxy: ChildProcess | undefined;
let proxyLog = '';
let proxyPort: number;
let hostIp: string;
let server: http.Server | undefined;
let cachePort: number;
const served: string[] = [];
let reference: BuildOutputs;

function teardown(): void {
  if (proxy && proxy.exitCode === null) proxy.kill('SIGTERM');
  proxy = undefined;
  server?.close();
  server = undefined;
}
process.on('exit', teardown);

/** The ISO's build users in the target's own passwd and group (see install-build-remote.test.ts). */
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

/** A static file server for the binary cache, on this machine's loopback only; it records what it served. */
function serveCache(root: string): Promise<number> {
  server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = path.join(root, path.normalize(rel));
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    served.push(rel);
    res.writeHead(200);
    if (req.method === 'HEAD') res.end();
    else fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) =>
    server!.listen(0, '127.0.0.1', () => resolve((server!.address() as AddressInfo).port)),
  );
}

/** tinyproxy in the foreground on the host's end of the veth, only for the target, with a password. */
async function startProxy(): Promise<void> {
  proxyPort = 20000 + (process.pid % 20000);
  const conf = path.join(dir, 'tinyproxy.conf');
  fs.writeFileSync(
    conf,
    [
      `Port ${proxyPort}`,
      `Listen ${hostIp}`,
      'Timeout 60',
      'LogLevel Info',
      'MaxClients 20',
      `Allow ${t.host}`,
      `BasicAuth ${USER} ${PASSWORD}`,
      '',
    ].join('\n'),
  );
  proxy = spawn('tinyproxy', ['-d', '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  const take = (c: Buffer) => (proxyLog += c.toString());
  proxy.stdout!.on('data', take);
  proxy.stderr!.on('data', take);
  for (let i = 0; i < 100 && !/Accepting connections/.test(proxyLog); i++) {
    if (proxy.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.match(proxyLog, /Accepting connections/, `tinyproxy did not start:\n${proxyLog}`);
}

before(
  async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-proxy-'));
    ({ target: t, stop } = startNetnsTarget());
    hostIp = t.host.replace(/\.\d+$/, '.1');

    // The reference build, locally, and a binary cache of its closure.
    const nix = testNix(path.join(dir, 'reference'));
    const store = new StateStore(path.join(dir, 'ref-state'));
    const state = newInstallState(options(path.join(dir, 'unused'), nix), ['build']);
    const err = await runInstall(state, {
      steps: [buildStep],
      store,
      connect: () => connectTarget(t, dir),
      local: new NodeLocalRunner(),
    });
    assert.equal(err, undefined, err?.message);
    reference = state.steps[0].outputs as BuildOutputs;
    const cache = path.join(dir, 'cache');
    execFileSync('nix', ['copy', '--from', nix.store, '--to', `file://${cache}`, reference.toplevel], {
      env: { ...process.env, ...nix.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    cachePort = await serveCache(cache);

    // The target machine: its Nix may only substitute, from that cache.
    machine = path.join(dir, 'target-machine');
    for (const d of ['nix', 'root/.config/nix']) fs.mkdirSync(path.join(machine, d), { recursive: true });
    fs.writeFileSync(
      path.join(machine, 'root/.config/nix/nix.conf'),
      [
        'build-users-group = nixbld',
        'sandbox = true',
        `substituters = http://127.0.0.1:${cachePort}`,
        'require-sigs = false',
        'max-jobs = 0',
        'connect-timeout = 5',
        '',
      ].join('\n'),
    );
    addBuildUsers(t.stateDir);
    inTarget(t.stateDir, [
      'sh',
      '-c',
      'set -e; mount --bind "$1/nix" /nix; mount --bind "$1/root" /root',
      'machine',
      machine,
    ]);
    await startProxy();
  },
  { timeout: 180_000 },
);
after(
  () => {
    teardown();
    stop?.();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  },
  { timeout: 60_000 },
);

function options(
  root: string,
  nix: ReturnType<typeof testNix>,
  extra: Partial<InstallOptions> = {},
): InstallOptions {
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

async function buildOnTarget(
  name: string,
  proxyUrl: string | undefined,
): Promise<{
  state: InstallState;
  store: StateStore;
  error?: Error;
  commands: PlannedCommand[];
  output: string;
}> {
  // Nix remembers a cache it could not reach: each run starts from a fresh ~/.cache on the target.
  fs.rmSync(path.join(machine, 'root', '.cache'), { recursive: true, force: true });
  const nix = testNix(path.join(dir, name));
  const root = path.join(dir, `${name}-root`);
  fs.mkdirSync(root);
  const parsed = proxyUrl ? parseProxyUrl(proxyUrl) : undefined;
  const state = newInstallState(
    options(root, nix, {
      buildOn: 'target',
      ...(parsed ? { proxy: installProxy(parsed, ['localhost', '.example.invalid'], false) } : {}),
    }),
    ['build'],
  );
  const store = new StateStore(path.join(dir, `${name}-state`));
  const commands: PlannedCommand[] = [];
  let output = '';
  const error = await runInstall(state, {
    steps: [buildStep],
    store,
    connect: () => connectTarget(t, dir),
    local: new NodeLocalRunner(),
    proxyUrl,
    onEvent: (_s, e) => {
      if (e.kind === 'command') commands.push(e.command);
      if (e.kind === 'output' || e.kind === 'note') output += e.text;
    },
  });
  return { state, store, error, commands, output };
}

describe('install behind a proxy', () => {
  it('without the proxy the target cannot reach the cache, so the build fails', T, async () => {
    const run = await buildOnTarget('direct', undefined);
    assert.ok(run.error, 'the build fails');
    assert.match(run.error.message, /unable to start any build|max-jobs/, run.error.message);
    assert.equal(served.length, 0, `nothing was served: ${served.join(', ')}`);
    assert.ok(!proxyLog.includes('Request'), 'nothing went through the proxy');
  });

  it(
    'with the proxy every output comes from the cache through it; no password in state or transcript',
    T,
    async () => {
      const url = `http://${USER}:${PASSWORD}@${hostIp}:${proxyPort}`;
      const run = await buildOnTarget('proxied', url);
      assert.equal(
        run.error,
        undefined,
        `${run.error?.message}\n${run.output}\n--- tinyproxy ---\n${proxyLog}`,
      );
      const built = run.state.steps[0].outputs as BuildOutputs;
      assert.equal(built.toplevel, reference.toplevel);
      assert.equal(built.builtOn, 'target');
      // The whole closure is valid in the root's store on the target.
      const invalid = inTarget(t.stateDir, [
        'nix-store',
        '--store',
        path.join(dir, 'proxied-root'),
        '--check-validity',
        '--print-invalid',
        ...built.closure.paths.map((p) => p.path),
      ]);
      assert.equal(invalid.trim(), '');
      // The target's requests went through tinyproxy, from the target's address, to the cache on 127.0.0.1.
      const requests = proxyLog
        .split('\n')
        .filter((l) => l.includes(`Request`) && l.includes(`http://127.0.0.1:${cachePort}/`));
      assert.ok(
        requests.some((l) => /\.narinfo HTTP/.test(l)),
        `tinyproxy relayed the narinfo lookups:\n${proxyLog}`,
      );
      assert.ok(
        requests.some((l) => /\/nar\/[^ ]+ HTTP/.test(l)),
        `tinyproxy relayed the NAR downloads:\n${proxyLog}`,
      );
      assert.match(
        proxyLog,
        new RegExp(`Connect \\(file descriptor \\d+\\): ${t.host.replace(/\./g, '\\.')}`),
      );
      const toplevelHash = path.basename(reference.toplevel).slice(0, 32);
      assert.ok(
        served.includes(`/${toplevelHash}.narinfo`),
        `the cache served the toplevel: ${served.join(' ')}`,
      );
      assert.ok(served.some((s) => s.startsWith('/nar/')));

      // The password is nowhere nixkit wrote: not in the state, not in the transcript; the URL shows as user:***.
      const stateText = fs.readFileSync(run.store.statePath(run.state.id), 'utf8');
      const transcript = fs.readFileSync(run.store.transcriptPath(run.state.id), 'utf8');
      for (const [name, text] of [
        ['state', stateText],
        ['transcript', transcript],
        ['events', run.output + JSON.stringify(run.commands)],
      ])
        assert.ok(!text.includes(PASSWORD), `${name} holds the proxy password`);
      assert.ok(stateText.includes(`http://${USER}:***@${hostIp}:${proxyPort}`), stateText);
      assert.ok(transcript.includes(`http://${USER}:***@${hostIp}:${proxyPort}`), transcript);
      // The commands shown are the plain ones (the environment comes from the file, not the command line).
      assert.ok(run.commands.every((c) => !/http_proxy|:\*\*\*@/.test(c.argv.join(' '))));
      // The environment file on the target is gone at the end.
      const left = inTarget(t.stateDir, [
        'sh',
        '-c',
        'ls /run/nixkit-env.* /tmp/nixkit-env.* 2>/dev/null || true',
      ]);
      assert.equal(left.trim(), '');
    },
  );

  it('a wrong proxy password fails the build with the proxy shown redacted', T, async () => {
    const wrong = 'Wr0ng-pw-b2c4';
    const logBefore = proxyLog.length;
    const servedBefore = served.length;
    const run = await buildOnTarget('wrong', `http://${USER}:${wrong}@${hostIp}:${proxyPort}`);
    assert.ok(run.error, 'the build fails');
    assert.match(run.error.message, /max-jobs/, run.error.message);
    assert.match(
      proxyLog.slice(logBefore),
      /Request .*narinfo|Request .*nix-cache-info/,
      'the target asked tinyproxy',
    );
    assert.equal(served.length, servedBefore, 'tinyproxy passed nothing on without the right password');
    const transcript = fs.readFileSync(run.store.transcriptPath(run.state.id), 'utf8');
    assert.ok(!transcript.includes(wrong) && !run.error.message.includes(wrong));
    assert.ok(!fs.readFileSync(run.store.statePath(run.state.id), 'utf8').includes(wrong));
  });
});

describe('the proxy environment on the target', () => {
  // Every process's command line on the target, as any user could read it with ps.
  const PS = ['sh', '-c', 'for p in /proc/[0-9]*; do tr "\\0" " " < "$p/cmdline" 2>/dev/null; echo; done'];
  const LIST = ['sh', '-c', 'ls -l /run/nixkit-env.* /tmp/nixkit-env.* 2>/dev/null || true'];
  const url = `http://${USER}:${PASSWORD}@10.0.0.1:3128`;
  /** The env files on the target (other runs may have their own): name → `ls -l` line. */
  const files = (text: string) =>
    new Map(
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => [l.split(' ').pop()!, l] as const),
    );

  for (const who of ['root', 'sudo with a password', 'sudo without one'] as const)
    it(`reaches every root command, never a command line, and is removed (${who})`, T, async () => {
      const user =
        who === 'root' ? 'root' : who === 'sudo with a password' ? t.users.sudoPassword : t.users.sudo;
      const session = await connectTarget(
        t,
        dir,
        user,
        who === 'sudo with a password' ? { sudoPassword: t.sudoPassword } : {},
      );
      try {
        const before = files((await session.execAsRoot(LIST)).stdout.toString());
        session.setRemoteEnv({ http_proxy: url, no_proxy: 'localhost' });
        const r = await session.execAsRoot([
          'sh',
          '-c',
          'printf "%s|%s|%s\\n" "$http_proxy" "$no_proxy" "$(id -u)"',
        ]);
        assert.equal(r.code, 0, r.stderr.toString());
        assert.equal(r.stdout.toString().trim(), `${url}|localhost|0`);
        const made = [...files((await session.execAsRoot(LIST)).stdout.toString())].filter(
          ([name]) => !before.has(name),
        );
        assert.equal(made.length, 1, `one env file: ${JSON.stringify(made)}`);
        assert.match(made[0][1], /^-rw------- 1 root /, 'the file is root-only');
        // While a root command runs, no command line on the target holds the password.
        const ps = (await session.execAsRoot(PS)).stdout.toString();
        assert.ok(ps.includes('/proc/'), 'the listing ran');
        assert.ok(!ps.includes(PASSWORD), 'a command line holds the proxy password');
        await session.dropRemoteEnv();
        const after = await session.execAsRoot(['sh', '-c', 'echo "[$http_proxy]"']);
        assert.equal(after.stdout.toString().trim(), '[]', 'the environment is gone');
        assert.ok(
          !files((await session.execAsRoot(LIST)).stdout.toString()).has(made[0][0]),
          'the env file is removed',
        );
      } finally {
        session.close();
      }
    });
});
