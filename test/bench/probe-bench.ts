// Probe speed over the namespace target: connect (TCP + SSH handshake + auth), the probe's data round trip, and
// parsing, as medians over a few runs. Starts and stops its own target (root needed).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runProbe } from '../../engine/probe/run-probe';
import { Session } from '../../engine/ssh/session';
import { FakePrompter, resolved, startNetnsTarget, trustingStore } from '../integration/netns-target';

const RUNS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function benchProbe(): Promise<{ name: string; value: string }[]> {
  const { target: t, stop } = startNetnsTarget();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-bench-'));
  try {
    const store = trustingStore(t, dir);
    const handshake: number[] = [];
    const probe: number[] = [];
    const parse: number[] = [];
    const total: number[] = [];
    let bytes = 0;
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const s = await Session.connect({
        target: resolved(t, 'root'),
        prompter: new FakePrompter(),
        hostKeyStore: store,
        userKnownHostsFiles: [],
        agent: false,
      });
      const t1 = performance.now();
      try {
        const run = await runProbe(s, { timeoutMs: 30_000 });
        probe.push(run.timings.probeMs);
        parse.push(run.timings.parseMs);
        bytes = run.raw.length;
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
      { name: 'probe over the namespace target, connect to report (median of 5)', value: ms(all) },
      {
        name: '  of which SSH connect + handshake + key auth',
        value: `${ms(h)} (${Math.round((100 * h) / all)}%)`,
      },
      { name: '  of which the probe data round trip (one exec)', value: ms(median(probe)) },
      { name: '  of which parsing the records', value: ms(median(parse)) },
      { name: 'probe output size', value: `${Math.round(bytes / 1024)} KiB` },
    ];
  } finally {
    stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchProbe().then(
    (rows) => {
      for (const r of rows) console.log(`${r.name.padEnd(70)} ${r.value}`);
    },
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
