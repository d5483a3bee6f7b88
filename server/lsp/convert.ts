// Findings and outline symbols in LSP's shapes.
import {
  DiagnosticSeverity,
  SymbolKind,
  type Diagnostic,
  type DocumentSymbol,
} from 'vscode-languageserver/node';
import { pathToFileURL } from 'node:url';
import type { Finding, Severity } from '../findings';
import type { OutlineKind, OutlineSymbol } from '../syntax/symbols';
import { docsUrl } from './features/util';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toDiagnostic(f: Finding): Diagnostic {
  return {
    range: f.range,
    severity: SEVERITY[f.severity],
    code: f.code,
    codeDescription: { href: docsUrl(f.code) },
    source: 'nixkit',
    message: f.message,
    relatedInformation: f.related?.map((r) => ({
      location: { uri: pathToFileURL(r.file).toString(), range: r.range },
      message: r.message,
    })),
  };
}

const KIND: Record<OutlineKind, SymbolKind> = {
  namespace: SymbolKind.Namespace,
  property: SymbolKind.Property,
  variable: SymbolKind.Variable,
  function: SymbolKind.Function,
  list: SymbolKind.Array,
  value: SymbolKind.Constant,
};

export function toDocumentSymbol(s: OutlineSymbol): DocumentSymbol {
  return {
    name: s.name || '(empty)',
    kind: KIND[s.kind],
    range: s.range,
    selectionRange: s.selectionRange,
    detail: s.detail,
    children: s.children.map(toDocumentSymbol),
  };
}
