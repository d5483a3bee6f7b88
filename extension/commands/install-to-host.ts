// "NixOS: Install to Host…": opens the install wizard (extension/panels/install-wizard.ts) at the page it was left
// on: a new install starts at the Target page, an install in progress or stopped shows its run.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { describeSeams, loadInstallTestSeams } from '../../engine/install/test-seams';
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
      if (!wizard) {
        let seams;
        try {
          seams = loadInstallTestSeams();
        } catch (e) {
          void vscode.window.showErrorMessage(`nixkit: ${(e as Error).message}`);
          return;
        }
        if (seams) output.appendLine(`install wizard: ${describeSeams(seams)}`);
        wizard = new InstallWizard(context, { client, output, seams });
      }
      await wizard.show();
    }),
  );
}
