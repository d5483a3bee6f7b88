// Extension entry point. Activation stays cheap: the language server starts in the background and the
// commands only register handlers.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { createClient } from './client';
import { registerHardwareConfig } from './commands/hardware-config';
import { registerProbeHardware } from './commands/probe-hardware';
import { registerShowConfiguration } from './commands/show-configuration';

let client: LanguageClient | undefined;

/** What activate() returns: only in extension tests (ExtensionMode.Test), so they can reach the real SecretStorage. */
export interface NixkitTestApi {
  secrets: vscode.SecretStorage;
}

export async function activate(context: vscode.ExtensionContext): Promise<NixkitTestApi | undefined> {
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

  registerShowConfiguration(context, () => client, output);
  const hwconfig = registerHardwareConfig(context, () => client, output);
  registerProbeHardware(context, () => client, output, hwconfig);

  // Not awaited: activation returns at once; the client queues requests until the server is up.
  start().catch((e: unknown) => {
    output.appendLine(`The nixkit language server failed to start: ${String(e)}`);
    void vscode.window.showErrorMessage(
      'nixkit: the language server failed to start. See the "nixkit" output.',
    );
  });
  return context.extensionMode === vscode.ExtensionMode.Test ? { secrets: context.secrets } : undefined;
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
