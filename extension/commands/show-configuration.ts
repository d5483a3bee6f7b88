// "NixOS: Show Configuration": asks the server for every NixOS configuration (nixkit/configurations) and shows
// what each will install in a read-only Markdown document (`nixkit:` scheme), opened in the preview.
import { requestConfigurations } from '../lsp-requests';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';

import { renderConfigurations } from './configuration-markdown';

export const SCHEME = 'nixkit';
const URI = vscode.Uri.from({ scheme: SCHEME, path: '/NixOS configurations.md' });

class ConfigurationDocuments implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private text = '';

  set(uri: vscode.Uri, text: string) {
    this.text = text;
    this.changed.fire(uri);
  }

  provideTextDocumentContent(): string {
    return this.text;
  }

  dispose() {
    this.changed.dispose();
  }
}

export function registerShowConfiguration(
  context: vscode.ExtensionContext,
  client: () => LanguageClient | undefined,
  output: vscode.OutputChannel,
): void {
  const documents = new ConfigurationDocuments();
  context.subscriptions.push(
    documents,
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, documents),
    vscode.commands.registerCommand('nixkit.showConfiguration', async () => {
      const c = client();
      if (!c) {
        void vscode.window.showWarningMessage('nixkit: the language server is not running.');
        return;
      }
      const active = vscode.window.activeTextEditor?.document;
      let result;
      try {
        result = await requestConfigurations(c);
      } catch (e) {
        output.appendLine(`nixkit/configurations failed: ${String(e)}`);
        void vscode.window.showErrorMessage(
          'nixkit: could not get the configurations. See the "nixkit" output.',
        );
        return;
      }
      // With several configurations, offer the ones that include the active file first.
      let shown = result;
      if (result.configurations.length > 1) {
        const activeUri = active?.uri.toString();
        const items = [
          { label: 'All configurations', description: `${result.configurations.length}`, names: undefined },
          ...result.configurations.map((cfg) => ({
            label: cfg.name,
            description: activeUri && cfg.files.includes(activeUri) ? 'includes the active file' : cfg.kind,
            names: cfg.name,
          })),
        ];
        const pick = await vscode.window.showQuickPick(items, { placeHolder: 'Which NixOS configuration?' });
        if (!pick) return;
        if (pick.names)
          shown = {
            ...result,
            configurations: result.configurations.filter((cfg) => cfg.name === pick.names),
          };
      }
      const root = vscode.workspace.workspaceFolders?.[0]?.uri.toString();
      documents.set(URI, renderConfigurations(shown, root));
      const doc = await vscode.workspace.openTextDocument(URI);
      try {
        await vscode.commands.executeCommand('markdown.showPreview', doc.uri);
      } catch {
        await vscode.window.showTextDocument(doc, { preview: true });
      }
    }),
  );
}
