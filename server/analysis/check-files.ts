// `nixkit check`'s engine: reads files, runs the same analysis as the language server, returns findings.
// Trees are freed as soon as a file is checked, so memory stays flat over large repositories.
import * as fs from 'node:fs';
import type { Parser } from 'web-tree-sitter';
import type { Finding } from '../findings';
import { compareFindings } from '../findings';
import { SyntaxDocument } from '../syntax/document';
import { createParser } from '../syntax/parser';
import { decodeSource, DEFAULT_MAX_FILE_BYTES } from './source-text';
import { syntaxFindings } from './syntax-findings';
import { describeIoError, walkNixFiles } from './walk';

export interface CheckOptions {
  maxFileBytes?: number;
}

export interface CheckResult {
  findings: Finding[];
  filesChecked: number;
  ioErrors: { path: string; message: string }[];
  notes: string[];
}

const ORIGIN = { line: 0, character: 0 };

export async function checkPaths(paths: string[], options: CheckOptions = {}): Promise<CheckResult> {
  const parser = await createParser();
  const walk = walkNixFiles(paths);
  const result: CheckResult = {
    findings: [],
    filesChecked: 0,
    ioErrors: [...walk.errors],
    notes: [...walk.notes],
  };
  for (const file of walk.files) {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch (e) {
      result.ioErrors.push({ path: file, message: describeIoError(e) });
      continue;
    }
    result.filesChecked++;
    result.findings.push(...checkSource(parser, file, bytes, options));
  }
  parser.delete();
  result.findings.sort(compareFindings);
  return result;
}

export function checkSource(
  parser: Parser,
  file: string,
  bytes: Uint8Array,
  options: CheckOptions = {},
): Finding[] {
  const source = decodeSource(bytes, options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
  const at = { start: ORIGIN, end: ORIGIN };
  if (!source.ok) {
    return [
      {
        file,
        range: at,
        severity: source.reason === 'binary' ? 'error' : 'warning',
        code: source.reason === 'binary' ? 'not-text' : 'file-too-large',
        message: source.message,
      },
    ];
  }
  const findings: Finding[] = [];
  if (source.warning)
    findings.push({ file, range: at, severity: 'warning', code: 'invalid-utf8', message: source.warning });
  const doc = new SyntaxDocument(parser, source.text);
  try {
    findings.push(...syntaxFindings(doc, file));
  } finally {
    doc.dispose();
  }
  return findings;
}
