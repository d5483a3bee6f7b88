// Small helpers the feature modules share: URIs and paths, ranges, the parsed file behind a document.
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ParsedFile } from '../../model/sources';
import { comparePositions, type Position, type Range } from '../../syntax/positions';
import { ruleByCode } from '../../rules';
import type { ServerState } from '../server';

export function fileOfUri(state: ServerState, uri: string): string {
  const doc = state.docs.get(uri);
  if (doc) return doc.file;
  return uri.startsWith('file:') ? fileURLToPath(uri) : uri;
}

export function uriOfFile(state: ServerState, file: string): string {
  for (const d of state.docs.values()) if (d.file === file) return d.uri;
  return path.isAbsolute(file) ? pathToFileURL(file).toString() : file;
}

export function parsedOf(state: ServerState, uri: string): { file: string; parsed: ParsedFile } | undefined {
  const file = fileOfUri(state, uri);
  const parsed = state.sources.parsed(file);
  return parsed ? { file, parsed } : undefined;
}

/** Whether two ranges share a position (touching counts: a cursor at a finding's end is on it). */
export function rangesTouch(a: Range, b: Range): boolean {
  return comparePositions(a.start, b.end) <= 0 && comparePositions(b.start, a.end) <= 0;
}

export function rangeContains(r: Range, p: Position): boolean {
  return comparePositions(r.start, p) <= 0 && comparePositions(p, r.end) <= 0;
}

/** Whether two edits' ranges overlap (two insertions at one point count: their order would be arbitrary). */
export function editsOverlap(a: Range, b: Range): boolean {
  const aEmpty = comparePositions(a.start, a.end) === 0;
  const bEmpty = comparePositions(b.start, b.end) === 0;
  if (aEmpty && bEmpty) return comparePositions(a.start, b.start) === 0;
  return comparePositions(a.start, b.end) < 0 && comparePositions(b.start, a.end) < 0;
}

export const DOCS_BASE = 'https://github.com/nixkit/nixkit/blob/main/docs/rules/';

/** The URL of a finding code's documentation page (the index's table for codes that are not rules). */
export function docsUrl(code: string): string {
  return ruleByCode(code) ? `${DOCS_BASE}${code}.md` : `${DOCS_BASE}README.md#other-codes`;
}
