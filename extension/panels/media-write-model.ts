// The write page's data: the engine's values (protocol/media.ts) turned into what the page draws
// (protocol/webview-messages.ts Media*View), and the outcome of a write in words. No `vscode` import (unit-tested).
// Device strings (model, serial, labels) stay verbatim: the page shows them as text nodes, never as markup.
import type { WriteLogEntry } from '../../engine/media/write-log';
import type {
  ChecksumResult,
  ImageReport,
  MediaWhere,
  WriteCandidate,
  WriteProgress,
  WriteResult,
} from '../../protocol/media';
import type {
  MediaDeviceView,
  MediaImageView,
  MediaProgressView,
  MediaRunView,
  MediaWhereView,
} from '../../protocol/webview-messages';

/** What the write log says about a device's last write, when it did not end verified (null otherwise). */
export function lastWriteText(e: WriteLogEntry | undefined): string | null {
  if (!e || e.status === 'verified' || e.status === 'refused') return null;
  const what =
    e.status === 'started'
      ? 'never finished (the window or the connection went away during it)'
      : e.status === 'mismatch'
        ? 'read back differently from the image'
        : 'was not verified';
  return `nixkit's last write to this device (${e.image}${e.time ? `, ${e.time}` : ''}) ${what}: it holds no verified image.`;
}

export function deviceView(
  c: WriteCandidate,
  image: ImageReport | null,
  last?: WriteLogEntry,
): MediaDeviceView {
  return {
    path: c.path,
    confirmName: c.confirmName,
    byId: c.byId,
    sizeBytes: c.sizeBytes,
    model: c.model,
    vendor: c.vendor,
    serial: c.serial,
    transport: c.transport,
    removable: c.removable,
    labels: c.labels,
    refusals: c.refusals.map((r) => r.text),
    overrides: [...c.overrides],
    imageFits: image ? image.sizeBytes <= c.sizeBytes : null,
    lastWrite: lastWriteText(last),
  };
}

/** Writable devices first (those needing no override before those that do), then the refused ones. */
export function deviceViews(
  devices: WriteCandidate[],
  image: ImageReport | null,
  lastOf: (c: WriteCandidate) => WriteLogEntry | undefined = () => undefined,
): MediaDeviceView[] {
  const rank = (c: WriteCandidate) => (c.refusals.length ? 2 : c.overrides.length ? 1 : 0);
  return [...devices].sort((a, b) => rank(a) - rank(b)).map((c) => deviceView(c, image, lastOf(c)));
}

function layoutText(l: ImageReport['layout']): string {
  const parts: string[] = [];
  if (l.iso9660) parts.push(l.volumeId ? `ISO 9660 "${l.volumeId}"` : 'ISO 9660');
  if (l.elTorito) parts.push('El Torito');
  if (l.mbrSignature) parts.push('MBR boot signature');
  if (l.gpt) parts.push('GPT');
  return parts.length ? parts.join(', ') : 'no ISO 9660, MBR or GPT found';
}

export function checksumText(c: ChecksumResult): string {
  switch (c.status) {
    case 'none':
      return c.text;
    case 'match':
      return `SHA-256 matches ${c.file}`;
    case 'mismatch':
      return `SHA-256 does not match ${c.file}: expected ${c.expected}, the image has ${c.actual}. Download it again.`;
    case 'unusable':
      return `${c.file}: ${c.text}`;
  }
}

export function imageView(r: ImageReport): MediaImageView {
  return {
    path: r.path,
    sizeBytes: r.sizeBytes,
    problems: r.problems,
    boot: r.boot,
    layout: layoutText(r.layout),
    bootText: r.bootText,
    checksum: { status: r.checksum.status, text: checksumText(r.checksum) },
  };
}

export function progressView(p: WriteProgress): MediaProgressView {
  return { phase: p.phase, bytes: p.bytes, total: p.total, rate: p.rate, secondsLeft: p.secondsLeft };
}

export function whereOf(v: MediaWhereView): MediaWhere {
  return v.kind === 'ssh' && v.target ? { kind: 'ssh', target: v.target } : { kind: 'local' };
}

/** The outcome in words: what the device holds now and what to do. */
export function resultView(r: WriteResult): MediaRunView {
  switch (r.status) {
    case 'verified':
      return {
        status: 'verified',
        device: r.device,
        phase: 'power-off',
        text: `Written: the read-back of ${r.bytes} bytes matches the image (${r.writeSeconds.toFixed(1)} s writing, ${r.verifySeconds.toFixed(1)} s verifying). ${r.text}`,
        sha256: r.sha256,
      };
    case 'not-verified':
      return {
        status: 'not-verified',
        device: r.device,
        phase: r.phase,
        text:
          `Not verified: stopped while ${r.phase === 'write' ? 'writing' : r.phase === 'verify' ? 'reading back' : 'powering off'} ` +
          `(${r.reason}). ${r.device} holds an unknown mix of old data and the image: do not boot from it; ` +
          `write it again.`,
        sha256: null,
      };
    case 'mismatch':
      return {
        status: 'mismatch',
        device: r.device,
        phase: 'verify',
        text:
          `The read-back differs from the image (expected ${r.expected}, read ${r.actual}): the stick is faulty ` +
          `or smaller than it claims. Use another one.`,
        sha256: null,
      };
    case 'refused':
      return {
        status: 'refused',
        device: r.device,
        phase: null,
        text: `Nothing was written: ${r.reason}`,
        sha256: null,
      };
  }
}
