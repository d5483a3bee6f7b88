// "NixOS: Write Installer Image…": opens the write page (extension/panels/media-write.ts); a write in progress is
// shown again. Works without a folder open (saved targets then come from the recent list only).
import * as vscode from 'vscode';
import { engineBackend } from '../media/engine-backend';
import { MediaWritePanel } from '../panels/media-write';

export function registerWriteInstallerImage(
  context: vscode.ExtensionContext,
  output: vscode.OutputChannel,
): void {
  let panel: MediaWritePanel | undefined;
  context.subscriptions.push(
    { dispose: () => panel?.dispose() },
    vscode.commands.registerCommand('nixkit.writeInstallerImage', async () => {
      panel ??= new MediaWritePanel(context, output, engineBackend);
      await panel.show();
    }),
  );
}
