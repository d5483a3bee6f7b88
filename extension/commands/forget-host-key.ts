// "NixOS: Forget Host Key…": removes a host key nixkit remembered (the way out after a live system rebooted and
// made new keys). nixkit's own known-hosts file only; OpenSSH's ~/.ssh/known_hosts is left to ssh-keygen -R.
import * as vscode from 'vscode';
import { fingerprint, type HostKeyStore } from '../../engine/ssh/known-hosts';
import { extensionHostKeyStore } from '../vscode-prompter';

export function registerForgetHostKey(context: vscode.ExtensionContext): void {
  const store = extensionHostKeyStore(context);
  context.subscriptions.push(
    vscode.commands.registerCommand('nixkit.forgetHostKey', () => forgetHostKey(store)),
  );
}

/** Lists the host keys nixkit remembers; forgets the chosen one after a confirmation. */
async function forgetHostKey(store: HostKeyStore): Promise<void> {
  const entries = store.entries().filter((e) => !e.hashed && e.marker === undefined);
  if (entries.length === 0) {
    void vscode.window.showInformationMessage(
      `nixkit remembers no host keys (${store.path}). Keys in ~/.ssh/known_hosts are OpenSSH's: remove them with ssh-keygen -R HOST.`,
    );
    return;
  }
  const items = entries.flatMap((e) =>
    e.patterns.map((p) => ({ label: p, description: `${e.keyType} ${fingerprint(e.key)}`, pattern: p })),
  );
  const pick = await vscode.window.showQuickPick(items, {
    title: 'NixOS: Forget Host Key',
    placeHolder: 'Which host key should nixkit forget?',
  });
  if (!pick) return;
  const m = /^\[(.+)\]:(\d+)$/.exec(pick.pattern);
  const host = m ? m[1] : pick.pattern;
  const port = m ? Number(m[2]) : 22;
  const forget = 'Forget Key';
  const answer = await vscode.window.showWarningMessage(
    `Forget the host key of ${pick.label}?`,
    {
      modal: true,
      detail:
        `${pick.description}\n\nThe next connection shows the key's fingerprint again for you to check. Live and ` +
        'rescue systems make new host keys on every boot: forgetting the old key is expected after a reboot.',
    },
    forget,
  );
  if (answer !== forget) return;
  const removed = store.forget(host, port);
  void vscode.window.showInformationMessage(`nixkit forgot ${removed} host key(s) of ${pick.label}.`);
}
