import type { Definition } from '../model/modules';
import { compareReleases, nixpkgsRelease, type NixpkgsRelease } from '../data/releases';
import { REMOVED_OPTIONS, type RemovedOption } from '../data/removed-options';
import { releaseGuardHolds } from '../data/release-guard';
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
const byRelease = new Map<string, Index>();
const possibleByRelease = new Map<string, Index>();

/**
 * Entries indexed by first key (every configuration has thousands of definitions), with what each definition
 * matched: definitions of a module are shared by every configuration of a flake that imports it, so a fleet's
 * shared modules are looked up once, not once per machine.
 */
interface Index {
  byFirst: Map<string, Compiled[]>;
  wildcard: Compiled[];
  matched: WeakMap<Definition, Match | null>;
}

function indexOf(entries: Compiled[]): Index {
  const byFirst = new Map<string, Compiled[]>();
  for (const c of entries) byFirst.set(c.from[0], [...(byFirst.get(c.from[0]) ?? []), c]);
  return { byFirst, wildcard: byFirst.get('*') ?? [], matched: new WeakMap() };
}

function lookup(index: Index, def: Definition): Match | undefined {
  const seen = index.matched.get(def);
  if (seen !== undefined) return seen ?? undefined;
  let found: Match | undefined;
  for (const list of [index.byFirst.get(def.path[0]) ?? [], index.wildcard]) {
    for (const c of list) if ((found = match(def.path, c))) break;
    if (found) break;
  }
  index.matched.set(def, found ?? null);
  return found;
}

/** The entries that apply to a release. */
function entriesFor(release: string, strictlyOlder = false): Index {
  const key = `${release}${strictlyOlder ? '<' : ''}`;
  let index = byRelease.get(key);
  if (!index) {
    const bound = strictlyOlder ? 1 : 0;
    index = indexOf(COMPILED.filter((c) => compareReleases(release, c.entry.release) >= bound));
    byRelease.set(key, index);
  }
  return index;
}

/**
 * Removals that may apply: newer than the oldest release the configuration can have (or any, when unknown), and
 * no newer than the newest it can hold (`atMost`: an unstable branch pinned on a date), when that is known.
 */
function possibleRemovals(after: string | undefined, atMost: string | undefined, inclusive = false): Index {
  const key = `${after ?? ''}|${atMost ?? ''}|${inclusive}`;
  let index = possibleByRelease.get(key);
  if (!index) {
    index = indexOf(
      COMPILED.filter(
        (c) =>
          c.entry.kind === 'removed' &&
          (!after || compareReleases(after, c.entry.release) < (inclusive ? 1 : 0)) &&
          (!atMost || compareReleases(c.entry.release, atMost) <= 0),
      ),
    );
    possibleByRelease.set(key, index);
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
    'release that already renamed or removed it (the nixpkgs branch in flake.nix or flake.lock, else the date ' +
    'flake.lock locked it, else `system.stateVersion`, which unstable also carries while that release is in ' +
    "development, so only older releases' changes are certain from it), and rewrites the name in place where the value keeps its " +
    'shape. Renamed options are warnings, removed ones errors; a removal in a release nixkit cannot rule out (the ' +
    'release is unknown, or only known to be at least an older one) is a warning that says from which release on ' +
    'evaluation fails. Options that are still declared but do nothing (`boot.loader.grub.version`) are warnings. ' +
    "Under an `mkIf` NixOS drops the definition when the condition is false: a module's own switch " +
    '(`mkIf config.my.kodi.enable`, `mkEnableOption`) that a machine leaves off reports nothing there, one it turns ' +
    'on reports as usual, and a condition nixkit cannot decide gives a warning "when the mkIf around it applies".',
  bad: {
    files: {
      'configuration.nix': `{ pkgs, ... }:
{
  nix.maxJobs = 4;
  hardware.opengl = {
    enable = true;
    driSupport32Bit = true;
  };
  system.stateVersion = "25.05";
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
  system.stateVersion = "25.05";
}
`,
    },
  },
  checkConfiguration(ctx) {
    const { config } = ctx;
    const known = nixpkgsRelease(config, ctx.unit.evaluator);
    const reported = new Set<string>();
    // Entries the configuration's release certainly has; then removals it may have (its release is unknown,
    // or only a lower bound): an older nixpkgs still has those options, a newer one fails on them.
    // A bound from system.stateVersion may be a release still in development: its own changes are only possible.
    const unsureItself = known?.releaseItself === 'unsure';
    const certain = known ? entriesFor(known.release, unsureItself) : undefined;
    const possibleIndex = known?.exact
      ? undefined
      : possibleRemovals(known?.release, known?.atMost, unsureItself);
    const find = (d: Definition) => (certain ? lookup(certain, d) : undefined);
    for (const { def, m, hit } of config.chunks.flatMap((c) => hitsIn(c, certain, possibleIndex))) {
      const written = writtenKeys(def, ctx.sources);
      const at = written.spans[hit.length - 1] ?? def.pathAt[hit.length - 1] ?? def.at;
      if (!at) continue;
      const key = `${at.file}:${at.span.start}:${hit.entry.from}`;
      if (reported.has(key)) continue;
      // `mkIf (config.system.nixos.release < "24.11") { hardware.opengl… }` on a newer nixpkgs: NixOS drops it.
      if (def.conditional && def.condition && releaseGuardHolds(textAt(ctx, def.condition), known) === false)
        continue;
      // `mkIf cfg.enable { … }` where this machine leaves `enable` off: NixOS drops the definition here.
      const applies = config.applies(def, (t) => ctx.unit.evaluator.force(t));
      if (applies === false) continue;
      reported.add(key);
      if (m) report(ctx, def, m, at, find, applies);
      else reportPossible(ctx, def, hit, at, known);
    }
  },
};

interface Hit {
  def: Definition;
  /** A certain match (else `hit` is a possible one). */
  m: Match | undefined;
  hit: Match;
}

const NO_INDEX = {};
const hitsMemo = new WeakMap<object, WeakMap<object, WeakMap<Definition[], Hit[]>>>();

/**
 * The definitions of one module's list that match an entry, in order. A module's list is shared by every host
 * that imports it, so a fleet's shared modules are matched once per pair of indexes, not once per host.
 */
function hitsIn(chunk: Definition[], certain: Index | undefined, possibleIndex: Index | undefined): Hit[] {
  let byPossible = hitsMemo.get(certain ?? NO_INDEX);
  if (!byPossible) hitsMemo.set(certain ?? NO_INDEX, (byPossible = new WeakMap()));
  let byChunk = byPossible.get(possibleIndex ?? NO_INDEX);
  if (!byChunk) byPossible.set(possibleIndex ?? NO_INDEX, (byChunk = new WeakMap()));
  let hits = byChunk.get(chunk);
  if (!hits) {
    hits = [];
    for (const def of chunk) {
      const m = certain ? lookup(certain, def) : undefined;
      const possible = m || !possibleIndex ? undefined : lookup(possibleIndex, def);
      const hit = m ?? possible;
      if (hit) hits.push({ def, m, hit });
    }
    byChunk.set(chunk, hits);
  }
  return hits;
}

/** A removal in a release newer than nixkit can rule out: a warning, without a fix (an older nixpkgs needs the option). */
function reportPossible(
  ctx: Ctx,
  def: Definition,
  m: Match,
  at: NonNullable<Definition['at']>,
  known: NixpkgsRelease | undefined,
): void {
  const { entry } = m;
  const old = def.path.slice(0, m.length).join('.');
  // A stateVersion of "24.11" is valid on unstable months before 24.11 ships: at least its development branch.
  const which = !known
    ? 'nixkit cannot tell which NixOS release this configuration is built with'
    : known.releaseItself === 'unsure'
      ? `${known.from} says this configuration's nixpkgs is at least ${known.release}'s development branch` +
        (compareReleases(entry.release, known.release) === 0 ? ', which may predate the change' : '')
      : `this configuration's nixpkgs is ${known.release} or newer (from ${known.from})`;
  const instead = m.to ? `use ${m.to.join('.')}` : (entry.advice ?? 'delete it');
  ctx.report({
    at,
    message: `${old} was removed in NixOS ${entry.release}: evaluation fails with NixOS ${entry.release} or later (${which}); ${instead}`,
    severity: 'warning',
  });
}

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
  find: (d: Definition) => Match | undefined,
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
    const dm = find(d);
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
  find: (d: Definition) => Match | undefined,
  /** Whether the mkIfs around it hold here (Definition: conditions); true for a definition without any. */
  applies: boolean | undefined,
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
  } else if (entry.kind === 'deprecated') {
    message = `${old} has no effect since NixOS ${entry.release}; evaluation warns: ${entry.advice ?? 'delete it'}`;
    const edit = deleteDefinition(def, ctx.sources);
    if (edit && def.path.length === m.length)
      fixes.push({ title: `Delete ${old}`, edits: [edit], preferred: true });
  } else {
    message = `${old} was removed in NixOS ${entry.release} and evaluation fails: ${entry.advice ?? 'delete it'}`;
    if (!entry.prefix && def.path.length === m.length) {
      const edit = deleteDefinition(def, ctx.sources);
      if (edit) fixes.push({ title: `Delete ${old}`, edits: [edit], preferred: true });
    }
  }
  if (applies === undefined) {
    // Under an mkIf nixkit cannot decide: NixOS drops the definition when the condition is false, and with it
    // the failure or the warning. Still worth knowing (it breaks the day the condition holds), never an error.
    ctx.report({
      at,
      message: `${message} (when the mkIf around it applies)`,
      fixes,
      severity: 'warning',
      hedged: true,
    });
    return;
  }
  ctx.report({ at, message, fixes, severity: entry.kind === 'removed' ? 'error' : 'warning' });
}

/** The text from a place on (a few hundred characters: enough for an mkIf's condition). */
function textAt(ctx: Ctx, src: NonNullable<Definition['condition']>): string {
  const text = ctx.sources.parsed(src.file)?.lines.text ?? '';
  return text.slice(src.span.start, Math.min(src.span.end, src.span.start + 400));
}
