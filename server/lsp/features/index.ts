// Editor features beyond diagnostics (code actions, hover, completion, definitions, custom requests). Each
// module registers its handlers and says which capabilities it adds; server.ts merges them.
import type { Connection, ServerCapabilities } from 'vscode-languageserver/node';
import type { ServerState } from '../server';

export interface Feature {
  capabilities: ServerCapabilities;
  register(connection: Connection, state: () => ServerState | undefined): void;
}

export const FEATURES: Feature[] = [];
