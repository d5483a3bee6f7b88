// Extension entry point. Activation stays cheap: the language server starts in the background and the
// commands only register handlers.
// First import: its timestamp marks the start of code loading (see activation below).
import { loadStart } from './load-clock';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { createClient } from './client';
import { registerShowConfiguration } from './commands/show-configuration';
import type * as Remote from './remote';
import { REMOTE_COMMANDS } from './remote-commands';

// Every import has been evaluated by now: the end of code loading.
const loadEnd = performance.now();
let client: LanguageClient | undefined;

/**
 * What activate() returns: only in extension tests (ExtensionMode.Test), so they can reach the real SecretStorage
 * and read how long activation took.
 */
export interface NixkitTestApi {
  secrets: vscode.SecretStorage;
  activation: ActivationTime;
}

/**
 * How long activation took, in milliseconds: evaluating the bundle's code (from its first import to the end of
 * main.ts's imports) plus the activate() call, the two parts VS Code counts as an extension's activation.
 * Not included: reading and compiling the bundle before any of its code runs, and the time the extension host
 * spends between loading the code and calling activate() (it prepares the extension's context then).
 */
export interface ActivationTime {
  loadMs: number;
  activateMs: number;
  totalMs: number;
}

export async function activate(context: vscode.ExtensionContext): Promise<NixkitTestApi | undefined> {
  const activateStart = performance.now();
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
  registerRemoteOnFirstUse(context, output);

  // Not awaited: activation returns at once; the client queues requests until the server is up.
  start().catch((e: unknown) => {
    output.appendLine(`The nixkit language server failed to start: ${String(e)}`);
    void vscode.window.showErrorMessage(
      'nixkit: the language server failed to start. See the "nixkit" output.',
    );
  });
  const end = performance.now();
  const activation = {
    loadMs: loadEnd - loadStart,
    activateMs: end - activateStart,
    totalMs: loadEnd - loadStart + (end - activateStart),
  };
  output.appendLine(
    `nixkit activated in ${activation.totalMs.toFixed(1)} ms (code loading ${activation.loadMs.toFixed(1)} ms, ` +
      `activate() ${activation.activateMs.toFixed(1)} ms)`,
  );
  return context.extensionMode === vscode.ExtensionMode.Test
    ? { secrets: context.secrets, activation }
    : undefined;
}

/**
 * Stand-ins for the SSH commands: the first call loads dist/remote.js (ssh2, the engine, the panels), lets it
 * register the real commands in their place, and forwards the call.
 */
function registerRemoteOnFirstUse(context: vscode.ExtensionContext, output: vscode.OutputChannel): void {
  let loaded = false;
  const standIns = REMOTE_COMMANDS.map((id) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      if (!loaded) {
        loaded = true;
        for (const s of standIns) s.dispose();
        // A separate bundle, required by path so esbuild leaves it out of dist/extension.js.
        const remote = require(path.join(__dirname, 'remote.js')) as typeof Remote;
        remote.registerRemote(context, () => client, output);
      }
      return vscode.commands.executeCommand(id, ...args);
    }),
  );
  context.subscriptions.push(...standIns);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
