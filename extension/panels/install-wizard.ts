// The install wizard: one controller per window that owns the wizard's state (saved in globalState after every
// change, so closing the panel or VS Code loses nothing), drives the install engine (connect and probe, the
// configurations from the language server, strategies, the plan, the run) and shows it all in one webview panel
// (webview/install-wizard-panel.ts). The install runs in the controller, not the panel: closing the panel while it
// runs leaves it running; reopening shows it. Talks to the page only through webview/protocol.ts and checks every
// message from it. A status bar item shows a running install; long steps show a progress notification.
import { requestConfigurations } from '../lsp-requests';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { type ConfigurationSummary } from '../../server/protocol/lsp-ext';
import {
  AuthFailedError,
  CancelledError,
  EngineError,
  HostKeyChangedError,
  NoRootError,
} from '../engine/errors';
import { NodeLocalRunner } from '../engine/install/local-runner';
import type {
  ConfigurationFacts,
  InstallOptions,
  InstallState,
  Step,
  StepEvent,
  StepId,
  StepState,
} from '../engine/install/plan';
import { describePlan, InstallRunner } from '../engine/install/runner';
import { newInstallState, StateStore } from '../engine/install/state-store';
import { chooseStrategy, requireSupported } from '../engine/install/strategies';
import { installSteps } from '../engine/install/steps/index';
import { analyzeConfiguration } from '../engine/install/steps/preflight';
import type { InstallTestSeams } from '../engine/install/test-seams';
import { formatCommand } from '../engine/install/transcript';
import { runProbe } from '../engine/probe/run-probe';
import { Session } from '../engine/ssh/session';
import { parseTarget, resolveTarget } from '../engine/ssh/target';
import { loadSavedTargets, rememberTarget } from '../targets';
import { extensionHostKeyStore, handleHostKeyChanged, VscodePrompter } from '../vscode-prompter';
import {
  describeRejected,
  diskConfirmed,
  isFromWebview,
  reachablePages,
  type FromWebview,
  type ToWebview,
  type WizardConfigurationView,
  type WizardInstallView,
  type WizardPage,
  type WizardProgressView,
  type WizardView,
} from '../../webview/protocol';
import {
  buildOptions,
  configurationViews,
  diskChoices,
  diskProblems,
  engineGap,
  freshWizard,
  installView,
  INSTALL_ROOT,
  loadWizard,
  planView,
  rootFor,
  strategyViews,
  type ConfigurationInput,
  type WizardSaved,
} from './install-wizard-model';
import { toProbeView } from './probe-view';
import { makeNonce, webviewHtml } from './webview-html';

const STATE_KEY = 'nixkit.installWizard';
const LOG_LINES = 2000;
/** Steps long enough to deserve a progress notification. */
const LONG_STEPS: ReadonlySet<StepId> = new Set(['partition', 'build', 'copy', 'install', 'finish']);

export interface InstallWizardDeps {
  client: () => LanguageClient | undefined;
  output: vscode.OutputChannel;
  /** Test seams (NIXKIT_INSTALL_TEST_SEAMS): what to build, the local store, the ESP through FUSE. */
  seams?: InstallTestSeams;
}

interface ActiveRun {
  abort: AbortController;
  state: InstallState;
  runner: InstallRunner;
}

function expandHome(p: string): string {
  return p === '~' ? os.homedir() : p.startsWith('~/') ? path.join(os.homedir(), p.slice(2)) : p;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class InstallWizard implements vscode.Disposable {
  static readonly viewType = 'nixkit.installWizard';

  private saved: WizardSaved;
  private panel: vscode.WebviewPanel | undefined;
  private panelDisposables: vscode.Disposable[] = [];
  private busy: string | null = null;
  private error: string | null = null;
  private recentTargets: string[] = [];
  private configs: WizardConfigurationView[] = [];
  private facts = new Map<string, ConfigurationFacts>();
  private plan: WizardView['plan'] = null;
  private planError: string | null = null;
  private active: ActiveRun | undefined;
  private log: string[] = [];
  private pendingLog: string[] = [];
  private logTimer: NodeJS.Timeout | undefined;
  private progress: WizardProgressView | null = null;
  private progressTimer: NodeJS.Timeout | undefined;
  private readonly statusItem: vscode.StatusBarItem;
  private readonly store: StateStore;
  private readonly stepNotifications = new Map<StepId, () => void>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly deps: InstallWizardDeps,
  ) {
    this.saved = loadWizard(context.globalState.get(STATE_KEY));
    this.store = new StateStore(path.join(context.globalStorageUri.fsPath, 'installs'));
    this.statusItem = vscode.window.createStatusBarItem('nixkit.install', vscode.StatusBarAlignment.Left, 50);
    this.statusItem.name = 'NixOS install';
    this.statusItem.command = 'nixkit.installToHost';
  }

  private steps(): Step[] {
    return installSteps(this.deps.seams?.hooks);
  }

  private titles(): Map<string, string> {
    return new Map(this.steps().map((s) => [s.id, s.title]));
  }

  /** Opens the panel (or brings it to the front) at the saved page; an install in progress is shown. */
  async show(): Promise<void> {
    if (this.panel) {
      this.panel.reveal(undefined, false);
      return;
    }
    const root = vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview');
    const panel = vscode.window.createWebviewPanel(
      InstallWizard.viewType,
      'Install NixOS',
      vscode.ViewColumn.Active,
      { enableScripts: true, localResourceRoots: [root], retainContextWhenHidden: true },
    );
    this.panel = panel;
    panel.webview.html = webviewHtml({
      title: 'Install NixOS',
      cspSource: panel.webview.cspSource,
      nonce: makeNonce(),
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(root, 'install-wizard-panel.js')).toString(),
      styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(root, 'install-wizard-panel.css')).toString(),
      loadingText: 'Loading the install wizard…',
    });
    panel.onDidDispose(
      () => {
        for (const d of this.panelDisposables.splice(0)) d.dispose();
        this.panel = undefined;
      },
      null,
      this.panelDisposables,
    );
    panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m), null, this.panelDisposables);
    this.recentTargets = (await loadSavedTargets(this.context, (m) => this.deps.output.appendLine(m))).map(
      (t) => t.target,
    );
    // Reopened after a reload: rebuild what the saved page needs.
    if (!this.active) await this.restore();
  }

  /** Rebuilds the derived state (configurations, plan) for the saved page after a reopen. */
  private async restore(): Promise<void> {
    const s = this.saved;
    if (s.installId) {
      try {
        this.store.load(s.installId);
        s.page = s.page === 'done' ? 'done' : 'run';
      } catch {
        s.installId = null;
        s.page = 'review';
      }
    }
    if (!s.installId && ['configuration', 'strategy', 'review'].includes(s.page)) {
      await this.loadConfigurations();
      if (s.page !== 'configuration' && s.configuration) await this.prepareConfiguration();
      if (s.page === 'review') this.makePlan();
      const reachable = reachablePages(this.view());
      if (!reachable.includes(s.page)) s.page = reachable[reachable.length - 1];
    }
    this.update();
  }

  // --- the page's view

  private installState(): InstallState | undefined {
    if (this.active) return this.active.state;
    if (!this.saved.installId) return undefined;
    try {
      return this.store.load(this.saved.installId);
    } catch {
      return undefined;
    }
  }

  private installView(): WizardInstallView | null {
    const state = this.installState();
    if (!state) return null;
    return installView(state, this.titles(), this.store.transcriptPath(state.id), !!this.active);
  }

  private view(): WizardView {
    const s = this.saved;
    const probe = s.probe && s.target ? toProbeView(s.probe, s.target) : null;
    const strategies =
      s.probe && s.configuration
        ? strategyViews(
            s.probe,
            {
              disk: s.useMounted ? undefined : (s.disk ?? undefined),
              root: INSTALL_ROOT,
              kexecImage: s.kexecImage ?? undefined,
            },
            this.facts.get(s.configuration),
          )
        : { strategies: [], auto: null };
    return {
      page: s.page,
      busy: this.busy,
      error: this.error,
      target: s.target,
      recentTargets: this.recentTargets,
      probe,
      disks: s.probe ? diskChoices(s.probe) : [],
      disk: s.disk,
      useMounted: s.useMounted,
      root: rootFor(s.strategy),
      layout: s.layout,
      configurations: this.configs,
      configuration: s.configuration,
      strategies: strategies.strategies,
      strategy: s.strategy,
      autoStrategy: strategies.auto,
      buildOn: s.buildOn,
      reboot: s.reboot,
      kexecImage: s.kexecImage,
      plan: this.plan,
      planError: this.planError,
      install: this.installView(),
    };
  }

  private post(m: ToWebview): void {
    if (this.panel) void this.panel.webview.postMessage(m);
  }

  private update(): void {
    void this.context.globalState.update(STATE_KEY, this.saved);
    this.post({ type: 'wizard/show', view: this.view() });
  }

  private go(page: WizardPage): void {
    this.saved.page = page;
    this.error = null;
  }

  // --- messages from the page

  private receive(raw: unknown): void {
    if (!isFromWebview(raw)) {
      this.deps.output.appendLine(`install wizard: ignored a ${describeRejected(raw)}`);
      return;
    }
    void this.handle(raw).catch((e: unknown) => {
      this.deps.output.appendLine(`install wizard: ${raw.type} failed: ${message(e)}`);
      this.busy = null;
      this.error = message(e);
      this.update();
    });
  }

  private async handle(m: FromWebview): Promise<void> {
    if (m.type === 'ready') {
      this.update();
      if (this.log.length) this.post({ type: 'wizard/log', lines: [...this.log] });
      if (this.progress) this.post({ type: 'wizard/progress', progress: this.progress });
      return;
    }
    if (!m.type.startsWith('wizard/')) return; // the probe panel's messages
    if (this.busy && m.type !== 'wizard/cancel') return; // one action at a time
    const s = this.saved;
    switch (m.type) {
      case 'wizard/connect':
        return this.connect(m.target.trim());
      case 'wizard/goto':
        if (!reachablePages(this.view()).includes(m.page)) {
          this.error = `The ${m.page} page is not available yet.`;
        } else {
          this.go(m.page);
          if (m.page === 'configuration' && this.configs.length === 0) await this.loadConfigurations();
        }
        return this.update();
      case 'wizard/setDisk': {
        if (!s.probe) return;
        const next = { disk: m.useMounted ? null : m.disk, useMounted: m.useMounted, layout: m.layout };
        const problems = diskProblems(next, diskChoices(s.probe));
        Object.assign(s, next);
        this.plan = null;
        if (problems.length) {
          this.error = problems.join('; ');
          return this.update();
        }
        this.go('configuration');
        await this.loadConfigurations();
        return this.update();
      }
      case 'wizard/refreshConfigurations':
        await this.loadConfigurations();
        return this.update();
      case 'wizard/setConfiguration': {
        const c = this.configs.find((x) => x.id === m.id);
        if (!c) {
          this.error = 'That configuration is not in the workspace any more.';
          return this.update();
        }
        s.configuration = c.id;
        this.plan = null;
        await this.prepareConfiguration();
        if (c.errors > 0) {
          this.error = `${c.name} has ${c.errors} error(s): fix them first (see the Problems view).`;
          return this.update();
        }
        if (!this.error) this.go('strategy');
        return this.update();
      }
      case 'wizard/setStrategy':
        s.strategy = m.strategy;
        s.buildOn = m.buildOn;
        s.reboot = m.reboot;
        this.makePlan();
        if (this.plan && reachablePages(this.view()).includes('review')) this.go('review');
        else this.error = this.planError ?? 'The plan cannot be made with these choices.';
        return this.update();
      case 'wizard/pickKexecImage': {
        const picked = await vscode.window.showOpenDialog({
          title: 'The NixOS installer image for kexec: a folder with bzImage and initrd',
          canSelectFolders: true,
          canSelectFiles: false,
          canSelectMany: false,
          openLabel: 'Use this image',
        });
        if (!picked?.[0]) return;
        s.kexecImage = picked[0].fsPath;
        this.plan = null;
        return this.update();
      }
      case 'wizard/install':
        return this.install(m.confirmedDisk);
      case 'wizard/cancel':
        this.active?.abort.abort();
        return;
      case 'wizard/resume':
        return this.resume();
      case 'wizard/startOver':
        if (this.active) return;
        this.saved = { ...freshWizard(), target: s.target };
        this.plan = null;
        this.planError = null;
        this.log = [];
        this.progress = null;
        this.error = null;
        return this.update();
      case 'wizard/openTranscript': {
        const st = this.installState();
        if (st) await vscode.window.showTextDocument(vscode.Uri.file(this.store.transcriptPath(st.id)));
        return;
      }
    }
  }

  // --- Target → probe

  private async connect(text: string): Promise<void> {
    if (this.active) return;
    let target;
    try {
      parseTarget(text);
      const saved = (await loadSavedTargets(this.context, () => undefined)).find((t) => t.target === text);
      target = resolveTarget(text, {
        identityFiles: saved?.identityFile ? [expandHome(saved.identityFile)] : undefined,
      });
    } catch (e) {
      this.error = message(e);
      return this.update();
    }
    const prompter = new VscodePrompter(this.context.secrets, target);
    const store = extensionHostKeyStore(this.context);
    this.busy = `Connecting to ${text} and probing its hardware…`;
    this.error = null;
    this.update();
    try {
      const run = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Probing ${text}`, cancellable: true },
        async (progress, token) => {
          const abort = new AbortController();
          const sub = token.onCancellationRequested(() => abort.abort());
          let session: Session | undefined;
          try {
            progress.report({ message: `connecting to ${target.host}:${target.port}…` });
            session = await Session.connect({
              target,
              prompter,
              hostKeyStore: store,
              signal: abort.signal,
              log: (m) => this.deps.output.appendLine(`[ssh ${text}] ${m}`),
            });
            progress.report({ message: 'reading the hardware…' });
            return await runProbe(session, { signal: abort.signal, target: text });
          } finally {
            session?.close();
            sub.dispose();
          }
        },
      );
      await prompter.commit();
      await rememberTarget(this.context, text);
      const changed = this.saved.target !== text;
      this.saved.target = text;
      this.saved.probe = run.report;
      if (
        changed ||
        !diskChoices(run.report).some((d) => this.saved.disk && d.names.includes(this.saved.disk))
      ) {
        this.saved.disk = null;
      }
      this.plan = null;
      this.busy = null;
      this.go('probe');
    } catch (e) {
      this.busy = null;
      if (e instanceof CancelledError) this.error = 'Cancelled.';
      else if (e instanceof HostKeyChangedError) {
        this.error = e.message;
        this.update();
        await handleHostKeyChanged(e, store);
      } else if (e instanceof AuthFailedError || e instanceof NoRootError) {
        await prompter.forgetUsed();
        this.error = `${e.message} Any password nixkit had remembered for it is forgotten.`;
      } else this.error = e instanceof EngineError ? e.message : `Probing failed: ${message(e)}`;
    }
    this.update();
  }

  // --- configuration

  private async loadConfigurations(): Promise<void> {
    const client = this.deps.client();
    if (!client) {
      this.error = 'The nixkit language server is not running: the configurations cannot be listed.';
      return;
    }
    this.busy = 'Asking the language server for the configurations…';
    this.update();
    try {
      const result = await requestConfigurations(client);
      this.configs = configurationViews(result.configurations.map((c) => this.configurationInput(c)));
      if (this.configs.length === 0)
        this.error =
          "No flake with nixosConfigurations was found in the workspace: open your flake's folder.";
    } finally {
      this.busy = null;
    }
  }

  private configurationInput(c: ConfigurationSummary): ConfigurationInput {
    const findings: ConfigurationInput['findings'] = [];
    for (const f of c.files) {
      const uri = vscode.Uri.parse(f);
      for (const d of vscode.languages.getDiagnostics(uri)) {
        if (
          d.severity !== vscode.DiagnosticSeverity.Error &&
          d.severity !== vscode.DiagnosticSeverity.Warning
        )
          continue;
        findings.push({
          severity: d.severity === vscode.DiagnosticSeverity.Error ? 'error' : 'warning',
          message: d.message,
          where: `${vscode.workspace.asRelativePath(uri)}:${d.range.start.line + 1}`,
        });
      }
    }
    findings.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
    return {
      name: c.name,
      // Only a flake's entry installs as FLAKE#NAME; the others are installed from their file.
      kind: c.kind === 'flake' ? 'flake' : 'configuration.nix',
      file: vscode.Uri.parse(c.location.uri).fsPath,
      bootloader: c.bootloader.kind,
      efiSysMountPoint: c.efiSysMountPoint.value ?? '/boot',
      errors: c.findings.error,
      warnings: c.findings.warning,
      findings,
    };
  }

  /** The local analysis of the chosen configuration (as `nixkit check` and preflight do): its facts for the plan. */
  private async prepareConfiguration(): Promise<void> {
    const c = this.configs.find((x) => x.id === this.saved.configuration);
    if (!c) return;
    if (this.facts.has(c.id)) return;
    this.busy = `Analysing ${c.name}…`;
    this.update();
    try {
      const a = await analyzeConfiguration(c.flake, c.name);
      if (!a.found) this.error = `The analysis does not find ${c.name} in ${c.flake}.`;
      else if (a.errors.length > 0)
        this.error = `${c.name} has ${a.errors.length} error(s) (${a.errors[0].message}): fix them first.`;
      this.facts.set(c.id, a.facts);
    } catch (e) {
      this.error = `The analysis of ${c.name} failed: ${message(e)}`;
    } finally {
      this.busy = null;
    }
  }

  // --- strategy → plan

  private currentConfig(): WizardConfigurationView | undefined {
    return this.configs.find((x) => x.id === this.saved.configuration);
  }

  private newState(): InstallState | undefined {
    const s = this.saved;
    const c = this.currentConfig();
    if (!c || !s.probe) return undefined;
    const facts = this.facts.get(c.id);
    const kind = c.bootloader;
    const bootloader: InstallOptions['bootloader'] =
      kind === 'systemd-boot' || kind === 'grub'
        ? { kind, ...(facts ? { efiSysMountPoint: facts.efiSysMountPoint } : {}) }
        : undefined;
    const options = { ...buildOptions(s, c, bootloader), ...this.deps.seams?.options };
    const state = newInstallState(
      options,
      this.steps().map((x) => x.id),
    );
    state.probe = s.probe;
    if (facts) state.config = facts;
    return state;
  }

  private makePlan(): void {
    this.plan = null;
    this.planError = null;
    const s = this.saved;
    const state = this.newState();
    if (!state || !s.probe) return;
    try {
      const choice = chooseStrategy(
        { report: s.probe, options: state.options, config: state.config },
        s.strategy ?? undefined,
      );
      requireSupported(choice.strategy);
      this.plan = planView(describePlan(this.steps(), state));
      this.planError = engineGap(this.steps());
    } catch (e) {
      this.planError = message(e);
    }
  }

  // --- run

  private async install(typed: string | null): Promise<void> {
    if (this.active) return;
    if (!reachablePages(this.view()).includes('review') || this.saved.page !== 'review') {
      this.error = 'Review the plan first.';
      return this.update();
    }
    const state = this.newState();
    if (!state) return;
    const disk = state.options.disk ?? null;
    if (!diskConfirmed(disk, typed ?? '')) {
      this.error = `The name typed is not ${disk}: nothing was erased.`;
      return this.update();
    }
    const gap = engineGap(this.steps());
    if (gap) {
      this.error = gap;
      return this.update();
    }
    if (disk) state.options.confirmedDisk = typed!;
    this.store.save(state);
    this.saved.installId = state.id;
    this.log = [];
    this.progress = null;
    this.go('run');
    await this.runInstall(state);
  }

  private async resume(): Promise<void> {
    if (this.active || !this.saved.installId) return;
    const state = this.store.load(this.saved.installId);
    // Interrupted while running (VS Code closed): the runner resumes from that step.
    if (state.status === 'running') state.status = 'cancelled';
    this.go('run');
    this.appendLog([`--- resuming install ${state.id}`]);
    await this.runInstall(state);
  }

  private async runInstall(state: InstallState): Promise<void> {
    const steps = this.steps();
    const titles = this.titles();
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
      connect: (signal) =>
        Session.connect({
          target,
          prompter,
          hostKeyStore,
          signal,
          log: (m) => this.deps.output.appendLine(`[ssh ${options.target}] ${m}`),
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
    this.error = null;
    this.setStatusBar(state, titles);
    this.update();
    try {
      await runner.run();
      await prompter.commit();
      this.appendLog([`--- install ${state.id} finished. Transcript: ${runner.transcriptPath}`]);
      this.go('done');
      void vscode.window.showInformationMessage(
        `NixOS is installed on ${options.target}. Transcript: ${runner.transcriptPath}`,
      );
    } catch (e) {
      const text = runner.redact(message(e));
      this.appendLog([`--- ${text}`]);
      this.error = text;
      if (e instanceof HostKeyChangedError) void handleHostKeyChanged(e, hostKeyStore);
      else if (!(e instanceof EngineError && e.code === 'install-cancelled'))
        void vscode.window.showErrorMessage(`nixkit: ${text}`, 'Show Install').then((a) => {
          if (a) void this.show();
        });
    } finally {
      this.active = undefined;
      for (const done of this.stepNotifications.values()) done();
      this.stepNotifications.clear();
      this.statusItem.hide();
      this.flushLog();
      this.update();
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
    this.update();
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
            if (this.progress) this.post({ type: 'wizard/progress', progress: this.progress });
          }, 200);
        return;
    }
  }

  private appendLog(lines: string[]): void {
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
    this.post({ type: 'wizard/log', lines });
  }

  dispose(): void {
    this.active?.abort.abort();
    this.panel?.dispose();
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
