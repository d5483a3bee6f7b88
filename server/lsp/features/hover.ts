// Hover: on a finding, why it matters and a link to its documentation page; on an install-relevant option
// path (dotted or nested), its type, default and what it does, and its value in the configurations that
// read the file.
import { MarkupKind, type Hover, type HoverParams } from 'vscode-languageserver/node';
import { builtinDescription } from '../../../protocol/diagnostic-codes';
import type { Finding } from '../../findings';
import { findOption, type OptionInfo } from '../../model/options-data';
import { optionContextAt } from '../../model/option-path';
import { summarizeValue } from '../../facts/summary';
import { ruleByCode } from '../../rules';
import type { Range } from '../../syntax/positions';
import type { ServerState } from '../server';
import type { Feature } from './';
import { isModuleFile } from './module-files';
import { docsUrl, fileOfUri, rangeContains } from './util';

function findingMarkdown(f: Finding): string {
  const rule = ruleByCode(f.code);
  const head = rule ? `**${f.code}**: ${rule.title}` : `**${f.code}**`;
  const body = rule?.explanation ?? builtinDescription(f.code) ?? '';
  const fixes = f.fixes?.length ? `\n\nQuick fix: ${f.fixes.map((x) => x.title).join('; ')}.` : '';
  return `${head}\n\n${body}${fixes}\n\n[Documentation](${docsUrl(f.code)})`;
}

function optionMarkdown(state: ServerState, file: string, path: string[], option: OptionInfo): string {
  const shown = path
    .map((k) => (/^[A-Za-z_][\w'-]*$|^\*$|^<name>$/.test(k) ? k : JSON.stringify(k)))
    .join('.');
  const lines = [`**${shown}**`, '', `Type: \`${option.type}\``];
  if (option.default !== undefined) lines.push(`Default: \`${option.default}\``);
  lines.push('', option.description);
  const concrete = !path.some((k) => k === '*' || k === '<name>');
  if (concrete) {
    const values: string[] = [];
    for (const c of state.analysis.project.configurations) {
      if (!c.files.has(file)) continue;
      const v = summarizeValue(c.value(path));
      values.push(`- \`${c.name}\`: ${v}`);
    }
    if (values.length) lines.push('', 'In the configurations that read this file:', ...values);
  }
  return lines.join('\n');
}

export function hover(state: ServerState, params: HoverParams): Hover | null {
  const file = fileOfUri(state, params.textDocument.uri);
  const parts: string[] = [];
  let range: Range | undefined;
  for (const f of state.published.get(file) ?? []) {
    if (!rangeContains(f.range, params.position)) continue;
    parts.push(findingMarkdown(f));
    range ??= f.range;
  }
  const parsed = state.sources.parsed(file);
  if (parsed) {
    const offset = parsed.lines.offsetAt(params.position);
    const ctx = optionContextAt(parsed.ast, offset, isModuleFile(state, file));
    if (ctx?.kind === 'key') {
      const path = ctx.path.slice(0, ctx.index + 1);
      const option = findOption(path);
      if (option) {
        parts.unshift(optionMarkdown(state, file, path, option));
        range = parsed.lines.rangeOf(ctx.keySpan);
      }
    }
  }
  if (!parts.length) return null;
  return { contents: { kind: MarkupKind.Markdown, value: parts.join('\n\n---\n\n') }, range };
}

export const hoverFeature: Feature = {
  capabilities: { hoverProvider: true },
  register(connection, state) {
    connection.onHover((params) => {
      const s = state();
      return s ? hover(s, params) : null;
    });
  },
};
