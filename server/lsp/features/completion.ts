// Completion of install-relevant option paths (after a partial path, in dotted and nested positions) and of
// known values (fsType, system doubles, booleans for `.enable`, "nodev" for GRUB). The text being typed is
// usually not valid Nix yet, so the enclosing set's option path comes from a re-parse of the document with
// the fragment under the cursor blanked out (same length, so offsets stay put).
import {
  CompletionItemKind,
  type CompletionItem,
  type CompletionList,
  type CompletionParams,
} from 'vscode-languageserver/node';
import {
  findOption,
  OPTIONS,
  optionsUnder,
  segmentMatches,
  SYSTEM_DOUBLES,
  type OptionInfo,
} from '../../model/options-data';
import { optionContextAt, stringAt } from '../../model/option-path';
import type { SourceFile } from '../../syntax/ast';
import { SyntaxDocument } from '../../syntax/document';
import type { Range } from '../../syntax/positions';
import type { ServerState } from '../server';
import type { Feature } from './';
import { isModuleFile } from './module-files';
import { fileOfUri } from './util';

const KEY = `(?:[A-Za-z_][\\w'-]*|"[^"\\\\$]*")`;
/** A partial attribute path at a binding's start: `boot.loader.sy`, `"/boot".fs`, `` (nothing yet). */
const PARTIAL_KEY = new RegExp(`(^|[{;]|^\\s+)\\s*((?:${KEY}\\.)*)([A-Za-z_][\\w'-]*)?$`);
/** A binding's value being typed: `fsType = "ex`, `enable = tr`, `system = `. */
const PARTIAL_VALUE = new RegExp(
  `(?:^|[{;\\s])(${KEY}(?:\\.${KEY})*)\\s*=\\s*(?:lib\\.)?(?:mkDefault\\s+|mkForce\\s+)?("?)([\\w./-]*)$`,
);

const keyName = (k: string) => (k.startsWith('"') ? k.slice(1, -1) : k);
const splitKeys = (dotted: string) => (dotted ? (dotted.match(new RegExp(KEY, 'g')) ?? []).map(keyName) : []);

interface Reparsed {
  ast: SourceFile;
}

function reparse(state: ServerState, text: string, start: number, end: number): Reparsed {
  const blanked = text.slice(0, start) + text.slice(start, end).replace(/[^\r\n]/g, ' ') + text.slice(end);
  const doc = new SyntaxDocument(state.parser, blanked);
  try {
    return { ast: doc.sourceFile() };
  } finally {
    doc.dispose();
  }
}

/** The option path of the set around `offset` in a (repaired) tree, or undefined outside option positions. */
function setPrefix(ast: SourceFile, offset: number, isModule: boolean): string[] | undefined {
  const ctx = optionContextAt(ast, offset, isModule);
  if (!ctx) return undefined;
  if (ctx.kind === 'set') return ctx.prefix;
  return undefined;
}

function valueItems(
  option: OptionInfo | undefined,
  lastKey: string,
  inString: boolean,
  range: Range,
): CompletionItem[] {
  let values: string[] = [];
  let detail = option?.path;
  if (option?.values) values = option.values;
  else if (option?.type === 'boolean' || (!option && lastKey === 'enable')) values = ['true', 'false'];
  else if (!option && lastKey === 'system') {
    values = SYSTEM_DOUBLES.map((s) => JSON.stringify(s));
    detail = 'system double';
  }
  return values
    .filter((v) => !inString || v.startsWith('"'))
    .map((v, i) => {
      const text = inString ? (JSON.parse(v) as string) : v;
      return {
        label: text,
        kind: v.startsWith('"') ? CompletionItemKind.Value : CompletionItemKind.Keyword,
        detail,
        sortText: String(i).padStart(3, '0'),
        textEdit: { range, newText: text },
      };
    });
}

/** An option for a typed value: the exact path when the enclosing sets are known, else the only one ending so. */
function optionForValue(path: string[] | undefined, keys: string[]): OptionInfo | undefined {
  if (path) return findOption(path);
  const matches = OPTIONS.filter((o) => {
    const segs = o.path.split('.');
    return (
      segs.length >= keys.length &&
      keys.every((k, i) => segmentMatches(segs[segs.length - keys.length + i], k))
    );
  });
  const withValues = new Set(matches.map((m) => JSON.stringify([m.type === 'boolean', m.values ?? null])));
  return withValues.size === 1 ? matches[0] : undefined;
}

export function completion(state: ServerState, params: CompletionParams): CompletionList | null {
  const file = fileOfUri(state, params.textDocument.uri);
  const parsed = state.sources.parsed(file);
  if (!parsed) return null;
  const lines = parsed.lines;
  const text = lines.text;
  const offset = lines.offsetAt(params.position);
  if (parsed.ast.comments.some((c) => offset > c.span.start && offset <= c.span.end)) return null;
  const lineStart = lines.lineStart(params.position.line);
  const before = text.slice(lineStart, offset);
  if (/#/.test(before.replace(/"(?:[^"\\]|\\.)*"/g, ''))) return null;
  const isModule = isModuleFile(state, file);

  const value = PARTIAL_VALUE.exec(before);
  if (value) {
    const keys = splitKeys(value[1]);
    const inString = value[2] === '"';
    const fragmentStart = lineStart + before.length - value[0].length + (/^[{;\s]/.test(value[0]) ? 1 : 0);
    const partialStart = offset - value[3].length;
    const rest = text.slice(offset, lines.lineEnd(params.position.line));
    const end = offset + (/^[^;]*;/.exec(rest)?.[0].length ?? rest.length);
    const prefix = setPrefix(reparse(state, text, fragmentStart, end).ast, fragmentStart, isModule);
    const option = optionForValue(prefix && [...prefix, ...keys], keys);
    const range = { start: lines.positionAt(partialStart), end: params.position };
    const items = valueItems(option, keys[keys.length - 1], inString, range);
    return items.length ? { isIncomplete: false, items } : null;
  }

  // Inside a string (or an attribute name in quotes) there is nothing to complete.
  const str = stringAt(parsed.ast, offset);
  if (str && str.span.start < offset) return null;
  if ((before.match(/"/g)?.length ?? 0) % 2 === 1) return null;

  const key = PARTIAL_KEY.exec(before);
  if (!key) return null;
  const typed = splitKeys(key[2].replace(/\.$/, ''));
  const partial = key[3] ?? '';
  const fragmentStart = offset - key[2].length - partial.length;
  const prefix = setPrefix(reparse(state, text, fragmentStart, offset).ast, fragmentStart, isModule);
  if (!prefix) return null;
  const full = [...prefix, ...typed];
  const range = { start: lines.positionAt(offset - partial.length), end: params.position };
  const seen = new Map<string, CompletionItem>();
  for (const { option, segments } of optionsUnder(full)) {
    const next = segments[full.length];
    if (next === '<name>' || next === '*' || seen.has(next)) continue;
    const leaf = segments.length === full.length + 1;
    const exact = leaf ? option : findOption([...full, next]);
    seen.set(next, {
      label: next,
      kind: leaf ? CompletionItemKind.Property : CompletionItemKind.Module,
      detail: exact ? `${exact.path}: ${exact.type}` : `${[...full, next].join('.')}.…`,
      documentation: exact ? { kind: 'markdown', value: exact.description } : undefined,
      textEdit: { range, newText: next },
    });
  }
  if (!seen.size) return null;
  return { isIncomplete: false, items: [...seen.values()].sort((a, b) => a.label.localeCompare(b.label)) };
}

export const completionFeature: Feature = {
  capabilities: { completionProvider: { triggerCharacters: ['.', '"'], resolveProvider: false } },
  register(connection, state) {
    connection.onCompletion((params) => {
      const s = state();
      return s ? completion(s, params) : null;
    });
  },
};
