// Per-rule severities: from `nixkit.toml` / `.nixkit.json` at the repository root and from the editor's
// `nixkit.rules` setting (which wins). A broken config file gets a diagnostic on itself and a log line; the
// rules then run with the editor's settings alone.
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type Connection, type Diagnostic } from 'vscode-languageserver/node';
import {
  cleanSeverities,
  findProjectConfig,
  isProjectConfigFile,
  loadProjectConfig,
  ruleSettings,
  type ProjectConfig,
  type RuleSeverity,
} from '../../analysis/project-config';
import type { MachineSpec } from '../../model/project';
import type { ServerState } from '../server';
import type { Feature } from './';
import { setEvaluate } from './nix-evaluate';

const ORIGIN = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

interface SettingsState {
  connection?: Connection;
  state?: ServerState;
  fileConfig?: ProjectConfig;
  client: Record<string, RuleSeverity>;
  /** Config files that carry a diagnostic now (to clear it once fixed). */
  flagged: Set<string>;
  applied: string;
}

const current: SettingsState = { client: {}, flagged: new Set(), applied: '{}' };

function log(msg: string) {
  current.connection?.console.log(msg);
}

/**
 * Finds and reads the config files of the workspace roots (the first root's file wins per code). Diagnostics on
 * them are sent `later` when the client may not have had the initialize response yet.
 */
function loadFiles(later = false): void {
  const state = current.state;
  if (!state) return;
  const diagnostics = new Map<string, Diagnostic[]>();
  const merged: ProjectConfig = { rules: {} };
  let found = false;
  for (const root of [...state.roots].reverse()) {
    const file = findProjectConfig(root);
    if (!file) continue;
    const result = loadProjectConfig(file);
    if (!result.ok) {
      log(`nixkit: ${file}: ${result.message}; its settings are not used`);
      diagnostics.set(file, [
        {
          range: result.range ?? ORIGIN,
          severity: DiagnosticSeverity.Error,
          code: 'config-invalid',
          source: 'nixkit',
          message: `${result.message}; nixkit ignores this file until it is fixed`,
        },
      ]);
      continue;
    }
    found = true;
    Object.assign(merged.rules, result.config.rules);
    if (result.config.machines) merged.machines = [...(merged.machines ?? []), ...result.config.machines];
    if (result.warnings.length)
      diagnostics.set(
        file,
        result.warnings.map((w) => ({
          range: ORIGIN,
          severity: DiagnosticSeverity.Warning,
          code: 'config-invalid',
          source: 'nixkit',
          message: w,
        })),
      );
  }
  current.fileConfig = found ? merged : undefined;
  const send = (file: string, ds: Diagnostic[]) =>
    void current.connection?.sendDiagnostics({ uri: pathToFileURL(file).toString(), diagnostics: ds });
  const flagged = current.flagged;
  const publish = () => {
    for (const file of flagged) if (!diagnostics.has(file)) send(file, []);
    for (const [file, ds] of diagnostics) send(file, ds);
  };
  if (later) setTimeout(publish, 0);
  else publish();
  current.flagged = new Set(diagnostics.keys());
}

/** Gives the analysis the merged settings; re-analyses and re-publishes only when they changed. */
function apply(republish: boolean): void {
  const state = current.state;
  if (!state) return;
  const settings = ruleSettings(current.fileConfig, current.client);
  // nixkit.toml's [machines] change what is analysed: a change there re-analyses too.
  const key = JSON.stringify([
    Object.entries(settings.severity ?? {}).sort(),
    current.fileConfig?.machines ?? [],
  ]);
  if (key === current.applied) return;
  current.applied = key;
  state.analysis.setSettings(settings);
  if (republish) state.republish();
}

/** Machines named in the workspace's nixkit.toml `[machines]`. */
export function configuredMachines(): MachineSpec[] {
  return current.fileConfig?.machines ?? [];
}

export const settingsFeature: Feature = {
  capabilities: {},
  watch: [{ globPattern: '**/{nixkit.toml,.nixkit.json}' }],
  register(connection) {
    current.connection = connection;
    current.client = {};
    current.flagged = new Set();
    current.applied = JSON.stringify([[], []]);
    connection.onDidChangeConfiguration(({ settings }) => {
      const section = (settings as { nixkit?: { rules?: unknown; evaluate?: unknown } } | undefined)?.nixkit;
      setEvaluate(section?.evaluate === true);
      const raw = section?.rules;
      const { rules, problems } = cleanSeverities(raw);
      for (const p of problems) log(`nixkit: settings: ${p}`);
      current.client = rules;
      apply(true);
    });
  },
  initialize(state) {
    current.state = state;
    loadFiles(true);
    apply(false);
  },
  watchedFilesChanged(files) {
    if (!files.some(isProjectConfigFile)) return;
    loadFiles();
    apply(true);
  },
};
