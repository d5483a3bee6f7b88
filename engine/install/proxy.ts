// Installing behind a proxy: the proxy URL the user gives (checked here, before anything runs), the form of it that
// may be shown and saved (the password replaced by ***), and the environment every root command on the target runs
// with (the session sets it in one place, see Session.setRemoteEnv), so the target's Nix reaches substituters and
// fetches through the proxy. The password itself is a secret: it lives only in memory (the CLI's flag or prompt,
// VS Code's SecretStorage) and in a root-only file on the target's /run for the duration of the install.
import { EngineError, redact } from '../errors';
import type { InstallProxy } from '../../protocol/install-state';

export class ProxyUrlError extends EngineError {
  constructor(detail: string) {
    super('bad-proxy', detail);
  }
}

/** Schemes curl (and so Nix) takes in http_proxy / https_proxy. socks5h resolves names at the proxy. */
const SCHEMES = ['http', 'https', 'socks5', 'socks5h'];
const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const IPV6 = /^\[[0-9A-Fa-f:.]+\]$/;
/** One no_proxy entry: a host, a domain (.example.com), an address or a CIDR range, or `*`. */
const NO_PROXY_ENTRY =
  /^(\*|\.?[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*(?::\d{1,5})?|[0-9A-Fa-f:.]+(?:\/\d{1,3})?|\[[0-9A-Fa-f:.]+\](?::\d{1,5})?)$/;

export interface ParsedProxy {
  /** The URL as given (with its credentials): only for the environment on the target. */
  full: string;
  /** The URL to show and save: `scheme://user:***@host:port`. */
  shown: string;
  /** The password as written and decoded (the redaction list; the whole URL is shown as `shown` first). */
  secrets: string[];
  hasPassword: boolean;
}

/**
 * Checks a proxy URL: scheme http, https, socks5 or socks5h; a host name or address; an explicit port; no path,
 * query or fragment; no whitespace or control characters. Throws a ProxyUrlError whose message never holds the
 * password.
 */
export function parseProxyUrl(text: string): ParsedProxy {
  const bad = (why: string) =>
    new ProxyUrlError(`The proxy URL ${describeUnparsed(text)} is not usable: ${why}.`);
  if (text.length > 2048) throw bad('it is longer than 2048 characters');
  // Control characters, spaces and quotes would end up inside the environment of every remote command.
  // eslint-disable-next-line no-control-regex
  if (/[\s\0-\x1f\x7f"'`\\]/.test(text))
    throw bad('it holds spaces, quotes, backslashes or control characters');
  // Shell characters are legal in a URL's user part, but every tool that reads http_proxy must then agree on them:
  // refused, with the escape that always works.
  if (/[$();|&<>]/.test(text))
    throw bad(
      'it holds shell characters ($ ( ) ; | & < >): write them %-encoded (a password "a$b" as a%24b)',
    );
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(.*)$/.exec(text);
  if (!m) throw bad('write it as http://host:port (or https://, socks5h://)');
  const scheme = m[1].toLowerCase();
  if (!SCHEMES.includes(scheme)) throw bad(`the scheme is ${scheme}; use one of ${SCHEMES.join(', ')}`);
  if (m[3] !== '' && m[3] !== '/') throw bad('a proxy URL has no path, query or fragment');
  const authority = m[2];
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at) : undefined;
  const hostPort = at >= 0 ? authority.slice(at + 1) : authority;
  const hp = /^(\[[0-9A-Fa-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(hostPort);
  if (!hp) throw bad(`"${hostPort.slice(0, 100)}" is not host:port`);
  const host = hp[1];
  if (!HOST_NAME.test(host) && !IPV6.test(host)) throw bad(`"${host}" is not a host name or address`);
  const port = hp[2];
  if (port === undefined) throw bad('it names no port (proxies have no standard one: write host:port)');
  if (Number(port) < 1 || Number(port) > 65535) throw bad(`port ${port} is out of range`);
  let user = '';
  let password = '';
  if (userinfo !== undefined) {
    const colon = userinfo.indexOf(':');
    user = colon >= 0 ? userinfo.slice(0, colon) : userinfo;
    password = colon >= 0 ? userinfo.slice(colon + 1) : '';
    if (!/^[A-Za-z0-9._~%!*+,=-]+$/.test(user))
      throw bad('the user name is empty or has characters a URL cannot hold unescaped');
    if (password.includes('@')) throw bad('write an @ in the password as %40');
  }
  const secrets: string[] = [];
  if (password) {
    secrets.push(password);
    let decoded: string;
    try {
      decoded = decodeURIComponent(password);
    } catch {
      throw bad('the password has a malformed %-escape');
    }
    if (decoded !== password) secrets.push(decoded);
  }
  const where = `${host.toLowerCase()}:${Number(port)}`;
  const shown = `${scheme}://${user ? `${user}${password ? ':***' : ''}@` : ''}${where}`;
  const full = `${scheme}://${user ? `${user}${password ? ':' + password : ''}@` : ''}${where}`;
  return { full, shown, secrets, hasPassword: !!password };
}

/** Hides the proxy's password in a text: the URL becomes its shown form, a password anywhere else «redacted». */
export function redactProxy(text: string, p: ParsedProxy | undefined): string {
  if (!p || !p.hasPassword) return text;
  return redact(text.split(p.full).join(p.shown), p.secrets);
}

/** The URL in an error message: with whatever follows `user:` before `@` hidden. */
function describeUnparsed(text: string): string {
  const hidden = text
    .replace(/^([^:/]*:\/\/[^:@/]*:)[\s\S]*@/, '$1***@')
    // eslint-disable-next-line no-control-regex
    .replace(/[\0-\x1f\x7f]/g, '?');
  return JSON.stringify(hidden.length > 200 ? hidden.slice(0, 200) + '…' : hidden);
}

/** The no_proxy list: comma- or space-separated entries, each a host, domain, address or CIDR range. */
export function parseNoProxy(text: string): string[] {
  const items = text
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  for (const i of items)
    if (!NO_PROXY_ENTRY.test(i) || i.length > 253)
      throw new ProxyUrlError(
        `${JSON.stringify(i.slice(0, 100))} is not a no-proxy entry (a host, .domain, address or CIDR range).`,
      );
  return items;
}

/** Makes the saved form of the install's proxy from what was given. */
export function installProxy(parsed: ParsedProxy, noProxy: string[], inConfig: boolean): InstallProxy {
  return {
    url: parsed.shown,
    ...(noProxy.length ? { noProxy } : {}),
    ...(parsed.hasPassword ? { hasPassword: true } : {}),
    ...(inConfig ? { inConfig: true } : {}),
  };
}

/**
 * The full URL for a saved proxy: `given` (the URL again, with its password) must show as the saved one; without
 * it, a saved proxy without a password is its own full URL. Throws when the password is needed and missing.
 */
export function proxyForRun(saved: InstallProxy, given: string | undefined): ParsedProxy {
  if (given !== undefined) {
    const p = parseProxyUrl(given);
    if (p.shown !== saved.url)
      throw new ProxyUrlError(
        `The proxy given (${p.shown}) is not the one this install was started with (${saved.url}).`,
      );
    return p;
  }
  if (saved.hasPassword)
    throw new ProxyUrlError(
      `The install uses the proxy ${saved.url}, whose password is not saved: give it again.`,
    );
  return parseProxyUrl(saved.url);
}

/** Puts a password into a saved (redacted) proxy URL. */
export function withProxyPassword(shown: string, password: string): string {
  const m = /^([a-z0-9]+:\/\/[^:@/]+):\*\*\*@(.*)$/.exec(shown);
  if (!m) throw new ProxyUrlError(`The proxy ${shown} has no user to give a password for.`);
  return `${m[1]}:${encodeURIComponent(password)}@${m[2]}`;
}

/** The environment of every root command on the target: both spellings, as tools read one or the other. */
export function proxyEnv(full: string, noProxy: readonly string[] = []): Record<string, string> {
  const env: Record<string, string> = {
    http_proxy: full,
    https_proxy: full,
    HTTP_PROXY: full,
    HTTPS_PROXY: full,
  };
  if (noProxy.length) {
    env.no_proxy = noProxy.join(',');
    env.NO_PROXY = env.no_proxy;
  }
  return env;
}

/** The file beside network.nix that keeps the installed system using the proxy: URL without the password. */
export function proxyModule(saved: InstallProxy): string {
  const withoutPassword = saved.url.replace(/:\*\*\*@/, '@');
  const lines = [
    '# Written by nixkit: the proxy the install went through, for the installed system.',
    ...(saved.hasPassword
      ? [
          '# Without its password: anything in networking.proxy goes into the world-readable Nix store (see the',
          '# proxy-credentials-in-store finding). Authenticate this machine at the proxy another way (by address),',
          '# or give the password through a root-only environment file, e.g. systemd.services.nix-daemon.serviceConfig.EnvironmentFile.',
        ]
      : []),
    '{ ... }:',
    '{',
    `  networking.proxy.default = ${nixStr(withoutPassword)};`,
    ...(saved.noProxy?.length ? [`  networking.proxy.noProxy = ${nixStr(saved.noProxy.join(','))};`] : []),
    '}',
    '',
  ];
  return lines.join('\n');
}

const nixStr = (s: string) => `"${s.replace(/[\\"$]/g, (c) => '\\' + c)}"`;
