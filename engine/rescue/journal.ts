// What the installed system's logs say about its last boots, from text the rescue session fetched: journalctl's
// `--list-boots`, lines of the last boot (or plain text logs when there is no journal), and from those the failed
// units, the kernel command line, the interface renames, and whether the interfaces the configuration names came up.
// Pure text in, facts out; nothing here decides what is "the" cause — the lines are shown as found.

export interface JournalBoot {
  /** journalctl's offset: 0 the last boot in the journal, -1 the one before, … */
  index: number;
  bootId: string;
  first: string;
  last: string;
}

/**
 * `journalctl --list-boots` in both of its layouts: systemd ≤ 254 (`-1 <id> <first>—<last>`) and ≥ 255 (a header
 * `IDX BOOT ID FIRST ENTRY LAST ENTRY`, the two times separated by spaces). Lines that are neither are ignored.
 */
export function parseListBoots(text: string): JournalBoot[] {
  const out: JournalBoot[] = [];
  for (const raw of text.split('\n')) {
    const m = /^\s*(-?\d+)\s+([0-9a-f]{32})\s+(.*?)\s*$/.exec(raw);
    if (!m) continue;
    const rest = m[3];
    let first = rest;
    let last = '';
    const dash = rest.indexOf('—');
    if (dash >= 0) {
      first = rest.slice(0, dash).trim();
      last = rest.slice(dash + 1).trim();
    } else {
      // Two "Day YYYY-MM-DD HH:MM:SS ZONE" times.
      const t =
        /^(\S+ \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?: \S+)?)\s+(\S+ \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?: \S+)?)$/.exec(
          rest,
        );
      if (t) {
        first = t[1];
        last = t[2];
      }
    }
    out.push({ index: Number(m[1]), bootId: m[2], first, last });
  }
  return out.sort((a, b) => a.index - b.index);
}

export interface FailedUnit {
  unit: string;
  /** `Failed with result 'exit-code'`, `Job … timed out`, `Dependency failed`, … */
  how: string;
  line: string;
}

const UNIT = String.raw`[A-Za-z0-9@_.:\\-]+\.(?:service|mount|target|socket|device|swap|path|timer|scope|slice|automount)`;

/** Units the log says failed: `X: Failed with result '…'`, `Failed to start X`, `Job X/start timed out`, … */
export function failedUnits(lines: string[]): FailedUnit[] {
  const out = new Map<string, FailedUnit>();
  const add = (unit: string, how: string, line: string) => {
    if (!out.has(unit)) out.set(unit, { unit, how, line });
  };
  for (const line of lines) {
    let m: RegExpExecArray | null;
    if ((m = new RegExp(`(${UNIT}): Failed with result '([^']+)'`).exec(line)))
      add(m[1], `failed (${m[2]})`, line);
    else if ((m = new RegExp(`Job (${UNIT})/\\S+ timed out`).exec(line))) add(m[1], 'timed out', line);
    else if ((m = new RegExp(`(${UNIT}): Job \\S+ timed out`).exec(line))) add(m[1], 'timed out', line);
    else if ((m = /Failed to (?:start|mount) (.+?)\.?\s*$/.exec(line))) {
      const unit = new RegExp(`(${UNIT})`).exec(m[1])?.[1] ?? m[1];
      add(unit, 'failed to start', line);
    } else if ((m = /Dependency failed for (.+?)\.?\s*$/.exec(line))) add(m[1], 'dependency failed', line);
  }
  return [...out.values()];
}

/** The kernel command line the boot started with (the kernel logs it at every boot). */
export function kernelCommandLine(lines: string[]): string | undefined {
  for (const l of lines) {
    const m = /(?:kernel: |^|\] )Command line: (.*)$/.exec(l);
    if (m) return m[1].trim();
  }
  return undefined;
}

/** `enp3s0: renamed from eth0` lines → new name → old name. */
export function interfaceRenames(lines: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of lines) {
    const m = /\b([A-Za-z0-9_.@-]{1,15}): renamed from ([A-Za-z0-9_.@-]{1,15})\b/.exec(l);
    if (m) out.set(m[1], m[2]);
  }
  return out;
}

export interface InterfaceEvidence {
  name: string;
  /** present: the log shows the interface; missing: its device never appeared (a timed-out wait); unknown: no word. */
  state: 'present' | 'missing' | 'unknown';
  line?: string;
}

/**
 * Whether each interface the configuration names existed during the boot, by what the log says. Missing: its device
 * job timed out (`sys-subsystem-net-devices-NAME.device`), or a line says it does not exist / no such device.
 * Present: a line with the interface as its subject, as the kernel, udev, networkd and DHCP clients write them
 * (`NAME: Link UP`, `eth0 … NAME: renamed from eth0`, `NAME: carrier acquired`). A line that only names it
 * ("bringing up the network on NAME") says nothing either way: unknown, never a guess.
 */
export function interfaceEvidence(names: string[], lines: string[]): InterfaceEvidence[] {
  return names.map((name) => {
    const esc = name.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
    const mentions = new RegExp(`(^|[\\s:'"/])${esc}([\\s:'"]|$)`);
    const missing = lines.find(
      (l) =>
        new RegExp(`sys-subsystem-net-devices-${esc}\\.device\\S*.*(timed out|Dependency failed)`).test(l) ||
        new RegExp(`Timed out waiting for device .*/net/devices/${esc}\\b`).test(l) ||
        (mentions.test(l) &&
          /(does not exist|doesn't exist|no such device|cannot find device|not found)/i.test(l)),
    );
    if (missing) return { name, state: 'missing', line: missing };
    const seen = lines.find(
      (l) => new RegExp(`(^|\\s)${esc}: `).test(l) && !/sys-subsystem-net-devices/.test(l),
    );
    if (seen) return { name, state: 'present', line: seen };
    return { name, state: 'unknown' };
  });
}

/** Lines that read as errors in a plain text log (no priorities there): error, failed, fatal, panic, timed out. */
export function errorLines(lines: string[]): string[] {
  return lines.filter((l) =>
    /\b(error|errors|failed|failure|fatal|panic|timed out|cannot|unable to)\b/i.test(l),
  );
}

export interface Generation {
  number: number;
  /** Where `system-N-link` points: the system's toplevel. */
  toplevel: string;
  /** Seconds since the epoch of the link (when the generation was made), when known. */
  created?: number;
}

/**
 * The generations listing the rescue script prints: `system-N-link<TAB>target<TAB>mtime` per line; the current one
 * from `readlink system` (`system-N-link`). Sorted by number.
 */
export function parseGenerations(
  listing: string,
  current: string,
): { generations: Generation[]; current?: number } {
  const generations: Generation[] = [];
  for (const l of listing.split('\n')) {
    const [name, target, mtime] = l.split('\t');
    const m = /^system-(\d+)-link$/.exec(name ?? '');
    if (!m || !target) continue;
    generations.push({
      number: Number(m[1]),
      toplevel: target,
      ...(mtime && /^\d+$/.test(mtime) ? { created: Number(mtime) } : {}),
    });
  }
  generations.sort((a, b) => a.number - b.number);
  const c = /^system-(\d+)-link$/.exec(current.trim());
  return { generations, ...(c ? { current: Number(c[1]) } : {}) };
}
