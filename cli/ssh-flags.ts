// The flags that say how to reach a target over SSH (`probe`, `install`) and the connection they make: the port,
// identities, known-hosts files, passwords from environment variables, an ~/.ssh/config file.
import * as os from 'node:os';
import * as path from 'node:path';
import { FileHostKeyStore } from '../engine/ssh/known-hosts';
import { HostKeyRejectedError } from '../engine/errors';
import { Session, type Prompter } from '../engine/ssh/session';
import { resolveTarget } from '../engine/ssh/target';
import { secretFromEnv } from './flags';
import type { CliIO } from './io';
import type { TtyPrompter } from './tty-prompter';

/** nixkit's known-hosts file when none is given. */
export function defaultKnownHostsPath(env: Record<string, string | undefined>): string {
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'nixkit', 'known_hosts');
}

/** The flags that say how to reach a target over SSH (`probe`, `install`). */
export const SSH_FLAGS = {
  port: { type: 'string', short: 'p' },
  identity: { type: 'string', short: 'i', multiple: true },
  'known-hosts': { type: 'string' },
  'accept-new-host-key': { type: 'boolean' },
  'password-env': { type: 'string' },
  'sudo-password-env': { type: 'string' },
  'ssh-config': { type: 'string' },
} as const;

export interface SshFlagValues {
  port?: string;
  identity?: string[];
  'known-hosts'?: string;
  'accept-new-host-key'?: boolean;
  'password-env'?: string;
  'sudo-password-env'?: string;
  'ssh-config'?: string;
}

/** How to connect to a target, from the SSH flags; `connect` may be called more than once (an install reconnects). */
export interface SshAccess {
  password?: string;
  sudoPassword?: string;
  connect(
    target: string,
    options: { prompter: Prompter; readyTimeoutMs: number; signal: AbortSignal },
  ): Promise<Session>;
}

/** Reads the SSH flags; prints what is wrong and returns null on a mistake. */
export function sshAccess(command: string, v: SshFlagValues, io: CliIO): SshAccess | null {
  let port: number | undefined;
  if (v.port !== undefined) {
    port = Number(v.port);
    if (!/^\d+$/.test(v.port) || port < 1 || port > 65535) {
      io.stderr(`nixkit ${command}: --port needs a number from 1 to 65535\n`);
      return null;
    }
  }
  const password = secretFromEnv(command, io, v['password-env'], '--password-env');
  const sudoPassword = secretFromEnv(command, io, v['sudo-password-env'], '--sudo-password-env');
  if (password === null || sudoPassword === null) return null;
  return {
    ...(password !== undefined ? { password } : {}),
    ...(sudoPassword !== undefined ? { sudoPassword } : {}),
    connect(target, { prompter, readyTimeoutMs, signal }) {
      const resolved = resolveTarget(target, {
        port,
        identityFiles: (v.identity ?? []).map((p) => path.resolve(io.cwd, p)),
        sshConfigPath: v['ssh-config'] ? path.resolve(io.cwd, v['ssh-config']) : undefined,
        homeDir: io.env.HOME,
      });
      const hostKeyStore = new FileHostKeyStore(
        v['known-hosts'] ? path.resolve(io.cwd, v['known-hosts']) : defaultKnownHostsPath(io.env),
      );
      return Session.connect({
        target: resolved,
        prompter,
        hostKeyStore,
        password,
        sudoPassword,
        acceptNewHostKey: v['accept-new-host-key'],
        readyTimeoutMs,
        signal,
      });
    },
  };
}

/**
 * When an unknown host key was refused because there is no terminal to ask on (and no other prompter), says how
 * to go on and returns true; the caller then exits with findings. False for anything else.
 */
export function explainRefusedHostKey(
  e: unknown,
  command: string,
  tty: TtyPrompter,
  otherPrompter: boolean,
  io: CliIO,
): boolean {
  if (!(e instanceof HostKeyRejectedError) || otherPrompter || !tty.refusedNonInteractive) return false;
  io.stderr(
    `nixkit ${command}: ${e.message}\nThe host key is unknown and there is no terminal to ask on. Check the ` +
      `fingerprint above out of band, then pass --accept-new-host-key (it is remembered) or run once interactively.\n`,
  );
  return true;
}
