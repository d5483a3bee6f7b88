// A record of every write, one JSON line per event, beside nixkit's other state (the CLI uses
// $XDG_STATE_HOME/nixkit/media-writes.jsonl): "started" before the first byte, then the result. A write whose
// process died with it (a killed CLI, a crashed VS Code) keeps "started" as its last line, so the device is shown as
// not verified afterwards rather than silently trusted. No secrets are ever in an entry (paths, serials, status).
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface WriteLogEntry {
  time?: string;
  /** 'this machine' or the SSH target's label. */
  where: string;
  device: string;
  byId: string | null;
  serial: string | null;
  image: string;
  status: 'started' | 'verified' | 'not-verified' | 'mismatch' | 'refused';
  detail?: string;
}

export interface WriteLog {
  append(entry: WriteLogEntry): void;
}

/** Appends to a JSON-lines file (created with its folder); a failure to record is reported, never fatal. */
export function fileWriteLog(file: string, onError?: (message: string) => void): WriteLog & { file: string } {
  return {
    file,
    append(entry) {
      try {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.appendFileSync(file, JSON.stringify({ time: new Date().toISOString(), ...entry }) + '\n', {
          mode: 0o600,
        });
      } catch (e) {
        onError?.(`could not record the write in ${file}: ${(e as Error).message}`);
      }
    },
  };
}

/** The last entry per device (by serial when known, else by where + path), skipping unreadable lines. */
export function lastWrites(text: string): Map<string, WriteLogEntry> {
  const last = new Map<string, WriteLogEntry>();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as WriteLogEntry;
      if (typeof e.device !== 'string' || typeof e.status !== 'string') continue;
      // A refusal wrote nothing: it does not change what the device holds.
      if (e.status === 'refused') continue;
      last.set(writeKey(e.where, e.device, e.serial), e);
    } catch {
      /* a torn last line of a killed process */
    }
  }
  return last;
}

export function writeKey(where: string, device: string, serial: string | null): string {
  return serial ? `${where}\u0000serial:${serial}` : `${where}\u0000${device}`;
}
