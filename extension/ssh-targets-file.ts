// `.nixkit/targets.json`: saved SSH targets, written by people and shared with the repository. Parsing only (no
// `vscode` import, unit-tested). An entry is a target string, an optional name and an optional key file path; fields
// that look like secrets are refused with a warning — secrets live in VS Code's secret storage only.
import { EngineError } from '../engine/errors';
import { parseTarget } from '../engine/ssh/target';

export interface SavedTarget {
  /** user@host[:port] or an ~/.ssh/config alias. */
  target: string;
  name?: string;
  identityFile?: string;
  source: 'file' | 'recent';
}

const SECRET_FIELD = /pass(word|phrase)?|secret|token|key$/i;

/** Parses the text of `.nixkit/targets.json`; problems are returned, not thrown (a bad entry skips only itself). */
export function parseTargetsFile(text: string): { targets: SavedTarget[]; problems: string[] } {
  const problems: string[] = [];
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { targets: [], problems: [`not valid JSON: ${(e as Error).message}`] };
  }
  const list = (data as { targets?: unknown } | null)?.targets;
  if (!Array.isArray(list)) return { targets: [], problems: ['expected { "targets": [ … ] }'] };
  const targets: SavedTarget[] = [];
  list.forEach((raw: unknown, i) => {
    const where = `targets[${i}]`;
    const entry = typeof raw === 'string' ? { target: raw } : raw;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push(`${where}: expected a string or an object`);
      return;
    }
    const e = entry as Record<string, unknown>;
    const secretFields = Object.keys(e).filter((k) => k !== 'identityFile' && SECRET_FIELD.test(k));
    if (secretFields.length) {
      problems.push(
        `${where}: ${secretFields.join(', ')} ignored — secrets do not belong in a file; nixkit asks and keeps them in VS Code's secret storage`,
      );
    }
    if (typeof e.target !== 'string') {
      problems.push(`${where}: "target" (user@host[:port] or an ssh config alias) is missing`);
      return;
    }
    try {
      parseTarget(e.target);
    } catch (err) {
      problems.push(`${where}: ${err instanceof EngineError ? err.message : String(err)}`);
      return;
    }
    targets.push({
      target: e.target.trim(),
      name: typeof e.name === 'string' ? e.name : undefined,
      identityFile: typeof e.identityFile === 'string' ? e.identityFile : undefined,
      source: 'file',
    });
  });
  return { targets, problems };
}
