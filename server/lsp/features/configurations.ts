// The nixkit/configurations request: every NixOS configuration of the workspace with what it will install
// (for "NixOS: Show Configuration"). The model computes the summary; this turns its places into LSP locations.
import type { Location } from 'vscode-languageserver/node';
import * as path from 'node:path';
import { summarize } from '../../facts/summary';
import { notCheckedFiles } from '../../analysis/not-checked';
import type { Source } from '../../model/value';
import {
  ConfigurationsRequest,
  type ConfigurationsParams,
  type ConfigurationsResult,
  type ConfigurationSummary,
  type NotFollowedMachine,
} from '../../../protocol/lsp-ext';
import type { ServerState } from '../server';
import type { Feature } from './';
import { fileOfUri, uriOfFile } from './util';

export function configurations(state: ServerState, params: ConfigurationsParams = {}): ConfigurationsResult {
  const only = params.uri ? fileOfUri(state, params.uri) : undefined;
  const locate = (src: Source | undefined): Location | undefined => {
    if (!src) return undefined;
    const parsed = state.sources.parsed(src.file);
    return parsed ? { uri: uriOfFile(state, src.file), range: parsed.lines.rangeOf(src.span) } : undefined;
  };
  const out: ConfigurationSummary[] = [];
  for (const unit of state.analysis.project.analysisUnits) {
    for (const config of unit.configurations) {
      if (only && !config.files.has(only)) continue;
      const files = [...config.files].sort();
      const findings = { error: 0, warning: 0, information: 0, hint: 0 };
      for (const f of files) for (const x of state.published.get(f) ?? []) findings[x.severity]++;
      let summary;
      try {
        summary = summarize(config, (t) => unit.evaluator.force(t), locate);
      } catch {
        continue; // a bug in one summary must not hide the other configurations
      }
      out.push({
        name: config.name,
        kind: config.entry.kind,
        status: config.status,
        reasons: config.reasons,
        location: locate(config.entry.at) ?? {
          uri: uriOfFile(state, config.entry.file),
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        },
        files: files.map((f) => uriOfFile(state, f)),
        ...summary,
        findings,
      });
    }
  }
  out.sort((a, b) => a.name.localeCompare(b.name) || a.location.uri.localeCompare(b.location.uri));
  const notFollowed: NotFollowedMachine[] = [];
  for (const c of state.analysis.project.coverage) {
    if (c.status !== 'not-followed') continue;
    if (only && c.file !== only) continue;
    notFollowed.push({
      name: c.name,
      location: locate(c.at) ?? {
        uri: uriOfFile(state, c.file),
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      },
      reasons: c.reasons,
    });
  }
  // Other files are named relative to the workspace folder that holds them, as the explorer shows them.
  const shown = (f: string) => {
    const root = state.roots.find((r) => f.startsWith(r + path.sep));
    return root ? path.relative(root, f) : f;
  };
  const notChecked = notCheckedFiles(state.analysis.project, state.analysis.files(), state.sources, shown)
    .filter((n) => !only || n.file === only)
    .map((n) => ({
      location: {
        uri: uriOfFile(state, n.file),
        range: {
          start: { line: (n.line ?? 1) - 1, character: 0 },
          end: { line: (n.line ?? 1) - 1, character: 0 },
        },
      },
      why: n.why,
    }));
  return { configurations: out, notFollowed, nixFiles: state.analysis.fileCount(), notChecked };
}

export const configurationsFeature: Feature = {
  capabilities: {},
  register(connection, state) {
    connection.onRequest(ConfigurationsRequest, (params) => {
      const s = state();
      return s ? configurations(s, params ?? {}) : { configurations: [] };
    });
  },
};
