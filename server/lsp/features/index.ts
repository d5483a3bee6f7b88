// Editor features beyond diagnostics (code actions, hover, completion, definitions, custom requests). Each
// module registers its handlers and says which capabilities it adds; server.ts merges them.
import type { Connection, FileSystemWatcher, ServerCapabilities } from 'vscode-languageserver/node';
import type { ServerState } from '../server';
import { codeActionsFeature } from './code-actions';
import { completionFeature } from './completion';
import { configurationsFeature } from './configurations';
import { definitionFeature } from './definition';
import { hoverFeature } from './hover';
import { settingsFeature } from './settings';
import { probesFeature } from './probes';
import { nixEvaluateFeature } from './nix-evaluate';

export interface Feature {
  capabilities: ServerCapabilities;
  register(connection: Connection, state: () => ServerState | undefined): void;
  /** Called once the state exists, before the first analysis (settings are loaded here). */
  initialize?(state: ServerState): void;
  /** Files this feature wants to hear about (besides .nix files) when the client watches files. */
  watch?: FileSystemWatcher[];
  /** Watched files changed on disk (all of them, .nix or not). */
  watchedFilesChanged?(files: string[]): void;
}

export const FEATURES: Feature[] = [
  settingsFeature,
  codeActionsFeature,
  hoverFeature,
  completionFeature,
  definitionFeature,
  configurationsFeature,
  probesFeature,
  nixEvaluateFeature,
];
