// The per-file bound of the syntax layer on hostile input (see test/differential/syntax-fuzz.test.ts): the
// time `nixkit check` spends on one file before the model (tree-sitter, recogniser, syntax findings, AST,
// parse-time checks). tree-sitter itself is cut off after 500 ms + 1 ms per KB; the rest is linear. Goal:
// 2 s + 2 ms per KB per file.
import { syntaxFindings } from '../../server/analysis/syntax-findings';
import { createParser } from '../../server/syntax/parser';
import { SyntaxDocument } from '../../server/syntax/document';

const SHAPES: [string, string][] = [
  ['50,000 (', '('.repeat(50_000)],
  ['50,000 {a=', '{a='.repeat(50_000)],
  ['50,000 { then )', '{'.repeat(50_000) + ')'.repeat(50_000)],
  ['50,000 -', '-'.repeat(50_000)],
  ['100k a.a.a', 'a' + '.a'.repeat(100_000)],
  ['1 MB indented string', "''" + '  line ${x}\n'.repeat(80_000) + "''"],
];

export async function benchSyntaxBound(): Promise<
  { name: string; value: string; goal: string; met: boolean }[]
> {
  const parser = await createParser();
  return SHAPES.map(([name, text]) => {
    const t0 = performance.now();
    const doc = new SyntaxDocument(parser, text);
    syntaxFindings(doc, '/bench.nix');
    doc.dispose();
    const ms = performance.now() - t0;
    // tree-sitter's budget is 500 ms + 1 ms/KB; the linear rest gets as much again, plus slack for a busy machine.
    const goal = 2000 + (2 * text.length) / 1024;
    return {
      name: `syntax bound: ${name} (${Math.round(text.length / 1024)} KB)`,
      value: `${ms.toFixed(0)} ms`,
      goal: `< ${goal.toFixed(0)} ms`,
      met: ms < goal,
    };
  });
}

if (require.main === module) {
  benchSyntaxBound().then(
    (rows) => {
      for (const r of rows)
        console.log(`${r.name.padEnd(40)} ${r.value.padStart(8)}  ${r.met ? 'ok' : 'MISSED'}`);
    },
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
