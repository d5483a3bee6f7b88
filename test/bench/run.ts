// `npm run bench`: every speed and memory goal of the issues, measured and printed as one table.
// Benchmarks never fail the build; the table says which goals this run met. NIXKIT_BENCH=name,... runs a subset.
import { benchAst } from './ast-bench';
import { benchCliStart } from './cli-start-bench';
import { benchCopy } from './copy-bench';
import { benchDisk } from './disk-bench';
import { benchActivation, benchVsixSize } from './extension-bench';
import { benchLspLatency } from './lsp-latency';
import { benchMediaWrite } from './media-write-bench';
import { benchCheckVsNix } from './parse-bench';
import { benchProbe } from './probe-bench';
import { benchProbeVm } from './vm-probe-bench';
import { benchSyntaxBound } from './syntax-bound-bench';
import { printTable, type BenchRow } from './table';
import { benchRealWorld } from './realworld-bench';
import { benchFlakeEdit, benchLargeRepo } from './workspace-bench';
import { tempDir } from '../helpers';

// The CLI's own compiled code is cached between runs as a user's installation caches it (cli/code-cache.ts):
// each bench warms it with an untimed run. What is "cold" is the checked repository, never nixkit's code.
process.env.NIXKIT_CODE_CACHE = tempDir('bench-code-cache');

const parseRow = (goal: string, test: (value: string) => boolean) => (r: BenchRow) => ({
  ...r,
  goal,
  met: test(r.value),
});

const p95 = (v: string) => Number(/p95 ([\d.]+)/.exec(v)?.[1]);

const BENCHES: Record<string, () => Promise<BenchRow[]> | BenchRow[]> = {
  lsp: async () =>
    (
      await benchLspLatency(
        [
          { label: '100 KB', bytes: 100_000 },
          { label: '1 MB', bytes: 1_000_000 },
        ],
        100,
      )
    ).map((r) =>
      r.name.includes('100 KB')
        ? parseRow('p95 < 10 ms', (v) => p95(v) < 10)(r)
        : parseRow('p95 < 60 ms', (v) => p95(v) < 60)(r),
    ),
  ast: benchAst,
  'cli-start': benchCliStart,
  'syntax-bound': benchSyntaxBound,
  flake: () => benchFlakeEdit(100),
  repo: benchLargeRepo,
  realworld: () => benchRealWorld(),
  corpus: async () =>
    (await benchCheckVsNix()).map((r) =>
      r.name.endsWith('nixkit / nix')
        ? { ...r, goal: '<= 1 (no slower than Nix)', met: Number(r.value) <= 1 }
        : r,
    ),
  probe: async () =>
    process.getuid?.() === 0
      ? benchProbe()
      : [{ name: 'probe (namespace target)', value: 'skipped: needs root' }],
  disk: async () =>
    process.getuid?.() === 0
      ? (await benchDisk()).map((r) =>
          r.name.startsWith('partition')
            ? { ...r, goal: 'seconds (< 10 s)', met: Number.parseFloat(r.value) < 10 }
            : r,
        )
      : [{ name: 'partition + format + mount (namespace target)', value: 'skipped: needs root' }],
  // boots its own VM (1–3 min under TCG) and stops it again
  'probe-vm': async () =>
    process.getuid?.() === 0 ? benchProbeVm() : [{ name: 'probe (VM target)', value: 'skipped: needs root' }],
  copy: async () => {
    if (process.getuid?.() !== 0) return [{ name: 'closure copy', value: 'skipped: needs root' }];
    return (await benchCopy()).map((r) =>
      r.name === 'closure copy, tar route / tar | ssh'
        ? { ...r, goal: '>= 0.9', met: Number(r.value) >= 0.9 }
        : r.name.startsWith('second install')
          ? { ...r, goal: 'no paths copied', met: /\b0 paths copied/.test(r.value) }
          : r,
    );
  },
  'media-write': async () =>
    process.getuid?.() === 0
      ? (await benchMediaWrite()).map((r) =>
          r.name.startsWith('media write throughput')
            ? { ...r, goal: '>= 0.95', met: Number.parseFloat(r.value) >= 0.95 }
            : r,
        )
      : [{ name: 'media write (loop device)', value: 'skipped: needs root' }],
  vsix: benchVsixSize,
  activation: benchActivation,
};

(async () => {
  const only = process.env.NIXKIT_BENCH?.split(',');
  const rows: BenchRow[] = [];
  for (const [name, run] of Object.entries(BENCHES)) {
    if (only && !only.includes(name)) continue;
    process.stderr.write(`bench: ${name}…\n`);
    try {
      rows.push(...(await run()));
    } catch (e) {
      rows.push({ name, value: `failed: ${(e as Error).message.split('\n')[0]}` });
    }
  }
  console.log(printTable(rows));
})();
