// Partition, format and mount of a small blank disk over the namespace target (the install's partition and mount
// steps, for real, on a 400 MiB loop device), and the round trip of one remote command, which those steps pay some
// thirty times: a target whose shell startup is slow (a developer's ~/.bashrc once ran pyenv init on every
// command) shows here first. Starts and stops its own target (root needed).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { InstallOptions } from '../../protocol/install-state';
import { InstallRunner } from '../../engine/install/runner';
import { newInstallState, StateStore } from '../../engine/install/state-store';
import { installSteps } from '../../engine/install/steps';
import { attachTestDisk, connectTarget, startNetnsTarget } from '../integration/netns-target';
import { writeFlake } from '../unit/install/fixtures';

const RUNS = 3;
const EXECS = 20;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function benchDisk(): Promise<{ name: string; value: string }[]> {
  const { target: t, stop } = startNetnsTarget();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-bench-'));
  try {
    const s = await connectTarget(t, dir);
    const exec: number[] = [];
    try {
      for (let i = 0; i < EXECS; i++) {
        const t0 = performance.now();
        await s.exec(['true'], { timeoutMs: 30_000 });
        exec.push(performance.now() - t0);
      }
    } finally {
      s.close();
    }
    const disk: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const { loop } = attachTestDisk(t, `bench-${i}`, 400);
      const options: InstallOptions = {
        flake: writeFlake(fs.mkdtempSync(path.join(dir, 'flake-'))),
        configuration: 'demo',
        target: `root@${t.host}`,
        buildOn: 'local',
        // in the target's state folder: its stop unmounts it
        root: path.join(t.stateDir, `bench-root-${i}`),
        reboot: false,
        disk: loop,
        confirmedDisk: loop,
        layout: { espSizeMiB: 64, rootFs: 'ext4', swapSizeMiB: 32 },
      };
      const ids = ['preflight', 'partition', 'mount'];
      const steps = installSteps({ fuseVfatFallback: true }).filter((x) => ids.includes(x.id));
      let started = 0;
      const runner = new InstallRunner(
        newInstallState(
          options,
          steps.map((x) => x.id),
        ),
        {
          steps,
          store: new StateStore(path.join(options.flake, '.nixkit', 'installs')),
          connect: (signal) => connectTarget(t, dir, 'root', { signal }),
          onStepState: (st) => {
            if (st.id === 'partition' && st.status === 'running') started = performance.now();
          },
        },
      );
      await runner.run();
      disk.push(performance.now() - started);
    }
    return [
      {
        name: `partition + format + mount of a 400 MiB loop disk, namespace target (median of ${RUNS})`,
        value: `${(median(disk) / 1000).toFixed(1)} s`,
      },
      {
        name: `  one remote command's round trip (\`true\`, median of ${EXECS})`,
        value: `${Math.round(median(exec))} ms`,
      },
    ];
  } finally {
    stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchDisk().then(
    (rows) => {
      for (const r of rows) console.log(`${r.name.padEnd(80)} ${r.value}`);
    },
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
