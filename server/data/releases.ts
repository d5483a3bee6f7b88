// NixOS releases, and which nixpkgs a configuration is built with, as far as the flake says.
import * as path from 'node:path';
import type { NixosConfiguration } from '../model/configuration';
import type { Evaluator } from '../model/evaluator';
import { readFileGuarded } from '../model/sources';
import type { Value } from '../model/value';

/** Releases before the regular May/November rhythm. */
const EARLY = [
  '13.10',
  '14.04',
  '14.12',
  '15.09',
  '16.03',
  '16.09',
  '17.03',
  '17.09',
  '18.03',
  '18.09',
  '19.03',
  '19.09',
  '20.03',
  '20.09',
];

/** The release nixpkgs' unstable branch works towards on a date (it is named months before it ships). */
function developmentRelease(now: Date): string {
  const y = now.getUTCFullYear() % 100;
  const m = now.getUTCMonth() + 1;
  // 26.05 branches off in late May: from June, unstable says 26.11; from December, 27.05.
  if (m >= 12) return `${pad(y + 1)}.05`;
  if (m >= 6) return `${pad(y)}.11`;
  return `${pad(y)}.05`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Every NixOS release up to the one unstable is developing (and the one after it, which a date cannot rule out). */
export function nixosReleases(now = new Date()): string[] {
  const out = [...EARLY];
  const [dy, dm] = developmentRelease(now).split('.').map(Number);
  const last = dm === 5 ? `${pad(dy)}.11` : `${pad(dy + 1)}.05`;
  for (let y = 21; ; y++) {
    for (const m of ['05', '11']) {
      const r = `${pad(y)}.${m}`;
      if (compareReleases(r, last) > 0) return out;
      out.push(r);
    }
  }
}

/**
 * Version strings NixOS itself gave that no release kept: unstable called itself 21.03 from late 2020 until the
 * release was moved to May (21.05), so `nixos-generate-config` wrote `system.stateVersion = "21.03"` then.
 */
const UNSTABLE_ONLY_VERSIONS = ['21.03'];

export function isNixosRelease(v: string, now = new Date()): boolean {
  return UNSTABLE_ONLY_VERSIONS.includes(v) || nixosReleases(now).includes(v);
}

/** The newest release that has shipped (what `system.stateVersion` of a fresh install says). */
export function latestShippedRelease(now = new Date()): string {
  const dev = developmentRelease(now);
  const [y, m] = dev.split('.').map(Number);
  return m === 11 ? `${pad(y)}.05` : `${pad(y - 1)}.11`;
}

export function compareReleases(a: string, b: string): number {
  const [ay, am] = a.split('.').map(Number);
  const [by, bm] = b.split('.').map(Number);
  return ay - by || am - bm;
}

/** Stands for unstable/master: newer than any numbered release. */
export const UNSTABLE = '99.99';

/** Where a flake reference names a tag: after `github:owner/repo/` (or gitlab, sourcehut), or in `?ref=`. */
const TAG_REF = String.raw`(?:^(?:github|gitlab|sourcehut):[^/]+\/[^/]+\/|[?&]ref=)(?:refs\/tags\/)?`;
/** `22.05`: the commit a release was made from. */
const RELEASE_TAG = new RegExp(String.raw`${TAG_REF}(\d\d\.\d\d)(?:$|[?&#])`, 'i');
/** `22.05-pre` (22.05's development began), `22.05-beta` (its branch-off). */
const DEVELOPMENT_TAG = new RegExp(String.raw`${TAG_REF}(\d\d)\.(05|11)-(?:pre|beta)(?:$|[?&#])`, 'i');

/** The release a nixpkgs flake reference follows, UNSTABLE for unstable/master, undefined when unknown. */
export function releaseOfNixpkgsRef(ref: string): string | undefined {
  // `…/archive/nixos-23.05.tar.gz` names the branch's tarball.
  const numbered =
    /(?:nixos|nixpkgs|release)-(\d\d\.\d\d)(?:-small|-darwin)?(?:\.tar\.[gx]z|\.zip)?(?:$|[/?&#])/.exec(ref);
  if (numbered) return numbered[1];
  // A release tag (`github:NixOS/nixpkgs/22.05`, `?ref=refs/tags/22.05`): the commit the release was made from.
  const tag =
    RELEASE_TAG.exec(ref) ?? /\/archive\/(?:refs\/tags\/)?(\d\d\.\d\d)\.(?:tar\.gz|zip)(?:$|[?#])/.exec(ref);
  if (tag) return tag[1];
  const flakehub = /flakehub\.com\/f\/NixOS\/nixpkgs\/0\.(\d\d)(\d\d)\b/i.exec(ref);
  if (flakehub) return `${flakehub[1]}.${flakehub[2]}`;
  if (/flakehub\.com\/f\/NixOS\/nixpkgs\/0\.1\b/i.test(ref)) return UNSTABLE;
  if (/(?:nixos|nixpkgs)-unstable(?:-small)?(?:$|[/?&#])|[/=]master(?:$|[/?&#])/.test(ref)) return UNSTABLE;
  // `github:NixOS/nixpkgs` with no branch is master.
  if (/^(?:github|gitlab):[^/]+\/nixpkgs\/?$/i.test(ref)) return UNSTABLE;
  return undefined;
}

function isNixpkgsRef(ref: string): boolean {
  // (a channel's tarball, `https://channels.nixos.org/nixos-21.11/nixexprs.tar.xz`, is nixpkgs too)
  return (
    (/(?:^|[:/])nixpkgs(?:$|[/?#.])|NixOS\/nixpkgs/i.test(ref) ||
      /^https?:\/\/(?:channels\.nixos\.org|nixos\.org\/channels|releases\.nixos\.org)\//i.test(ref)) &&
    !/home-manager|nix-darwin/i.test(ref)
  );
}

/**
 * A tag made while a release was in development (`22.05-pre` when it began, `22.05-beta` at branch-off): newer
 * than the release before it, and holding at most that release's changes.
 */
function developmentTag(ref: string): NixpkgsRelease | undefined {
  const m = DEVELOPMENT_TAG.exec(ref);
  if (!m) return undefined;
  const y = Number(m[1]);
  const before = m[2] === '05' ? `${pad(y - 1)}.11` : `${pad(y)}.05`;
  return { release: before, exact: false, atMost: `${m[1]}.${m[2]}`, from: 'flake.nix' };
}

/** What nixkit knows of the nixpkgs release a configuration is built with. */
export interface NixpkgsRelease {
  /** The release (UNSTABLE for unstable/master); with `exact` false, the oldest it can be. */
  release: string;
  /** The release is that one (a release branch), not only a lower bound (a lock date, `system.stateVersion`). */
  exact: boolean;
  /**
   * The newest release whose changes it can hold, when that is known although the release is not: an unstable
   * branch locked on a date holds the releases shipped before it and part of the one then in development.
   */
  atMost?: string;
  /**
   * `unsure`: the bound's own release may be only in development (a stateVersion of "23.11" is valid on unstable
   * months before 23.11 ships), so its changes are not certain; only older releases' are.
   */
  releaseItself?: 'unsure';
  /** Where it comes from, for messages: "flake.lock", "flake.nix", "the date of flake.lock", "system.stateVersion". */
  from: string;
}

/**
 * The nixpkgs release of a configuration: for a flake, each nixpkgs input's branch (its `url` in flake.nix, else
 * the locked `original.ref` in flake.lock), else the date flake.lock locked it (a lower bound: the oldest release
 * still maintained then); otherwise `system.stateVersion` (a lower bound: nobody builds with a nixpkgs older than
 * their state version). The oldest input wins when there are several. Undefined when nothing says.
 */
export function nixpkgsRelease(config: NixosConfiguration, evaluator: Evaluator): NixpkgsRelease | undefined {
  const sv = config.string('system.stateVersion');
  const fromStateVersion: NixpkgsRelease | undefined =
    sv && sv !== 'unset' && isNixosRelease(sv.value)
      ? { release: sv.value, exact: false, from: 'system.stateVersion', releaseItself: 'unsure' }
      : undefined;
  // A build script's literal `-I nixpkgs=…/nixos-20.09.tar.gz` is the release it builds with.
  const scripted = config.entry.scriptNixpkgs && releaseOfNixpkgsRef(config.entry.scriptNixpkgs);
  if (scripted)
    return {
      release: scripted,
      exact: true,
      from: /nix-channel|\/channels\//.test(config.entry.scriptNixpkgs ?? '')
        ? 'the channel its install script adds'
        : 'the nixpkgs its build script names',
    };
  const inFlake = config.entry.kind === 'flake' || path.basename(config.entry.file) === 'flake.nix';
  const fromFlake = inFlake
    ? flakeRelease(config.entry.file, evaluator, config.entry.nixpkgsInput)
    : config.entry.kind === 'colmena'
      ? hiveRelease(config.entry.file, evaluator)
      : config.entry.kind === 'configuration.nix'
        ? // a file building the system with the pinned source's eval-config.nix (a pivot) uses its pin
          pinnedRelease(
            config.entry.file,
            evaluator,
            !/eval-config\.nix/.test(evaluator.sources.parsed(config.entry.file)?.lines.text ?? ''),
          )
        : undefined;
  if (fromFlake?.exact) return fromFlake;
  // Two lower bounds: the higher one holds.
  if (fromFlake && fromStateVersion)
    return compareReleases(fromFlake.release, fromStateVersion.release) >= 0
      ? fromFlake
      : { ...fromStateVersion, atMost: fromFlake.atMost };
  return fromFlake ?? fromStateVersion;
}

/** The oldest release this configuration can be built with (see `nixpkgsRelease`), or undefined. */
export function nixpkgsReleaseAtLeast(config: NixosConfiguration, evaluator: Evaluator): string | undefined {
  return nixpkgsRelease(config, evaluator)?.release;
}

/**
 * A colmena hive.nix (or NixOps/morph network) that pins nixpkgs by URL (`meta.nixpkgs = import (fetchTarball
 * "https://github.com/NixOS/nixpkgs/archive/nixos-23.05.tar.gz") { }`): the release every such URL in the file
 * names, when they agree. `<nixpkgs>` and URLs without a release leave it unknown.
 */
function hiveRelease(file: string, ev: Evaluator): NixpkgsRelease | undefined {
  return pinnedRelease(file, ev);
}

/**
 * The nixpkgs a file outside flakes pins (a colmena hive.nix, a NixOps or morph network, a configuration.nix),
 * read from it and the files it names with path literals: a release tarball URL (`fetchTarball
 * …/nixos-23.05.tar.gz`), or a niv or npins pin it uses (`sources.nixpkgs` with `nix/sources.json` "branch":
 * "nixos-21.05", `npins/sources.json`). Undefined unless every pin found names the same release.
 */
function pinnedRelease(file: string, ev: Evaluator, asNixPath = false): NixpkgsRelease | undefined {
  const files = [file, ...namedFiles(file, ev).slice(0, 16)];
  // A configuration.nix may fetch another nixpkgs for one package: only a pin it makes the system's own
  // (`nix.nixPath = [ "nixpkgs=${sources.nixpkgs}" ]`, which the next nixos-rebuild uses) says its release.
  if (asNixPath && !files.some((f) => /nixpkgs=/.test(ev.sources.parsed(f)?.lines.text ?? '')))
    return undefined;
  const releases = new Set<string>();
  let from = path.basename(file);
  for (const f of files) {
    const text = ev.sources.parsed(f)?.lines.text;
    if (!text) continue;
    for (const m of text.matchAll(/"([a-z+]+:\/\/[^"\s]+)"/g)) {
      if (!isNixpkgsRef(m[1])) continue;
      const r = releaseOfNixpkgsRef(m[1]);
      if (!r) return undefined;
      releases.add(r);
    }
    // niv (`sources = import ./nix/sources.nix; … sources.nixpkgs`) and npins (`import ./npins`)
    const keys = new Set([...text.matchAll(/\bsources\.([A-Za-z0-9_-]+)/g)].map((m) => m[1]));
    if (/\bpins\.([A-Za-z0-9_-]+)/.test(text))
      for (const m of text.matchAll(/\bpins\.([A-Za-z0-9_-]+)/g)) keys.add(m[1]);
    if (!keys.size) continue;
    for (const json of pinFiles(f, ev)) {
      for (const key of keys) {
        const branch = pinBranch(json.pins, key);
        if (branch === undefined) continue;
        const r = releaseOfNixpkgsRef(`github:NixOS/nixpkgs/${branch}`);
        if (!r) return undefined;
        releases.add(r);
        from = path.relative(path.dirname(file), json.file) || json.file;
      }
    }
  }
  if (releases.size !== 1) return undefined;
  const [release] = releases;
  return release === UNSTABLE ? undefined : { release, exact: true, from };
}

/** The files a file names with path literals (`./nix/sources.nix`, `./npins`, `./nixpkgs.nix`), folders as default.nix. */
function namedFiles(file: string, ev: Evaluator): string[] {
  const text = ev.sources.parsed(file)?.lines.text ?? '';
  const out: string[] = [];
  for (const m of text.matchAll(/(?<![\w/.])(\.{1,2}\/[\w./+-]*)/g)) {
    const p = path.resolve(path.dirname(file), m[1]);
    const f = ev.sources.isDirectory(p) ? path.join(p, 'default.nix') : p;
    if (f !== file && f.endsWith('.nix') && !out.includes(f)) out.push(f);
  }
  return out;
}

/** niv's and npins' pin files a file may use: beside a sources.nix or npins/default.nix it names, or its own. */
function pinFiles(file: string, ev: Evaluator): { file: string; pins: Record<string, unknown> }[] {
  const out: { file: string; pins: Record<string, unknown> }[] = [];
  const candidates = new Set<string>();
  for (const f of [file, ...namedFiles(file, ev)])
    if (/(^|\/)(sources\.nix|npins\/default\.nix)$/.test(f))
      candidates.add(path.join(path.dirname(f), 'sources.json'));
  for (const c of candidates) {
    const read = readFileGuarded(c, 1024 * 1024);
    if (!read.ok) continue;
    try {
      const json = JSON.parse(read.bytes.toString('utf8')) as Record<string, unknown>;
      // npins: { pins: { name: { … } }, version }; niv: { name: { … } }
      const pins = json.pins && typeof json.pins === 'object' ? (json.pins as Record<string, unknown>) : json;
      out.push({ file: c, pins });
    } catch {
      // not a pin file nixkit can read
    }
  }
  return out;
}

/** The nixpkgs branch a niv or npins pin follows (`"branch": "nixos-21.05"`, an npins channel's `name`). */
function pinBranch(pins: Record<string, unknown>, key: string): string | undefined {
  const pin = pins[key];
  if (!pin || typeof pin !== 'object') return undefined;
  const p = pin as Record<string, unknown>;
  const repo = (p.repository && typeof p.repository === 'object' ? p.repository : p) as Record<
    string,
    unknown
  >;
  const isNixpkgs =
    (str(repo.owner)?.toLowerCase() === 'nixos' && str(repo.repo) === 'nixpkgs') ||
    str(p.type) === 'Channel' ||
    /nixos\/nixpkgs/i.test(str(p.url) ?? '');
  if (!isNixpkgs) return undefined;
  return str(p.branch) ?? (str(p.type) === 'Channel' ? str(p.name) : undefined);
}

/** The release branch of a flake's nixpkgs inputs (the oldest when several differ); undefined unless every one is known. */
export function flakeNixpkgsRelease(flakeFile: string, ev: Evaluator): string | undefined {
  const r = flakeRelease(flakeFile, ev);
  return r?.exact ? r.release : undefined;
}

function flakeRelease(flakeFile: string, ev: Evaluator, builtBy?: string): NixpkgsRelease | undefined {
  const declared = declaredInputs(flakeFile, ev);
  if (!declared) return undefined;
  const lock = readFlakeLock(path.join(path.dirname(flakeFile), 'flake.lock'));
  let names = new Set<string>();
  for (const [name, ref] of declared) if (ref !== undefined && isNixpkgsRef(ref)) names.add(name);
  // Inputs flake.nix names without a url (`nixpkgs` from the registry) are in the lock only.
  for (const name of lock ? lockedRootInputs(lock) : [])
    if (declared.get(name) === undefined && isNixpkgsNode(lockNode(lock!, name))) names.add(name);
  // The input whose lib.nixosSystem builds the machine, when nixkit saw it: the other nixpkgs do not count.
  if (builtBy !== undefined && names.has(builtBy)) names = new Set([builtBy]);
  const found: NixpkgsRelease[] = [];
  for (const name of names) {
    const ref = declared.get(name);
    const fromUrl = ref !== undefined ? releaseOfNixpkgsRef(ref) : undefined;
    const node = lock ? lockNode(lock, name) : undefined;
    const r: NixpkgsRelease | undefined =
      fromUrl === UNSTABLE
        ? (unstableLockedAt(node) ?? { release: UNSTABLE, exact: true, from: 'flake.nix' })
        : fromUrl
          ? { release: fromUrl, exact: true, from: 'flake.nix' }
          : ((ref !== undefined ? developmentTag(ref) : undefined) ?? releaseOfLockNode(node));
    if (!r) return undefined;
    found.push(r);
  }
  if (!found.length) return undefined;
  found.sort((a, b) => compareReleases(a.release, b.release));
  // The newest any input can hold bounds them all, if every input has such a bound.
  const bounds = found.map((r) => r.atMost ?? (r.exact ? r.release : undefined));
  const atMost = bounds.every((b) => b !== undefined)
    ? (bounds as string[]).sort(compareReleases)[bounds.length - 1]
    : undefined;
  const exact = found.every((r) => r.exact);
  return { ...found[0], exact, atMost: exact ? undefined : atMost };
}

/**
 * An unstable branch (nixos-unstable, nixpkgs-unstable, master) pinned by flake.lock: it holds every release
 * shipped before the date it was locked, and possibly changes of the release then in development, no later one.
 */
function unstableLockedAt(node: LockNode | undefined): NixpkgsRelease | undefined {
  const when = lockDate(node);
  if (when === undefined) return undefined;
  const date = new Date(when * 1000);
  return {
    release: latestShippedRelease(date),
    exact: false,
    atMost: developmentRelease(date),
    from: `the date flake.lock pinned the unstable branch (${date.toISOString().slice(0, 10)})`,
  };
}

/** The whole of what the flake says of its nixpkgs (see nixpkgsRelease), or undefined. */
export function flakeReleaseInfo(flakeFile: string, ev: Evaluator): NixpkgsRelease | undefined {
  return flakeRelease(flakeFile, ev);
}

/** A flake's `inputs`: name → its reference (undefined for an input without one nixkit can read). */
function declaredInputs(flakeFile: string, ev: Evaluator): Map<string, string | undefined> | undefined {
  const top = ev.force(ev.fileThunk(flakeFile));
  if (top.t !== 'attrs') return undefined;
  const out = new Map<string, string | undefined>();
  const inputs = top.attrs.get('inputs');
  const set = inputs ? ev.force(inputs) : undefined;
  if (set && set.t === 'attrs') for (const [name, t] of set.attrs) out.set(name, inputRef(ev, ev.force(t)));
  return out;
}

interface LockNode {
  inputs?: Record<string, string | string[]>;
  locked?: Record<string, unknown>;
  original?: Record<string, unknown>;
}
interface FlakeLock {
  nodes: Record<string, LockNode>;
  root: string;
}

/** flake.lock, read with the same guards as any file (size cap, no devices); undefined when absent or not a lock. */
export function readFlakeLock(file: string): FlakeLock | undefined {
  const read = readFileGuarded(file, 4 * 1024 * 1024);
  if (!read.ok) return undefined;
  try {
    const lock = JSON.parse(read.bytes.toString('utf8')) as Partial<FlakeLock>;
    if (!lock || typeof lock !== 'object' || typeof lock.nodes !== 'object' || !lock.nodes) return undefined;
    return { nodes: lock.nodes, root: typeof lock.root === 'string' ? lock.root : 'root' };
  } catch {
    return undefined;
  }
}

function lockedRootInputs(lock: FlakeLock): string[] {
  return Object.keys(lock.nodes[lock.root]?.inputs ?? {});
}

/** The node an input of the root flake is locked to (following `follows` paths, a bounded number of steps). */
function lockNode(lock: FlakeLock, name: string): LockNode | undefined {
  let ref: string | string[] | undefined = lock.nodes[lock.root]?.inputs?.[name];
  for (let steps = 0; Array.isArray(ref) && steps < 16; steps++) {
    // A `follows` path from the root: [input, input-of-that-input, …].
    let node: LockNode | undefined = lock.nodes[lock.root];
    let next: string | string[] | undefined;
    for (const part of ref) {
      next = node?.inputs?.[part];
      if (Array.isArray(next)) break;
      node = typeof next === 'string' ? lock.nodes[next] : undefined;
    }
    ref = next;
  }
  return typeof ref === 'string' ? lock.nodes[ref] : undefined;
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

function isNixpkgsNode(node: LockNode | undefined): boolean {
  if (!node) return false;
  for (const part of [node.original, node.locked]) {
    if (!part) continue;
    if (str(part.owner)?.toLowerCase() === 'nixos' && str(part.repo) === 'nixpkgs') return true;
    if (str(part.id) === 'nixpkgs') return true;
    const url = str(part.url);
    if (url && isNixpkgsRef(url)) return true;
  }
  return false;
}

/** A locked nixpkgs: its branch (`original.ref`), else the oldest release still maintained when it was locked. */
export function releaseOfLockNode(node: LockNode | undefined): NixpkgsRelease | undefined {
  if (!node) return undefined;
  const o = node.original ?? {};
  const ref = str(o.ref);
  const url = str(o.url);
  const spelled = ref ? `github:NixOS/nixpkgs/${ref}` : url;
  const branch = spelled ? releaseOfNixpkgsRef(spelled) : undefined;
  if (branch === UNSTABLE)
    return unstableLockedAt(node) ?? { release: branch, exact: true, from: 'flake.lock' };
  if (branch) return { release: branch, exact: true, from: 'flake.lock' };
  const when = lockDate(node);
  if (when !== undefined) {
    const date = new Date(when * 1000);
    // A commit of that date holds no change made after it: at most the release then in development.
    return {
      release: maintainedReleaseAt(date),
      exact: false,
      atMost: developmentRelease(date),
      from: 'the date of flake.lock',
    };
  }
  return undefined;
}

/**
 * When a locked input was last changed (seconds), if the lock says. A `path:` input's lock carries
 * `"lastModified": 1` (Nix writes that for paths): it says nothing of the date.
 */
function lockDate(node: LockNode | undefined): number | undefined {
  const when = node?.locked?.lastModified;
  // A real lock date is long after 2001 (1,000,000,000 s); flakes came in 2019.
  return typeof when === 'number' && Number.isFinite(when) && when > 1_000_000_000 ? when : undefined;
}

/**
 * The oldest release still maintained on a date: a release gets fixes until the end of the seventh month after
 * it ships (YY.05 until the end of December, YY.11 until the end of June), so a nixpkgs commit of that date is
 * from that release or a newer one.
 */
export function maintainedReleaseAt(date: Date): string {
  const y = date.getUTCFullYear() % 100;
  const m = date.getUTCMonth() + 1;
  // January to June: last year's .11 is still maintained; July to December: this year's .05.
  return m <= 6 ? `${pad(y - 1)}.11` : `${pad(y)}.05`;
}

function inputRef(ev: Evaluator, v: Value): string | undefined {
  if (v.t === 'str') return v.v;
  if (v.t !== 'attrs') return undefined;
  const str = (k: string) => {
    const t = v.attrs.get(k);
    const x = t ? ev.force(t) : undefined;
    return x?.t === 'str' ? x.v : undefined;
  };
  const url = str('url');
  if (url) return url;
  const type = str('type');
  const owner = str('owner');
  const repo = str('repo');
  if (type && owner && repo) return `${type}:${owner}/${repo}${str('ref') ? '/' + str('ref') : ''}`;
  return undefined;
}
