// The probe panel: one webview showing the last probe (webview/probe-page.ts draws it). Talks to the page only
// through protocol/webview-messages.ts, checks every message from it, and runs the page's actions: save the probe to the
// workspace, generate hardware-configuration.nix, probe the same target again.
import * as vscode from 'vscode';
import type { ProbeReport } from '../../protocol/probe-report';
import { folderFor, pickConfigurationName, saveProbe } from '../saved-probes';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  describeRejected,
  isFromWebview,
  type FromWebview,
  type ToWebview,
} from '../../protocol/webview-messages';
import { toProbeView } from './probe-view';
import { makeNonce, webviewHtml } from './webview-html';

export interface ProbePanelDeps {
  client: () => LanguageClient | undefined;
  output: vscode.OutputChannel;
  generate(report: ProbeReport, name?: string): Promise<void>;
  reprobe(target: string): Promise<void>;
}

export interface ProbeResult {
  report: ProbeReport;
  /** What the person picked or typed. */
  target: string;
}

export class ProbePanel {
  static readonly viewType = 'nixkit.probe';
  private static current: ProbePanel | undefined;

  private savedAs: string | null = null;
  private readonly disposables: vscode.Disposable[] = [];

  /** Shows a probe: in the open panel (brought to the front) or a new one. */
  static show(context: vscode.ExtensionContext, deps: ProbePanelDeps, result: ProbeResult): ProbePanel {
    if (ProbePanel.current) {
      ProbePanel.current.update(result);
      ProbePanel.current.panel.reveal(undefined, false);
      return ProbePanel.current;
    }
    const root = vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview');
    const panel = vscode.window.createWebviewPanel(
      ProbePanel.viewType,
      ProbePanel.title(result),
      vscode.ViewColumn.Active,
      { enableScripts: true, localResourceRoots: [root], enableFindWidget: true },
    );
    ProbePanel.current = new ProbePanel(panel, root, deps, result);
    return ProbePanel.current;
  }

  private static title(result: ProbeResult): string {
    return `Probe: ${result.report.system.hostname ?? result.target}`;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly root: vscode.Uri,
    private readonly deps: ProbePanelDeps,
    private result: ProbeResult,
  ) {
    panel.webview.html = this.html();
    panel.onDidDispose(() => this.dispose(), null, this.disposables);
    panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m), null, this.disposables);
  }

  private html(): string {
    const webview = this.panel.webview;
    return webviewHtml({
      title: ProbePanel.title(this.result),
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.root, 'probe-page.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.root, 'probe-page.css')).toString(),
      loadingText: 'Loading the probe…',
    });
  }

  private update(result: ProbeResult): void {
    this.result = result;
    this.savedAs = null;
    this.panel.title = ProbePanel.title(result);
    this.showProbe();
  }

  private post(message: ToWebview): void {
    void this.panel.webview.postMessage(message);
  }

  private showProbe(): void {
    this.post({
      type: 'probe/show',
      probe: toProbeView(this.result.report, this.result.target),
      savedAs: this.savedAs,
    });
  }

  private receive(raw: unknown): void {
    if (!isFromWebview(raw)) {
      this.deps.output.appendLine(`probe panel: ignored a ${describeRejected(raw)}`);
      return;
    }
    void this.handle(raw).catch((e: unknown) => {
      const text = e instanceof Error ? e.message : String(e);
      this.deps.output.appendLine(`probe panel: ${raw.type} failed: ${text}`);
      this.post({ type: 'status', level: 'error', text });
      this.post({ type: 'probe/busy', busy: false });
    });
  }

  private async handle(message: FromWebview): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.showProbe();
        return;
      case 'probe/save':
        return this.busy(() => this.save());
      case 'probe/generateHwconfig':
        return this.busy(() => this.deps.generate(this.result.report, this.savedAs ?? undefined));
      case 'probe/reprobe':
        return this.deps.reprobe(this.result.target);
    }
  }

  private async busy(action: () => Promise<void>): Promise<void> {
    this.post({ type: 'probe/busy', busy: true });
    try {
      await action();
    } finally {
      this.post({ type: 'probe/busy', busy: false });
    }
  }

  private async save(): Promise<void> {
    const picked = await pickConfigurationName(
      this.deps.client(),
      'Save the probe to the workspace',
      this.savedAs ?? this.result.report.system.hostname ?? undefined,
    );
    if (!picked) return;
    const folder = folderFor(picked.config);
    if (!folder)
      throw new Error('Open the folder of your NixOS configuration first: the probe is saved there.');
    const file = await saveProbe(folder.uri, picked.name, this.result.report);
    if (!file) return;
    this.savedAs = picked.name;
    const rel = vscode.workspace.asRelativePath(file);
    this.post({ type: 'probe/saved', name: picked.name, file: rel });
    this.post({ type: 'status', level: 'info', text: `Saved as ${rel} (configuration ${picked.name}).` });
  }

  private dispose(): void {
    if (ProbePanel.current === this) ProbePanel.current = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
