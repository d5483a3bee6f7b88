// The systems NixOS can be built for, and what tools print when they go wrong. Shared by the host-platform rules.

/** Linux system doubles nixpkgs knows (lib/systems/doubles.nix); NixOS builds for any of them. */
export const LINUX_SYSTEMS = [
  'x86_64-linux',
  'aarch64-linux',
  'i686-linux',
  'armv7l-linux',
  'armv6l-linux',
  'armv7a-linux',
  'armv5tel-linux',
  'riscv64-linux',
  'riscv32-linux',
  'powerpc64le-linux',
  'powerpc64-linux',
  'powerpc-linux',
  'loongarch64-linux',
  'mips64el-linux',
  'mips64-linux',
  'mipsel-linux',
  'mips-linux',
  'm68k-linux',
  'microblaze-linux',
  'microblazeel-linux',
  's390x-linux',
  's390-linux',
];

/** Where NixOS is commonly installed: suggestions prefer these. */
const COMMON = [
  'x86_64-linux',
  'aarch64-linux',
  'i686-linux',
  'armv7l-linux',
  'armv6l-linux',
  'riscv64-linux',
];

/** Other operating systems' doubles: valid for nixpkgs, never for a NixOS host. */
const OTHER_KERNELS =
  /-(darwin|freebsd\d*|openbsd|netbsd|windows|cygwin|mingw32|none|wasi|redox|genode|solaris|illumos)$/;

/** CPU names people write that nixpkgs spells differently. */
const CPU_ALIASES: Record<string, string> = {
  'x86-64': 'x86_64',
  x86_64: 'x86_64',
  x64: 'x86_64',
  amd64: 'x86_64',
  intel64: 'x86_64',
  arm64: 'aarch64',
  aarch64: 'aarch64',
  armv8: 'aarch64',
  i386: 'i686',
  i486: 'i686',
  i586: 'i686',
  x86: 'i686',
  ppc64le: 'powerpc64le',
  riscv64: 'riscv64',
};

export type PlatformCheck =
  | { ok: true }
  /** Not a Linux system NixOS can run on. */
  | { ok: false; reason: 'not-linux' | 'unknown' };

/**
 * Whether a `nixpkgs.hostPlatform` / `system` string names a Linux system. Config triples that mention Linux
 * (`aarch64-unknown-linux-musl`) are accepted: nixpkgs parses them, and nixkit does not second-guess them.
 * Cheap on any input (a few splits and lookups); the "did you mean" is `platformSuggestion`, asked only when a
 * finding is reported.
 */
export function checkPlatform(value: string): PlatformCheck {
  if (LINUX_SYSTEMS.includes(value)) return { ok: true };
  const parts = value.split('-', 16);
  if (parts.length >= 3 && parts.includes('linux') && LINUX_SYSTEMS.includes(`${parts[0]}-linux`))
    return { ok: true };
  if (OTHER_KERNELS.test(value)) return { ok: false, reason: 'not-linux' };
  return { ok: false, reason: 'unknown' };
}

/** Longer strings are no misspelt system double (the longest is 18 characters): no suggestion is computed. */
export const MAX_SUGGESTION_INPUT = 64;

/** The Linux system to suggest for a value `checkPlatform` refused, if one is close; bounded work on any input. */
export function platformSuggestion(value: string, check: PlatformCheck): string | undefined {
  if (check.ok || value.length > MAX_SUGGESTION_INPUT) return undefined;
  if (check.reason === 'not-linux') {
    const cpu = value.split('-', 1)[0].toLowerCase();
    const mappedCpu =
      CPU_ALIASES[cpu] ?? (LINUX_SYSTEMS.some((s) => s.startsWith(cpu + '-')) ? cpu : undefined);
    return mappedCpu ? `${mappedCpu}-linux` : undefined;
  }
  return closestSystem(value);
}

/** The Linux system closest to a misspelt one (edit distance, after the usual CPU aliases), if any is close. */
export function closestSystem(value: string): string | undefined {
  if (value.length > MAX_SUGGESTION_INPUT) return undefined;
  const lower = value.toLowerCase().trim();
  const dash = lower.indexOf('-');
  const underscore = lower.replace(/^x86-64/, 'x86_64');
  const candidates = [lower, underscore];
  if (dash > 0) {
    const cpu = CPU_ALIASES[lower.slice(0, dash)];
    if (cpu) candidates.push(`${cpu}${lower.slice(dash)}`);
  }
  const limit = Math.max(3, Math.floor(value.length / 3));
  let best: { s: string; d: number } | undefined;
  for (const c of candidates) {
    for (const s of LINUX_SYSTEMS) {
      const d = editDistance(c, s, limit) + (COMMON.includes(s) ? 0 : 0.5);
      if (!best || d < best.d) best = { s, d };
    }
  }
  return best && best.d <= limit ? best.s : undefined;
}

/**
 * Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours cost 1.
 * With `max`, only a band of width 2·max+1 is computed and any distance above `max` is returned as `max + 1`:
 * O(length · max) time and O(length) memory, whatever the strings.
 */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (a.length > b.length) [a, b] = [b, a];
  const n = a.length;
  const m = b.length;
  const band = Number.isFinite(max) ? max : m;
  const INF = Number.MAX_SAFE_INTEGER;
  // Three rows: the previous two (for swaps) and the current one.
  let prev2 = new Array<number>(m + 1).fill(INF);
  let prev = new Array<number>(m + 1);
  let cur = new Array<number>(m + 1).fill(INF);
  for (let j = 0; j <= m; j++) prev[j] = j <= band ? j : INF;
  for (let i = 1; i <= n; i++) {
    const lo = Math.max(1, i - band);
    const hi = Math.min(m, i + band);
    cur.fill(INF);
    cur[0] = i <= band ? i : INF;
    let rowMin = cur[0];
    for (let j = lo; j <= hi; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return Math.min(prev[m], max + 1);
}

/**
 * What a tool prints when it fails or warns (`warning: …`, `error: …`, `trace: …`, `evaluation warning: …`),
 * as it ends up in a file when its output is pasted or captured into a configuration.
 */
export const TOOL_OUTPUT = /(?:^|[\s"'(=])(?:evaluation warning|warning|error|trace)\s*:(?=\s|$)/;

/** Expressions that legitimately say "error:" (a `throw` with a message, a trace): not a corrupted value. */
const DELIBERATE = /\b(?:throw|abort|builtins\.trace|lib\.warn|warnIf|lib\.trace|assert)\b/;

export function looksLikeToolOutput(text: string): boolean {
  return TOOL_OUTPUT.test(text) && !DELIBERATE.test(text);
}
