// Parses what a person types as a target ("root@host", "user@[fe80::1]:2222", "myalias") and resolves Host
// aliases from ~/.ssh/config (ssh-config package), refusing host names that could be mistaken for options or
// smuggle shell or ssh_config syntax.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import SSHConfig from 'ssh-config';
import { TargetSyntaxError } from '../errors';

export interface TargetSpec {
  /** The user as written, or undefined (ssh_config's User, then the caller's default). */
  user?: string;
  host: string;
  port?: number;
}

export interface ResolvedTarget {
  /** What the person typed (or the alias), for messages. */
  label: string;
  user: string;
  /** The address to connect to (HostName resolved). */
  host: string;
  port: number;
  identityFiles: string[];
  /** ProxyJump hops, outermost first; each already parsed and resolved. Not yet used for connecting. */
  proxyJump: TargetSpec[];
  /** The alias this came from in ssh_config, if any. */
  alias?: string;
}

// Letters, digits, dots, hyphens, underscores (DNS names and ssh_config aliases); a leading '-' would be an option.
const HOSTNAME = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,252})$/;
const IPV6 = /^[0-9A-Fa-f:.]+(?:%[A-Za-z0-9_.-]+)?$/;
const USER = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

function checkHost(host: string, original: string): void {
  if (host.includes(':')) {
    if (!IPV6.test(host) || host.split(':').length < 3)
      throw new TargetSyntaxError(`'${show(original)}' is not a valid IPv6 address`);
    return;
  }
  if (!HOSTNAME.test(host)) {
    throw new TargetSyntaxError(
      `'${show(original)}': a host name may only contain letters, digits, '.', '-' and '_', and must not start with '-'`,
    );
  }
}

function checkPort(text: string, original: string): number {
  const port = Number(text);
  if (!/^[0-9]{1,5}$/.test(text) || port < 1 || port > 65535) {
    throw new TargetSyntaxError(`'${show(original)}': the port must be a number from 1 to 65535`);
  }
  return port;
}

/** Printable form of hostile input for an error message (control characters escaped, length bounded). */
function show(s: string): string {
  const escaped = JSON.stringify(s.length > 80 ? s.slice(0, 80) + '…' : s).slice(1, -1);
  return escaped;
}

/** `user@host`, `host:port`, `user@[v6]:port`, `[v6]`, a bare IPv6 address, or an alias. */
export function parseTarget(text: string): TargetSpec {
  const original = text;
  const t = text.trim();
  if (t === '') throw new TargetSyntaxError('no target given (expected user@host[:port])');
  let user: string | undefined;
  let rest = t;
  const at = t.lastIndexOf('@');
  if (at >= 0) {
    user = t.slice(0, at);
    rest = t.slice(at + 1);
    if (!USER.test(user)) {
      throw new TargetSyntaxError(
        `'${show(original)}': the user name may only contain letters, digits, '.', '-' and '_'`,
      );
    }
  }
  let host: string;
  let port: number | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) throw new TargetSyntaxError(`'${show(original)}': missing ']' after the IPv6 address`);
    host = rest.slice(1, close);
    const after = rest.slice(close + 1);
    if (after !== '') {
      if (!after.startsWith(':'))
        throw new TargetSyntaxError(`'${show(original)}': unexpected text after ']'`);
      port = checkPort(after.slice(1), original);
    }
    if (!host.includes(':')) checkHost(host, original);
    else checkHost(host, original);
  } else if ((rest.match(/:/g) ?? []).length > 1) {
    host = rest; // a bare IPv6 address: no port possible without brackets
    checkHost(host, original);
  } else {
    const colon = rest.indexOf(':');
    if (colon >= 0) {
      host = rest.slice(0, colon);
      port = checkPort(rest.slice(colon + 1), original);
    } else host = rest;
    checkHost(host, original);
  }
  return { user, host, port };
}

export interface ResolveOptions {
  /** Path of the ssh client config; default ~/.ssh/config. Missing file = no aliases. */
  sshConfigPath?: string;
  /** Text of the config instead of a file (tests). */
  sshConfigText?: string;
  /** User when neither the target nor ssh_config names one; default 'root' (installers log in as root). */
  defaultUser?: string;
  /** Explicit overrides (CLI --port / --identity) win over ssh_config. */
  port?: number;
  identityFiles?: string[];
  homeDir?: string;
}

function expandHome(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return path.join(home, p.slice(2));
  return p;
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Resolves a typed target through ssh_config: HostName, User, Port, IdentityFile, ProxyJump. */
export function resolveTarget(text: string, options: ResolveOptions = {}): ResolvedTarget {
  const spec = parseTarget(text);
  const home = options.homeDir ?? os.homedir();
  let configText = options.sshConfigText;
  if (configText === undefined) {
    const file = options.sshConfigPath ?? path.join(home, '.ssh', 'config');
    try {
      configText = fs.readFileSync(file, 'utf8');
    } catch {
      configText = '';
    }
  }
  let computed: Record<string, string | string[]> = {};
  if (configText.trim() !== '') {
    try {
      computed = SSHConfig.parse(configText).compute(spec.host) as Record<string, string | string[]>;
    } catch (e) {
      throw new TargetSyntaxError(`cannot read the ssh client config: ${(e as Error).message}`);
    }
  }
  const lookup = (key: string): string | string[] | undefined => {
    const k = Object.keys(computed).find((name) => name.toLowerCase() === key.toLowerCase());
    return k ? computed[k] : undefined;
  };
  const hostName = first(lookup('HostName'));
  const host = hostName ? hostName.replace(/%h/g, spec.host) : spec.host;
  if (hostName) checkHost(host, hostName);
  const configUser = first(lookup('User'));
  const user = spec.user ?? configUser ?? options.defaultUser ?? 'root';
  if (!USER.test(user)) throw new TargetSyntaxError(`'${show(user)}': not a valid user name`);
  const configPort = first(lookup('Port'));
  const port = options.port ?? spec.port ?? (configPort ? checkPort(configPort, configPort) : 22);
  const idRaw = lookup('IdentityFile');
  const configIds = idRaw === undefined ? [] : Array.isArray(idRaw) ? idRaw : [idRaw];
  const identityFiles = [...(options.identityFiles ?? []), ...configIds.map((p) => expandHome(p, home))];
  const jumpRaw = first(lookup('ProxyJump'));
  const proxyJump =
    jumpRaw && jumpRaw.toLowerCase() !== 'none'
      ? jumpRaw.split(',').map((hop) => parseTarget(hop.replace(/^ssh:\/\//, '')))
      : [];
  return {
    label: text.trim(),
    user,
    host,
    port,
    identityFiles,
    proxyJump,
    alias: hostName && hostName !== spec.host ? spec.host : undefined,
  };
}
