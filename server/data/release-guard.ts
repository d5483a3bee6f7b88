// Conditions on the NixOS release itself (`mkIf (config.system.nixos.release < "24.11") { hardware.opengl… }`,
// `lib.versionAtLeast lib.version "25.05"`): a configuration that keeps definitions for older and newer releases
// side by side. When the release nixkit knows for the configuration decides the condition, a renamed or removed
// option under it is either dropped by NixOS (false) or really there (true).
import { compareReleases, latestShippedRelease, UNSTABLE, type NixpkgsRelease } from './releases';

type Op = '<' | '<=' | '>' | '>=';

/** The release as a configuration can read it: the option, nixpkgs' lib version, and their spellings. */
// (not a bare `version` or `release`: a let-bound package version is no NixOS release)
const RELEASE = String.raw`(?:config\.system\.nixos\.(?:release|version)|lib\.(?:trivial\.)?(?:release|version)|trivial\.(?:release|version))`;
const X = String.raw`"(\d\d\.\d\d)"`;
const FLIP: Record<Op, Op> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/** `release OP "X"` for the whole of `cond`, or undefined. */
function guardOf(cond: string): { op: Op; x: string } | undefined {
  const c = cond
    .trim()
    .replace(/^\((.*)\)$/s, '$1')
    .trim();
  let m = new RegExp(`^${RELEASE}\\s*(<=|>=|<|>)\\s*${X}$`).exec(c);
  if (m) return { op: m[1] as Op, x: m[2] };
  m = new RegExp(`^${X}\\s*(<=|>=|<|>)\\s*${RELEASE}$`).exec(c);
  if (m) return { op: FLIP[m[2] as Op], x: m[1] };
  m = new RegExp(
    `^(?:lib\\.)?(?:strings\\.)?(versionOlder|versionAtLeast)\\s+\\(?${RELEASE}\\)?\\s+${X}$`,
  ).exec(c);
  if (m) return { op: m[1] === 'versionOlder' ? '<' : '>=', x: m[2] };
  m = new RegExp(
    `^(?:lib\\.)?(?:strings\\.)?(versionOlder|versionAtLeast)\\s+${X}\\s+\\(?${RELEASE}\\)?$`,
  ).exec(c);
  if (m) return { op: m[1] === 'versionOlder' ? '>' : '<=', x: m[2] };
  return undefined;
}

/** The condition of an `mkIf` call written at the start of `text` (`mkIf (a < b) {…}`, `lib.mkIf cond {…}`). */
function conditionText(text: string): string | undefined {
  const m = /^(?:lib\.)?mkIf\s*/.exec(text);
  if (!m) return undefined;
  let i = m[0].length;
  if (text[i] !== '(') return /^[^\s{]+/.exec(text.slice(i))?.[0];
  let depth = 0;
  for (const start = i; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return text.slice(start, i + 1);
  }
  return undefined;
}

/**
 * Whether the `mkIf` written at the start of `text` holds for a configuration of `known` release: false when the
 * release rules it out (the whole condition is a release test, or one of its `&&` terms is), true when the whole
 * condition is a release test it passes, undefined when nixkit cannot tell.
 */
export function releaseGuardHolds(text: string, known: NixpkgsRelease | undefined): boolean | undefined {
  if (!known) return undefined;
  const cond = conditionText(text);
  if (!cond) return undefined;
  // Unstable is newer than every shipped release, and how far ahead it is depends on its date.
  const unstable = known.release === UNSTABLE;
  const lo = unstable ? latestShippedRelease() : known.release;
  const hi = unstable
    ? undefined
    : known.exact
      ? known.release
      : known.atMost !== UNSTABLE
        ? known.atMost
        : undefined;
  const decide = (g: { op: Op; x: string }): boolean | undefined => {
    if (unstable) {
      if (compareReleases(g.x, lo) > 0) return undefined;
      return g.op === '>' || g.op === '>=';
    }
    const below = (r: string) => compareReleases(r, g.x);
    switch (g.op) {
      case '<':
        return below(lo) >= 0 ? false : hi !== undefined && below(hi) < 0 ? true : undefined;
      case '<=':
        return below(lo) > 0 ? false : hi !== undefined && below(hi) <= 0 ? true : undefined;
      case '>=':
        return below(lo) >= 0 ? true : hi !== undefined && below(hi) < 0 ? false : undefined;
      case '>':
        return below(lo) > 0 ? true : hi !== undefined && below(hi) <= 0 ? false : undefined;
    }
  };
  const whole = guardOf(cond);
  if (whole) return decide(whole);
  const inner = cond.trim().replace(/^\((.*)\)$/s, '$1');
  if (inner.includes('||')) return undefined;
  for (const term of inner.split('&&')) {
    const g = guardOf(term);
    if (g && decide(g) === false) return false;
  }
  return undefined;
}
