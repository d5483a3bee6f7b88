// Entry point of the language server process (dist/server.js): LSP over stdio or IPC, as the client chose.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

startServer(createConnection(ProposedFeatures.all));
