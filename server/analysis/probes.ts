// Probes of install targets, attached to configurations. A configuration named NAME gets the report saved at
// `.nixkit/hosts/NAME.json` in the nearest folder above its entry file (flake.nix or configuration.nix) that has
// one, looking no further than the workspace root or the repository root (the folder with `.git`); `nixkit check
// --probe FILE [--probe-for NAME]` adds one report for every configuration (or the named one), which wins.
// Files are validated with the probe schema; a broken one is reported once and never attached.
import * as fs from 'node:fs';
import { readFileGuarded } from '../model/sources';
import * as path from 'node:path';
import type { ProbeReport } from '../../protocol/probe-report';
import { validateProbeReport } from '../../protocol/probe-report-schema';
import type { NixosConfiguration } from '../model/configuration';

export type { ProbeReport };

/** Where probes live, relative to a workspace (or repository) root. */
export const PROBE_HOSTS_DIR = path.join('.nixkit', 'hosts');
/** The glob the language server watches. */
export const PROBE_GLOB = '**/.nixkit/hosts/*.json';

export function isProbeFile(file: string): boolean {
  return /(^|[\\/])\.nixkit[\\/]hosts[\\/][^\\/]+\.json$/.test(file);
}

export type ProbeLoad =
  | { ok: true; file: string; report: ProbeReport }
  | { ok: false; file: string; message: string };

/** Reads and validates one probe file; never throws. */
export function readProbeFile(file: string): ProbeLoad {
  // Guarded: a FIFO, a device or a huge file under .nixkit/hosts must not hang or exhaust the server.
  const read = readFileGuarded(file, 16 * 1024 * 1024);
  if (!read.ok) {
    const why = read.message === 'no such file or folder' ? 'no such file' : read.message;
    return { ok: false, file, message: `cannot read it (${why})` };
  }
  return parseProbeText(file, read.bytes.toString('utf8'));
}

export function parseProbeText(file: string, text: string): ProbeLoad {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { ok: false, file, message: `not valid JSON (${(e as Error).message})` };
  }
  const valid = validateProbeReport(data);
  if (!valid.ok)
    return {
      ok: false,
      file,
      message: `not a nixkit probe report (version 1): ${valid.errors.slice(0, 5).join('; ')}`,
    };
  return { ok: true, file, report: valid.report };
}

export interface ExplicitProbe {
  report: ProbeReport;
  file: string;
  /** Only the configuration with this name gets it; every configuration when absent. */
  for?: string;
}

export interface AttachedProbe {
  report: ProbeReport;
  file: string;
}

/**
 * Finds the probe of each configuration. Results are cached per folder; `invalidate()` after a probe file
 * changed on disk.
 */
export class ProbeProvider {
  private readonly loads = new Map<string, ProbeLoad>();
  private readonly present = new Map<string, boolean>();
  private readonly reported = new Set<string>();

  constructor(
    private readonly options: {
      explicit?: ExplicitProbe;
      /** Folders the upward search stops at (workspace folders); the repository root stops it too. */
      roots?: () => string[];
      /** Called once per broken probe file (until it changes). */
      onProblem?: (file: string, message: string) => void;
      /** Whether to look for `.nixkit/hosts` at all (off for `--probe` alone is not a reason: on by default). */
      workspace?: boolean;
    } = {},
  ) {}

  /** The probe attached to a configuration, if any. */
  forConfiguration(config: NixosConfiguration): AttachedProbe | undefined {
    const explicit = this.options.explicit;
    if (explicit && (explicit.for === undefined || explicit.for === config.name))
      return { report: explicit.report, file: explicit.file };
    if (this.options.workspace === false) return undefined;
    const file = this.findFile(config);
    if (!file) return undefined;
    const load = this.load(file);
    return load?.ok ? { report: load.report, file } : undefined;
  }

  /** Forgets what was read (a probe file was added, changed or removed). */
  invalidate(): void {
    this.loads.clear();
    this.present.clear();
    this.reported.clear();
  }

  /** Broken probe files seen so far. */
  problems(): { file: string; message: string }[] {
    return [...this.loads.values()].filter((l): l is Extract<ProbeLoad, { ok: false }> => !l.ok);
  }

  private findFile(config: NixosConfiguration): string | undefined {
    if (!/^[^/\\]+$/.test(config.name) || config.name === '.' || config.name === '..') return undefined;
    const roots = new Set((this.options.roots?.() ?? []).map((r) => path.resolve(r)));
    for (let dir = path.dirname(path.resolve(config.entry.file)); ; dir = path.dirname(dir)) {
      const file = path.join(dir, PROBE_HOSTS_DIR, `${config.name}.json`);
      if (this.exists(file)) return file;
      if (roots.has(dir) || this.exists(path.join(dir, '.git'))) return undefined;
      if (path.dirname(dir) === dir) return undefined;
    }
  }

  private exists(file: string): boolean {
    let known = this.present.get(file);
    if (known === undefined) {
      known = fs.existsSync(file);
      this.present.set(file, known);
    }
    return known;
  }

  private load(file: string): ProbeLoad {
    const cached = this.loads.get(file);
    if (cached) return cached;
    const load = readProbeFile(file);
    this.loads.set(file, load);
    if (!load.ok && !this.reported.has(file)) {
      this.reported.add(file);
      this.options.onProblem?.(file, load.message);
    }
    return load;
  }
}
