// AST build time (server/syntax/build-ast.ts) for generated 100 KB and 1 MB modules, as medians after a
// warm-up. Wall time and this process's CPU time: on a busy machine the CPU time is the steadier figure.
import { buildAst } from '../../server/syntax/build-ast';
import { parser } from '../helpers';
import { generateModule } from '../nix-generator';
import { percentile, type BenchRow } from './table';

export async function benchAst(): Promise<BenchRow[]> {
  const p = await parser();
  const rows: BenchRow[] = [];
  for (const { label, bytes, runs } of [
    { label: '100 KB', bytes: 100_000, runs: 15 },
    { label: '1 MB', bytes: 1_000_000, runs: 5 },
  ]) {
    const text = generateModule(bytes);
    const tree = p.parse(text);
    if (!tree) throw new Error('the Nix parser returned no tree');
    try {
      const wall: number[] = [];
      const cpu: number[] = [];
      for (let i = 0; i < 2 + runs; i++) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        buildAst(tree.rootNode, text);
        const ms = performance.now() - t0;
        const c = process.cpuUsage(c0);
        if (i < 2) continue; // warm-up
        wall.push(ms);
        cpu.push((c.user + c.system) / 1000);
      }
      rows.push({
        name: `AST build, ${label} module (p50 of ${runs})`,
        value: `${percentile(wall, 50).toFixed(1)} ms wall, ${percentile(cpu, 50).toFixed(1)} ms CPU`,
      });
    } finally {
      tree.delete();
    }
  }
  return rows;
}
