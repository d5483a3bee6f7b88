// Benchmark rows and how they are printed: one table, name and value, so runs are easy to compare.
export interface BenchRow {
  name: string;
  value: string;
  /** The goal from the issue, and whether this run met it. */
  goal?: string;
  met?: boolean;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function printTable(rows: BenchRow[]): string {
  const w = Math.max(...rows.map((r) => r.name.length), 9);
  const v = Math.max(...rows.map((r) => r.value.length), 5);
  const line = (a: string, b: string, c: string) => `| ${a.padEnd(w)} | ${b.padEnd(v)} | ${c}`;
  const out = [line('benchmark', 'value', 'goal'), `|${'-'.repeat(w + 2)}|${'-'.repeat(v + 2)}|------`];
  for (const r of rows)
    out.push(
      line(
        r.name,
        r.value,
        r.goal ? `${r.goal} ${r.met === undefined ? '' : r.met ? '(met)' : '(NOT met)'}` : '',
      ),
    );
  return out.join('\n');
}
