import type { Definition } from '../model/modules';
import { compareReleases, nixpkgsReleaseAtLeast } from '../data/releases';
import { REMOVED_OPTIONS, type RemovedOption } from '../data/removed-options';
import { deleteDefinition, renameKeys, writtenKeys } from '../rule-api/rewrite';
import type { Rule, RuleEdit, RuleFix } from '../rule-api/rule';

interface Match {
  entry: RemovedOption;
  /** How many keys of the definition's path the entry's `from` covers. */
  length: number;
  /** `to` with its `*`s filled in from the definition's path. */
  to?: string[];
}

interface Compiled {
  entry: RemovedOption;
  from: string[];
  to?: string[];
}

const COMPILED: Compiled[] = REMOVED_OPTIONS.map((entry) => ({
  entry,
  from: entry.from.split('.'),
  to: entry.to?.split('.'),
}));
const byRelease = new Map<string, Map<string, Compiled[]>>();

/** The entries that apply to a release, indexed by their first key (every configuration has thousands of definitions). */
function entriesFor(release: string): Map<string, Compiled[]> {
  let index = byRelease.get(release);
  if (!index) {
    index = new Map();
    for (const c of COMPILED) {
      if (compareReleases(release, c.entry.release) < 0) continue;
      index.set(c.from[0], [...(index.get(c.from[0]) ?? []), c]);
    }
    byRelease.set(release, index);
  }
  return index;
}

function match(path: string[], c: Compiled): Match | undefined {
  const { from, entry } = c;
  if (path.length < from.length || (!entry.prefix && path.length !== from.length)) return undefined;
  const names: string[] = [];
  for (let i = 0; i < from.length; i++) {
    if (from[i] === '*') names.push(path[i]);
    else if (from[i] !== path[i]) return undefined;
  }
  let n = 0;
  const to = c.to?.map((k) => (k === '*' ? names[n++] : k));
  return { entry, length: from.length, to };
}

export const removedOption: Rule = {
  code: 'removed-option',
  severity: 'warning',
  title: 'An option that NixOS renamed or removed',
  explanation:
    'NixOS renames and removes options between releases. A renamed option still works for a while, with an ' +
    'evaluation warning, until the old name is dropped; a removed one stops the evaluation with "The option … can ' +
    'no longer be used", so the install fails before anything is built. Configurations copied from older guides, ' +
    'or kept across upgrades, carry many of them (`hardware.opengl`, `sound.enable`, `nix.maxJobs`, ' +
    '`services.openssh.permitRootLogin`). nixkit reports an option only when the configuration is built with a ' +
    "release that already renamed or removed it (the flake's nixpkgs branch, or else `system.stateVersion`), " +
    'and rewrites the name in place where the value keeps its shape. Renamed options are warnings, removed ones errors.',
  bad: {
    files: {
      'configuration.nix': `{ pkgs, ... }:
{
  nix.maxJobs = 4;
  hardware.opengl = {
    enable = true;
    driSupport32Bit = true;
  };
  system.stateVersion = "24.11";
}
`,
    },
    expect: ['configuration.nix:3', 'configuration.nix:5', 'configuration.nix:6'],
  },
  good: {
    files: {
      'configuration.nix': `{ pkgs, ... }:
{
  nix.settings.max-jobs = 4;
  hardware.graphics = {
    enable = true;
    enable32Bit = true;
  };
  system.stateVersion = "24.11";
}
`,
    },
  },
  checkConfiguration(ctx) {
    const { config } = ctx;
    const release = nixpkgsReleaseAtLeast(config, ctx.unit.evaluator);
    if (!release) return; // an older nixpkgs may still have these options under their old names
    const reported = new Set<string>();
    const index = entriesFor(release);
    const find = (path: string[]) => {
      for (const c of [...(index.get(path[0]) ?? []), ...(index.get('*') ?? [])]) {
        const m = match(path, c);
        if (m) return m;
      }
      return undefined;
    };
    for (const def of config.definitions) {
      const m = find(def.path);
      if (!m) continue;
      const written = writtenKeys(def, ctx.sources);
      const at = written.spans[m.length - 1] ?? def.pathAt[m.length - 1] ?? def.at;
      if (!at) continue;
      const key = `${at.file}:${at.span.start}:${m.entry.from}`;
      if (reported.has(key)) continue;
      reported.add(key);
      report(ctx, def, m, at, find);
    }
  },
};

type Ctx = Parameters<NonNullable<Rule['checkConfiguration']>>[0];

/**
 * The fix for a renamed option whose new name leaves the set it is written in (`hardware.opengl = { enable …;
 * driSupport32Bit …; }`): rename the set's key and, inside it, every key that changes, provided every option
 * in that set moves the same way. Undefined otherwise.
 */
function wholeSetFix(
  ctx: Ctx,
  def: Definition,
  m: Match,
  start: number,
  find: (p: string[]) => Match | undefined,
) {
  const outer = start - 1;
  const written = writtenKeys(def, ctx.sources);
  const outerAt = written.spans[outer];
  if (outer < 0 || !outerAt || !m.to || m.to.length <= start) return undefined;
  const newPrefix = m.to.slice(0, start);
  const edits: RuleEdit[] = [];
  const seen = new Set<number>();
  for (const d of ctx.config.definitions) {
    if (d.path.length <= start || !def.path.slice(0, start).every((k, i) => d.path[i] === k)) continue;
    const dWritten = writtenKeys(d, ctx.sources);
    const dOuter = dWritten.spans[outer];
    if (dOuter?.file !== outerAt.file || dOuter.span.start !== outerAt.span.start) continue; // another set
    const dm = find(d.path);
    if (!dm?.to || dm.entry.shapeChanged || dm.to.slice(0, start).join('.') !== newPrefix.join('.'))
      return undefined;
    const inner = d.path.slice(start, dm.length);
    const renamed = dm.to.slice(start);
    if (inner.join('.') === renamed.join('.')) continue;
    const e = renameKeys(d, start, dm.length - 1, renamed, ctx.sources, dWritten);
    if (!e) return undefined;
    if (!seen.has(e.at.span.start)) edits.push(e);
    seen.add(e.at.span.start);
  }
  const ps = written.starts[outer];
  if (ps === undefined || newPrefix.slice(0, ps).join('.') !== def.path.slice(0, ps).join('.'))
    return undefined;
  const outerEdit = renameKeys(def, ps, outer, newPrefix.slice(ps), ctx.sources, written);
  if (!outerEdit) return undefined;
  return [outerEdit, ...edits];
}

function report(
  ctx: Ctx,
  def: Definition,
  m: Match,
  at: NonNullable<Definition['at']>,
  find: (p: string[]) => Match | undefined,
): void {
  const { entry } = m;
  const old = def.path.slice(0, m.length).join('.');
  const fixes: RuleFix[] = [];
  let message: string;
  if (m.to) {
    const target = m.to.join('.');
    message =
      entry.kind === 'renamed'
        ? `${old} was renamed to ${target} in NixOS ${entry.release}`
        : `${old} was removed in NixOS ${entry.release}; use ${target}`;
    if (entry.shapeChanged)
      message += `, which takes a different value: ${entry.advice ?? 'rewrite the value'}`;
    else {
      if (entry.advice) message += ` (${entry.advice})`;
      const written = writtenKeys(def, ctx.sources);
      const start = written.starts[m.length - 1];
      // Keys written outside this binding (an enclosing `nix = {`) must stay the same in the new name.
      if (start !== undefined && m.to.slice(0, start).join('.') === def.path.slice(0, start).join('.')) {
        const edit = renameKeys(def, start, m.length - 1, m.to.slice(start), ctx.sources, written);
        if (edit) fixes.push({ title: `Rename to ${target}`, edits: [edit], preferred: true });
      } else if (start !== undefined) {
        const edits = wholeSetFix(ctx, def, m, start, find);
        const set = m.to.slice(0, start).join('.');
        if (edits)
          fixes.push({ title: `Move the set to ${set} (renaming what changed)`, edits, preferred: true });
      }
    }
    message +=
      entry.kind === 'renamed' ? ': the old name still evaluates, with a warning' : ': evaluation fails';
  } else {
    message = `${old} was removed in NixOS ${entry.release} and evaluation fails: ${entry.advice ?? 'delete it'}`;
    if (!entry.prefix && def.path.length === m.length) {
      const edit = deleteDefinition(def, ctx.sources);
      if (edit) fixes.push({ title: `Delete ${old}`, edits: [edit], preferred: true });
    }
  }
  ctx.report({ at, message, fixes, severity: entry.kind === 'removed' ? 'error' : 'warning' });
}
