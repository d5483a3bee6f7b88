// Typed errors of the remote engine. Each message is written for the person at the keyboard: what happened, why it
// matters, what to do. Secrets never appear in a message (callers pass them through `redact` before building one).

/** Base class: `code` is stable for programs (CLI exit handling, the panel), `message` is for people. */
export class EngineError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class HostKeyChangedError extends EngineError {
  constructor(
    readonly host: string,
    readonly port: number,
    readonly algorithm: string,
    readonly fingerprint: string,
    readonly knownFingerprints: string[],
    readonly source: string,
  ) {
    const where = port === 22 ? host : `[${host}]:${port}`;
    super(
      'host-key-changed',
      `The host key of ${where} has CHANGED (now ${algorithm} ${fingerprint}; ${source} has ` +
        `${knownFingerprints.join(', ') || 'a different key'}). Someone may be intercepting the connection, so ` +
        `nixkit stops here. Live and rescue systems make new host keys on every boot, so a reboot of the target ` +
        `is the usual cause: if you rebooted it, forget the old key explicitly ("Forget host key" in VS Code, or ` +
        `remove the entry for ${where} from ${source}) and connect again to review and accept the new one.`,
    );
  }
}

export class HostKeyRejectedError extends EngineError {
  constructor(
    readonly host: string,
    readonly port: number,
    readonly fingerprint: string,
    reason: string,
  ) {
    super(
      'host-key-rejected',
      `The host key of ${host}:${port} (${fingerprint}) was not accepted: ${reason}.`,
    );
  }
}

export class AuthFailedError extends EngineError {
  constructor(
    readonly user: string,
    readonly host: string,
    detail: string,
  ) {
    super('auth-failed', `Authentication as ${user} on ${host} failed: ${detail}.`);
  }
}

export class NoRootError extends EngineError {
  constructor(
    readonly user: string,
    detail: string,
  ) {
    super(
      'no-root',
      `${user} is neither root nor allowed to use sudo (${detail}). Connect as root, or as a user with sudo rights.`,
    );
  }
}

export class ConnectionLostError extends EngineError {
  constructor(host: string, detail: string) {
    super('connection-lost', `The connection to ${host} was lost: ${detail}.`);
  }
}

export class ConnectError extends EngineError {
  constructor(host: string, port: number, detail: string) {
    super('connect-failed', `Could not connect to ${host}:${port}: ${detail}.`);
  }
}

export class TimeoutError extends EngineError {
  constructor(what: string, ms: number) {
    super('timeout', `${what} did not finish within ${Math.round(ms / 100) / 10} s.`);
  }
}

export class CancelledError extends EngineError {
  constructor(what = 'The operation') {
    super('cancelled', `${what} was cancelled.`);
  }
}

export class TargetSyntaxError extends EngineError {
  constructor(detail: string) {
    super('bad-target', detail);
  }
}

export class ProbeError extends EngineError {
  constructor(detail: string) {
    super('probe-failed', detail);
  }
}

/** Replaces every occurrence of each secret in `text` (longest first, so overlapping secrets are all hidden). */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  const list = secrets.filter((s): s is string => !!s && s.length > 0).sort((a, b) => b.length - a.length);
  for (const s of list) out = out.split(s).join('«redacted»');
  return out;
}
