// Starts the nixkit language server as its own Node process and connects VS Code to it.
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';

export function createClient(context: vscode.ExtensionContext, output: vscode.OutputChannel): LanguageClient {
  const configured = vscode.workspace.getConfiguration('nixkit').get<string>('server.path');
  const module = configured || context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'nix' },
      { scheme: 'untitled', language: 'nix' },
    ],
    outputChannel: output,
    synchronize: {
      configurationSection: 'nixkit',
      // Created, changed and deleted .nix files change which configurations exist and what they import.
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*.nix'),
    },
  };
  return new LanguageClient('nixkit', 'nixkit', serverOptions, clientOptions);
}
