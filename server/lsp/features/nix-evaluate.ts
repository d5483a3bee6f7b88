// `nixkit.evaluate`: asks Nix (when installed) for each flake's nixosConfigurations names, after the static
// result is published and never in the way of typing: in the background, one flake at a time, again when files
// change on disk (a save, a new flake.lock). A machine Nix lists that nixkit could not follow becomes a
// configuration-not-followed finding; one nixkit found that Nix does not list is logged (a discovery bug).
import type { Connection } from 'vscode-languageserver/node';
import { nixConfigurationNames } from '../../analysis/nix-eval';
import type { ServerState } from '../server';
import type { Feature } from './index';

const DELAY_MS = 1500;

const current: {
  enabled: boolean;
  connection?: Connection;
  state?: () => ServerState | undefined;
  timer?: NodeJS.Timeout;
  running: boolean;
  again: boolean;
} = { enabled: false, running: false, again: false };

function log(msg: string) {
  current.connection?.console.log(msg);
}

function schedule(): void {
  if (!current.enabled) return;
  if (current.timer) clearTimeout(current.timer);
  current.timer = setTimeout(() => {
    current.timer = undefined;
    void run();
  }, DELAY_MS);
}

async function run(): Promise<void> {
  if (current.running) {
    current.again = true;
    return;
  }
  current.running = true;
  try {
    const state = current.state?.();
    if (!state) return;
    const flakes = state.analysis.project.analysisUnits.filter((u) => u.kind === 'flake').map((u) => u.file);
    let changed = false;
    for (const flake of flakes) {
      if (!current.enabled) return;
      const asked = await nixConfigurationNames(flake);
      if (!current.enabled) return;
      if (!asked.ok) {
        log(`nixkit: ${flake}: ${asked.message}; the machines are those nixkit found alone`);
        continue;
      }
      const { unlisted } = state.analysis.setNixNames(flake, asked.names);
      changed = true;
      for (const name of unlisted)
        log(
          `nixkit: ${flake}: nixkit found machine "${name}" but Nix does not list it (a nixkit bug: please report it)`,
        );
    }
    if (changed) state.republish();
  } finally {
    current.running = false;
    if (current.again) {
      current.again = false;
      schedule();
    }
  }
}

/** Turns asking Nix on or off (the `nixkit.evaluate` setting). */
export function setEvaluate(on: boolean): void {
  if (on === current.enabled) return;
  current.enabled = on;
  if (on) {
    schedule();
    return;
  }
  const state = current.state?.();
  if (!state) return;
  for (const u of state.analysis.project.analysisUnits)
    if (u.kind === 'flake') state.analysis.setNixNames(u.file, undefined);
  state.republish();
}

export const nixEvaluateFeature: Feature = {
  capabilities: {},
  watch: [{ globPattern: '**/flake.lock' }],
  register(connection, state) {
    current.connection = connection;
    current.state = state;
    current.enabled = false;
  },
  watchedFilesChanged() {
    schedule();
  },
};
