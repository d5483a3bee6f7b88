// OpenSSH known_hosts: parsing (plain, hashed |1|salt|hash, [host]:port, wildcards, negation, @revoked and
// @cert-authority markers) and lookup of a presented host key. Also nixkit's own store in the same format, where
// trust-on-first-use answers are remembered and from which a key is forgotten only when asked explicitly.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface KnownHostEntry {
  marker?: 'revoked' | 'cert-authority';
  /** Host patterns as written (comma-separated list split), or one hashed pattern. */
  patterns: string[];
  hashed?: { salt: Buffer; hash: Buffer };
  keyType: string;
  /** The key blob (decoded base64). */
  key: Buffer;
  line: number;
}

export type HostKeyStatus =
  | { status: 'known' }
  | { status: 'unknown' }
  | { status: 'changed'; knownFingerprints: string[] }
  | { status: 'revoked' };

/** OpenSSH's fingerprint format: 'SHA256:' + base64(sha256(blob)) without padding (as `ssh-keygen -lf` prints). */
export function fingerprint(key: Buffer): string {
  return 'SHA256:' + crypto.createHash('sha256').update(key).digest('base64').replace(/=+$/, '');
}

/** The algorithm name at the start of an SSH public key blob (uint32 length + name). */
export function keyAlgorithm(key: Buffer): string {
  if (key.length < 4) return 'unknown';
  const len = key.readUInt32BE(0);
  if (len <= 0 || len > 64 || key.length < 4 + len) return 'unknown';
  return key.subarray(4, 4 + len).toString('latin1');
}

/** The name a host is recorded under: 'host' on port 22, '[host]:port' otherwise (OpenSSH's rule). */
export function hostKeyName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const fields = raw.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0].startsWith('@')) {
      const m = fields.shift()!;
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else continue; // an unknown marker: OpenSSH ignores the line too
    }
    if (fields.length < 3) continue;
    const [hostField, keyType, keyB64] = fields;
    if (!/^[A-Za-z0-9+/]+=*$/.test(keyB64)) continue;
    const key = Buffer.from(keyB64, 'base64');
    if (key.length === 0) continue;
    const entry: KnownHostEntry = { marker, patterns: [], keyType, key, line: i + 1 };
    if (hostField.startsWith('|1|')) {
      const [, , salt, hash] = hostField.split('|');
      if (!salt || !hash) continue;
      entry.hashed = { salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
      entry.patterns = [hostField];
    } else entry.patterns = hostField.split(',').filter((p) => p !== '');
    entries.push(entry);
  }
  return entries;
}

/** ssh's wildcard match: '*' any run, '?' one character, case-insensitive (host names are). */
function wildcardMatch(pattern: string, name: string): boolean {
  const re = new RegExp(
    '^' +
      pattern
        .split('')
        .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
        .join('') +
      '$',
    'i',
  );
  return re.test(name);
}

/** Whether an entry names this host (and port). Negated patterns veto a match, as in OpenSSH. */
export function entryMatches(entry: KnownHostEntry, host: string, port: number): boolean {
  const name = hostKeyName(host, port);
  if (entry.hashed) {
    const mac = crypto.createHmac('sha1', entry.hashed.salt).update(name).digest();
    return mac.length === entry.hashed.hash.length && crypto.timingSafeEqual(mac, entry.hashed.hash);
  }
  let matched = false;
  for (const p of entry.patterns) {
    const negated = p.startsWith('!');
    const pat = negated ? p.slice(1) : p;
    if (wildcardMatch(pat, name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** Looks up a presented key among entries. Cert-authority lines do not vouch for a plain key (no certificates). */
export function lookupHostKey(
  entries: KnownHostEntry[],
  host: string,
  port: number,
  key: Buffer,
): HostKeyStatus {
  const forHost = entries.filter((e) => entryMatches(e, host, port));
  if (forHost.some((e) => e.marker === 'revoked' && e.key.equals(key))) return { status: 'revoked' };
  // A revoked key is revoked for every host it appears with (OpenSSH checks @revoked regardless of host pattern).
  if (entries.some((e) => e.marker === 'revoked' && e.key.equals(key))) return { status: 'revoked' };
  const plain = forHost.filter((e) => e.marker === undefined);
  if (plain.some((e) => e.key.equals(key))) return { status: 'known' };
  // Any other key recorded for this host is a change: nixkit restricts negotiation to the known key types first
  // (see session.ts), so a different type cannot be used to sidestep the check.
  if (plain.length > 0)
    return { status: 'changed', knownFingerprints: plain.map((e) => `${e.keyType} ${fingerprint(e.key)}`) };
  return { status: 'unknown' };
}

/** Host key algorithms recorded for this host, for restricting negotiation to them. */
export function knownKeyTypes(entries: KnownHostEntry[], host: string, port: number): string[] {
  return [
    ...new Set(
      entries.filter((e) => e.marker === undefined && entryMatches(e, host, port)).map((e) => e.keyType),
    ),
  ];
}

export function readKnownHostsFile(file: string): KnownHostEntry[] {
  try {
    return parseKnownHosts(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/** nixkit's own known-hosts file: same format as OpenSSH's, written only through this class. */
export interface HostKeyStore {
  readonly path: string;
  entries(): KnownHostEntry[];
  add(host: string, port: number, key: Buffer): void;
  /** Removes every entry for host:port (plain or hashed); returns how many lines went. */
  forget(host: string, port: number): number;
}

export class FileHostKeyStore implements HostKeyStore {
  constructor(readonly path: string) {}

  entries(): KnownHostEntry[] {
    return readKnownHostsFile(this.path);
  }

  add(host: string, port: number, key: Buffer): void {
    const line = `${hostKeyName(host, port)} ${keyAlgorithm(key)} ${key.toString('base64')}\n`;
    const existing = this.read();
    this.write(existing + (existing === '' || existing.endsWith('\n') ? '' : '\n') + line);
  }

  forget(host: string, port: number): number {
    const text = this.read();
    if (text === '') return 0;
    let removed = 0;
    const kept = text.split('\n').filter((raw) => {
      const [entry] = parseKnownHosts(raw);
      if (entry && entryMatches(entry, host, port)) {
        removed++;
        return false;
      }
      return true;
    });
    if (removed > 0) this.write(kept.join('\n'));
    return removed;
  }

  private read(): string {
    try {
      return fs.readFileSync(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw e;
    }
  }

  /** Atomic replace, owner-only permissions (it decides whom nixkit trusts). */
  private write(text: string): void {
    fs.mkdirSync(path.dirname(this.path), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, text, { mode: 0o600 });
    fs.renameSync(tmp, this.path);
  }
}
