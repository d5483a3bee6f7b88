// "NixOS: Probe Hardware…": pick or enter a target, connect over SSH (host key check, secrets through the VS Code
// prompter), run the probe under a cancellable progress notification, show the result in the probe panel.
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  AuthFailedError,
  CancelledError,
  EngineError,
  HostKeyChangedError,
  NoRootError,
} from '../../engine/errors';
import { runProbe, type ProbeRun } from '../../engine/probe/run-probe';
import { Session } from '../../engine/ssh/session';
import { resolveTarget, type ResolvedTarget } from '../../engine/ssh/target';
import { ProbePanel } from '../panels/probe-panel';
import { pickTarget, rememberTarget, type SavedTarget } from '../ssh-targets';
import { extensionHostKeyStore, handleHostKeyChanged, VscodePrompter } from '../vscode-prompter';
import type { HardwareConfigCommands } from './hardware-config';

function expandHome(p: string): string {
  return p === '~' ? os.homedir() : p.startsWith('~/') ? path.join(os.homedir(), p.slice(2)) : p;
}

export function registerProbeHardware(
  context: vscode.ExtensionContext,
  client: () => LanguageClient | undefined,
  output: vscode.OutputChannel,
  hwconfig: HardwareConfigCommands,
): void {
  const store = extensionHostKeyStore(context);
  const log = (m: string) => output.appendLine(m);

  const probe = async (chosen: SavedTarget): Promise<void> => {
    let target: ResolvedTarget;
    try {
      target = resolveTarget(chosen.target, {
        identityFiles: chosen.identityFile ? [expandHome(chosen.identityFile)] : undefined,
      });
    } catch (e) {
      void vscode.window.showErrorMessage(`nixkit: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    const prompter = new VscodePrompter(context.secrets, target);
    let run: ProbeRun;
    try {
      run = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `Probing ${chosen.target}`,
          cancellable: true,
        },
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
              log: (m) => log(`[ssh ${chosen.target}] ${m}`),
            });
            progress.report({ message: 'reading the hardware…' });
            return await runProbe(session, { signal: abort.signal, target: chosen.target });
          } finally {
            session?.close();
            sub.dispose();
          }
        },
      );
    } catch (e) {
      await reportFailure(e, chosen, target, prompter);
      return;
    }
    await prompter.commit();
    await rememberTarget(context, chosen.target);
    log(
      `probed ${chosen.target}: ${run.report.disks.length} disk(s), ${run.report.network.interfaces.length} interface(s) ` +
        `(root ${run.timings.rootMs} ms, probe ${run.timings.probeMs} ms)`,
    );
    ProbePanel.show(
      context,
      {
        client,
        output,
        generate: (report, name) => hwconfig.generate(report, name),
        reprobe: (t) => probe(t === chosen.target ? chosen : { target: t, source: 'recent' }),
      },
      { report: run.report, target: chosen.target },
    );
  };

  const reportFailure = async (
    e: unknown,
    chosen: SavedTarget,
    target: ResolvedTarget,
    prompter: VscodePrompter,
  ): Promise<void> => {
    if (e instanceof CancelledError) {
      log(`probe of ${chosen.target} cancelled`);
      return;
    }
    if (e instanceof HostKeyChangedError) {
      log(`probe of ${chosen.target}: ${e.message}`);
      if (await handleHostKeyChanged(e, store)) {
        const again = 'Probe Again';
        const answer = await vscode.window.showInformationMessage(
          `nixkit forgot the old host key of ${target.host}. Probe again to check and accept the new one.`,
          again,
        );
        if (answer === again) await probe(chosen);
      }
      return;
    }
    const retry = 'Try Again';
    if (e instanceof AuthFailedError || e instanceof NoRootError) {
      await prompter.forgetUsed();
      const answer = await vscode.window.showErrorMessage(
        `nixkit: ${e.message} Any password nixkit had remembered for it is forgotten.`,
        retry,
      );
      if (answer === retry) await probe(chosen);
      return;
    }
    const message = e instanceof EngineError ? e.message : `probing failed: ${String(e)}`;
    log(`probe of ${chosen.target}: ${message}`);
    const answer = await vscode.window.showErrorMessage(`nixkit: ${message}`, retry);
    if (answer === retry) await probe(chosen);
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('nixkit.probeHardware', async (arg?: unknown) => {
      // Other commands (and tests) may pass the target as a string.
      const chosen: SavedTarget | undefined =
        typeof arg === 'string' ? { target: arg, source: 'recent' } : await pickTarget(context, log);
      if (chosen) await probe(chosen);
    }),
  );
}
