// Positions as LSP speaks them: 0-based lines, UTF-16 columns. tree-sitter (fed a JS string) counts in the
// same UTF-16 units, so offsets convert without re-encoding.

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** A half-open span of UTF-16 offsets into a document's text. */
export interface Span {
  start: number;
  end: number;
}

/** Maps offsets to positions and back; built once per text version (O(text)), or from the previous version's index. */
export class LineIndex {
  private readonly lineStarts: number[];

  /** `lineStarts` is for `edited`, which already knows them. */
  constructor(
    readonly text: string,
    lineStarts?: number[],
  ) {
    this.lineStarts = lineStarts ?? lineStartsIn(text, 0, text.length, [0]);
  }

  /**
   * The index of `newText`, which is this text with [start, end) replaced by `insertedLength` characters. Costs
   * O(lines + inserted) instead of O(text): at 1 MB that is a copy of the line starts instead of a scan.
   */
  edited(start: number, end: number, insertedLength: number, newText: string): LineIndex {
    if (start < 0 || end < start || end > this.text.length) return new LineIndex(newText);
    if (newText.length !== this.text.length - (end - start) + insertedLength) return new LineIndex(newText);
    const starts = this.lineStarts;
    // Whether p starts a line depends on the characters at p - 1 and p (a `\r` before `\n` is not a break
    // yet), so starts below `start` stay, starts after `end` shift, and [start, start + inserted] is rescanned.
    const keep = Math.max(1, firstAtLeast(starts, start)); // 0 always starts a line
    const out = starts.slice(0, keep);
    const newEnd = start + insertedLength;
    lineStartsIn(newText, start, newEnd, out);
    const delta = insertedLength - (end - start);
    for (let i = firstAtLeast(starts, end + 1); i < starts.length; i++) out.push(starts[i] + delta);
    return new LineIndex(newText, out);
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  positionAt(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= clamped) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: clamped - this.lineStarts[lo] };
  }

  offsetAt(position: Position): number {
    if (position.line < 0) return 0;
    if (position.line >= this.lineStarts.length) return this.text.length;
    const start = this.lineStarts[position.line];
    const end = this.lineEnd(position.line);
    return Math.min(start + Math.max(0, position.character), end);
  }

  /** Offset of the end of a line's content (before its line break). */
  lineEnd(line: number): number {
    const next = line + 1 < this.lineStarts.length ? this.lineStarts[line + 1] : this.text.length;
    let end = next;
    if (end > this.lineStarts[line] && this.text.charCodeAt(end - 1) === 10) end--;
    if (end > this.lineStarts[line] && this.text.charCodeAt(end - 1) === 13) end--;
    return end;
  }

  lineStart(line: number): number {
    return this.lineStarts[Math.max(0, Math.min(line, this.lineStarts.length - 1))];
  }

  rangeOf(span: Span): Range {
    return { start: this.positionAt(span.start), end: this.positionAt(span.end) };
  }
}

/** Appends to `out` every line start p in [from, to] (p > 0) of `text`; a line starts after \n, \r\n or a lone \r. */
function lineStartsIn(text: string, from: number, to: number, out: number[]): number[] {
  const last = Math.min(to, text.length);
  for (let p = Math.max(1, from); p <= last; p++) {
    const c = text.charCodeAt(p - 1);
    if (c === 10 /* \n */ || (c === 13 /* \r */ && text.charCodeAt(p) !== 10)) out.push(p);
  }
  return out;
}

/** The first index in the sorted `values` whose value is >= `x` (values.length if none). */
function firstAtLeast(values: number[], x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function comparePositions(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}
