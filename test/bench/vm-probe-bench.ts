// Probe speed over the full-tier target, the UEFI qemu VM (test/targets/vm, TCG): connect (TCP + SSH handshake +
// key auth, host key pinned from the image), the probe's one data round trip and parsing, as medians of 3. Starts
// its own VM (boot not counted in the probe rows; reported on its own row) and always stops it. Needs root when the
// VM image is not cached yet (it is built then, several minutes).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runProbe } from '../../engine/probe/run-probe';
import { FileHostKeyStore } from '../../engine/ssh/known-hosts';
import { Session } from '../../engine/ssh/session';
import { FakePrompter } from '../integration/netns-target';
import { startVmTarget, vmResolved } from '../vm/vm-target';

const RUNS = 3;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function benchProbeVm(): Promise<{ name: string; value: string }[]> {
  const { ready, stop } = startVmTarget({ sshDeadlineS: 420 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-vm-bench-'));
  try {
    const vm = await ready;
    const store = new FileHostKeyStore(path.join(dir, 'known_hosts'));
    const handshake: number[] = [];
    const probe: number[] = [];
    const parse: number[] = [];
    const total: number[] = [];
    let bytes = 0;
    let execs = 0;
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const s = await Session.connect({
        target: vmResolved(vm, 'root', [vm.identity]),
        prompter: new FakePrompter(),
        hostKeyStore: store,
        userKnownHostsFiles: [vm.knownHosts],
        agent: false,
        useDefaultIdentities: false,
        readyTimeoutMs: 60_000,
      });
      const t1 = performance.now();
      try {
        // count the commands the probe sends (round trips for data)
        const exec = s.exec.bind(s);
        let n = 0;
        s.exec = (...args: Parameters<Session['exec']>) => {
          n++;
          return exec(...args);
        };
        const run = await runProbe(s, { timeoutMs: 120_000 });
        probe.push(run.timings.probeMs);
        parse.push(run.timings.parseMs);
        bytes = run.raw.length;
        execs = n;
      } finally {
        s.close();
      }
      handshake.push(t1 - t0);
      total.push(performance.now() - t0);
    }
    const ms = (x: number) => `${Math.round(x)} ms`;
    const h = median(handshake);
    const all = median(total);
    return [
      {
        name: `probe over the VM (qemu TCG), connect to report (median of ${RUNS})`,
        value: `${ms(all)} (runs: ${total.map(ms).join(', ')})`,
      },
      {
        name: '  of which SSH connect + handshake + key auth',
        value: `${ms(h)} (${Math.round((100 * h) / all)}%)`,
      },
      {
        name: `  of which the probe data round trip (${execs} exec${execs === 1 ? '' : 's'})`,
        value: ms(median(probe)),
      },
      { name: '  of which parsing the records', value: ms(median(parse)) },
      { name: 'VM probe output size', value: `${Math.round(bytes / 1024)} KiB` },
      { name: 'VM boot to ssh (started and stopped by the bench)', value: `${vm.bootSeconds.toFixed(1)} s` },
    ];
  } finally {
    stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchProbeVm().then(
    (rows) => {
      for (const r of rows) console.log(`${r.name.padEnd(70)} ${r.value}`);
    },
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
