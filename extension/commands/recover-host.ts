// "NixOS: Recover Host…": the extension's face of `nixkit rescue`. Pick the rescue system the machine was booted
// into (a saved target), optionally the installed configuration, then the engine (engine/rescue) finds the
// installed system, mounts it read-only in a private namespace and reads why it did not come back; the diagnosis
// opens as a text document. Actions are offered in a quick pick; each shows its exact commands in a modal and runs
// only when confirmed. Everything is unmounted when the person is done (or the connection drops). A LUKS
// passphrase comes from SecretStorage or is asked for, and is never logged. This file stays thin: the work, the
// texts and the transcript format are the engine's and the CLI's.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CancelledError, EngineError, HostKeyChangedError, redact } from '../../engine/errors';
import { formatCommand, Transcript } from '../../engine/install/transcript';
import { rescueConfiguration, type RescueConfiguration } from '../../engine/rescue/configuration';
import { formatDiagnosis, type Diagnosis } from '../../engine/rescue/diagnosis';
import { RescueSession } from '../../engine/rescue/rescue-session';
import { rescueTranscriptPath } from '../../engine/rescue/transcript-path';
import { shJoin } from '../../engine/ssh/quote';
import { Session } from '../../engine/ssh/session';
import { resolveTarget } from '../../engine/ssh/target';
import type { PlannedCommand } from '../../protocol/install-state';
import { expandHome } from '../connect-and-probe';
import { TargetSecrets, targetKey } from '../secrets';
import { pickTarget } from '../ssh-targets';
import { extensionHostKeyStore, handleHostKeyChanged, VscodePrompter } from '../vscode-prompter';

const STEPS = [
  'build',
  'copy',
  'install',
  'verify',
  'finish',
  'mount',
  'hardware-config',
  'partition',
  'preflight',
];

/** Which installed configuration: a flake of the workspace and one of its nixosConfigurations, or none. */
async function pickConfiguration(): Promise<
  { flake: string; name: string; config: RescueConfiguration } | null | undefined
> {
  const flakes = (await vscode.workspace.findFiles('**/flake.nix', '**/node_modules/**', 20)).map((u) =>
    path.dirname(u.fsPath),
  );
  type Item = vscode.QuickPickItem & { flake?: string; name?: string };
  const items: Item[] = [{ label: "$(search) None: look at the target's disks", alwaysShow: true }];
  for (const flake of flakes) {
    const { configurations } = await rescueConfiguration(flake, '');
    for (const name of configurations)
      items.push({ label: name, description: vscode.workspace.asRelativePath(flake), flake, name });
  }
  const pick = await vscode.window.showQuickPick(items, {
    title: 'NixOS: Recover Host',
    placeHolder: 'Which configuration is installed there? (its filesystems, LUKS devices and interfaces)',
    ignoreFocusOut: true,
  });
  if (!pick) return undefined;
  if (!pick.flake || !pick.name) return null;
  const r = await rescueConfiguration(pick.flake, pick.name);
  return r.config ? { flake: pick.flake, name: pick.name, config: r.config } : null;
}

export function registerRecoverHost(context: vscode.ExtensionContext, output: vscode.OutputChannel): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('nixkit.recoverHost', async () => {
      const chosen = await pickTarget(
        context,
        (m) => output.appendLine(m),
        'NixOS: Recover Host (the rescue system the machine runs now)',
      );
      if (!chosen) return;
      const configuration = await pickConfiguration();
      if (configuration === undefined) return;
      let target;
      try {
        target = resolveTarget(chosen.target, {
          identityFiles: chosen.identityFile ? [expandHome(chosen.identityFile)] : undefined,
        });
      } catch (e) {
        void vscode.window.showErrorMessage(`nixkit: ${(e as Error).message}`);
        return;
      }
      const prompter = new VscodePrompter(context.secrets, target);
      const secrets = new TargetSecrets(context.secrets);
      const known: string[] = [];
      const transcriptFile = rescueTranscriptPath(process.env, chosen.target);
      const transcript = new Transcript(transcriptFile, (t) => redact(t, known));
      const log = (t: string) => output.appendLine(redact(t, known));
      const events = {
        command: (c: PlannedCommand) => {
          transcript.event('rescue', { kind: 'command', command: c });
          log(`$ ${formatCommand(c).slice(0, 400)}`);
        },
        output: (stream: 'stdout' | 'stderr', text: string) => {
          transcript.event('rescue', { kind: 'output', stream, text });
          output.append(redact(text, known));
        },
        note: (text: string) => {
          transcript.event('rescue', { kind: 'note', text });
          log(text);
        },
      };
      const abort = new AbortController();
      let session: Session | undefined;
      let rescue: RescueSession | undefined;
      let resumeFrom: string | undefined;
      output.show(true);
      try {
        const diagnosis = await vscode.window.withProgress(
          {
            location: vscode.ProgressLocation.Notification,
            title: `Recovering ${chosen.target}`,
            cancellable: true,
          },
          async (progress, token) => {
            token.onCancellationRequested(() => abort.abort());
            progress.report({ message: 'connecting…' });
            session = await Session.connect({
              target,
              prompter,
              hostKeyStore: extensionHostKeyStore(context),
              signal: abort.signal,
              log: (m) => log(`[ssh] ${m}`),
            });
            progress.report({ message: 'mounting the installed system read-only…' });
            rescue = await RescueSession.open(session, events, abort.signal);
            await prompter.commit();
            let typed: string | undefined;
            const how = await rescue.locate({
              config: configuration?.config,
              passphrase: async () => {
                const kept = await secrets.get('luks-passphrase', targetKey(target));
                const value =
                  kept ??
                  (typed = await vscode.window.showInputBox({
                    title: 'LUKS passphrase',
                    prompt: `The installed system on ${chosen.target} is encrypted: its passphrase (kept in VS Code's secret storage once it works)`,
                    password: true,
                    ignoreFocusOut: true,
                  }));
                if (value) known.push(value);
                return value || undefined;
              },
            });
            if (typed) await secrets.store('luks-passphrase', targetKey(target), typed);
            log(`found through ${how}`);
            progress.report({ message: 'reading the logs…' });
            return rescue.diagnose(configuration?.config);
          },
        );
        const text = formatDiagnosis(diagnosis);
        transcript.line(`diagnosis:\n${text}`);
        await vscode.window.showTextDocument(
          await vscode.workspace.openTextDocument({
            content: `Recovery of ${chosen.target}\n\n${text}`,
            language: 'plaintext',
          }),
          { preview: false },
        );
        resumeFrom = await actions(rescue!, diagnosis, configuration, transcript);
      } catch (e) {
        if (e instanceof HostKeyChangedError) await handleHostKeyChanged(e, extensionHostKeyStore(context));
        else if (e instanceof CancelledError || abort.signal.aborted) log('recovery cancelled');
        else {
          const message = e instanceof EngineError ? e.message : String(e);
          transcript.line(`failed: ${redact(message, known)}`);
          void vscode.window.showErrorMessage(`nixkit: ${redact(message, known)}`);
        }
      } finally {
        if (rescue) {
          const problem = await rescue.close();
          transcript.line(problem ? `cleanup: ${problem}` : 'unmounted everything');
          if (problem) void vscode.window.showWarningMessage(`nixkit: ${problem}`);
        }
        session?.close();
        transcript.close();
        log(`transcript: ${transcriptFile}`);
      }
      if (resumeFrom && configuration) {
        // The install's resume is the CLI's (it shows the plan and asks for the disk again) in a terminal.
        const cli = path.join(context.extensionPath, 'dist', 'cli.js');
        const terminal = vscode.window.createTerminal({ name: `nixkit: resume install on ${chosen.target}` });
        terminal.show();
        terminal.sendText(
          shJoin([
            'node',
            cli,
            'rescue',
            chosen.target,
            '--flake',
            `${configuration.flake}#${configuration.name}`,
            '--resume-from',
            resumeFrom,
            ...(chosen.identityFile ? ['--identity', expandHome(chosen.identityFile)] : []),
          ]),
        );
      }
    }),
  );
}

/** The action quick pick, again after each action, until the person is done. Returns a step to resume from. */
async function actions(
  rescue: RescueSession,
  d: Diagnosis,
  configuration: { flake: string; name: string } | null,
  transcript: Transcript,
): Promise<string | undefined> {
  for (;;) {
    type Item = vscode.QuickPickItem & { gen?: number; act: 'rollback' | 'run' | 'resume' | 'done' };
    const items: Item[] = [];
    const menu = d.bootMenu;
    for (const g of [...d.generations].reverse()) {
      const e = menu?.entries.find((x) => x.generation === g.number);
      if (!e || e.id === menu?.defaultId) continue;
      items.push({
        act: 'rollback',
        gen: g.number,
        label: `$(history) Roll back to generation ${g.number}`,
        description: e.title,
        detail: `make it the default boot entry (${menu!.loader})`,
      });
    }
    items.push({ act: 'run', label: '$(terminal) Run a command inside the installed system…' });
    if (configuration)
      items.push({
        act: 'resume',
        label: '$(debug-restart) Resume the install from a step…',
        description: `${configuration.name}`,
      });
    items.push({ act: 'done', label: '$(check) Done: unmount and disconnect' });
    const pick = await vscode.window.showQuickPick(items, {
      title: 'NixOS: Recover Host',
      placeHolder: 'What now?',
      ignoreFocusOut: true,
    });
    if (!pick || pick.act === 'done') return undefined;
    if (pick.act === 'resume') {
      const step = await vscode.window.showQuickPick(STEPS, {
        title: 'Resume the install from which step?',
        ignoreFocusOut: true,
      });
      if (step) return step;
      continue;
    }
    let plan: PlannedCommand[];
    let what: string;
    try {
      if (pick.act === 'rollback') {
        const p = rescue.planRollback(d, pick.gen!);
        plan = p.commands;
        what = `Roll back: ${p.summary}`;
      } else {
        const cmd = await vscode.window.showInputBox({
          title: 'Run inside the installed system',
          prompt: 'A shell command (run by the installed system’s sh, as root, in a chroot like nixos-enter)',
          ignoreFocusOut: true,
        });
        if (!cmd) continue;
        plan = rescue.planRun(cmd);
        what = `Run inside the installed system: ${cmd}`;
      }
    } catch (e) {
      void vscode.window.showErrorMessage(`nixkit: ${(e as Error).message}`);
      continue;
    }
    const detail = plan.map((c) => `${formatCommand(c)}\n  # ${c.purpose}`).join('\n\n');
    const ok = await vscode.window.showWarningMessage(
      what,
      { modal: true, detail: detail.length > 4000 ? detail.slice(0, 4000) + ' …' : detail },
      'Run',
    );
    if (ok !== 'Run') continue;
    transcript.line(`action: ${what}`);
    try {
      await rescue.execute(plan);
      transcript.line('action done');
      void vscode.window.showInformationMessage(`nixkit: done: ${what}`);
      if (pick.act === 'rollback' && menu) {
        // The menu's default is now the chosen entry (the next offer must not propose it again).
        const e = menu.entries.find((x) => x.generation === pick.gen);
        if (e) menu.defaultId = e.id;
      }
    } catch (e) {
      transcript.line(`action failed: ${rescue.redact((e as Error).message)}`);
      void vscode.window.showErrorMessage(`nixkit: ${rescue.redact((e as Error).message)}`);
    }
  }
}
