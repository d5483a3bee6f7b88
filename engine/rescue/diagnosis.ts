// Why the installed system did not come back, put together from what the rescue read off its disk: the
// generations and which one is current, the boot loader's entries and its default, the journal's boots and the
// last boot's failures, kernel command line and interfaces — or, where there is no journal or no journalctl, the
// text logs. Also its text form for the CLI and the VS Code document. Target text is shown with control
// characters escaped (a hostile log line must not drive the terminal).
import {
  matchGenerations,
  parseGrubCfg,
  parseSystemdBoot,
  type BootEntry,
  type BootMenu,
} from './boot-entries';
import {
  errorLines,
  failedUnits,
  interfaceEvidence,
  interfaceRenames,
  kernelCommandLine,
  parseGenerations,
  parseListBoots,
  type FailedUnit,
  type Generation,
  type InterfaceEvidence,
  type JournalBoot,
} from './journal';

export interface Diagnosis {
  mounts: { mountPoint: string; device: string; fsType: string }[];
  generations: Generation[];
  /** The generation the system profile points at. */
  currentGeneration?: number;
  bootMenu?: BootMenu;
  /** The entry whose command line the last boot logged (which one booted), when that is known. */
  bootedEntry?: BootEntry;
  /** journalctl on the rescue system: absent means the journal could not be read (the text logs are shown). */
  journalctl: boolean;
  /** The installed system has a journal (/var/log/journal with journal files). */
  journalPresent: boolean;
  boots: JournalBoot[];
  lastBoot?: {
    bootId: string;
    errors: string[];
    failedUnits: FailedUnit[];
    commandLine?: string;
    renames: [string, string][];
    tail: string[];
  };
  interfaces: InterfaceEvidence[];
  /** Text logs (path, last lines, the lines that read as errors). */
  textLogs: { path: string; lines: string[]; errors: string[] }[];
  /** Files read (path on the installed system → text), for the actions (rollback rewrites one). */
  files: Map<string, string>;
  notes: string[];
}

/**
 * Splits the scripts' output at lines "<marker> <name>". Each header is printed after a newline of its own, so a
 * section's text is exactly what was between (a file read is byte for byte the file: a rollback rewrites it).
 */
export function parseSections(text: string, marker: string): Map<string, string> {
  const out = new Map<string, string>();
  let name: string | undefined;
  let buf: string[] = [];
  const flush = () => {
    if (name !== undefined) out.set(name, buf.join('\n'));
  };
  for (const line of text.split('\n')) {
    if (line.startsWith(marker + ' ')) {
      flush();
      name = line.slice(marker.length + 1);
      buf = [];
    } else buf.push(line);
  }
  flush();
  return out;
}

const lines = (t: string | undefined) => (t ?? '').split('\n').filter((l) => l.trim() !== '');

export function buildDiagnosis(
  sections: Map<string, string>,
  journal: Map<string, string> | undefined,
  o: {
    mounts: Diagnosis['mounts'];
    interfaces: string[];
    redact: (t: string) => string;
  },
): Diagnosis {
  const notes: string[] = [];
  const files = new Map<string, string>();
  for (const [k, v] of sections) if (k.startsWith('file ')) files.set(k.slice(5), v);
  const { generations, current } = parseGenerations(
    sections.get('generations') ?? '',
    sections.get('current') ?? '',
  );

  // The boot menu: systemd-boot where a loader.conf or entries are, else GRUB.
  let bootMenu: BootMenu | undefined;
  const loaderConf = [...files.keys()].find((f) => f.endsWith('/loader/loader.conf'));
  const entryFiles = [...files.keys()].filter((f) => /\/loader\/entries\/[^/]+\.conf$/.test(f));
  const grubCfg = [...files.keys()].find((f) => f.endsWith('/grub/grub.cfg'));
  if (loaderConf || entryFiles.length > 0) {
    const dir = (loaderConf ?? entryFiles[0]).replace(/\/loader\/.*$/, '');
    bootMenu = parseSystemdBoot(
      loaderConf ?? `${dir}/loader/loader.conf`,
      loaderConf ? files.get(loaderConf) : undefined,
      entryFiles
        .filter((f) => f.startsWith(dir + '/'))
        .map((f) => ({ name: f.slice(f.lastIndexOf('/') + 1), text: files.get(f)! })),
    );
  } else if (grubCfg) {
    bootMenu = parseGrubCfg(
      grubCfg,
      files.get(grubCfg)!,
      files.get(grubCfg.replace(/grub\.cfg$/, 'grubenv')),
    );
  } else
    notes.push(
      'No boot loader files were found (no loader/loader.conf, loader/entries or grub/grub.cfg on the mounted filesystems).',
    );
  if (bootMenu) matchGenerations(bootMenu, generations);

  const journalctl =
    (sections.get('journalctl') ?? 'none').trim() !== 'none' &&
    (sections.get('journalctl') ?? '').trim() !== '';
  const journalPresent = (sections.get('journal-dir') ?? '').trim() !== '';
  const boots = parseListBoots(sections.get('list-boots') ?? '');
  if (!journalPresent)
    notes.push('The installed system has no journal files under /var/log/journal: showing its text logs.');
  else if (!journalctl)
    notes.push(
      'This rescue system has no journalctl, so the installed system\u2019s journal cannot be read here: showing its text logs. (A rescue system with systemd reads it: journalctl -D <root>/var/log/journal.)',
    );
  else if (boots.length === 0)
    notes.push(
      `journalctl found no boots in the journal: ${lines(sections.get('list-boots')).slice(0, 3).join(' / ') || 'no output'}`,
    );

  const textLogs: Diagnosis['textLogs'] = [];
  for (const [k, v] of sections) {
    if (!k.startsWith('log ')) continue;
    const ls = lines(v).map(o.redact);
    textLogs.push({ path: k.slice(4), lines: ls, errors: errorLines(ls) });
  }

  let lastBoot: Diagnosis['lastBoot'];
  let evidenceLines: string[] = textLogs.flatMap((t) => t.lines);
  if (journal) {
    const all = [
      ...lines(journal.get('head')),
      ...lines(journal.get('matches')),
      ...lines(journal.get('tail')),
    ].map(o.redact);
    const errors = lines(journal.get('errors')).map(o.redact);
    const last = boots.find((b) => b.index === 0) ?? boots[boots.length - 1];
    const cmd = kernelCommandLine(all);
    lastBoot = {
      bootId: last?.bootId ?? '?',
      errors,
      failedUnits: failedUnits([...all, ...errors]),
      ...(cmd ? { commandLine: cmd } : {}),
      renames: [...interfaceRenames(all)],
      tail: lines(journal.get('tail')).map(o.redact).slice(-40),
    };
    evidenceLines = [...all, ...errors];
  }
  const commandLine = lastBoot?.commandLine ?? kernelCommandLine(evidenceLines);
  let bootedEntry: BootEntry | undefined;
  if (bootMenu && commandLine) {
    const init = /(?:^|\s)init=(\S+)/.exec(commandLine)?.[1];
    bootedEntry = bootMenu.entries.find(
      (e) => init !== undefined && e.options.split(/\s+/).includes(`init=${init}`),
    );
  }
  if (!lastBoot && textLogs.length > 0) {
    const failed = failedUnits(evidenceLines);
    if (failed.length || commandLine)
      lastBoot = {
        bootId: 'from the text logs',
        errors: textLogs.flatMap((t) => t.errors),
        failedUnits: failed,
        ...(commandLine ? { commandLine } : {}),
        renames: [...interfaceRenames(evidenceLines)],
        tail: [],
      };
  }
  return {
    mounts: o.mounts,
    generations,
    ...(current !== undefined ? { currentGeneration: current } : {}),
    ...(bootMenu ? { bootMenu } : {}),
    ...(bootedEntry ? { bootedEntry } : {}),
    journalctl,
    journalPresent,
    boots,
    ...(lastBoot ? { lastBoot } : {}),
    interfaces: interfaceEvidence(o.interfaces, evidenceLines),
    textLogs,
    files,
    notes,
  };
}

const clean = (v: string) =>
  // eslint-disable-next-line no-control-regex
  v.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

function date(s: number | undefined): string {
  return s === undefined
    ? ''
    : new Date(s * 1000)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC');
}

/** The diagnosis as text (the CLI prints it; VS Code shows it in a document). */
export function formatDiagnosis(d: Diagnosis): string {
  const out: string[] = [];
  out.push('Mounted read-only:');
  for (const m of d.mounts) out.push(`  ${m.mountPoint.padEnd(10)} ${clean(m.device)} (${clean(m.fsType)})`);
  out.push('');
  out.push('Generations:');
  if (d.generations.length === 0) out.push('  (none: /nix/var/nix/profiles has no system-*-link)');
  for (const g of d.generations) {
    const inMenu = d.bootMenu?.entries.filter((e) => e.generation === g.number) ?? [];
    const flags = [
      g.number === d.currentGeneration ? 'current profile' : '',
      inMenu.some((e) => e.id === d.bootMenu?.defaultId) ? 'DEFAULT BOOT ENTRY' : '',
      inMenu.some((e) => e.id === d.bootedEntry?.id) ? 'booted last' : '',
      d.bootMenu && inMenu.length === 0 ? 'no boot entry' : '',
    ].filter(Boolean);
    out.push(
      `  ${String(g.number).padStart(3)}  ${date(g.created).padEnd(23)} ${clean(g.toplevel)}${flags.length ? `  [${flags.join(', ')}]` : ''}`,
    );
  }
  out.push('');
  if (d.bootMenu) {
    const m = d.bootMenu;
    out.push(
      `Boot loader: ${m.loader} (${clean(m.file)}); default: ${clean(m.defaultFrom ?? 'not set: the loader\u2019s own choice')}`,
    );
    for (const e of m.entries)
      out.push(
        `  ${e.id === m.defaultId ? '*' : ' '} ${clean(e.id).padEnd(28)} ${clean(e.title)}${e.generation !== undefined ? `  (generation ${e.generation})` : ''}`,
      );
    if (m.defaultId === undefined) out.push('  (no entry matches the default)');
    out.push('');
  }
  if (d.bootedEntry)
    out.push(`The last boot started: ${clean(d.bootedEntry.id)} (${clean(d.bootedEntry.title)})`);
  if (d.lastBoot?.commandLine)
    out.push(`Kernel command line of the last boot: ${clean(d.lastBoot.commandLine)}`);
  if (d.boots.length > 0) {
    out.push('');
    out.push('Boots in the journal:');
    for (const b of d.boots.slice(-10))
      out.push(`  ${String(b.index).padStart(3)} ${b.bootId}  ${clean(b.first)} — ${clean(b.last)}`);
  }
  if (d.lastBoot) {
    const lb = d.lastBoot;
    out.push('');
    out.push(`The last boot (${lb.bootId}):`);
    if (lb.failedUnits.length === 0) out.push('  no failed units in the log');
    for (const f of lb.failedUnits) out.push(`  FAILED ${clean(f.unit)}: ${clean(f.how)}`);
    if (lb.renames.length)
      out.push(`  interface renames: ${lb.renames.map(([n, o]) => `${clean(o)} → ${clean(n)}`).join(', ')}`);
    if (lb.errors.length) {
      out.push('  errors:');
      for (const l of lb.errors.slice(-30)) out.push(`    ${clean(l)}`);
    }
    if (lb.tail.length) {
      out.push('  last lines:');
      for (const l of lb.tail.slice(-15)) out.push(`    ${clean(l)}`);
    }
  }
  if (d.interfaces.length) {
    out.push('');
    out.push('Interfaces the configuration names:');
    for (const i of d.interfaces)
      out.push(
        `  ${clean(i.name)}: ${i.state === 'present' ? 'existed' : i.state === 'missing' ? 'DID NOT EXIST' : 'not mentioned in the log (unknown)'}${i.line ? `  — ${clean(i.line)}` : ''}`,
      );
  }
  if (d.textLogs.length && (!d.journalPresent || !d.journalctl)) {
    out.push('');
    out.push('Text logs (newest first):');
    for (const t of d.textLogs) {
      out.push(`  ${clean(t.path)}:`);
      if (t.errors.length) for (const l of t.errors.slice(-20)) out.push(`    ! ${clean(l)}`);
      for (const l of t.lines.slice(-20)) out.push(`    | ${clean(l)}`);
    }
  }
  if (d.notes.length) {
    out.push('');
    for (const n of d.notes) out.push(`note: ${clean(n)}`);
  }
  return out.join('\n') + '\n';
}
