// One SSH connection to a target (ssh2 Client): host key verification against known_hosts and nixkit's store,
// agent / key / password / keyboard-interactive authentication through a Prompter, commands with exit status,
// streaming, timeouts and cancellation, and running things as root through sudo. Never imports `vscode`: the
// extension supplies a Prompter backed by its UI and SecretStorage, the CLI one backed by the terminal.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import {
  Client,
  utils,
  type AnyAuthMethod,
  type ClientChannel,
  type ConnectConfig,
  type ParsedKey,
} from 'ssh2';
import {
  AuthFailedError,
  CancelledError,
  ConnectError,
  ConnectionLostError,
  EngineError,
  HostKeyChangedError,
  HostKeyRejectedError,
  NoRootError,
  TimeoutError,
  redact,
} from '../errors';
import {
  fingerprint,
  keyAlgorithm,
  knownKeyTypes,
  lookupHostKey,
  readKnownHostsFile,
  type HostKeyStore,
  type KnownHostEntry,
} from './known-hosts';
import { shJoin, shQuote } from './quote';
import { execWithSudoPassword } from './sudo';
import type { ResolvedTarget, TargetSpec } from './target';

export interface HostKeyInfo {
  host: string;
  port: number;
  algorithm: string;
  /** 'SHA256:…' as `ssh-keygen -lf` prints it. */
  fingerprint: string;
}

/** Everything the engine may ask a person. Returning undefined means "declined / no answer". */
export interface Prompter {
  password(prompt: string): Promise<string | undefined>;
  passphrase(keyPath: string): Promise<string | undefined>;
  keyboardInteractive(
    name: string,
    instructions: string,
    prompts: { prompt: string; echo: boolean }[],
  ): Promise<string[] | undefined>;
  /** Unknown host key: trust it (and have it remembered)? */
  confirmHostKey(info: HostKeyInfo): Promise<boolean>;
}

export interface ConnectOptions {
  target: ResolvedTarget;
  prompter: Prompter;
  /** nixkit's own known-hosts store (TOFU answers are remembered there). */
  hostKeyStore: HostKeyStore;
  /** OpenSSH known_hosts files consulted read-only; default ~/.ssh/known_hosts (and known_hosts2). */
  userKnownHostsFiles?: string[];
  /** ssh-agent socket; default $SSH_AUTH_SOCK; false disables the agent. */
  agent?: string | false;
  /** Password known up front (e.g. from an environment variable); tried before prompting. */
  password?: string;
  /** Password for sudo; default: the login password if there is one, else prompted. */
  sudoPassword?: string;
  /** Trust an unknown host key without asking (it is still remembered; a changed key is still refused). */
  acceptNewHostKey?: boolean;
  /** Default identities (~/.ssh/id_ed25519, id_ecdsa, id_rsa) when the target names none; default true. */
  useDefaultIdentities?: boolean;
  readyTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  signal?: AbortSignal;
  /** Diagnostic log; never receives secrets. */
  log?: (message: string) => void;
}

export interface ExecOptions {
  /**
   * Fed to the command's standard input. A Readable is streamed with backpressure (the SSH channel's window
   * paces it) and ends the input when it ends: for closures and archives too large to hold in memory.
   */
  stdin?: string | Buffer | Readable;
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Output beyond this many bytes (stdout + stderr) aborts the command; default 32 MiB. */
  maxOutputBytes?: number;
}

export interface ExecResult {
  /** Exit code; null when the command died of a signal. */
  code: number | null;
  signal?: string;
  stdout: Buffer;
  stderr: Buffer;
}

export type RootMode = 'root' | 'sudo-nopasswd' | 'sudo-password';

const DEFAULT_IDENTITIES = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

/** Writes stdin into a fresh root-only file in /run (else /tmp) and prints its name. */
const ENV_FILE_SCRIPT =
  'umask 077; d=/run; [ -d "$d" ] && [ -w "$d" ] || d=/tmp; f=$(mktemp "$d/nixkit-env.XXXXXXXX") && cat > "$f" && echo "$f"';

/** Throws CancelledError if the signal already fired. */
function checkAbort(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new CancelledError(what);
}

export class Session {
  private closedReason: string | undefined;
  private rootMode: RootMode | undefined;
  private readonly closeListeners = new Set<(reason: string) => void>();
  /** The host key this connection verified (the SSH wire-format blob), for tools that open their own
   * connection to the same host (OpenSSH for `nix copy`) and must check the same key. */
  hostKey: Buffer | undefined;
  /** Environment for every root command (setRemoteEnv), and the root-only file on the target that holds it. */
  private remoteEnv: Record<string, string> | undefined;
  private remoteEnvFile: string | undefined;

  private constructor(
    private readonly client: Client,
    readonly target: ResolvedTarget,
    private readonly secrets: string[],
    private sudoPassword: string | undefined,
    private readonly prompter: Prompter,
    private readonly jump: Session | undefined,
    /** Milliseconds the TCP connect + SSH handshake + authentication took. */
    readonly handshakeMs: number,
  ) {
    const onGone = (reason: string) => {
      if (this.closedReason !== undefined) return;
      this.closedReason = reason;
      for (const l of this.closeListeners) l(reason);
    };
    client.on('error', (e: Error & { level?: string }) => onGone(this.redact(e.message)));
    client.on('close', () => onGone('the server closed the connection'));
  }

  /** Connects and authenticates; rejects with a typed EngineError. */
  static async connect(options: ConnectOptions): Promise<Session> {
    const { target } = options;
    checkAbort(options.signal, 'Connecting');
    let jump: Session | undefined;
    let sock: ConnectConfig['sock'];
    if (target.proxyJump.length > 0) {
      // ProxyJump a,b: the last hop (b) is reached through the earlier ones (a), then tunnels to the target.
      const hop = target.proxyJump[target.proxyJump.length - 1];
      jump = await Session.connect({
        ...options,
        password: undefined,
        sudoPassword: undefined,
        target: hopTarget(hop, target.proxyJump.slice(0, -1), target),
      });
      try {
        sock = await new Promise<ClientChannel>((resolve, reject) =>
          jump!.client.forwardOut('127.0.0.1', 0, target.host, target.port, (err, stream) =>
            err
              ? reject(new ConnectError(target.host, target.port, `through ${hop.host}: ${err.message}`))
              : resolve(stream),
          ),
        );
      } catch (e) {
        jump.close();
        throw e;
      }
    }
    try {
      return await Session.connectDirect(options, jump, sock);
    } catch (e) {
      jump?.close();
      throw e;
    }
  }

  private static connectDirect(
    options: ConnectOptions,
    jump: Session | undefined,
    sock: ConnectConfig['sock'],
  ): Promise<Session> {
    const { target, prompter, hostKeyStore } = options;
    const log = options.log ?? (() => undefined);
    const secrets: string[] = [];
    if (options.password) secrets.push(options.password);
    if (options.sudoPassword) secrets.push(options.sudoPassword);
    const home = os.homedir();
    const userFiles = options.userKnownHostsFiles ?? [
      path.join(home, '.ssh', 'known_hosts'),
      path.join(home, '.ssh', 'known_hosts2'),
    ];
    const sources: { name: string; entries: KnownHostEntry[] }[] = [
      ...userFiles.map((f) => ({ name: f, entries: readKnownHostsFile(f) })),
      { name: hostKeyStore.path, entries: hostKeyStore.entries() },
    ];
    const knownTypes = [
      ...new Set(sources.flatMap((s) => knownKeyTypes(s.entries, target.host, target.port))),
    ];

    let hostKeyError: EngineError | undefined;
    let verifiedKey: Buffer | undefined;
    let passwordTried = false;
    let kbdUsedPassword = false;
    let lastAuthProblem = 'the server accepted none of the offered methods';
    const started = Date.now();

    // Authentication candidates in OpenSSH's order: agent, key files, then password / keyboard-interactive.
    const identities = [...target.identityFiles];
    if (identities.length === 0 && options.useDefaultIdentities !== false) {
      for (const name of DEFAULT_IDENTITIES) {
        const p = path.join(home, '.ssh', name);
        if (fs.existsSync(p)) identities.push(p);
      }
    }
    const agent = options.agent === false ? undefined : (options.agent ?? process.env.SSH_AUTH_SOCK);
    const steps: (() => Promise<AnyAuthMethod | undefined>)[] = [];
    const username = target.user;
    if (agent) steps.push(async () => ({ type: 'agent', username, agent }));
    for (const file of identities) steps.push(() => loadIdentity(file, username, prompter, secrets, log));
    steps.push(async () => {
      if (passwordTried) return undefined;
      passwordTried = true;
      let password = options.password;
      if (password === undefined) {
        password = await prompter.password(`Password for ${username}@${target.host}`);
        if (password !== undefined) secrets.push(password);
      }
      if (password === undefined) return undefined;
      return { type: 'password', username, password };
    });
    steps.push(async () => ({
      type: 'keyboard-interactive',
      username,
      prompt: (name, instructions, _lang, prompts, finish) => {
        // PAM's usual single hidden "Password:" prompt is answered once with the known password, if there is one.
        if (prompts.length === 1 && !prompts[0].echo && options.password !== undefined && !kbdUsedPassword) {
          kbdUsedPassword = true;
          finish([options.password]);
          return;
        }
        if (prompts.length === 0) {
          finish([]);
          return;
        }
        const asked = prompts.map((p) => ({ prompt: p.prompt, echo: p.echo === true }));
        prompter.keyboardInteractive(name, instructions, asked).then(
          (answers) => {
            for (const a of answers ?? []) secrets.push(a);
            finish(answers ?? prompts.map(() => ''));
          },
          () => finish(prompts.map(() => '')),
        );
      },
    }));
    const kinds: string[] = [
      ...(agent ? ['agent'] : []),
      ...identities.map(() => 'publickey'),
      'password',
      'keyboard-interactive',
    ];

    return new Promise<Session>((resolve, reject) => {
      const client = new Client();
      let settled = false;
      const finish = (err: EngineError | undefined, session?: Session) => {
        if (settled) return;
        settled = true;
        options.signal?.removeEventListener('abort', onAbort);
        if (err) {
          client.destroy();
          reject(err);
        } else resolve(session!);
      };
      const onAbort = () => finish(new CancelledError('Connecting to ' + target.host));
      options.signal?.addEventListener('abort', onAbort, { once: true });

      let stepIndex = 0;
      const authHandler = (
        methodsLeft: string[] | null,
        _partial: boolean | null,
        next: (m: unknown) => void,
      ) => {
        const tryNext = async (): Promise<void> => {
          while (stepIndex < steps.length) {
            const i = stepIndex++;
            const kind = kinds[i];
            // Only methods the server still offers (agent keys are 'publickey' on the wire).
            const allowed =
              methodsLeft === null || methodsLeft.includes(kind === 'agent' ? 'publickey' : kind);
            if (!allowed) continue;
            if (settled) return;
            const method = await steps[i]().catch((e: Error) => {
              lastAuthProblem = redact(e.message, secrets);
              return undefined;
            });
            if (method) {
              log(`trying ${kind} authentication`);
              next(method);
              return;
            }
          }
          next(false);
        };
        void tryNext();
      };

      const config: ConnectConfig = {
        host: sock ? undefined : target.host,
        port: sock ? undefined : target.port,
        sock,
        username,
        readyTimeout: options.readyTimeoutMs ?? 20_000,
        keepaliveInterval: options.keepaliveIntervalMs ?? 5_000,
        keepaliveCountMax: options.keepaliveCountMax ?? 3,
        tryKeyboard: true,
        authHandler: authHandler as unknown as ConnectConfig['authHandler'],
        hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
          const info: HostKeyInfo = {
            host: target.host,
            port: target.port,
            algorithm: keyAlgorithm(key),
            fingerprint: fingerprint(key),
          };
          let changedIn: { name: string; known: string[] } | undefined;
          let known = false;
          for (const s of sources) {
            const r = lookupHostKey(s.entries, target.host, target.port, key);
            if (r.status === 'revoked') {
              hostKeyError = new HostKeyRejectedError(
                target.host,
                target.port,
                info.fingerprint,
                `it is marked @revoked in ${s.name}`,
              );
              return verify(false);
            }
            if (r.status === 'changed' && !changedIn)
              changedIn = { name: s.name, known: r.knownFingerprints };
            if (r.status === 'known') known = true;
          }
          // A changed key anywhere wins over a match elsewhere: nothing but removing the old entry gets past it.
          if (changedIn) {
            hostKeyError = new HostKeyChangedError(
              target.host,
              target.port,
              info.algorithm,
              info.fingerprint,
              changedIn.known,
              changedIn.name,
            );
            return verify(false);
          }
          verifiedKey = Buffer.from(key);
          if (known) return verify(true);
          const remember = () => {
            try {
              hostKeyStore.add(target.host, target.port, key);
            } catch (e) {
              log(`could not remember the host key in ${hostKeyStore.path}: ${(e as Error).message}`);
            }
          };
          if (options.acceptNewHostKey) {
            remember();
            return verify(true);
          }
          prompter.confirmHostKey(info).then(
            (ok) => {
              if (ok) remember();
              else
                hostKeyError = new HostKeyRejectedError(
                  target.host,
                  target.port,
                  info.fingerprint,
                  'declined',
                );
              verify(ok);
            },
            (e: Error) => {
              hostKeyError = new HostKeyRejectedError(target.host, target.port, info.fingerprint, e.message);
              verify(false);
            },
          );
        },
      };
      // Negotiate a host key type already on record, so a server cannot dodge the check by offering another type.
      if (knownTypes.length > 0) config.algorithms = { serverHostKey: knownTypes as never };

      client.on('ready', () => {
        const session = new Session(
          client,
          target,
          secrets,
          options.sudoPassword ?? options.password,
          prompter,
          jump,
          Date.now() - started,
        );
        session.hostKey = verifiedKey;
        finish(undefined, session);
      });
      client.on('error', (e: Error & { level?: string; code?: string }) => {
        if (hostKeyError) return finish(hostKeyError);
        const msg = redact(e.message, secrets);
        if (e.level === 'client-authentication') {
          return finish(new AuthFailedError(username, target.host, `${lastAuthProblem} (server: ${msg})`));
        }
        if (e.level === 'client-timeout' || /timed out/i.test(msg)) {
          return finish(
            new TimeoutError(`Connecting to ${target.host}:${target.port}`, options.readyTimeoutMs ?? 20_000),
          );
        }
        if (/host denied|verification failed/i.test(msg) && hostKeyError) return finish(hostKeyError);
        finish(new ConnectError(target.host, target.port, e.code ? `${msg} (${e.code})` : msg));
      });
      client.on('close', () => {
        if (hostKeyError) finish(hostKeyError);
        else
          finish(
            new ConnectError(
              target.host,
              target.port,
              'the server closed the connection during the handshake',
            ),
          );
      });
      try {
        client.connect(config);
      } catch (e) {
        finish(new ConnectError(target.host, target.port, redact((e as Error).message, secrets)));
      }
    });
  }

  /** Hides every password, passphrase and answer this session has seen. */
  redact(text: string): string {
    return redact(text, this.secrets);
  }

  get closed(): boolean {
    return this.closedReason !== undefined;
  }

  /** Runs a command: an argv (each argument shell-quoted) or a shell command line given as a string. */
  exec(command: string | readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const line = typeof command === 'string' ? command : shJoin(command);
    const what = 'The remote command';
    const host = this.target.host;
    return new Promise<ExecResult>((resolve, reject) => {
      if (options.signal?.aborted) return reject(new CancelledError(what));
      if (this.closedReason !== undefined) return reject(new ConnectionLostError(host, this.closedReason));
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let total = 0;
      const max = options.maxOutputBytes ?? 32 * 1024 * 1024;
      let channel: ClientChannel | undefined;
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const cleanup = () => {
        if (timer) clearTimeout(timer);
        if (input instanceof Readable) {
          input.removeListener('error', onInputError);
          if (channel) input.unpipe(channel);
        }
        options.signal?.removeEventListener('abort', onAbort);
        this.closeListeners.delete(onLost);
      };
      const fail = (e: EngineError) => {
        if (settled) return;
        settled = true;
        cleanup();
        if (channel) {
          // Ask the remote side to stop (OpenSSH honours signal requests), then close our end of the channel.
          try {
            channel.signal('KILL');
          } catch {
            /* the channel may already be gone */
          }
          channel.close();
        }
        reject(e);
      };
      const onAbort = () => fail(new CancelledError(what));
      const onLost = (reason: string) => fail(new ConnectionLostError(host, reason));
      const input = options.stdin;
      const onInputError = (e: Error) =>
        fail(
          new EngineError(
            'stdin-failed',
            `The input of the remote command failed: ${this.redact(e.message)}`,
          ),
        );
      if (input instanceof Readable) input.once('error', onInputError);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.closeListeners.add(onLost);
      if (options.timeoutMs)
        timer = setTimeout(() => fail(new TimeoutError(what, options.timeoutMs!)), options.timeoutMs);
      const take = (list: Buffer[], cb: ((c: Buffer) => void) | undefined) => (chunk: Buffer) => {
        total += chunk.length;
        if (total > max) {
          fail(
            new EngineError(
              'output-too-large',
              `The remote command printed more than ${max} bytes; stopped it.`,
            ),
          );
          return;
        }
        list.push(chunk);
        cb?.(chunk);
      };
      this.client.exec(line, (e, stream) => {
        if (e)
          return fail(new ConnectionLostError(host, `could not start a command: ${this.redact(e.message)}`));
        channel = stream;
        if (settled) {
          stream.close();
          return;
        }
        let exitCode: number | null = null;
        let exitSignal: string | undefined;
        stream.on('exit', (code: number | null, signal?: string) => {
          exitCode = code;
          exitSignal = signal ?? undefined;
        });
        stream.on('data', take(out, options.onStdout));
        stream.stderr.on('data', take(err, options.onStderr));
        stream.on('close', () => {
          if (settled) return;
          // A channel that closes without an exit status while the connection is going away was cut, not finished.
          setImmediate(() => {
            if (settled) return;
            if (exitCode === null && exitSignal === undefined && this.closedReason !== undefined) {
              return fail(new ConnectionLostError(host, this.closedReason));
            }
            settled = true;
            cleanup();
            resolve({
              code: exitCode,
              signal: exitSignal,
              stdout: Buffer.concat(out),
              stderr: Buffer.concat(err),
            });
          });
        });
        if (input instanceof Readable) input.pipe(stream);
        else if (input !== undefined) stream.end(input);
        else stream.end();
      });
    });
  }

  /**
   * How this user gets root: already root, sudo without a password, or sudo with one (verified here, prompted
   * for if not known). One round trip for the common cases. Throws NoRootError / AuthFailedError.
   */
  async ensureRoot(signal?: AbortSignal): Promise<RootMode> {
    if (this.rootMode) return this.rootMode;
    // Logged in as root: no round trip needed (the probe reports its uid anyway, should root not be uid 0).
    if (this.target.user === 'root') return (this.rootMode = 'root');
    const probe =
      'if [ "$(id -u)" -eq 0 ]; then echo root; elif command -v sudo >/dev/null 2>&1; then ' +
      'if sudo -n true >/dev/null 2>&1; then echo nopasswd; else echo password; fi; else echo nosudo; fi';
    const r = await this.exec(probe, { signal, timeoutMs: 30_000 });
    const answer = r.stdout.toString().trim();
    const user = this.target.user;
    if (answer === 'root') return (this.rootMode = 'root');
    if (answer === 'nopasswd') return (this.rootMode = 'sudo-nopasswd');
    if (answer === 'nosudo') throw new NoRootError(user, 'sudo is not installed on the target');
    if (answer !== 'password') throw new NoRootError(user, `could not tell (exit ${r.code})`);
    let password = this.sudoPassword;
    if (password === undefined) {
      password = await this.prompter.password(`sudo password for ${user}@${this.target.host}`);
      if (password === undefined) throw new NoRootError(user, 'sudo wants a password and none was given');
      this.secrets.push(password);
    }
    const check = await execWithSudoPassword((a, o) => this.exec(a, o), ['true'], password, {
      signal,
      timeoutMs: 30_000,
    });
    if (check.code === 0) {
      this.sudoPassword = password;
      return (this.rootMode = 'sudo-password');
    }
    const text = this.redact(check.stderr.toString());
    if (/not in the sudoers|may not run sudo|not allowed to (execute|run)/i.test(text)) {
      throw new NoRootError(user, 'sudo refuses this user');
    }
    if (/incorrect password|Sorry, try again|authentication failure/i.test(text)) {
      throw new AuthFailedError(user, this.target.host, 'sudo did not accept the password');
    }
    throw new NoRootError(user, `sudo failed: ${text.trim().split('\n').pop() ?? 'no message'}`);
  }

  /**
   * Runs argv as root (through sudo when needed). The sudo password goes on stdin, never the command line, and only
   * when sudo asks for it (see sudo.ts): a command sudo runs without asking never receives it.
   */
  async execAsRoot(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    if (this.remoteEnv) argv = await this.withRemoteEnv(argv, options.signal);
    return this.execAsRootPlain(argv, options);
  }

  /**
   * Every later root command runs with these variables (the install's proxy). They may hold a secret (a proxy
   * password), so they never go on a command line, where any user of the target could read them in the process list
   * (sudo keeps its argv for the whole command): the first root command writes them into a root-only file in /run
   * (a tmpfs, gone at the next boot), and each command is `sh -c '. FILE && exec "$@"' FILE ARGV…`.
   * dropRemoteEnv removes the file. Names must be shell variable names; values are single-quoted in the file.
   */
  setRemoteEnv(env: Record<string, string> | undefined): void {
    for (const k of Object.keys(env ?? {}))
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`not an environment variable name: ${k}`);
    this.remoteEnv = env && Object.keys(env).length ? { ...env } : undefined;
    this.remoteEnvFile = undefined;
  }

  /** Removes the environment file from the target (best effort: a gone connection leaves it to the next boot). */
  async dropRemoteEnv(): Promise<void> {
    const file = this.remoteEnvFile;
    this.remoteEnv = undefined;
    this.remoteEnvFile = undefined;
    if (!file || this.closed) return;
    await this.execAsRootPlain(['rm', '-f', '--', file], { timeoutMs: 15_000 }).catch(() => undefined);
  }

  private async withRemoteEnv(argv: readonly string[], signal?: AbortSignal): Promise<string[]> {
    if (this.remoteEnvFile === undefined) {
      const text = Object.entries(this.remoteEnv!)
        .map(([k, v]) => `export ${k}=${shQuote(v)}\n`)
        .join('');
      const r = await this.execAsRootPlain(['sh', '-c', ENV_FILE_SCRIPT], {
        stdin: text,
        signal,
        timeoutMs: 30_000,
      });
      const file = r.stdout.toString().trim();
      if (r.code !== 0 || !/^\/(run|tmp)\/nixkit-env\.[A-Za-z0-9]+$/.test(file))
        throw new EngineError(
          'remote-env-failed',
          `Could not write the install's environment (the proxy) on the target: ${this.redact(r.stderr.toString().trim()) || `exit ${r.code}`}`,
        );
      this.remoteEnvFile = file;
    }
    return ['sh', '-c', '. "$0" && exec "$@"', this.remoteEnvFile, ...argv];
  }

  private async execAsRootPlain(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const mode = await this.ensureRoot(options.signal);
    if (mode === 'root') return this.exec(argv, options);
    if (mode === 'sudo-nopasswd') return this.exec(['sudo', '-n', '--', ...argv], options);
    const {
      asked: _a,
      started: _s,
      ...r
    } = await execWithSudoPassword((a, o) => this.exec(a, o), argv, this.sudoPassword!, options);
    return r;
  }

  close(): void {
    this.client.end();
    this.jump?.close();
  }
}

/** A ProxyJump hop as a target of its own, reached through the hops before it (no further ssh_config lookup). */
function hopTarget(hop: TargetSpec, earlier: TargetSpec[], final: ResolvedTarget): ResolvedTarget {
  return {
    label: `${hop.user ? hop.user + '@' : ''}${hop.host}`,
    user: hop.user ?? final.user,
    host: hop.host,
    port: hop.port ?? 22,
    identityFiles: final.identityFiles,
    proxyJump: earlier,
  };
}

async function loadIdentity(
  file: string,
  username: string,
  prompter: Prompter,
  secrets: string[],
  log: (m: string) => void,
): Promise<AnyAuthMethod | undefined> {
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch (e) {
    log(`cannot read identity ${file}: ${(e as Error).message}`);
    return undefined;
  }
  let parsed = utils.parseKey(data);
  if (parsed instanceof Error && /passphrase|encrypted/i.test(parsed.message)) {
    const passphrase = await prompter.passphrase(file);
    if (passphrase === undefined) return undefined;
    secrets.push(passphrase);
    parsed = utils.parseKey(data, passphrase);
    if (parsed instanceof Error) throw new Error(`the passphrase for ${file} is not correct`);
  }
  if (parsed instanceof Error) {
    log(`cannot use identity ${file}: ${parsed.message}`);
    return undefined;
  }
  const key = (Array.isArray(parsed) ? parsed[0] : parsed) as ParsedKey;
  return { type: 'publickey', username, key };
}
