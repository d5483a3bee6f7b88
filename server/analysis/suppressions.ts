// `# nixkit: ignore <code> [<code>...]` on the line before a finding (or at the end of its line) silences it.
import type { Finding } from '../findings';
import type { SourceProvider } from '../model/sources';

const DIRECTIVE = /#\s*nixkit:\s*ignore\s+([a-z0-9-]+(?:[\s,]+[a-z0-9-]+)*)/;

export function suppressedCodes(line: string | undefined): string[] {
  const m = line ? DIRECTIVE.exec(line) : null;
  return m ? m[1].split(/[\s,]+/).filter(Boolean) : [];
}

export function applySuppressions(findings: Finding[], sources: Pick<SourceProvider, 'parsed'>): Finding[] {
  return findings.filter((f) => {
    const parsed = sources.parsed(f.file);
    if (!parsed) return true;
    const lines = parsed.lines;
    const lineText = (n: number) =>
      n < 0 || n >= lines.lineCount ? undefined : lines.text.slice(lines.lineStart(n), lines.lineEnd(n));
    const codes = [
      ...suppressedCodes(lineText(f.range.start.line - 1)),
      ...suppressedCodes(lineText(f.range.start.line)),
    ];
    return !codes.includes(f.code) && !codes.includes('all');
  });
}
