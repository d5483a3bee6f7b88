// Passwords and passphrases for SSH targets, kept in VS Code's SecretStorage (the OS keychain where there is one)
// and nowhere else: never in settings, workspace state, target files or logs. Keyed by what they unlock: a login or
// sudo password by user@host:port, a key passphrase by the key file's path.
import type * as vscode from 'vscode';

export type SecretKind = 'password' | 'sudo-password' | 'passphrase' | 'luks-passphrase';

const PREFIX = 'nixkit.ssh';

/** The identity a password belongs to. */
export function targetKey(t: { user: string; host: string; port: number }): string {
  return `${t.user}@${t.host}:${t.port}`;
}

export function secretKey(kind: SecretKind, id: string): string {
  return `${PREFIX}/${kind}/${id}`;
}

export class TargetSecrets {
  constructor(private readonly storage: vscode.SecretStorage) {}

  async get(kind: SecretKind, id: string): Promise<string | undefined> {
    return (await this.storage.get(secretKey(kind, id))) || undefined;
  }

  async store(kind: SecretKind, id: string, value: string): Promise<void> {
    await this.storage.store(secretKey(kind, id), value);
  }

  async delete(kind: SecretKind, id: string): Promise<void> {
    await this.storage.delete(secretKey(kind, id));
  }

  /** Forgets the login and sudo passwords of a target (passphrases belong to key files, not targets). */
  async forgetTarget(t: { user: string; host: string; port: number }): Promise<void> {
    const id = targetKey(t);
    await this.delete('password', id);
    await this.delete('sudo-password', id);
  }
}
