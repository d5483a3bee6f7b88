// The install wizard's controller: one per window, it owns the wizard's state (saved in globalState after every
// change, so closing the panel or VS Code loses nothing), takes the person from page to page (target and probe,
// disk, configuration from the language server, strategy, the plan) and shows it all in one webview panel
// (webview/install-wizard-page.ts). Connecting and probing is connect-and-probe.ts (shared with Probe Hardware);
// the install itself runs in an InstallRunSession (install-run-session.ts: runner, log, progress, status bar,
// notifications), owned here and not by the panel: closing the panel while it runs leaves it running; reopening
// shows it. Talks to the page only through protocol/webview-messages.ts and checks every message from it.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { type ConfigurationSummary } from '../../protocol/lsp-ext';
import { EngineError } from '../../engine/errors';
import type {
  ConfigurationFacts,
  InstallOptions,
  InstallProxy,
  InstallState,
} from '../../protocol/install-state';
import type { Step } from '../../engine/install/plan';
import { describePlan } from '../../engine/install/runner';
import { newInstallState, StateStore } from '../../engine/install/state-store';
import { chooseStrategy, requireSupported } from '../../engine/install/strategies';
import { installSteps } from '../../engine/install/steps';
import { analyzeConfiguration, diskIdentity } from '../../engine/install/steps/preflight';
import type { InstallTestSeams } from '../../engine/install/test-seams';
import { parseTarget } from '../../engine/ssh/target';
import { installProxy, parseNoProxy, parseProxyUrl, withProxyPassword } from '../../engine/install/proxy';
import { networkConfig } from '../../server/rule-api/network-config';
import { connectAndProbe } from '../connect-and-probe';
import { requestConfigurations } from '../lsp-requests';
import { loadSavedTargets } from '../ssh-targets';
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
  type WizardView,
} from '../../protocol/webview-messages';
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
  networkModeFor,
  networkView,
  planView,
  proxySecretKey,
  rootFor,
  strategyViews,
  type ConfigurationInput,
  type WizardSaved,
} from './install-wizard-model';
import { InstallRunSession } from './install-run-session';
import { toProbeView } from './probe-view';
import { openPagePanel } from './page-panel';

const STATE_KEY = 'nixkit.installWizard';

export interface InstallWizardDeps {
  client: () => LanguageClient | undefined;
  output: vscode.OutputChannel;
  /** Test seams (NIXKIT_INSTALL_TEST_SEAMS): what to build, the local store, the ESP through FUSE. */
  seams?: InstallTestSeams;
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
  private readonly store: StateStore;
  private readonly session: InstallRunSession;
  /** The install whose Resume is waiting for its plan to be reviewed and the disk's name typed again. */
  private resumeReviewId: string | null = null;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly deps: InstallWizardDeps,
  ) {
    this.saved = loadWizard(context.globalState.get(STATE_KEY));
    this.store = new StateStore(path.join(context.globalStorageUri.fsPath, 'installs'));
    this.session = new InstallRunSession(context, this.store, {
      output: deps.output,
      steps: () => this.steps(),
      post: (m) => this.post(m),
      changed: () => this.update(),
      show: () => void this.show(),
    });
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
    const panel = openPagePanel(this.context, {
      viewType: InstallWizard.viewType,
      title: 'Install NixOS',
      page: 'install-wizard-page',
      loadingText: 'Loading the install wizard…',
    });
    this.panel = panel;
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
    if (!this.session.running) await this.restore();
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
    if (!s.installId && ['configuration', 'strategy', 'network', 'review'].includes(s.page)) {
      await this.loadConfigurations();
      if (s.page !== 'configuration' && s.configuration) await this.prepareConfiguration();
      if (s.page === 'review' || s.page === 'network') this.makePlan();
      const reachable = reachablePages(this.view());
      if (!reachable.includes(s.page)) s.page = reachable[reachable.length - 1];
    }
    this.update();
  }

  // --- the page's view

  private installState(): InstallState | undefined {
    if (this.session.state) return this.session.state;
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
    const review =
      this.resumeReviewId === state.id && state.options.disk
        ? { disk: state.options.disk, plan: planView(describePlan(this.steps(), state)) }
        : null;
    return installView(
      state,
      this.titles(),
      this.store.transcriptPath(state.id),
      this.session.running,
      review,
    );
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
      network: s.probe
        ? networkView(s.probe, s.configuration ? this.facts.get(s.configuration) : undefined)
        : null,
      networkMode: networkModeFor(s),
      networkStyle: s.networkStyle,
      proxy: s.proxy
        ? {
            url: s.proxy.url,
            noProxy: (s.proxy.noProxy ?? []).join(','),
            inConfig: !!s.proxy.inConfig,
            hasPassword: !!s.proxy.hasPassword,
          }
        : null,
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
      this.session.replay();
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
        if (this.plan && reachablePages(this.view()).includes('network')) this.go('network');
        else this.error = this.planError ?? 'The plan cannot be made with these choices.';
        return this.update();
      case 'wizard/setNetwork':
        return this.setNetwork(m);
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
        this.session.cancel();
        return;
      case 'wizard/resume':
        return this.resume(m.confirmedDisk);
      case 'wizard/startOver':
        if (this.session.running) return;
        // The proxy's password goes with the choices (a new install asks for it again).
        if (s.proxy?.hasPassword) await this.context.secrets.delete(proxySecretKey(s.proxy.url));
        this.saved = { ...freshWizard(), target: s.target };
        this.plan = null;
        this.planError = null;
        this.session.reset();
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
    if (this.session.running) return;
    let identityFile: string | undefined;
    try {
      parseTarget(text);
      identityFile = (await loadSavedTargets(this.context, () => undefined)).find(
        (t) => t.target === text,
      )?.identityFile;
    } catch (e) {
      this.error = message(e);
      return this.update();
    }
    const outcome = await connectAndProbe(this.context, {
      target: text,
      identityFile,
      log: (m) => this.deps.output.appendLine(m),
      onConnecting: () => {
        this.busy = `Connecting to ${text} and probing its hardware…`;
        this.error = null;
        this.update();
      },
    });
    this.busy = null;
    switch (outcome.kind) {
      case 'probed': {
        const { report } = outcome.run;
        const changed = this.saved.target !== text;
        this.saved.target = text;
        this.saved.probe = report;
        if (changed || !diskChoices(report).some((d) => this.saved.disk && d.names.includes(this.saved.disk)))
          this.saved.disk = null;
        this.plan = null;
        this.go('probe');
        break;
      }
      case 'bad-target':
        this.error = message(outcome.error);
        break;
      case 'cancelled':
        this.error = 'Cancelled.';
        break;
      case 'host-key-changed':
        this.error = outcome.error.message;
        this.update();
        await outcome.forgetHostKey();
        break;
      case 'login-failed':
        this.error = `${outcome.error.message} Any password nixkit had remembered for it is forgotten.`;
        break;
      case 'failed':
        this.error =
          outcome.error instanceof EngineError
            ? outcome.error.message
            : `Probing failed: ${message(outcome.error)}`;
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

  // --- network and proxy

  /**
   * The Network page's choices. The proxy URL is checked here (the page is untrusted); its password goes into
   * SecretStorage under the URL shown with ***, which is all the wizard's saved state holds. A URL sent back as
   * shown (with ***) keeps the stored password.
   */
  private async setNetwork(m: Extract<FromWebview, { type: 'wizard/setNetwork' }>): Promise<void> {
    const s = this.saved;
    if (!s.probe) return;
    let proxy: InstallProxy | null = null;
    try {
      const noProxy = m.noProxy.trim() ? parseNoProxy(m.noProxy) : [];
      const typed = m.proxy.trim();
      if (typed) {
        if (s.proxy && typed === s.proxy.url && !m.proxyPassword) {
          proxy = { ...s.proxy, noProxy, inConfig: m.proxyInConfig };
          if (!noProxy.length) delete proxy.noProxy;
          if (!m.proxyInConfig) delete proxy.inConfig;
        } else {
          let given = typed;
          if (m.proxyPassword) {
            const bare = parseProxyUrl(typed.replace(/:\*\*\*@/, '@'));
            if (bare.hasPassword)
              throw new Error('The proxy URL already holds a password: leave the password field empty.');
            if (!/^[a-z0-9]+:\/\/[^@/]+@/.test(bare.shown))
              throw new Error('A proxy password needs a user in the URL (http://user@host:port).');
            given = withProxyPassword(bare.shown.replace('@', ':***@'), m.proxyPassword);
          }
          const parsed = parseProxyUrl(given);
          proxy = installProxy(parsed, noProxy, m.proxyInConfig);
          if (parsed.hasPassword) await this.context.secrets.store(proxySecretKey(parsed.shown), parsed.full);
        }
      } else if (m.noProxy.trim() || m.proxyInConfig) {
        throw new Error('The no-proxy list and "keep the proxy" need a proxy URL.');
      }
    } catch (e) {
      // The message never holds the password (parseProxyUrl hides it).
      this.error = message(e);
      return this.update();
    }
    if (m.mode === 'static') {
      const view = networkView(s.probe, s.configuration ? this.facts.get(s.configuration) : undefined);
      const style = m.style ?? view.defaultStyle;
      const written = networkConfig(s.probe, { mode: 'static', style });
      if (!written.ok) {
        this.error = `The addresses cannot be kept: ${written.error}.`;
        return this.update();
      }
    }
    s.networkMode = m.mode;
    s.networkStyle = m.style;
    s.proxy = proxy;
    this.makePlan();
    if (this.plan && reachablePages(this.view()).includes('review')) this.go('review');
    else this.error = this.planError ?? 'The plan cannot be made with these choices.';
    return this.update();
  }

  /** The proxy URL with its password from SecretStorage; undefined when the install has no password to give. */
  private async proxyUrl(state: InstallState): Promise<string | undefined> {
    const p = state.options.proxy;
    if (!p?.hasPassword) return undefined;
    const full = await this.context.secrets.get(proxySecretKey(p.url));
    if (full) return full;
    const password = await vscode.window.showInputBox({
      title: 'NixOS: Install to Host',
      prompt: `The password for the proxy ${p.url} (kept in VS Code's secret storage)`,
      password: true,
      ignoreFocusOut: true,
    });
    if (password === undefined) return undefined;
    const url = withProxyPassword(p.url, password);
    await this.context.secrets.store(proxySecretKey(p.url), url);
    return url;
  }

  // --- run

  private async install(typed: string | null): Promise<void> {
    if (this.session.running) return;
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
    if (disk) {
      state.options.confirmedDisk = typed!;
      // Who the disk is, as the probe the person confirmed from shows it: preflight erases only that disk.
      const chosen = this.saved.probe?.disks.find(
        (d) => d.path === disk || d.byId.some((b) => `/dev/disk/by-id/${b}` === disk || b === disk),
      );
      if (chosen) state.diskIdentity = diskIdentity(chosen);
    }
    this.store.save(state);
    this.saved.installId = state.id;
    this.session.reset();
    this.go('run');
    await this.runInstall(state);
  }

  private async resume(typed: string | null): Promise<void> {
    if (this.session.running || !this.saved.installId) return;
    const state = this.store.load(this.saved.installId);
    // A saved confirmation is never reused: an install that erases a disk shows its plan again and asks for the
    // disk's name again (preflight then checks it is still the disk that was confirmed).
    delete state.options.confirmedDisk;
    const disk = state.options.disk;
    if (disk) {
      if (this.resumeReviewId !== state.id || typed === null) {
        this.resumeReviewId = state.id;
        this.error = null;
        return this.update();
      }
      if (!diskConfirmed(disk, typed)) {
        this.error = `The name typed is not ${disk}: nothing was erased.`;
        return this.update();
      }
      state.options.confirmedDisk = typed;
    }
    this.resumeReviewId = null;
    // Interrupted while running (VS Code closed): the runner resumes from that step.
    if (state.status === 'running') state.status = 'cancelled';
    this.go('run');
    this.session.appendLog([`--- resuming install ${state.id}`]);
    await this.runInstall(state);
  }

  private async runInstall(state: InstallState): Promise<void> {
    this.error = null;
    const result = await this.session.run(state, await this.proxyUrl(state));
    if (result.ok) this.go('done');
    else this.error = result.error;
    this.update();
  }

  dispose(): void {
    this.session.dispose();
    this.panel?.dispose();
  }
}
