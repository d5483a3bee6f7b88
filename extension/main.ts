// Extension entry point. Activation stays cheap: the language server starts in the background and the
// commands only register handlers.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { createClient } from './client';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('nixkit');
  context.subscriptions.push(output);

  const start = async () => {
    client = createClient(context, output);
    await client.start();
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('nixkit.restartServer', async () => {
      output.appendLine('Restarting the nixkit language server…');
      const old = client;
      client = undefined;
      if (old)
        await old.stop().catch((e: unknown) => output.appendLine(`stopping the server failed: ${String(e)}`));
      await start();
      output.appendLine('The nixkit language server is running.');
    }),
  );

  // Not awaited: activation returns at once; the client queues requests until the server is up.
  start().catch((e: unknown) => {
    output.appendLine(`The nixkit language server failed to start: ${String(e)}`);
    void vscode.window.showErrorMessage(
      'nixkit: the language server failed to start. See the "nixkit" output.',
    );
  });
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
