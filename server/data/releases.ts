// NixOS releases, and which nixpkgs a configuration is built with, as far as the flake says.
import type { NixosConfiguration } from '../model/configuration';
import type { Evaluator } from '../model/evaluator';
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

export function isNixosRelease(v: string, now = new Date()): boolean {
  return nixosReleases(now).includes(v);
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

/** The release a nixpkgs flake reference follows, UNSTABLE for unstable/master, undefined when unknown. */
export function releaseOfNixpkgsRef(ref: string): string | undefined {
  const numbered = /(?:nixos|nixpkgs|release)-(\d\d\.\d\d)(?:-small|-darwin)?(?:$|[/?&#])/.exec(ref);
  if (numbered) return numbered[1];
  const flakehub = /flakehub\.com\/f\/NixOS\/nixpkgs\/0\.(\d\d)(\d\d)\b/i.exec(ref);
  if (flakehub) return `${flakehub[1]}.${flakehub[2]}`;
  if (/flakehub\.com\/f\/NixOS\/nixpkgs\/0\.1\b/i.test(ref)) return UNSTABLE;
  if (/(?:nixos|nixpkgs)-unstable(?:-small)?(?:$|[/?&#])|[/=]master(?:$|[/?&#])/.test(ref)) return UNSTABLE;
  // `github:NixOS/nixpkgs` with no branch is master.
  if (/^(?:github|gitlab):[^/]+\/nixpkgs\/?$/i.test(ref)) return UNSTABLE;
  return undefined;
}

function isNixpkgsRef(ref: string): boolean {
  return /(?:^|[:/])nixpkgs(?:$|[/?#.])|NixOS\/nixpkgs/i.test(ref) && !/home-manager|nix-darwin/i.test(ref);
}

/**
 * The oldest release this configuration can be built with, as far as nixkit can tell: the flake's nixpkgs
 * inputs (the oldest of them, when there are several), else `system.stateVersion` (a configuration is not
 * built with a nixpkgs older than its state version). Undefined when nothing says.
 */
export function nixpkgsReleaseAtLeast(config: NixosConfiguration, evaluator: Evaluator): string | undefined {
  if (config.entry.kind === 'flake') {
    const fromFlake = flakeNixpkgsRelease(config.entry.file, evaluator);
    if (fromFlake) return fromFlake;
  }
  const sv = config.string('system.stateVersion');
  if (sv && sv !== 'unset' && isNixosRelease(sv.value)) return sv.value;
  return undefined;
}

/** The release of a flake's nixpkgs inputs (the oldest when several differ); undefined when any is unknown. */
export function flakeNixpkgsRelease(flakeFile: string, ev: Evaluator): string | undefined {
  const top = ev.force(ev.fileThunk(flakeFile));
  if (top.t !== 'attrs') return undefined;
  const inputs = top.attrs.get('inputs');
  const set = inputs ? ev.force(inputs) : undefined;
  if (!set || set.t !== 'attrs') return undefined;
  const releases: string[] = [];
  for (const [, t] of set.attrs) {
    const ref = inputRef(ev, ev.force(t));
    if (ref === undefined) continue;
    if (!isNixpkgsRef(ref)) continue;
    const r = releaseOfNixpkgsRef(ref);
    if (!r) return undefined;
    releases.push(r);
  }
  return releases.sort(compareReleases)[0];
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
