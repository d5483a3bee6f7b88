// "NixOS: Probe Hardware…": pick or enter a target, connect over SSH (host key check, secrets through the VS Code
// prompter), run the probe under a cancellable progress notification, show the result in the probe panel.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { EngineError } from '../../engine/errors';
import { connectAndProbe, type ProbeOutcome } from '../connect-and-probe';
import { ProbePanel } from '../panels/probe-panel';
import { pickTarget, type SavedTarget } from '../ssh-targets';
import type { HardwareConfigCommands } from './hardware-config';

export function registerProbeHardware(
  context: vscode.ExtensionContext,
  client: () => LanguageClient | undefined,
  output: vscode.OutputChannel,
  hwconfig: HardwareConfigCommands,
): void {
  const log = (m: string) => output.appendLine(m);

  const probe = async (chosen: SavedTarget): Promise<void> => {
    const outcome = await connectAndProbe(context, {
      target: chosen.target,
      identityFile: chosen.identityFile,
      log,
    });
    if (outcome.kind !== 'probed') return reportFailure(outcome, chosen);
    const { run } = outcome;
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
    outcome: Exclude<ProbeOutcome, { kind: 'probed' }>,
    chosen: SavedTarget,
  ): Promise<void> => {
    const retry = 'Try Again';
    switch (outcome.kind) {
      case 'bad-target':
        void vscode.window.showErrorMessage(
          `nixkit: ${outcome.error instanceof Error ? outcome.error.message : String(outcome.error)}`,
        );
        return;
      case 'cancelled':
        log(`probe of ${chosen.target} cancelled`);
        return;
      case 'host-key-changed': {
        log(`probe of ${chosen.target}: ${outcome.error.message}`);
        if (await outcome.forgetHostKey()) {
          const again = 'Probe Again';
          const answer = await vscode.window.showInformationMessage(
            `nixkit forgot the old host key of ${outcome.target.host}. Probe again to check and accept the new one.`,
            again,
          );
          if (answer === again) await probe(chosen);
        }
        return;
      }
      case 'login-failed': {
        const answer = await vscode.window.showErrorMessage(
          `nixkit: ${outcome.error.message} Any password nixkit had remembered for it is forgotten.`,
          retry,
        );
        if (answer === retry) await probe(chosen);
        return;
      }
      case 'failed': {
        const e = outcome.error;
        const message = e instanceof EngineError ? e.message : `probing failed: ${String(e)}`;
        log(`probe of ${chosen.target}: ${message}`);
        const answer = await vscode.window.showErrorMessage(`nixkit: ${message}`, retry);
        if (answer === retry) await probe(chosen);
      }
    }
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
