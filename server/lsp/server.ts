// The LSP glue: keeps one parsed document per open file and answers with the analysis' results. Thin on
// purpose: everything it reports comes from server/analysis and server/syntax, the same code `nixkit check` runs.
import { TextDocumentSyncKind, type Connection, type InitializeResult } from 'vscode-languageserver/node';
import { fileURLToPath } from 'node:url';
import type { Parser } from 'web-tree-sitter';
import { DEFAULT_MAX_FILE_BYTES, formatSize } from '../analysis/source-text';
import { syntaxFindings } from '../analysis/syntax-findings';
import type { Finding } from '../findings';
import { SyntaxDocument } from '../syntax/document';
import { LineIndex } from '../syntax/positions';
import { createParser } from '../syntax/parser';
import { outline } from '../syntax/symbols';
import { toDiagnostic, toDocumentSymbol } from './convert';

interface OpenDocument {
  uri: string;
  version: number;
  /** Absent when the file is too large to parse. */
  syntax?: SyntaxDocument;
  /** The text when `syntax` is absent. */
  text?: string;
}

export function startServer(connection: Connection): void {
  let parser: Parser | undefined;
  const docs = new Map<string, OpenDocument>();
  const maxChars = DEFAULT_MAX_FILE_BYTES;
  const log = (msg: string) => connection.console.log(msg);

  connection.onInitialize(async (): Promise<InitializeResult> => {
    const t0 = Date.now();
    parser = await createParser();
    log(`nixkit language server ready (parser loaded in ${Date.now() - t0} ms)`);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        documentSymbolProvider: true,
      },
      serverInfo: { name: 'nixkit', version: '0.1.0' },
    };
  });

  const filePath = (uri: string) => (uri.startsWith('file:') ? fileURLToPath(uri) : uri);

  function open(uri: string, version: number, text: string): OpenDocument {
    if (!parser) throw new Error('nixkit: document opened before initialize');
    if (text.length > maxChars) return { uri, version, text };
    return { uri, version, syntax: new SyntaxDocument(parser, text) };
  }

  function findingsOf(doc: OpenDocument): Finding[] {
    const file = filePath(doc.uri);
    if (!doc.syntax) {
      return [
        {
          file,
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          severity: 'information',
          code: 'file-too-large',
          message: `nixkit does not check this file: it is too large (${formatSize(doc.text!.length)}; the limit is ${formatSize(maxChars)})`,
        },
      ];
    }
    return syntaxFindings(doc.syntax, file);
  }

  function publish(doc: OpenDocument): void {
    try {
      const diagnostics = findingsOf(doc).map(toDiagnostic);
      void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
    } catch (e) {
      // A bug in one check must not take the server down; say where it happened.
      log(`nixkit: checking ${doc.uri} failed: ${(e as Error).stack ?? e}`);
    }
  }

  connection.onDidOpenTextDocument(({ textDocument: td }) => {
    const existing = docs.get(td.uri);
    existing?.syntax?.dispose();
    const doc = open(td.uri, td.version, td.text);
    docs.set(td.uri, doc);
    publish(doc);
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
    publish(doc);
  });

  connection.onDidCloseTextDocument(({ textDocument: td }) => {
    const doc = docs.get(td.uri);
    doc?.syntax?.dispose(); // no tree is kept for closed files
    docs.delete(td.uri);
    void connection.sendDiagnostics({ uri: td.uri, diagnostics: [] });
  });

  connection.onDocumentSymbol(({ textDocument }) => {
    const doc = docs.get(textDocument.uri);
    if (!doc?.syntax) return [];
    return outline(doc.syntax.sourceFile().expr, doc.syntax.lineIndex).map(toDocumentSymbol);
  });

  connection.onShutdown(() => {
    for (const d of docs.values()) d.syntax?.dispose();
    docs.clear();
  });

  connection.listen();
}
