// The model's view of files: open editor documents first (their incremental trees), the disk otherwise.
// A closed file is parsed, turned into an AST and its tree freed at once; the AST is cached until the file's
// size or modification time changes.
import * as fs from 'node:fs';
import type { Parser } from 'web-tree-sitter';
import type { Finding } from '../findings';
import {
  describeIoError,
  disk,
  readFileGuarded,
  type ParsedFile,
  type SourceProvider,
} from '../model/sources';
import { SyntaxDocument } from '../syntax/document';
import { LineIndex } from '../syntax/positions';
import { decodeSource, DEFAULT_MAX_FILE_BYTES, tooLarge } from './source-text';
import { pipeOperatorsEnabled, syntaxFindings } from './syntax-findings';

interface CacheEntry {
  parsed: ParsedFile | undefined;
  /** What reading and parsing the file found (unreadable bytes, syntax errors). */
  findings: Finding[];
  /** Why the file could not be read at all (permission denied, I/O error, not a regular file). */
  problem?: string;
}

type Kind = 'file' | 'dir' | 'none' | 'other';

const ORIGIN = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

export class WorkspaceSources implements SourceProvider {
  private readonly open = new Map<string, SyntaxDocument>();
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    private readonly parser: Parser,
    private readonly maxFileBytes = DEFAULT_MAX_FILE_BYTES,
  ) {}

  /** Makes an open document (kept up to date by its owner) the source of truth for a path. */
  setOpen(file: string, doc: SyntaxDocument | undefined): void {
    if (doc) this.open.set(file, doc);
    else this.open.delete(file);
  }

  /** Whether paths exist / are folders: asked thousands of times per analysis, answered from memory. */
  private readonly existence = new Map<string, Kind>();
  /** Why a path that exists cannot be looked at (a symlink loop, a folder without permission). */
  private readonly statProblems = new Map<string, string>();

  /**
   * Forgets what is known of a path (it was created, changed or deleted on disk). The language server calls this
   * for every file event; `nixkit check` never needs to, as files do not change during one run.
   */
  invalidate(file: string): void {
    this.cache.delete(file);
    this.existence.delete(file);
    this.statProblems.delete(file);
  }

  /**
   * Paths a folder walk just saw as regular files: their kind is known without another `stat` each (3,000 of
   * them in a large repository). A file deleted since is then a read error, as it would be a moment later anyway.
   */
  knownFiles(files: readonly string[]): void {
    for (const f of files) if (!this.existence.has(f)) this.existence.set(f, 'file');
  }

  private kind(file: string): Kind {
    let k = this.existence.get(file);
    if (!k) {
      try {
        const st = fs.statSync(file);
        k = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        // Missing is missing; anything else (ELOOP, EACCES on a folder on the way) exists but cannot be read.
        k = code === 'ENOENT' || code === 'ENOTDIR' ? 'none' : 'other';
        if (k === 'other') this.statProblems.set(file, describeIoError(e));
      }
      this.existence.set(file, k);
    }
    return k;
  }

  problem(file: string): string | undefined {
    if (this.open.has(file)) return undefined;
    const k = this.kind(file);
    if (k === 'none' || k === 'dir') return undefined;
    if (k === 'other') return this.statProblems.get(file) ?? this.load(file)?.problem;
    return this.load(file)?.problem;
  }

  parsed(file: string): ParsedFile | undefined {
    const doc = this.open.get(file);
    if (doc)
      return {
        ast: doc.sourceFile(),
        lines: doc.lineIndex,
        hasSyntaxErrors: doc.syntaxProblems().length > 0,
      };
    return this.load(file)?.parsed;
  }

  /** Findings of reading and parsing a closed file (syntax errors, binary data, ...); [] for open documents. */
  readFindings(file: string): Finding[] {
    if (this.open.has(file)) return [];
    return this.load(file)?.findings ?? [];
  }

  private load(file: string): CacheEntry | undefined {
    const hit = this.cache.get(file);
    if (hit) return hit;
    const kind = this.kind(file);
    if (kind === 'none' || kind === 'dir') return undefined;
    const entry: CacheEntry = { parsed: undefined, findings: [] };
    this.cache.set(file, entry);
    if (kind === 'other' && this.statProblems.has(file)) {
      entry.problem = this.statProblems.get(file);
      return entry;
    }
    // Stat and size come from the open file itself: no 3 GB read before the limit applies, no blocking on a FIFO.
    const read = readFileGuarded(file, this.maxFileBytes);
    const source = read.ok
      ? decodeSource(read.bytes, this.maxFileBytes)
      : read.reason === 'too-large'
        ? tooLarge(read.size, this.maxFileBytes)
        : undefined;
    if (!read.ok && read.reason !== 'too-large') {
      entry.problem = read.message;
      return entry;
    }
    if (!source) return entry;
    if (!source.ok) {
      const binary = source.reason === 'binary';
      // Point at the NUL byte itself: that is where Nix stops too.
      const at =
        source.before !== undefined
          ? new LineIndex(source.before).positionAt(source.before.length)
          : ORIGIN.start;
      entry.findings.push({
        file,
        range: { start: at, end: at },
        severity: binary ? 'error' : source.reason === 'encrypted' ? 'information' : 'warning',
        code: binary ? 'not-text' : source.reason === 'encrypted' ? 'file-encrypted' : 'file-too-large',
        message: source.message,
      });
    } else {
      if (source.warning)
        entry.findings.push({
          file,
          range: ORIGIN,
          // Nix reads bytes, not UTF-8: the file is fine for Nix; only nixkit's reading of it is approximate.
          severity: 'information',
          code: 'invalid-utf8',
          message: source.warning,
        });
      const d = new SyntaxDocument(this.parser, source.text, undefined, 'read', () =>
        pipeOperatorsEnabled(file),
      );
      try {
        entry.parsed = {
          ast: d.sourceFile(),
          lines: d.lineIndex,
          hasSyntaxErrors: d.syntaxProblems().length > 0,
        };
        entry.findings.push(...syntaxFindings(d, file));
      } finally {
        d.dispose(); // no tree is kept for closed files
      }
    }
    return entry;
  }

  exists(file: string): boolean {
    return this.open.has(file) || this.kind(file) !== 'none';
  }

  isDirectory(file: string): boolean {
    return this.kind(file) === 'dir';
  }

  list(dir: string): string[] | undefined {
    return disk.list(dir);
  }

  readText(file: string): string | undefined {
    return this.open.get(file)?.text ?? disk.readText(file);
  }

  readDir(dir: string): [string, string][] | undefined {
    return disk.readDir(dir);
  }
}
