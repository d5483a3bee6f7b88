// Closure copy speed over the namespace target: the copy step (tar route through the SSH session, and the
// `nix copy` route) against a plain `tar -cf - | ssh host tar -xf -` of the same paths over the same link, and a
// second install of the unchanged closure (goal: nothing copied). The closure is the test system with ~192 MiB of
// incompressible payload over 6 store paths, built with Debian's nix-bin into a temporary store. Root needed.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NodeLocalRunner } from '../../engine/install/local-runner';
import type { InstallOptions, InstallState, StepOutputs } from '../../protocol/install-state';
import type { StepContext } from '../../engine/install/plan';
import { newInstallState } from '../../engine/install/state-store';
import { buildStep, type BuildOutputs } from '../../engine/install/steps/build';
import { copyStep, type CopyOutputs } from '../../engine/install/steps/copy';
import { shJoin } from '../../engine/ssh/quote';
import { Session } from '../../engine/ssh/session';
import { FakePrompter, resolved, startNetnsTarget, trustingStore } from '../integration/netns-target';
import { closureOptions, testNix } from '../targets/closure/test-closure';

const RUNS = 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mibps = (bytes: number, ms: number) => bytes / 1024 / 1024 / (ms / 1000);

export async function benchCopy(): Promise<{ name: string; value: string }[]> {
  const { target: t, stop } = startNetnsTarget();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-copy-bench-'));
  let session: Session | undefined;
  try {
    const nix = testNix(dir);
    const hostKeyStore = trustingStore(t, dir);
    session = await Session.connect({
      target: resolved(t, 'root'),
      prompter: new FakePrompter(),
      hostKeyStore,
      userKnownHostsFiles: [],
      agent: false,
      useDefaultIdentities: false,
    });
    const base: InstallOptions = {
      flake: '/nonexistent',
      configuration: 'bench',
      target: `root@${t.host}`,
      buildOn: 'local',
      root: path.join(dir, 'unused'),
      reboot: false,
      ...closureOptions(nix, { mib: 192, paths: 6 }),
    };
    const ctxFor = (options: InstallOptions, state: InstallState): StepContext => ({
      options,
      state,
      session: session!,
      local: new NodeLocalRunner(),
      outputs: (id) => state.steps.find((s) => s.id === id)?.outputs,
      emit: () => undefined,
      signal: new AbortController().signal,
    });
    const buildState = newInstallState(base, ['build', 'copy']);
    const built = (await buildStep.run(ctxFor(base, buildState))) as BuildOutputs;
    const paths = built.closure.paths.map((p) => p.path);
    const withBuild = (options: InstallOptions): InstallState => {
      const s = newInstallState(options, ['build', 'copy']);
      s.steps[0] = { id: 'build', status: 'done', outputs: built as StepOutputs };
      return s;
    };
    let n = 0;
    const freshRoot = () => {
      const r = path.join(dir, `root-${n++}`);
      fs.mkdirSync(r, { recursive: true });
      return r;
    };
    const time = async (f: () => Promise<unknown> | unknown) => {
      const t0 = performance.now();
      await f();
      return performance.now() - t0;
    };

    // Plain tar | ssh (OpenSSH), the same paths over the same link.
    const knownHosts = path.join(dir, 'known_hosts');
    const pub = fs.readFileSync(
      path.join(t.stateDir, 'hostkeys', 'primary', 'ssh_host_ed25519_key.pub'),
      'utf8',
    );
    fs.writeFileSync(knownHosts, `${t.host} ${pub.split(' ').slice(0, 2).join(' ')}\n`);
    const plain: number[] = [];
    const ours: number[] = [];
    const viaNix: number[] = [];
    let bytes = 0;
    for (let i = 0; i < RUNS; i++) {
      const r1 = freshRoot();
      const tarCmd = shJoin(['tar', '-C', nix.storeRoot, '-cf', '-', ...paths.map((p) => p.slice(1))]);
      const sshCmd = shJoin([
        'ssh',
        '-i',
        t.identity,
        '-o',
        `UserKnownHostsFile=${knownHosts}`,
        '-o',
        'StrictHostKeyChecking=yes',
        '-o',
        'BatchMode=yes',
        `root@${t.host}`,
        shJoin(['tar', '-C', r1, '-xf', '-']),
      ]);
      plain.push(
        await time(() =>
          execFileSync('bash', ['-c', `set -o pipefail; ${tarCmd} | ${sshCmd}`], { stdio: 'ignore' }),
        ),
      );

      const r2 = freshRoot();
      const o2 = { ...base, root: r2, copyRoute: 'tar' as const };
      let out: CopyOutputs | undefined;
      ours.push(
        await time(async () => (out = (await copyStep.run(ctxFor(o2, withBuild(o2)))) as CopyOutputs)),
      );
      bytes = out!.bytes;

      const r3 = freshRoot();
      const o3 = { ...base, root: r3, copyRoute: 'nix-copy' as const };
      viaNix.push(await time(() => copyStep.run(ctxFor(o3, withBuild(o3)))));
      for (const r of [r1, r3]) fs.rmSync(r, { recursive: true, force: true });
      if (i < RUNS - 1) fs.rmSync(r2, { recursive: true, force: true });
    }
    // Second install of the unchanged closure into the last root.
    const again = { ...base, root: path.join(dir, `root-${n - 2}`), copyRoute: 'tar' as const };
    let second: CopyOutputs | undefined;
    const secondMs = await time(
      async () => (second = (await copyStep.run(ctxFor(again, withBuild(again)))) as CopyOutputs),
    );

    const p = median(plain);
    const o = median(ours);
    const x = median(viaNix);
    const total = built.closure.totalBytes;
    return [
      {
        name: `closure copy, tar route (${paths.length} paths, ${(total / 1048576).toFixed(0)} MiB)`,
        value: `${mibps(bytes, o).toFixed(0)} MiB/s (${o.toFixed(0)} ms)`,
      },
      {
        name: 'closure copy, plain tar | ssh',
        value: `${mibps(bytes, p).toFixed(0)} MiB/s (${p.toFixed(0)} ms)`,
      },
      { name: 'closure copy, tar route / tar | ssh', value: (p / o).toFixed(2) },
      { name: 'closure copy, nix copy route / tar | ssh', value: (p / x).toFixed(2) },
      {
        name: 'second install of an unchanged closure',
        value: `${secondMs.toFixed(0)} ms, ${second!.copied} paths copied`,
      },
    ];
  } finally {
    session?.close();
    stop();
    execFileSync('rm', ['-rf', dir]);
  }
}

if (require.main === module) {
  benchCopy().then(
    (rows) => {
      for (const r of rows) console.log(`${r.name}: ${r.value}`);
    },
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
