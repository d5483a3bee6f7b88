// One run of the install engine inside VS Code, for the install wizard: the runner (connecting with the VS Code
// prompter, asking for a LUKS passphrase), the log it writes (kept to the last lines, sent to the page in batches),
// the progress of the running step (throttled), the status bar item, a cancellable notification for long steps,
// and the notifications at the end. The wizard decides pages and choices; this only runs and reports.
import * as vscode from 'vscode';
import { EngineError, HostKeyChangedError } from '../../engine/errors';
import { NodeLocalRunner } from '../../engine/install/local-runner';
import type { Step } from '../../engine/install/plan';
import { InstallRunner } from '../../engine/install/runner';
import type { StateStore } from '../../engine/install/state-store';
import { formatCommand } from '../../engine/install/transcript';
import { Session } from '../../engine/ssh/session';
import { resolveTarget } from '../../engine/ssh/target';
import type { InstallState, StepEvent, StepId, StepState } from '../../protocol/install-state';
import type { ToWebview, WizardProgressView } from '../../protocol/webview-messages';
import { extensionHostKeyStore, handleHostKeyChanged, VscodePrompter } from '../vscode-prompter';

const LOG_LINES = 2000;
/** Steps long enough to deserve a progress notification. */
const LONG_STEPS: ReadonlySet<StepId> = new Set(['partition', 'build', 'copy', 'install', 'finish']);

export interface RunSessionHost {
  output: vscode.OutputChannel;
  /** The steps of an install, in order. */
  steps(): Step[];
  /** Sends the log and progress to the page (when it is open). */
  post(m: ToWebview): void;
  /** Something the page shows changed. */
  changed(): void;
  /** Brings the wizard to the front ("Show Install" on a failure). */
  show(): void;
}

interface ActiveRun {
  abort: AbortController;
  state: InstallState;
  runner: InstallRunner;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class InstallRunSession implements vscode.Disposable {
  /** The last LOG_LINES lines of the log, for a page that opens (or reopens) during or after a run. */
  log: string[] = [];
  progress: WizardProgressView | null = null;
  private active: ActiveRun | undefined;
  private pendingLog: string[] = [];
  private logTimer: NodeJS.Timeout | undefined;
  private progressTimer: NodeJS.Timeout | undefined;
  private readonly statusItem: vscode.StatusBarItem;
  private readonly stepNotifications = new Map<StepId, () => void>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly store: StateStore,
    private readonly host: RunSessionHost,
  ) {
    this.statusItem = vscode.window.createStatusBarItem('nixkit.install', vscode.StatusBarAlignment.Left, 50);
    this.statusItem.name = 'NixOS install';
    this.statusItem.command = 'nixkit.installToHost';
  }

  get running(): boolean {
    return this.active !== undefined;
  }

  /** The state of the install that runs now. */
  get state(): InstallState | undefined {
    return this.active?.state;
  }

  cancel(): void {
    this.active?.abort.abort();
  }

  /** Forgets the log and progress of an earlier run (a new install). */
  reset(): void {
    this.log = [];
    this.progress = null;
  }

  /** Sends the whole log and the progress again (the page was reloaded). */
  replay(): void {
    if (this.log.length) this.host.post({ type: 'wizard/log', lines: [...this.log] });
    if (this.progress) this.host.post({ type: 'wizard/progress', progress: this.progress });
  }

  /** Runs (or resumes) the install; resolves with the error text when it did not finish. */
  async run(state: InstallState, proxyUrl?: string): Promise<{ ok: true } | { ok: false; error: string }> {
    const steps = this.host.steps();
    const titles = new Map(steps.map((s) => [s.id, s.title]));
    const abort = new AbortController();
    const options = state.options;
    const target = resolveTarget(options.target);
    const prompter = new VscodePrompter(this.context.secrets, target);
    const hostKeyStore = extensionHostKeyStore(this.context);
    const runner = new InstallRunner(state, {
      steps,
      store: this.store,
      local: new NodeLocalRunner(),
      signal: abort.signal,
      proxyUrl,
      connect: (signal) =>
        Session.connect({
          target,
          prompter,
          hostKeyStore,
          signal,
          log: (m) => this.host.output.appendLine(`[ssh ${options.target}] ${m}`),
        }),
      luksPassphrase: async () =>
        vscode.window.showInputBox({
          title: 'NixOS: Install to Host',
          prompt: `The LUKS passphrase for the new root on ${options.disk ?? options.target} (never stored)`,
          password: true,
          ignoreFocusOut: true,
        }),
      onEvent: (step, e) => this.onEvent(step, e),
      onStepState: (st) => this.onStepState(st, titles),
    });
    this.active = { abort, state, runner };
    this.setStatusBar(state, titles);
    this.host.changed();
    try {
      await runner.run();
      await prompter.commit();
      this.appendLog([`--- install ${state.id} finished. Transcript: ${runner.transcriptPath}`]);
      void vscode.window.showInformationMessage(
        `NixOS is installed on ${options.target}. Transcript: ${runner.transcriptPath}`,
      );
      return { ok: true };
    } catch (e) {
      const text = runner.redact(message(e));
      this.appendLog([`--- ${text}`]);
      if (e instanceof HostKeyChangedError) void handleHostKeyChanged(e, hostKeyStore);
      else if (!(e instanceof EngineError && e.code === 'install-cancelled'))
        void vscode.window.showErrorMessage(`nixkit: ${text}`, 'Show Install').then((a) => {
          if (a) this.host.show();
        });
      return { ok: false, error: text };
    } finally {
      this.active = undefined;
      for (const done of this.stepNotifications.values()) done();
      this.stepNotifications.clear();
      this.statusItem.hide();
      this.flushLog();
    }
  }

  private onStepState(st: StepState, titles: Map<string, string>): void {
    const title = titles.get(st.id) ?? st.id;
    if (st.status === 'running') {
      this.progress = null;
      this.appendLog([`==> ${title}`]);
      if (LONG_STEPS.has(st.id)) this.notifyStep(st.id, title);
    } else {
      this.stepNotifications.get(st.id)?.();
      this.stepNotifications.delete(st.id);
      this.appendLog([`    ${st.status}: ${title}${st.error ? ` (${st.error})` : ''}`]);
    }
    if (this.active) this.setStatusBar(this.active.state, titles);
    this.host.changed();
  }

  /** A cancellable notification while a long step runs, with its progress. */
  private notifyStep(id: StepId, title: string): void {
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `NixOS install: ${title}`, cancellable: true },
      (progress, token) =>
        new Promise<void>((resolve) => {
          token.onCancellationRequested(() => this.active?.abort.abort());
          let last = 0;
          const timer = setInterval(() => {
            const p = this.progress;
            if (!p || p.step !== id) return;
            const pct = p.total ? (100 * p.done) / p.total : undefined;
            progress.report({
              message: progressText(p),
              increment: pct !== undefined ? Math.max(0, pct - last) : undefined,
            });
            if (pct !== undefined) last = pct;
          }, 500);
          this.stepNotifications.set(id, () => {
            clearInterval(timer);
            resolve();
          });
        }),
    );
  }

  private setStatusBar(state: InstallState, titles: Map<string, string>): void {
    const i = state.steps.findIndex((s) => s.status === 'running');
    const running = state.steps[i];
    this.statusItem.text = `$(sync~spin) NixOS install${running ? `: ${titles.get(running.id) ?? running.id} (${i + 1}/${state.steps.length})` : ''}`;
    this.statusItem.tooltip = `Installing ${state.options.configuration} onto ${state.options.target}: click to show the install`;
    this.statusItem.show();
  }

  private onEvent(step: StepId, e: StepEvent): void {
    switch (e.kind) {
      case 'command':
        this.appendLog([`$ ${formatCommand(e.command)}`]);
        return;
      case 'output': {
        const lines = e.text.replace(/\n$/, '').split('\n');
        this.appendLog(lines.map((l) => `  ${l}`));
        return;
      }
      case 'note':
        this.appendLog([`# ${e.text}`]);
        return;
      case 'progress':
        this.progress = {
          step,
          done: e.done,
          total: e.total ?? null,
          unit: e.unit,
          detail: e.detail ?? null,
        };
        if (!this.progressTimer)
          this.progressTimer = setTimeout(() => {
            this.progressTimer = undefined;
            if (this.progress) this.host.post({ type: 'wizard/progress', progress: this.progress });
          }, 200);
        return;
    }
  }

  appendLog(lines: string[]): void {
    const clipped = lines.map((l) => (l.length > 2000 ? l.slice(0, 2000) + ' …' : l));
    this.log.push(...clipped);
    if (this.log.length > LOG_LINES) this.log.splice(0, this.log.length - LOG_LINES);
    this.pendingLog.push(...clipped);
    if (!this.logTimer) this.logTimer = setTimeout(() => this.flushLog(), 150);
  }

  private flushLog(): void {
    if (this.logTimer) clearTimeout(this.logTimer);
    this.logTimer = undefined;
    if (this.pendingLog.length === 0) return;
    const lines = this.pendingLog.splice(0).slice(-LOG_LINES);
    this.host.post({ type: 'wizard/log', lines });
  }

  dispose(): void {
    this.active?.abort.abort();
    this.statusItem.dispose();
  }
}

export function progressText(p: WizardProgressView): string {
  const fmt = (n: number) =>
    p.unit === 'bytes'
      ? n >= 1024 ** 3
        ? `${(n / 1024 ** 3).toFixed(1)} GiB`
        : `${(n / 1024 ** 2).toFixed(1)} MiB`
      : String(n);
  const unit = p.unit === 'bytes' ? '' : ` ${p.unit}`;
  return `${fmt(p.done)}${p.total !== null ? ` of ${fmt(p.total)}` : ''}${unit}${p.detail ? ` — ${p.detail}` : ''}`;
}
