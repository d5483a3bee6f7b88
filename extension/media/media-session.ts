// The SSH session the write page uses for a remote stick: resolved like every nixkit target (the key file a saved
// target names), secrets through the VS Code prompter, the host key verified against nixkit's store and
// ~/.ssh/known_hosts (first use asked in a modal, a changed key refused). Kept open while the page works with that
// target (listing, then writing), closed when the target changes or the page closes.
import * as vscode from 'vscode';
import { AuthFailedError, HostKeyChangedError, NoRootError } from '../../engine/errors';
import { Session } from '../../engine/ssh/session';
import { resolveTarget } from '../../engine/ssh/target';
import { expandHome } from '../connect-and-probe';
import { loadSavedTargets, rememberTarget } from '../ssh-targets';
import { extensionHostKeyStore, handleHostKeyChanged, VscodePrompter } from '../vscode-prompter';

export async function openMediaSession(
  context: vscode.ExtensionContext,
  text: string,
  log: (message: string) => void,
  signal: AbortSignal,
): Promise<Session> {
  const saved = (await loadSavedTargets(context, log)).find((t) => t.target === text);
  const target = resolveTarget(text, {
    identityFiles: saved?.identityFile ? [expandHome(saved.identityFile)] : undefined,
  });
  const prompter = new VscodePrompter(context.secrets, target);
  const store = extensionHostKeyStore(context);
  try {
    const session = await Session.connect({
      target,
      prompter,
      hostKeyStore: store,
      signal,
      log: (m) => log(`[ssh ${text}] ${m}`),
    });
    await prompter.commit();
    await rememberTarget(context, text);
    return session;
  } catch (error) {
    if (error instanceof HostKeyChangedError) void handleHostKeyChanged(error, store);
    if (error instanceof AuthFailedError || error instanceof NoRootError) await prompter.forgetUsed();
    throw error;
  }
}
