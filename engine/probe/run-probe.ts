// Runs the probe over a Session: one exec (as root, through sudo when needed) for all the data.
import { ProbeError } from '../errors';
import type { Session } from '../ssh/session';
import { parseProbeOutput } from './probe-parse';
import type { ProbeReport } from '../../protocol/probe-report';
import { probeArgv } from './probe-script';

export interface ProbeRun {
  report: ProbeReport;
  /** The raw record stream (for bug reports and tests; contains no secrets). */
  raw: Buffer;
  /** Milliseconds for getting root (sudo check) and for the data round trip. */
  timings: { rootMs: number; probeMs: number; parseMs: number };
}

export async function runProbe(
  session: Session,
  options: { signal?: AbortSignal; timeoutMs?: number; target?: string } = {},
): Promise<ProbeRun> {
  const t0 = Date.now();
  await session.ensureRoot(options.signal);
  const t1 = Date.now();
  const r = await session.execAsRoot(probeArgv(), {
    signal: options.signal,
    timeoutMs: options.timeoutMs ?? 60_000,
    maxOutputBytes: 16 * 1024 * 1024,
  });
  const t2 = Date.now();
  if (r.code !== 0) {
    const detail = session.redact(r.stderr.toString('utf8').trim().split('\n').slice(-3).join(' / '));
    throw new ProbeError(
      `the probe script failed on the target (exit ${r.code ?? r.signal}): ${detail || 'no message'}`,
    );
  }
  const report = parseProbeOutput(r.stdout, { target: options.target ?? session.target.label });
  return { report, raw: r.stdout, timings: { rootMs: t1 - t0, probeMs: t2 - t1, parseMs: Date.now() - t2 } };
}
