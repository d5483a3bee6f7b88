// Install state on disk: one JSON file per install under a folder the caller chooses, always per user and outside
// the repository (the CLI uses $XDG_STATE_HOME/nixkit/installs/<flake>, the extension its globalStorage): a state
// holds the target, the disk to erase and the files to copy, so one planted in a repository must never be read. Written after every step through a
// temporary file and a rename, so a crash never leaves half a state. States hold no secrets (options, step
// statuses and outputs, the probe); the transcript beside each state is written by transcript.ts.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EngineError } from '../errors';
import type { InstallOptions, InstallState, StepId } from '../../protocol/install-state';

export class StateError extends EngineError {
  constructor(detail: string) {
    super('install-state', detail);
  }
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** A new install id: time first (so ids sort by age), then the configuration and a random suffix. */
export function newInstallId(configuration: string, now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const name = configuration.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40) || 'install';
  return `${stamp}-${name}-${crypto.randomBytes(3).toString('hex')}`;
}

export function newInstallState(
  options: InstallOptions,
  steps: readonly StepId[],
  now = new Date(),
): InstallState {
  return {
    version: 1,
    id: newInstallId(options.configuration, now),
    options,
    steps: steps.map((id) => ({ id, status: 'pending' })),
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    status: 'pending',
  };
}

export class StateStore {
  constructor(readonly dir: string) {}

  private file(id: string): string {
    if (!ID.test(id)) throw new StateError(`'${id}' is not an install id`);
    return path.join(this.dir, `${id}.json`);
  }

  statePath(id: string): string {
    return this.file(id);
  }

  /** The transcript of the install, beside its state. */
  transcriptPath(id: string): string {
    return this.file(id).replace(/\.json$/, '.log');
  }

  save(state: InstallState): void {
    const file = this.file(state.id);
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    state.updatedAt = new Date().toISOString();
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
    fs.renameSync(tmp, file);
  }

  load(id: string): InstallState {
    const file = this.file(id);
    let data: unknown;
    try {
      data = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new StateError(
        err.code === 'ENOENT'
          ? `No install '${id}' in ${this.dir}.`
          : `The state of install '${id}' (${file}) cannot be read: ${err.message}`,
      );
    }
    const s = data as Partial<InstallState>;
    if (
      !s ||
      s.version !== 1 ||
      s.id !== id ||
      !Array.isArray(s.steps) ||
      typeof s.options !== 'object' ||
      s.options === null
    )
      throw new StateError(`${file} is not a nixkit install state (version 1).`);
    return s as InstallState;
  }

  /** Every saved install, newest first. */
  list(): InstallState[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return [];
    }
    const out: InstallState[] = [];
    for (const n of names) {
      if (!n.endsWith('.json')) continue;
      try {
        out.push(this.load(n.slice(0, -5)));
      } catch {
        /* a foreign or broken file is not an install */
      }
    }
    return out.sort((a, b) => (b.updatedAt ?? b.id).localeCompare(a.updatedAt ?? a.id));
  }

  /** The newest install that did not finish (the one `--resume` without an id continues). */
  latestUnfinished(): InstallState | undefined {
    return this.list().find((s) => s.status !== 'done');
  }
}
