// "NixOS: Write Installer Image…": the controller of the write page (webview/media-write-page.ts). One per window;
// it owns the page's state (where the stick is, the image and its report, the devices, a running write), asks the
// engine (engine/media through extension/media/media-backend.ts) for everything and checks every message from the
// page with the protocol's guards. The rules are the engine's; this file only connects them to the page: the
// device list, the image report, the typed confirmation (checked here and again by the engine right before it
// writes), progress, cancel and the outcome. A write keeps running when the panel closes; reopening shows it.
import * as vscode from 'vscode';
import { CancelledError, EngineError } from '../../engine/errors';
import type { ImageReport, MediaCandidates, WriteEvent } from '../../protocol/media';
import {
  describeRejected,
  isFromWebview,
  mediaWriteGate,
  type FromWebview,
  type MediaOverride,
  type MediaRunView,
  type MediaWhereView,
  type MediaWriteView,
  type ToWebview,
} from '../../protocol/webview-messages';
import type { MediaBackend, MediaBackendFactory } from '../media/media-backend';
import { loadSavedTargets } from '../ssh-targets';
import { deviceViews, imageView, progressView, resultView, whereOf } from './media-write-model';
import { openPagePanel } from './page-panel';

/** A failure in one sentence: the engine's own message, never a stack trace. */
export function failureText(e: unknown): string {
  if (e instanceof CancelledError) return 'Cancelled.';
  if (e instanceof EngineError) return e.message;
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0] || 'Something went wrong (see the nixkit output).';
}

export class MediaWritePanel implements vscode.Disposable {
  static readonly viewType = 'nixkit.writeInstallerImage';

  private panel: vscode.WebviewPanel | undefined;
  private panelDisposables: vscode.Disposable[] = [];
  private busy: string | null = null;
  private error: string | null = null;
  private where: MediaWhereView = { kind: 'local', target: null };
  private targets: string[] = [];
  private backend: MediaBackend | undefined;
  private candidates: MediaCandidates | null = null;
  private image: ImageReport | null = null;
  private run: MediaRunView | null = null;
  private abort: AbortController | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.OutputChannel,
    private readonly backends: MediaBackendFactory,
  ) {}

  async show(): Promise<void> {
    if (this.panel) {
      this.panel.reveal(undefined, false);
      return;
    }
    const panel = openPagePanel(this.context, {
      viewType: MediaWritePanel.viewType,
      title: 'Write Installer Image',
      page: 'media-write-page',
      loadingText: 'Loading…',
    });
    this.panel = panel;
    panel.onDidDispose(
      () => {
        for (const d of this.panelDisposables.splice(0)) d.dispose();
        this.panel = undefined;
        // A running write goes on (it is cancelled from its notification); otherwise the session can go.
        if (!this.abort) this.closeBackend();
      },
      null,
      this.panelDisposables,
    );
    panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m), null, this.panelDisposables);
    this.targets = (await loadSavedTargets(this.context, (m) => this.output.appendLine(m))).map(
      (t) => t.target,
    );
  }

  private view(): MediaWriteView {
    return {
      busy: this.busy,
      error: this.error,
      where: this.where,
      targets: this.targets,
      devices: this.candidates
        ? deviceViews(this.candidates.devices, this.image, (c) => this.backend?.lastWrite(c))
        : null,
      warnings: this.candidates?.warnings ?? [],
      image: this.image ? imageView(this.image) : null,
      run: this.run,
    };
  }

  private post(m: ToWebview): void {
    if (this.panel) void this.panel.webview.postMessage(m);
  }

  private update(): void {
    this.post({ type: 'media/show', view: this.view() });
  }

  private log(lines: string[]): void {
    for (const l of lines) this.output.appendLine(`write image: ${l}`);
    this.post({ type: 'media/log', lines });
  }

  private receive(raw: unknown): void {
    if (!isFromWebview(raw)) {
      this.output.appendLine(`write image: ignored a ${describeRejected(raw)}`);
      return;
    }
    void this.handle(raw).catch((e: unknown) => {
      this.output.appendLine(
        `write image: ${raw.type} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
      );
      this.busy = null;
      this.error = failureText(e);
      this.update();
    });
  }

  private async handle(m: FromWebview): Promise<void> {
    if (m.type === 'ready') return this.update();
    if (!m.type.startsWith('media/')) return; // other panels' messages
    if (m.type === 'media/cancel') {
      this.abort?.abort();
      return;
    }
    if (this.busy || this.run?.status === 'running') return; // one action at a time
    switch (m.type) {
      case 'media/setWhere':
        return this.setWhere(m.where);
      case 'media/refresh':
        return this.list();
      case 'media/pickImage':
        return this.pickImage();
      case 'media/write':
        return this.write(m.device, m.overrides, m.typedConfirmation);
      case 'media/again':
        this.run = null;
        this.error = null;
        return this.list();
    }
  }

  private closeBackend(): void {
    this.backend?.close();
    this.backend = undefined;
  }

  /** Runs `fn` with the page showing `busy`; a failure becomes the page's error line. */
  private async busyWith(busy: string, fn: (signal: AbortSignal) => Promise<void>): Promise<void> {
    this.busy = busy;
    this.error = null;
    this.update();
    const abort = new AbortController();
    try {
      await fn(abort.signal);
    } catch (e) {
      this.output.appendLine(
        `write image: ${busy} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
      );
      this.error = failureText(e);
    } finally {
      this.busy = null;
      this.update();
    }
  }

  private async setWhere(where: MediaWhereView): Promise<void> {
    const text = where.kind === 'ssh' ? (where.target ?? '').trim() : '';
    if (where.kind === 'ssh' && !text) {
      this.error = 'Type the SSH target (user@host) first.';
      return this.update();
    }
    this.closeBackend();
    this.candidates = null;
    this.where = where.kind === 'ssh' ? { kind: 'ssh', target: text } : { kind: 'local', target: null };
    await this.busyWith(
      where.kind === 'ssh'
        ? `Connecting to ${text} (host key checked)…`
        : 'Reading the devices on this machine…',
      async (signal) => {
        this.backend = await this.backends(whereOf(this.where), this.context, (l) => this.log([l]), signal);
        await this.listWith(this.backend, signal);
      },
    );
  }

  private async list(): Promise<void> {
    if (!this.backend) return this.setWhere(this.where);
    const b = this.backend;
    await this.busyWith('Reading the devices…', (signal) => this.listWith(b, signal));
  }

  private async listWith(backend: MediaBackend, signal: AbortSignal): Promise<void> {
    this.candidates = await backend.list(signal);
    for (const w of this.candidates.warnings) this.output.appendLine(`write image: ${w}`);
  }

  private async pickImage(): Promise<void> {
    const picked = await vscode.window.showOpenDialog({
      title: 'The installer image to write (an .iso or .img on this machine)',
      canSelectFiles: true,
      canSelectFolders: false,
      canSelectMany: false,
      openLabel: 'Use this image',
      filters: { 'Installer images': ['iso', 'img', 'raw'], 'All files': ['*'] },
    });
    const file = picked?.[0];
    if (!file) return;
    if (file.scheme !== 'file') {
      this.error = 'The image must be a file on this machine.';
      return this.update();
    }
    await this.busyWith('Checking the image (boot layout, checksum)…', async (signal) => {
      this.image = null;
      const backend =
        this.backend ?? (await this.backends({ kind: 'local' }, this.context, (l) => this.log([l]), signal));
      try {
        this.image = await backend.inspect(file.fsPath, signal);
      } finally {
        if (backend !== this.backend) backend.close();
      }
    });
  }

  private async write(device: string, overrides: MediaOverride[], typed: string): Promise<void> {
    const view = this.view();
    const gate = mediaWriteGate(view, device, overrides, typed);
    if (!gate.enabled) {
      this.error = `Nothing was written: ${gate.hint}`;
      return this.update();
    }
    const backend = this.backend;
    const image = this.image;
    const confirmed = this.candidates?.devices.find((c) => c.path === device);
    if (!backend || !image || !confirmed) return;
    const abort = new AbortController();
    this.abort = abort;
    this.error = null;
    this.run = { status: 'running', device, phase: null, text: 'Starting…', sha256: null };
    this.update();
    const onEvent = (e: WriteEvent) => {
      switch (e.kind) {
        case 'progress':
          this.post({ type: 'media/progress', progress: progressView(e.progress) });
          return;
        case 'phase':
          if (this.run) this.run = { ...this.run, phase: e.phase, text: e.text };
          this.log([e.text]);
          this.update();
          return;
        case 'command':
          this.log([
            `$ ${e.argv.join(' ')}    (${e.where === 'local' ? 'this machine' : 'target'}: ${e.purpose})`,
          ]);
          return;
        case 'note':
          this.log([e.text]);
      }
    };
    try {
      const result = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `Writing ${image.path} to ${device}`,
          cancellable: true,
        },
        async (progress, token) => {
          const sub = token.onCancellationRequested(() => abort.abort());
          try {
            return await backend.write(
              { where: whereOf(this.where), image: image.path, device, overrides, typedConfirmation: typed },
              confirmed,
              (e) => {
                onEvent(e);
                if (e.kind === 'phase') progress.report({ message: e.text });
              },
              abort.signal,
            );
          } finally {
            sub.dispose();
          }
        },
      );
      this.run = resultView(result);
    } catch (e) {
      this.output.appendLine(
        `write image: the write failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
      );
      // The engine reports a cut or cancelled write as a 'not-verified' result; anything thrown is said plainly.
      this.run = {
        status: 'not-verified',
        device,
        phase: this.run?.phase ?? null,
        text: `${failureText(e)} ${device} may hold an unknown mix of old data and the image: write it again before booting from it.`,
        sha256: null,
      };
    } finally {
      this.abort = undefined;
    }
    this.log([this.run.text]);
    if (this.run.status === 'verified') void vscode.window.showInformationMessage(`nixkit: ${this.run.text}`);
    else void vscode.window.showErrorMessage(`nixkit: ${this.run.text}`);
    if (!this.panel) this.closeBackend();
    this.update();
  }

  dispose(): void {
    this.abort?.abort();
    this.closeBackend();
    this.panel?.dispose();
  }
}
