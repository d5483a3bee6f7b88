// "NixOS: Install to Host…": opens the install wizard (extension/panels/install-wizard.ts) at the page it was left
// on: a new install starts at the Target page, an install in progress or stopped shows its run.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { InstallWizard } from '../panels/install-wizard';

export function registerInstallToHost(
  context: vscode.ExtensionContext,
  client: () => LanguageClient | undefined,
  output: vscode.OutputChannel,
): void {
  let wizard: InstallWizard | undefined;
  context.subscriptions.push(
    { dispose: () => wizard?.dispose() },
    vscode.commands.registerCommand('nixkit.installToHost', async () => {
      wizard ??= new InstallWizard(context, { client, output });
      await wizard.show();
    }),
  );
}
