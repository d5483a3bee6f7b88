// What the subcommands share in reading their command lines: parseArgs with the usage on a mistake and --help,
// a TCP port, secrets taken from environment variables (never from the command line), the SSH connection flags
// of `probe` and `install`, and the message for a host key that could not be asked about.
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { FileHostKeyStore } from '../engine/ssh/known-hosts';
import { Session, type Prompter } from '../engine/ssh/session';
import { resolveTarget } from '../engine/ssh/target';
import { EXIT_OK, EXIT_USAGE, type CliIO } from './io';

type Options = NonNullable<ParseArgsConfig['options']>;
type HelpFlag = { help: { type: 'boolean'; short: 'h' } };

/** nixkit's known-hosts file when none is given. */
export function defaultKnownHostsPath(env: Record<string, string | undefined>): string {
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'nixkit', 'known_hosts');
}

/**
 * Parses `args` for `nixkit <command>`; prints the usage and returns an exit code on a mistake or --help (which
 * every subcommand takes, as -h too).
 */
export function parseFlags<O extends Options, P extends boolean>(
  command: string,
  usage: string,
  args: string[],
  io: CliIO,
  options: O,
  allowPositionals: P,
) {
  const config = {
    args,
    allowPositionals,
    options: { ...options, help: { type: 'boolean', short: 'h' } } as O & HelpFlag,
  };
  let parsed: ReturnType<typeof parseArgs<typeof config>>;
  try {
    parsed = parseArgs(config);
  } catch (e) {
    io.stderr(`nixkit ${command}: ${(e as Error).message}\n${usage}\n`);
    return EXIT_USAGE;
  }
  // The generic result does not show `help` until the caller's options are known.
  if ((parsed.values as { help?: boolean }).help) {
    io.stdout(usage + '\n');
    return EXIT_OK;
  }
  return parsed;
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

/**
 * The value of the environment variable a `--…-env VAR` flag names: undefined without the flag, null (with the
 * reason printed) when the variable is not set.
 */
export function secretFromEnv(
  command: string,
  io: CliIO,
  name: string | undefined,
  flag: string,
): string | undefined | null {
  if (name === undefined) return undefined;
  const value = io.env[name];
  if (value === undefined) {
    io.stderr(`nixkit ${command}: ${flag} ${name}: that environment variable is not set\n`);
    return null;
  }
  return value;
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
