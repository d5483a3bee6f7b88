// A webview panel that shows one page of dist/webview (`<page>.js` and `<page>.css`) behind the strict
// Content-Security-Policy of webview-html.ts, with a fresh nonce. The install wizard and the write page open theirs
// here; each keeps its own messages and lifetime.
import * as vscode from 'vscode';
import { makeNonce, webviewHtml } from './webview-html';

export interface PagePanelOptions {
  viewType: string;
  title: string;
  /** The page's file name in dist/webview, without extension (`install-wizard-page`). */
  page: string;
  /** Shown until the page's script renders. */
  loadingText: string;
}

export function openPagePanel(context: vscode.ExtensionContext, opts: PagePanelOptions): vscode.WebviewPanel {
  const root = vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview');
  const panel = vscode.window.createWebviewPanel(opts.viewType, opts.title, vscode.ViewColumn.Active, {
    enableScripts: true,
    localResourceRoots: [root],
    // The page keeps what was typed (a device name, a passphrase field) while another tab is in front.
    retainContextWhenHidden: true,
  });
  const uri = (file: string) => panel.webview.asWebviewUri(vscode.Uri.joinPath(root, file)).toString();
  panel.webview.html = webviewHtml({
    title: opts.title,
    cspSource: panel.webview.cspSource,
    nonce: makeNonce(),
    scriptUri: uri(`${opts.page}.js`),
    styleUri: uri(`${opts.page}.css`),
    loadingText: opts.loadingText,
  });
  return panel;
}
