// The write itself: check everything again just before (the device re-identified, its refusals, the overrides, the
// typed name, the image), then one root script where the device is (WRITE_SCRIPT: dd with direct I/O and fsync,
// read-back of exactly the image's bytes into sha256sum, power-off), with progress parsed from its marker lines.
// Nothing that did not finish the read-back is called a success: a cut, a cancel or an I/O error mid-way gives
// `not-verified`, and the write log (write-log.ts) keeps "started" for a write whose end nobody saw.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { Transform } from 'node:stream';
import type {
  ImageReport,
  MediaCandidates,
  OverrideKind,
  PowerOff,
  WriteCandidate,
  WriteEvent,
  WritePhase,
  WriteRequest,
  WriteResult,
} from '../../protocol/media';
import { EngineError } from '../errors';
import { blockers, findCandidate } from './candidates';
import type { MediaHost } from './host';
import { imageProblemsFor, inspectImage, sha256File } from './image';
import { listCandidates } from './list';
import { MARK, WRITE_SCRIPT } from './media-scripts';
import type { WriteLog } from './write-log';

/** Is this the same disk the user confirmed? Path, size and serial must agree (a swapped stick differs). */
export function sameDevice(a: WriteCandidate, b: WriteCandidate): boolean {
  return a.path === b.path && a.sizeBytes === b.sizeBytes && a.serial === b.serial && a.model === b.model;
}

/**
 * Everything that stops a write, checked on fresh data: the device found and writable with these overrides, the
 * typed confirmation, the image. Pure; returns the candidate or the reasons.
 */
export function checkWrite(
  list: MediaCandidates,
  image: ImageReport,
  request: Pick<WriteRequest, 'device' | 'overrides' | 'typedConfirmation' | 'unmount'>,
  confirmed?: WriteCandidate,
): { candidate: WriteCandidate } | { refused: string[] } {
  const c = findCandidate(list, request.device);
  if (!c) return { refused: [`no whole disk named ${JSON.stringify(request.device)} is there now`] };
  const reasons = blockers(c, request.overrides, { unmount: request.unmount });
  if (confirmed && !sameDevice(c, confirmed))
    reasons.push(
      `${c.path} is not the device that was confirmed (its size, model or serial changed): list again`,
    );
  if (request.typedConfirmation !== c.confirmName)
    reasons.push(
      `the typed name ${JSON.stringify(request.typedConfirmation)} is not ${JSON.stringify(c.confirmName)}`,
    );
  reasons.push(...imageProblemsFor(image, c));
  return reasons.length ? { refused: reasons } : { candidate: c };
}

export interface WriteOptions {
  signal?: AbortSignal;
  onEvent?: (e: WriteEvent) => void;
  /** Unmount what is mounted straight from the device first (checked allowed by `checkWrite`). */
  unmount?: boolean;
  /** Power the device off after a verified write (default true). */
  powerOff?: boolean;
  /** Where each write's start and end are recorded (so a cut write stays "not verified" afterwards). */
  log?: WriteLog;
  now?: () => number;
}

/** Re-lists, re-inspects and re-checks, then writes: the one entry point the CLI and VS Code use. */
export async function runWrite(
  host: MediaHost,
  request: WriteRequest,
  options: WriteOptions & {
    checksumFile?: string;
    confirmed?: WriteCandidate;
    /** The report the user saw (not hashed twice); a file changed since then fails the read-back comparison. */
    inspected?: ImageReport;
  } = {},
): Promise<WriteResult> {
  const list = await listCandidates(host, options.signal);
  const image =
    options.inspected?.path === request.image
      ? options.inspected
      : await inspectImage(request.image, { checksumFile: options.checksumFile, signal: options.signal });
  const checked = checkWrite(list, image, request, options.confirmed);
  if ('refused' in checked)
    return { status: 'refused', device: request.device, reason: checked.refused.join('; ') };
  return writeImage(host, checked.candidate, image, { ...options, unmount: request.unmount });
}

interface ScriptState {
  phase: WritePhase | null;
  written: number;
  pid: number | null;
  sha: string | null;
  powerOff: PowerOff | null;
  errors: string[];
  short: boolean;
  cancelled: boolean;
}

/** Writes `image` to `device` (already checked: use runWrite unless you just did). */
export async function writeImage(
  host: MediaHost,
  device: WriteCandidate,
  image: ImageReport,
  options: WriteOptions = {},
): Promise<WriteResult> {
  const now = options.now ?? Date.now;
  const emit = (e: WriteEvent) => options.onEvent?.(e);
  const total = image.sizeBytes;
  const local = host.where.kind === 'local';
  const stream = host.streamsImage;
  const state: ScriptState = {
    phase: null,
    written: 0,
    pid: null,
    sha: null,
    powerOff: null,
    errors: [],
    short: false,
    cancelled: false,
  };
  const started: Record<string, number> = {};
  const ended: Record<string, number> = {};
  const args = [
    stream ? 'stdin' : 'file',
    stream ? '-' : image.path,
    device.path,
    String(total),
    String(device.sizeBytes),
    options.powerOff === false ? 'no' : 'yes',
    options.unmount ? 'unmount' : 'keep',
  ];
  emit({
    kind: 'command',
    where: local ? 'local' : 'target',
    argv: [
      'dd',
      local ? `if=${image.path}` : 'if=<the image, streamed>',
      `of=${device.path}`,
      'bs=4M',
      'iflag=fullblock',
      'oflag=direct',
      'conv=fsync',
    ],
    purpose: `write the image (as root via ${host.rootVia}), then read ${total} bytes back and compare SHA-256`,
  });

  const progress = (phase: WritePhase, bytes: number) => {
    const t0 = started[phase] ?? now();
    const secs = (now() - t0) / 1000;
    const rate = secs > 0 && bytes > 0 ? bytes / secs : null;
    const secondsLeft = rate ? Math.max(0, Math.round((total - bytes) / rate)) : null;
    emit({ kind: 'progress', progress: { phase, bytes, total, rate, secondsLeft } });
  };
  const onLine = (line: string) => {
    if (!line.startsWith(`${MARK} `)) {
      if (line.trim()) emit({ kind: 'note', text: line });
      return;
    }
    const [word, ...rest] = line.slice(MARK.length + 1).split(' ');
    const arg = rest.join(' ');
    switch (word) {
      case 'phase': {
        const p = arg as WritePhase;
        if (state.phase) ended[state.phase] ??= now();
        state.phase = p;
        started[p] = now();
        if (p === 'verify' && !stream) void hashFile();
        emit({
          kind: 'phase',
          phase: p,
          text:
            p === 'write'
              ? `Writing ${total} bytes to ${device.path}`
              : p === 'verify'
                ? `Reading ${total} bytes back from ${device.path}`
                : `Powering ${device.path} off`,
        });
        break;
      }
      case 'ended':
        // dd (and sha256sum) are done: the phase's time ends here, not after the script's bookkeeping.
        if (arg === 'write' || arg === 'verify') ended[arg] = now();
        break;
      case 'unmounted':
        emit({ kind: 'note', text: `unmounted ${arg}` });
        break;
      case 'pid':
        state.pid = Number(arg) || null;
        break;
      case 'progress': {
        const [p, n] = rest;
        const bytes = Number(n) || 0;
        if (p === 'write') state.written = bytes;
        progress(p as WritePhase, bytes);
        break;
      }
      case 'written':
        state.written = Number(arg) || 0;
        progress('write', state.written);
        break;
      case 'short':
        state.short = true;
        break;
      case 'sha256':
        state.sha = /^[0-9a-f]{64}$/.test(arg) ? arg : null;
        break;
      case 'poweroff': {
        const [method, ok, ...msg] = rest;
        const m = method === 'udisksctl' || method === 'eject' ? method : null;
        state.powerOff =
          m && ok === 'ok'
            ? { method: m, ok: true }
            : m
              ? { method: m, ok: false, text: msg.join(' ').trim() || `${m} failed` }
              : { method: 'none', ok: false, text: 'neither udisksctl nor eject is installed there' };
        break;
      }
      case 'error':
        state.errors.push(arg);
        break;
      case 'cancelled':
      case 'input-closed':
        state.cancelled = true;
        break;
    }
  };
  let pending = '';
  const onStderr = (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    let i: number;
    while ((i = pending.indexOf('\n')) >= 0) {
      onLine(pending.slice(0, i).replace(/\r$/, ''));
      pending = pending.slice(i + 1);
    }
  };

  // The image's SHA-256, computed from the very bytes sent (over SSH) or read beside dd (here) unless known.
  const hash = crypto.createHash('sha256');
  let input: Transform | undefined;
  let file: fs.ReadStream | undefined;
  let imageSha: Promise<string> | undefined;
  // Here the file is hashed while the device is read back (not during the write, where it would compete with dd
  // for the CPU and the disk); `hashFile` starts it once.
  const hashFile = () => {
    imageSha ??= image.sha256 ? Promise.resolve(image.sha256) : sha256File(image.path, options.signal);
    imageSha.catch(() => undefined);
    return imageSha;
  };
  if (stream) {
    // Hashed on the way through, not with a 'data' listener: that would start the file flowing before the remote
    // side takes input (sudo answers its prompt first) and the first bytes would never reach dd.
    file = fs.createReadStream(image.path, { highWaterMark: 4 * 1024 * 1024 });
    const tee = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    file.once('error', (e) => tee.destroy(e));
    file.pipe(tee);
    input = tee;
    imageSha = image.sha256
      ? Promise.resolve(image.sha256)
      : new Promise((resolve, reject) => {
          tee.once('finish', () => resolve(hash.digest('hex')));
          tee.once('error', reject);
        });
  }
  imageSha?.catch(() => undefined);

  const where = host.where.kind === 'ssh' ? host.where.target : 'this machine';
  const entry = {
    where,
    device: device.path,
    byId: device.byId[0] ?? null,
    serial: device.serial,
    image: image.path,
  };
  options.log?.append({ ...entry, status: 'started' });
  const finish = (r: WriteResult): WriteResult => {
    options.log?.append({ ...entry, status: r.status, detail: 'reason' in r ? r.reason : undefined });
    return r;
  };
  const onAbort = () => {
    // Over SSH the session also signals and closes the channel (dd then sees its input end); this stops dd at once.
    if (state.pid && host.killAsRoot) void host.killAsRoot(state.pid);
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });

  let run: Awaited<ReturnType<MediaHost['runAsRoot']>> | undefined;
  let failure: Error | undefined;
  try {
    run = await host.runAsRoot(WRITE_SCRIPT, args, {
      stdin: stream ? input : 'hold',
      onStderr,
      signal: options.signal,
    });
  } catch (e) {
    failure = e as Error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    input?.destroy();
    file?.destroy();
  }
  if (pending) onLine(pending);

  const bytesWritten = state.written;
  const notVerified = (reason: string): WriteResult =>
    finish({
      status: 'not-verified',
      device: device.path,
      phase: state.phase ?? 'write',
      bytesWritten,
      reason,
    });
  const untouched = state.phase === null;

  if (failure || options.signal?.aborted) {
    const why =
      options.signal?.aborted || (failure instanceof EngineError && failure.code === 'cancelled')
        ? 'cancelled'
        : failure instanceof EngineError
          ? failure.message
          : `${failure?.message ?? 'failed'}`;
    if (untouched)
      return finish({ status: 'refused', device: device.path, reason: `${why}; nothing was written` });
    return notVerified(
      state.phase === 'write'
        ? `${why} during the write after ${bytesWritten} of ${total} bytes: the device holds an incomplete image`
        : state.phase === 'verify'
          ? `${why} during the read-back: the image was written but not verified`
          : `${why} during the power-off, after the read-back: check the result before trusting the device`,
    );
  }
  const code = run!.code;
  const errors = state.errors.join('; ');
  if (code === 3)
    return finish({
      status: 'refused',
      device: device.path,
      reason: errors || 'refused by the write script',
    });
  if (untouched) {
    // The helper never started the script: sudo/pkexec refused or was dismissed.
    const text = run!.stderr
      .toString()
      .replace(new RegExp(`${MARK}.*\\n?`, 'g'), '')
      .trim();
    return finish({
      status: 'refused',
      device: device.path,
      reason: `could not run the write as root via ${host.rootVia} (exit ${code}${text ? `: ${text.slice(0, 300)}` : ''}); nothing was written`,
    });
  }
  if (code !== 0 || state.cancelled) {
    const what = state.cancelled
      ? 'cancelled'
      : state.short
        ? `the image stopped after ${bytesWritten} of ${total} bytes (its input ended early: a cut connection?)`
        : errors || `the write script ended with ${code === null ? `signal ${run!.signal}` : `exit ${code}`}`;
    return notVerified(`${what}; the device is not verified`);
  }
  if (!state.sha) return notVerified('the read-back printed no SHA-256');
  let expected: string;
  try {
    expected = await (imageSha ?? hashFile());
  } catch (e) {
    return notVerified(`the image could not be hashed here: ${(e as Error).message}`);
  }
  const writeSeconds = ((ended.write ?? now()) - (started.write ?? now())) / 1000;
  const verifySeconds = ((ended.verify ?? now()) - (started.verify ?? now())) / 1000;
  if (state.sha !== expected)
    return finish({ status: 'mismatch', device: device.path, bytes: total, expected, actual: state.sha });
  const powerOff: PowerOff = state.powerOff ?? {
    method: 'none',
    ok: false,
    text: 'power-off was not asked for',
  };
  const text = powerOff.ok
    ? `Verified and powered off with ${powerOff.method}: safe to pull ${device.path}.`
    : options.powerOff === false
      ? `Verified; data is flushed (fsync); not powered off, as asked: pull ${device.path} when its light is still.`
      : `Verified; data is flushed (fsync), but it could not be powered off (${powerOff.text}): pull ${device.path} when its light is still.`;
  return finish({
    status: 'verified',
    device: device.path,
    bytes: total,
    sha256: state.sha,
    writeSeconds,
    verifySeconds,
    powerOff,
    text,
  });
}

/** Every override named on a command line or a page, validated. */
export function parseOverrides(values: { large?: boolean; nonRemovable?: boolean }): OverrideKind[] {
  const out: OverrideKind[] = [];
  if (values.large) out.push('large');
  if (values.nonRemovable) out.push('non-removable');
  return out;
}
