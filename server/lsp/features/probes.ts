// Probes of the targets (`.nixkit/hosts/<configuration>.json`, saved by the probe panel): attached to the
// analysis at start, and re-read when one is added, changed or removed. A broken probe file gets a diagnostic on
// itself and is not used until it is fixed.
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type Connection } from 'vscode-languageserver/node';
import { isProbeFile, PROBE_GLOB, ProbeProvider } from '../../analysis/probes';
import type { ServerState } from '../server';
import type { Feature } from './';

const ORIGIN = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

interface ProbesState {
  connection?: Connection;
  state?: ServerState;
  provider?: ProbeProvider;
  /** Probe files that carry a diagnostic now (to clear it once fixed). */
  flagged: Set<string>;
}

const current: ProbesState = { flagged: new Set() };

function publishProblems(later: boolean): void {
  const provider = current.provider;
  if (!provider) return;
  if (later) {
    setTimeout(() => publishProblems(false), 0);
    return;
  }
  const problems = new Map(provider.problems().map((p) => [p.file, p.message]));
  const flagged = current.flagged;
  const send = () => {
    for (const file of flagged)
      if (!problems.has(file))
        void current.connection?.sendDiagnostics({ uri: pathToFileURL(file).toString(), diagnostics: [] });
    for (const [file, message] of problems)
      void current.connection?.sendDiagnostics({
        uri: pathToFileURL(file).toString(),
        diagnostics: [
          {
            range: ORIGIN,
            severity: DiagnosticSeverity.Error,
            code: 'probe-invalid',
            source: 'nixkit',
            message: `${message}; nixkit does not use this probe until it is fixed`,
          },
        ],
      });
  };
  send();
  current.flagged = new Set(problems.keys());
}

export const probesFeature: Feature = {
  capabilities: {},
  watch: [{ globPattern: PROBE_GLOB }],
  register(connection) {
    current.connection = connection;
    current.flagged = new Set();
  },
  initialize(state) {
    current.state = state;
    current.provider = new ProbeProvider({
      roots: () => state.roots,
      onProblem: (file, message) => {
        current.connection?.console.log(`nixkit: ${file}: ${message}; this probe is not used`);
        // Found while the analysis runs (after the client has the initialize response): publish once it is done.
        publishProblems(true);
      },
    });
    state.analysis.setProbes(current.provider);
  },
  watchedFilesChanged(files) {
    const state = current.state;
    if (!state || !files.some(isProbeFile)) return;
    state.analysis.probesChanged();
    state.republish();
    publishProblems(false);
  },
};
