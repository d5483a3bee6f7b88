// An in-memory language server state for driving the feature functions directly: every file is an open
// document (nothing touches the disk), the workspace analysis runs over them, and `published` holds what
// the server would publish.
import { pathToFileURL } from 'node:url';
import { applySuppressions } from '../../../server/analysis/suppressions';
import { syntaxFindings } from '../../../server/analysis/syntax-findings';
import { WorkspaceAnalysis } from '../../../server/analysis/workspace-analysis';
import { WorkspaceSources } from '../../../server/analysis/workspace-sources';
import { compareFindings, type TextEdit } from '../../../server/findings';
import type { ServerState } from '../../../server/lsp/server';
import { SyntaxDocument } from '../../../server/syntax/document';
import { LineIndex, type Position } from '../../../server/syntax/positions';
import { parser } from '../../helpers';

export const ROOT = '/mem/ws';

export interface MemoryWorkspace {
  state: ServerState;
  uri(rel: string): string;
  file(rel: string): string;
  text(rel: string): string;
  /** Replaces a file's text and re-analyses, as didChange does. */
  setText(rel: string, text: string): void;
  /** Applies LSP-style edits (by URI) to the documents and re-analyses. */
  applyEdits(changes: Record<string, { range: { start: Position; end: Position }; newText: string }[]>): void;
  /** The position of the `n`th occurrence of `needle` in a file (plus `delta` characters). */
  at(rel: string, needle: string, delta?: number, n?: number): Position;
}

export async function memoryWorkspace(files: Record<string, string>): Promise<MemoryWorkspace> {
  const p = await parser();
  const sources = new WorkspaceSources(p);
  const docs: ServerState['docs'] = new Map();
  const published: ServerState['published'] = new Map();
  const abs = (rel: string) => `${ROOT}/${rel}`;
  const uri = (rel: string) => pathToFileURL(abs(rel)).toString();
  const list = () => [...docs.values()].map((d) => d.file);
  const analysis = new WorkspaceAnalysis(sources, list);
  const state: ServerState = {
    docs,
    sources,
    analysis,
    published,
    roots: [ROOT],
    parser: p,
    republish: () => undefined,
  };

  const publishAll = () => {
    published.clear();
    for (const d of docs.values()) {
      const own = syntaxFindings(d.syntax!, d.file);
      const all = applySuppressions([...own, ...analysis.findingsFor(d.file)], sources).sort(compareFindings);
      if (all.length) published.set(d.file, all);
    }
  };
  const open = (rel: string, text: string) => {
    const old = docs.get(uri(rel));
    old?.syntax?.dispose();
    const syntax = new SyntaxDocument(p, text);
    docs.set(uri(rel), { uri: uri(rel), file: abs(rel), version: (old?.version ?? 0) + 1, syntax });
    sources.setOpen(abs(rel), syntax);
  };
  for (const [rel, text] of Object.entries(files)) open(rel, text);
  analysis.full();
  publishAll();

  const ws: MemoryWorkspace = {
    state,
    uri,
    file: abs,
    text: (rel) => docs.get(uri(rel))!.syntax!.text,
    setText(rel, text) {
      open(rel, text);
      analysis.update([abs(rel)]);
      publishAll();
    },
    applyEdits(changes) {
      for (const [u, edits] of Object.entries(changes)) {
        const rel = decodeURIComponent(new URL(u).pathname).slice(ROOT.length + 1);
        ws.setText(rel, applyTextEdits(ws.text(rel), edits));
      }
    },
    at(rel, needle, delta = 0, n = 1) {
      const text = ws.text(rel);
      let i = -1;
      for (let k = 0; k < n; k++) {
        i = text.indexOf(needle, i + 1);
        if (i < 0) throw new Error(`${needle} not found in ${rel}`);
      }
      return new LineIndex(text).positionAt(i + delta);
    },
  };
  return ws;
}

/** Applies non-overlapping edits to a text (last first, so earlier offsets stay valid). */
export function applyTextEdits(text: string, edits: Pick<TextEdit, 'range' | 'newText'>[]): string {
  const lines = new LineIndex(text);
  const sorted = [...edits].sort((a, b) => lines.offsetAt(b.range.start) - lines.offsetAt(a.range.start));
  for (const e of sorted)
    text = text.slice(0, lines.offsetAt(e.range.start)) + e.newText + text.slice(lines.offsetAt(e.range.end));
  return text;
}
