// The LSP glue: keeps one parsed document per open file, the workspace analysis (every configuration and
// rule), and publishes findings for every file they touch. Thin on purpose: everything it reports comes from
// server/analysis, the same code `nixkit check` runs.
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  DidChangeWatchedFilesNotification,
  FileChangeType,
  TextDocumentSyncKind,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';
import type { Parser } from 'web-tree-sitter';
import { DEFAULT_MAX_FILE_BYTES, formatSize } from '../analysis/source-text';
import { applySuppressions } from '../analysis/suppressions';
import { withScopedImports } from '../analysis/scoped-imports';
import { pipeOperatorsEnabled, syntaxFindings, syntaxOnlyFindings } from '../analysis/syntax-findings';
import { walkNixFiles } from '../analysis/walk';
import { ANALYSIS_FAILED_CODE, WorkspaceAnalysis } from '../analysis/workspace-analysis';
import { WorkspaceSources } from '../analysis/workspace-sources';
import { compareFindings, type Finding } from '../findings';
import { SyntaxDocument } from '../syntax/document';
import { createParser } from '../syntax/parser';
import { LineIndex, type Range } from '../syntax/positions';
import { outline } from '../syntax/symbols';
import { toDiagnostic, toDocumentSymbol } from './convert';
import { FEATURES } from './features';
import { configuredMachines } from './features/settings';
import { shiftFindings } from './shift-findings';

interface OpenDocument {
  uri: string;
  file: string;
  version: number;
  /** Absent when the file is too large to parse. */
  syntax?: SyntaxDocument;
  /** The text when `syntax` is absent. */
  text?: string;
}

/** What the server knows of the workspace; shared with the feature modules (code actions, hover, ...). */
export interface ServerState {
  docs: Map<string, OpenDocument>;
  sources: WorkspaceSources;
  analysis: WorkspaceAnalysis;
  /** Findings last published, by file (for code actions and hover on findings). */
  published: Map<string, Finding[]>;
  /** Workspace folders, as paths. */
  roots: string[];
  parser: Parser;
  /** Publishes every file's findings again (after the rule settings changed). */
  republish(): void;
}

/** An error's message without its stack (users read the log too). */
const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 300);

const filePath = (uri: string) => (uri.startsWith('file:') ? fileURLToPath(uri) : uri);
const MAX_WORKSPACE_FILES = 5000;
/**
 * Files up to this size are fully re-analysed on every edit. Larger ones get their syntax errors at once
 * (incremental parse) and the rest of the analysis when typing pauses: building the AST of a 1 MB file takes
 * longer than a keystroke may.
 */
const SYNC_ANALYSIS_CHARS = 64 * 1024;
const PAUSE_MS = 300;

export function startServer(connection: Connection): void {
  let parser: Parser | undefined;
  let state: ServerState | undefined;
  let roots: string[] = [];
  let workspaceFiles: string[] = [];
  const docs = new Map<string, OpenDocument>();
  const published = new Map<string, Finding[]>();
  const maxChars = DEFAULT_MAX_FILE_BYTES;
  const log = (msg: string) => connection.console.log(msg);
  let watchFiles = false;

  const refreshFileList = () => {
    const walk = walkNixFiles(roots);
    workspaceFiles = walk.files.slice(0, MAX_WORKSPACE_FILES);
    if (walk.files.length > MAX_WORKSPACE_FILES)
      log(
        `nixkit: the workspace has ${walk.files.length} .nix files; analysing the first ${MAX_WORKSPACE_FILES}`,
      );
  };
  const listFiles = () => {
    const open = [...docs.values()]
      .map((d) => d.file)
      .filter((f) => !workspaceFiles.includes(f) && f.startsWith('/'));
    return [...workspaceFiles, ...open];
  };

  connection.onInitialize(async (params: InitializeParams): Promise<InitializeResult> => {
    const t0 = Date.now();
    parser = await createParser();
    roots = (
      params.workspaceFolders?.map((f) => filePath(f.uri)) ??
      (params.rootUri ? [filePath(params.rootUri)] : [])
    ).filter((r) => r.startsWith('/'));
    watchFiles = !!params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration;
    const sources = new WorkspaceSources(parser);
    state = {
      docs,
      sources,
      analysis: new WorkspaceAnalysis(sources, listFiles, {}, undefined, {
        machines: configuredMachines,
      }),
      published,
      roots,
      parser,
      republish: () => publishAll(),
    };
    for (const feature of FEATURES) feature.initialize?.(state);
    log(
      `nixkit language server ready (parser loaded in ${Date.now() - t0} ms; workspace: ${roots.join(', ') || 'none'})`,
    );
    return {
      capabilities: Object.assign(
        {
          textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
          documentSymbolProvider: true,
        },
        ...FEATURES.map((f) => f.capabilities),
      ),
      serverInfo: { name: 'nixkit', version: '0.1.0' },
    };
  });

  connection.onInitialized(() => {
    if (watchFiles)
      void connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [
          { globPattern: '**/*.nix' },
          // The nixpkgs release (removed-option) comes from flake.lock too.
          { globPattern: '**/flake.lock' },
          ...FEATURES.flatMap((f) => f.watch ?? []),
        ],
      });
    const t0 = Date.now();
    refreshFileList();
    state!.analysis.full();
    publishAll();
    log(
      `nixkit: analysed ${workspaceFiles.length} files, ${state!.analysis.project.configurations.length} configurations in ${Date.now() - t0} ms`,
    );
  });

  function open(uri: string, version: number, text: string): OpenDocument {
    if (!parser) throw new Error('nixkit: document opened before initialize');
    const file = filePath(uri);
    if (text.length > maxChars) return { uri, file, version, text };
    return {
      uri,
      file,
      version,
      syntax: new SyntaxDocument(parser, text, undefined, 'edit', () => pipeOperatorsEnabled(file)),
    };
  }

  function uriOf(file: string): string {
    for (const d of docs.values()) if (d.file === file) return d.uri;
    return pathToFileURL(file).toString();
  }

  function findingsOf(file: string): Finding[] {
    const doc = [...docs.values()].find((d) => d.file === file);
    let own: Finding[];
    if (doc && !doc.syntax) {
      own = [
        {
          file,
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          severity: 'information',
          code: 'file-too-large',
          message: `nixkit does not check this file: it is too large (${formatSize(doc.text!.length)}; the limit is ${formatSize(maxChars)})`,
        },
      ];
    } else if (doc?.syntax) own = syntaxFindings(doc.syntax, file);
    else own = state!.sources.readFindings(file);
    const all = withScopedImports(
      [...own, ...state!.analysis.findingsFor(file)],
      state!.analysis.scopedImports(),
    );
    return applySuppressions(all, state!.sources).sort(compareFindings);
  }

  function publish(file: string): void {
    try {
      const findings = findingsOf(file);
      const before = published.get(file);
      const doc = [...docs.values()].find((d) => d.file === file);
      // Open documents always get a versioned answer; closed ones only when something changes.
      if (!doc && !findings.length && !before?.length) return;
      if (findings.length) published.set(file, findings);
      else published.delete(file);
      void connection.sendDiagnostics({
        uri: uriOf(file),
        version: doc?.version,
        diagnostics: findings.map(toDiagnostic),
      });
    } catch (e) {
      // A bug in one check must not take the server down, nor leave findings that point into old text: the
      // file gets one finding that says its analysis failed.
      log(`nixkit: checking ${file} failed: ${firstLine(e)}`);
      const origin = { line: 0, character: 0 };
      const failed: Finding = {
        file,
        range: { start: origin, end: origin },
        severity: 'warning',
        code: ANALYSIS_FAILED_CODE,
        message: `nixkit could not check this file (${firstLine(e)}). This is a bug in nixkit.`,
      };
      published.set(file, [failed]);
      const doc = [...docs.values()].find((d) => d.file === file);
      void connection.sendDiagnostics({
        uri: uriOf(file),
        version: doc?.version,
        diagnostics: [toDiagnostic(failed)],
      });
    }
  }

  function publishAll(): void {
    const files = new Set<string>([
      ...listFiles(),
      ...state!.analysis.findingsByFile().keys(),
      ...published.keys(),
    ]);
    for (const f of files) publish(f);
  }

  let pauseTimer: NodeJS.Timeout | undefined;
  const waitingForPause = new Set<string>();

  /** Publishes a large document's syntax errors now and re-runs the rest when typing pauses. */
  function editedLargeDocument(doc: OpenDocument, edits: { range: Range; text: string }[]): void {
    const syntax = doc.syntax ? syntaxOnlyFindings(doc.syntax, doc.file, false) : [];
    const previous = (published.get(doc.file) ?? []).filter((f) => f.code !== 'syntax-error');
    const findings = [...syntax, ...shiftFindings(previous, edits)].sort(compareFindings);
    if (findings.length) published.set(doc.file, findings);
    else published.delete(doc.file);
    void connection.sendDiagnostics({
      uri: doc.uri,
      version: doc.version,
      diagnostics: findings.map(toDiagnostic),
    });
    waitingForPause.add(doc.file);
    if (pauseTimer) clearTimeout(pauseTimer);
    pauseTimer = setTimeout(() => {
      pauseTimer = undefined;
      const files = [...waitingForPause];
      waitingForPause.clear();
      changed(files);
    }, PAUSE_MS);
  }

  function changed(files: string[]): void {
    let touched: Set<string>;
    try {
      touched = state!.analysis.update(files);
    } catch (e) {
      // WorkspaceAnalysis catches its own failures; this is the last resort. Every file published before is
      // published again, so no finding stays behind from text that changed.
      log(`nixkit: analysis failed: ${firstLine(e)}`);
      touched = new Set([...files, ...published.keys()]);
    }
    for (const f of touched) publish(f);
  }

  connection.onDidOpenTextDocument(({ textDocument: td }) => {
    const existing = docs.get(td.uri);
    existing?.syntax?.dispose();
    const doc = open(td.uri, td.version, td.text);
    docs.set(td.uri, doc);
    state!.sources.setOpen(doc.file, doc.syntax);
    changed([doc.file]);
  });

  connection.onDidChangeTextDocument(({ textDocument: td, contentChanges }) => {
    const doc = docs.get(td.uri);
    if (!doc) return;
    doc.version = td.version;
    if (doc.syntax) {
      doc.syntax.applyChanges(contentChanges);
      if (doc.syntax.text.length > maxChars) {
        const text = doc.syntax.text;
        doc.syntax.dispose();
        doc.syntax = undefined;
        doc.text = text;
      }
    } else {
      // Too large to parse: keep the text current so we notice when it shrinks below the limit.
      let text = doc.text ?? '';
      for (const c of contentChanges) {
        if (!('range' in c)) text = c.text;
        else {
          const lines = new LineIndex(text);
          text =
            text.slice(0, lines.offsetAt(c.range.start)) + c.text + text.slice(lines.offsetAt(c.range.end));
        }
      }
      const reopened = open(doc.uri, doc.version, text);
      doc.syntax = reopened.syntax;
      doc.text = reopened.text;
    }
    state!.sources.setOpen(doc.file, doc.syntax);
    const edits = contentChanges.filter((c): c is { range: Range; text: string } => 'range' in c);
    if (
      doc.syntax &&
      doc.syntax.text.length > SYNC_ANALYSIS_CHARS &&
      edits.length === contentChanges.length
    ) {
      editedLargeDocument(doc, edits);
    } else changed([doc.file]);
  });

  connection.onDidCloseTextDocument(({ textDocument: td }) => {
    const doc = docs.get(td.uri);
    if (!doc) return;
    doc.syntax?.dispose(); // no tree is kept for closed files
    docs.delete(td.uri);
    state!.sources.setOpen(doc.file, undefined);
    state!.sources.invalidate(doc.file);
    if (!workspaceFiles.includes(doc.file)) {
      // Outside the workspace: nobody else will update its diagnostics.
      published.delete(doc.file);
      void connection.sendDiagnostics({ uri: td.uri, diagnostics: [] });
      changed([doc.file]);
      return;
    }
    changed([doc.file]);
  });

  connection.onDidChangeWatchedFiles(({ changes }) => {
    for (const feature of FEATURES) feature.watchedFilesChanged?.(changes.map((c) => filePath(c.uri)));
    // A changed flake.lock changes what its flake.nix's analysis knows (the nixpkgs release): re-analyse that.
    const locks = changes
      .filter((c) => c.uri.endsWith('/flake.lock'))
      .map((c) => path.join(path.dirname(filePath(c.uri)), 'flake.nix'))
      .filter((f) => workspaceFiles.includes(f));
    changes = changes.filter((c) => c.uri.endsWith('.nix'));
    if (!changes.length && !locks.length) return;
    const files = [...changes.map((c) => filePath(c.uri)), ...locks];
    for (const f of files) state!.sources.invalidate(f);
    if (changes.some((c) => c.type !== FileChangeType.Changed)) refreshFileList();
    changed(files);
  });

  connection.onDocumentSymbol(({ textDocument }) => {
    const doc = docs.get(textDocument.uri);
    if (!doc?.syntax) return [];
    return outline(doc.syntax.sourceFile().expr, doc.syntax.lineIndex).map(toDocumentSymbol);
  });

  for (const feature of FEATURES) feature.register(connection, () => state);

  connection.onShutdown(() => {
    if (pauseTimer) clearTimeout(pauseTimer);
    for (const d of docs.values()) d.syntax?.dispose();
    docs.clear();
  });

  connection.listen();
}
