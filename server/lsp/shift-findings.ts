// While a large file's full analysis waits for the user to pause, its earlier findings stay visible, moved
// along with the text edits that came since (findings on edited lines are dropped until re-checked).
import type { Finding } from '../findings';
import type { Range } from '../syntax/positions';

export interface LineEdit {
  range: Range;
  text: string;
}

export function shiftFindings(findings: Finding[], edits: LineEdit[]): Finding[] {
  let out = findings;
  for (const e of edits) {
    const added = (e.text.match(/\r\n|\r|\n/g) ?? []).length;
    const delta = added - (e.range.end.line - e.range.start.line);
    out = out.flatMap((f) => {
      if (f.range.end.line < e.range.start.line) return [f];
      if (f.range.start.line > e.range.end.line) {
        return [
          {
            ...f,
            range: {
              start: { line: f.range.start.line + delta, character: f.range.start.character },
              end: { line: f.range.end.line + delta, character: f.range.end.character },
            },
            fixes: undefined, // their edits point at old positions
          },
        ];
      }
      return [];
    });
  }
  return out;
}
