// The write page's logic without a DOM (unit-tested in Node): the progress line (bytes, rate, time left), the
// device card's text, the outcome's tone. The panel script (media-write-page.ts) draws them as text nodes.
import type {
  MediaDeviceView,
  MediaImageView,
  MediaPhase,
  MediaProgressView,
  MediaRunView,
} from '../protocol/webview-messages';

export const PHASE_TITLES: Record<MediaPhase, string> = {
  write: 'Writing',
  verify: 'Reading back and comparing',
  'power-off': 'Powering off',
};

/** "1 h 02 min", "3 min 05 s", "42 s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600)
    return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
  if (s >= 60) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${s} s`;
}

/**
 * "Writing: 12.0 MiB of 48.0 MiB (25%), 8.0 MiB/s, 5 s left". Rate and time left are left out until the engine
 * has them (an early estimate is noise).
 */
export function progressText(p: MediaProgressView, formatBytes: (n: number) => string): string {
  const pct = p.total > 0 ? Math.min(100, Math.floor((100 * p.bytes) / p.total)) : null;
  const parts = [`${formatBytes(p.bytes)} of ${formatBytes(p.total)}${pct === null ? '' : ` (${pct}%)`}`];
  if (p.rate !== null) parts.push(`${formatBytes(p.rate)}/s`);
  if (p.secondsLeft !== null) parts.push(`${formatDuration(p.secondsLeft)} left`);
  return `${PHASE_TITLES[p.phase]}: ${parts.join(', ')}`;
}

/** The percentage the bar shows. */
export function progressPercent(p: MediaProgressView): number {
  return p.total > 0 ? Math.min(100, (100 * p.bytes) / p.total) : 0;
}

/** "SanDisk Ultra · 28.7 GiB · usb · serial 4C53…": what identifies the stick, in the order people look for it. */
export function deviceSummary(d: MediaDeviceView, formatBytes: (n: number) => string): string {
  const model = [d.vendor, d.model].filter((x) => x).join(' ');
  return [
    model || 'unknown model',
    formatBytes(d.sizeBytes),
    d.transport ?? (d.removable ? 'removable' : null),
    d.serial ? `serial ${d.serial}` : null,
  ]
    .filter((x) => x)
    .join(' · ');
}

/** What the override checkbox says for each override the device needs. */
export function overrideLabel(o: MediaDeviceView['overrides'][number], d: MediaDeviceView): string {
  return o === 'large'
    ? `${d.path} is larger than a USB stick usually is: write it anyway`
    : `${d.path} is not removable (no removable flag, not USB or SD): write it anyway`;
}

/** How the image boots, as a short badge. */
export const BOOT_BADGE: Record<MediaImageView['boot'], string> = {
  'hybrid-iso': 'hybrid ISO: boots from USB',
  'cd-only-iso': 'CD-only ISO: will not boot from USB',
  'disk-image': 'disk image',
  unknown: 'unknown format',
};

/** ok: the stick is good; warn: stopped and the device holds an unknown mix; error: refused or faulty. */
export function runTone(r: MediaRunView): 'ok' | 'warn' | 'error' | 'running' {
  switch (r.status) {
    case 'running':
      return 'running';
    case 'verified':
      return 'ok';
    case 'not-verified':
      return 'warn';
    default:
      return 'error';
  }
}
