// AST build time (server/syntax/build-ast.ts) for generated 100 KB and 1 MB modules: the cursor-based builder
// against the Node-API builder it replaced (test/unit/syntax/build-ast-reference.ts), interleaved run by run
// so both see the same machine load, as medians after a warm-up. Wall time and this process's CPU time: on a
// busy machine the CPU time is the steadier figure.
import { buildAst } from '../../server/syntax/build-ast';
import { parser } from '../helpers';
import { generateModule } from '../nix-generator';
import { buildAstReference } from '../unit/syntax/build-ast-reference';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function benchAst(): Promise<{ name: string; value: string }[]> {
  const p = await parser();
  const rows: { name: string; value: string }[] = [];
  for (const { label, bytes, runs } of [
    { label: '100 KB', bytes: 100_000, runs: 15 },
    { label: '1 MB', bytes: 1_000_000, runs: 5 },
  ]) {
    const text = generateModule(bytes);
    const tree = p.parse(text);
    if (!tree) throw new Error('the Nix parser returned no tree');
    try {
      const root = tree.rootNode;
      const wall = { old: [] as number[], new: [] as number[] };
      const cpu = { old: [] as number[], new: [] as number[] };
      const measure = (build: () => void, into: 'old' | 'new', record: boolean) => {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        build();
        const ms = performance.now() - t0;
        const c = process.cpuUsage(c0);
        if (!record) return;
        wall[into].push(ms);
        cpu[into].push((c.user + c.system) / 1000);
      };
      for (let i = 0; i < 2 + runs; i++) {
        // The first two rounds are a warm-up.
        measure(() => buildAstReference(root), 'old', i >= 2);
        measure(() => buildAst(root, text), 'new', i >= 2);
      }
      const ms = (x: number) => `${x.toFixed(1)} ms`;
      for (const [kind, times] of [
        ['wall', wall],
        ['CPU', cpu],
      ] as const) {
        const before = median(times.old);
        const after = median(times.new);
        rows.push(
          {
            name: `AST build, ${label} module, Node-API builder, ${kind} (p50 of ${runs})`,
            value: ms(before),
          },
          {
            name: `AST build, ${label} module, cursor builder, ${kind} (p50 of ${runs})`,
            value: `${ms(after)} (${(before / after).toFixed(1)}x faster)`,
          },
        );
      }
    } finally {
      tree.delete();
    }
  }
  return rows;
}
