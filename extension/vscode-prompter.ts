// The engine's Prompter in VS Code: passwords, passphrases and keyboard-interactive answers through password input
// boxes, remembered in SecretStorage (extension/secrets.ts) once they worked; the host key trust-on-first-use
// question and the changed-key stop as modal dialogs; nixkit's own known-hosts file in the extension's global
// storage (the engine also reads ~/.ssh/known_hosts, read-only).
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { HostKeyChangedError } from '../engine/errors';
import { FileHostKeyStore, type HostKeyStore } from '../engine/ssh/known-hosts';
import type { HostKeyInfo, Prompter } from '../engine/ssh/session';
import { TargetSecrets, targetKey, type SecretKind } from './secrets';

/** The dialogs the prompter uses; tests pass a scripted one. */
export interface PromptUi {
  input(options: vscode.InputBoxOptions): Thenable<string | undefined>;
  /** A modal dialog; resolves to the chosen button, undefined when cancelled. */
  modal(
    level: 'warning' | 'error',
    message: string,
    detail: string,
    ...buttons: string[]
  ): Thenable<string | undefined>;
}

export const vscodeUi: PromptUi = {
  input: (options) => vscode.window.showInputBox(options),
  modal: (level, message, detail, ...buttons) =>
    level === 'error'
      ? vscode.window.showErrorMessage(message, { modal: true, detail }, ...buttons)
      : vscode.window.showWarningMessage(message, { modal: true, detail }, ...buttons),
};

export const TRUST_BUTTON = 'Trust and Connect';
export const FORGET_BUTTON = 'Forget Old Key…';
export const FORGET_CONFIRM_BUTTON = 'Forget Key';

/** nixkit's known-hosts file: `known_hosts` in the extension's global storage folder. */
export function extensionHostKeyStore(context: vscode.ExtensionContext): FileHostKeyStore {
  return new FileHostKeyStore(path.join(context.globalStorageUri.fsPath, 'known_hosts'));
}

function where(host: string, port: number): string {
  return port === 22 ? host : `${host} port ${port}`;
}

/**
 * A Prompter for one connection to one target. Answers come from SecretStorage when remembered, else from the
 * person; new answers are kept in memory until `commit()` (call it once the connection and root access worked),
 * so a mistyped password is never remembered. After an authentication failure call `forgetUsed()`: it drops every
 * remembered answer this connection used, so the next attempt asks again.
 */
export class VscodePrompter implements Prompter {
  private readonly pending = new Map<string, { kind: SecretKind; id: string; value: string }>();
  private readonly used: { kind: SecretKind; id: string }[] = [];
  private readonly secrets: TargetSecrets;
  private readonly id: string;

  constructor(
    storage: vscode.SecretStorage,
    private readonly target: { user: string; host: string; port: number },
    private readonly ui: PromptUi = vscodeUi,
  ) {
    this.secrets = new TargetSecrets(storage);
    this.id = targetKey(target);
  }

  private async remembered(kind: SecretKind, id: string): Promise<string | undefined> {
    const value = this.pending.get(`${kind}/${id}`)?.value ?? (await this.secrets.get(kind, id));
    if (value !== undefined) this.used.push({ kind, id });
    return value;
  }

  private keep(kind: SecretKind, id: string, value: string): void {
    this.pending.set(`${kind}/${id}`, { kind, id, value });
  }

  private async askSecret(
    kind: SecretKind,
    id: string,
    options: vscode.InputBoxOptions,
  ): Promise<string | undefined> {
    const known = await this.remembered(kind, id);
    if (known !== undefined) return known;
    const value = await this.ui.input({ ...options, password: true, ignoreFocusOut: true });
    if (value === undefined) return undefined;
    this.keep(kind, id, value);
    return value;
  }

  password(prompt: string): Promise<string | undefined> {
    // The engine asks "sudo password for …" when sudo wants one, "Password for …" for logging in.
    const kind: SecretKind = /^sudo /i.test(prompt) ? 'sudo-password' : 'password';
    return this.askSecret(kind, this.id, {
      title: kind === 'sudo-password' ? 'sudo password' : 'SSH password',
      prompt: `${prompt} (remembered in VS Code's secret storage once it works)`,
    });
  }

  passphrase(keyPath: string): Promise<string | undefined> {
    return this.askSecret('passphrase', keyPath, {
      title: 'SSH key passphrase',
      prompt: `Passphrase for ${keyPath} (remembered in VS Code's secret storage once it works)`,
    });
  }

  async keyboardInteractive(
    name: string,
    instructions: string,
    prompts: { prompt: string; echo: boolean }[],
  ): Promise<string[] | undefined> {
    // PAM's single hidden "Password:" is the login password: remembered like one. Anything else (one-time codes,
    // several questions) is asked every time and never stored.
    const single = prompts.length === 1 && !prompts[0].echo ? prompts[0].prompt : undefined;
    if (
      single !== undefined &&
      /pass(word|phrase)?/i.test(single) &&
      !/one.time|otp|token|code/i.test(single)
    ) {
      const answer = await this.askSecret('password', this.id, {
        title: name || `Login to ${where(this.target.host, this.target.port)}`,
        prompt: [instructions, `${single.trim()} (${this.id})`].filter(Boolean).join(' — '),
      });
      return answer === undefined ? undefined : [answer];
    }
    const answers: string[] = [];
    for (const [i, p] of prompts.entries()) {
      const a = await this.ui.input({
        title: `${name || `Login to ${where(this.target.host, this.target.port)}`} (${i + 1}/${prompts.length})`,
        prompt: [instructions, p.prompt.trim()].filter(Boolean).join(' — '),
        password: !p.echo,
        ignoreFocusOut: true,
      });
      if (a === undefined) return undefined;
      answers.push(a);
    }
    return answers;
  }

  async confirmHostKey(info: HostKeyInfo): Promise<boolean> {
    const choice = await this.ui.modal(
      'warning',
      `nixkit has not connected to ${where(info.host, info.port)} before. Trust its host key?`,
      `${info.algorithm} key fingerprint:\n${info.fingerprint}\n\n` +
        'Compare it with the fingerprint the target itself shows (on its console: ssh-keygen -lf ' +
        '/etc/ssh/ssh_host_ed25519_key.pub). If you trust it, nixkit remembers the key (trust on first use) and ' +
        'refuses to connect if it ever changes. Live and rescue systems make new host keys on every boot, so ' +
        'after a reboot of the target you will be asked again.',
      TRUST_BUTTON,
    );
    return choice === TRUST_BUTTON;
  }

  /** Remembers the answers of this connection (call after it fully worked). */
  async commit(): Promise<void> {
    for (const { kind, id, value } of this.pending.values()) await this.secrets.store(kind, id, value);
    this.pending.clear();
  }

  /** Drops what this connection took from the secret storage or was told (after a failed login). */
  async forgetUsed(): Promise<void> {
    for (const { kind, id } of this.used) await this.secrets.delete(kind, id);
    this.used.length = 0;
    this.pending.clear();
  }
}

/**
 * The changed-host-key stop: a modal error that explains (including that live systems make new keys on every boot)
 * and, when the old key is in nixkit's own store, offers to forget it — behind a second, explicit confirmation.
 * A key recorded in ~/.ssh/known_hosts is never edited by nixkit: the message says how to remove it.
 * Resolves to true when the old key was forgotten (the caller may offer to connect again).
 */
export async function handleHostKeyChanged(
  error: HostKeyChangedError,
  store: HostKeyStore,
  ui: PromptUi = vscodeUi,
): Promise<boolean> {
  const place = where(error.host, error.port);
  const ours = path.resolve(error.source) === path.resolve(store.path);
  const recorded = error.knownFingerprints.join('\n') || 'a different key';
  const removal = ours
    ? 'If you rebooted or reinstalled the target, forget the old key and connect again to check and accept the new one.'
    : `That key is recorded in ${error.source}, which nixkit does not edit: remove it with  ssh-keygen -R ` +
      `${error.port === 22 ? error.host : `'[${error.host}]:${error.port}'`}  and connect again.`;
  const detail =
    `Now:\n${error.algorithm} ${error.fingerprint}\n\nRemembered${ours ? ' by nixkit' : ''}:\n${recorded}\n\n` +
    'Someone may be intercepting the connection, so nixkit stops here. Live and rescue systems make new host ' +
    `keys on every boot, so a reboot of the target is the usual cause. ${removal}`;
  const first = await ui.modal(
    'error',
    `The host key of ${place} has CHANGED. nixkit stopped.`,
    detail,
    ...(ours ? [FORGET_BUTTON] : []),
  );
  if (first !== FORGET_BUTTON) return false;
  const second = await ui.modal(
    'warning',
    `Forget the recorded host key of ${place}?`,
    'Do this only if you know why the key changed: the target was rebooted (live and rescue systems make new ' +
      'host keys on every boot) or reinstalled. Otherwise someone may be intercepting the connection.\n\n' +
      `The new key's fingerprint is ${error.algorithm} ${error.fingerprint}. The next connection shows it again ` +
      'for you to check and accept.',
    FORGET_CONFIRM_BUTTON,
  );
  if (second !== FORGET_CONFIRM_BUTTON) return false;
  store.forget(error.host, error.port);
  return true;
}
