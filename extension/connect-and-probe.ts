// Connect to a target over SSH and probe its hardware, the one way "Probe Hardware" and the install wizard both do
// it: the target resolved (with the key file a saved target names), secrets through the VS Code prompter, a
// cancellable progress notification, the session closed afterwards. On success the secrets the prompter was given
// are kept and the target goes to the recent list; on a failed login what was remembered is forgotten. What to
// say about a failure, and whether to try again, stays with the caller.
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { AuthFailedError, CancelledError, HostKeyChangedError, NoRootError } from '../engine/errors';
import { runProbe, type ProbeRun } from '../engine/probe/run-probe';
import { Session } from '../engine/ssh/session';
import { resolveTarget, type ResolvedTarget } from '../engine/ssh/target';
import { rememberTarget } from './ssh-targets';
import { extensionHostKeyStore, handleHostKeyChanged, VscodePrompter } from './vscode-prompter';

export function expandHome(p: string): string {
  return p === '~' ? os.homedir() : p.startsWith('~/') ? path.join(os.homedir(), p.slice(2)) : p;
}

export type ProbeOutcome =
  | { kind: 'probed'; run: ProbeRun; target: ResolvedTarget }
  /** The target string does not parse or resolve. */
  | { kind: 'bad-target'; error: unknown }
  | { kind: 'cancelled' }
  /** The host key changed; `forgetHostKey` asks whether to forget the old one (true when it was). */
  | {
      kind: 'host-key-changed';
      error: HostKeyChangedError;
      target: ResolvedTarget;
      forgetHostKey(): Promise<boolean>;
    }
  /** Login or root failed; any password remembered for the target has been forgotten. */
  | { kind: 'login-failed'; error: AuthFailedError | NoRootError; target: ResolvedTarget }
  | { kind: 'failed'; error: unknown; target: ResolvedTarget };

export interface ProbeRequest {
  target: string;
  /** A key file from a saved target (`~` allowed). */
  identityFile?: string;
  /** Called once the target resolved, before connecting (to show that the work started). */
  onConnecting?: () => void;
  log: (message: string) => void;
}

export async function connectAndProbe(
  context: vscode.ExtensionContext,
  request: ProbeRequest,
): Promise<ProbeOutcome> {
  const text = request.target;
  let target: ResolvedTarget;
  try {
    target = resolveTarget(text, {
      identityFiles: request.identityFile ? [expandHome(request.identityFile)] : undefined,
    });
  } catch (error) {
    return { kind: 'bad-target', error };
  }
  const prompter = new VscodePrompter(context.secrets, target);
  const store = extensionHostKeyStore(context);
  request.onConnecting?.();
  let run: ProbeRun;
  try {
    run = await vscode.window.withProgress(
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
            log: (m) => request.log(`[ssh ${text}] ${m}`),
          });
          progress.report({ message: 'reading the hardware…' });
          return await runProbe(session, { signal: abort.signal, target: text });
        } finally {
          session?.close();
          sub.dispose();
        }
      },
    );
  } catch (error) {
    if (error instanceof CancelledError) return { kind: 'cancelled' };
    if (error instanceof HostKeyChangedError)
      return {
        kind: 'host-key-changed',
        error,
        target,
        forgetHostKey: () => handleHostKeyChanged(error, store),
      };
    if (error instanceof AuthFailedError || error instanceof NoRootError) {
      await prompter.forgetUsed();
      return { kind: 'login-failed', error, target };
    }
    return { kind: 'failed', error, target };
  }
  await prompter.commit();
  await rememberTarget(context, text);
  return { kind: 'probed', run, target };
}
