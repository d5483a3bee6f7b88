import { checkPlatform, looksLikeToolOutput } from '../data/systems';
import { hostPlatformOf, flakeSystemOf } from '../facts/platform';
import type { FileContext, Rule } from '../rule-api/rule';

/** `nixpkgs.hostPlatform =`, `hostPlatform =`, `nixpkgs.system =`, `system =` (nixosSystem, `{ system = …; }`). */
const PLATFORM_KEY = /(?<![\w'.-])((?:[A-Za-z_][\w'-]*\s*\.\s*)*(?:hostPlatform|system))\s*=(?!=)/g;

const MAX_LINES = 6;
/** A tool's warning plus a system double is a few hundred characters; longer values are not scanned (bounded work per match). */
const MAX_VALUE_CHARS = 1024;

interface Corruption {
  /** From the first key to the end of what must be replaced. */
  start: number;
  end: number;
  key: string;
  /** The value as written (for the message). */
  value: string;
  mkDefault: boolean;
}

/** Finds platform bindings whose value holds a tool's output, whether or not the file still parses. */
export function findCorruptions(text: string): Corruption[] {
  const out: Corruption[] = [];
  // A corrupted value holds a tool's "warning:"/"error:"/"trace:": a file without those words has none.
  if (!/warning|error|trace/.test(text)) return out;
  // Whether a `#` precedes a match on its line, found by one forward scan shared by all matches (looking back
  // from each match made a long line quadratic).
  let scanned = 0;
  let commentOnLine = false;
  for (const m of text.matchAll(PLATFORM_KEY)) {
    const key = m[1].replace(/\s+/g, '');
    const parts = key.split('.');
    const last = parts[parts.length - 1];
    if (
      last === 'system' &&
      !(parts.length === 1 || ['nixpkgs', 'hostPlatform', 'localSystem'].includes(parts[parts.length - 2]))
    )
      continue;
    const start = m.index!;
    for (; scanned < start; scanned++) {
      const c = text.charCodeAt(scanned);
      if (c === 10 /* \n */) commentOnLine = false;
      else if (c === 35 /* # */) commentOnLine = true;
    }
    if (commentOnLine) continue; // in a comment
    const region = valueRegion(text, start + m[0].length);
    if (!region || !looksLikeToolOutput(region.value)) continue;
    out.push({
      start,
      end: region.end,
      key,
      value: region.value.trim(),
      mkDefault: /\blib\.mkDefault\b/.test(region.value),
    });
  }
  return out;
}

/**
 * The text of a binding's value from just after `=`: up to the `;` that ends it (outside strings and comments),
 * within a few lines. When junk follows that `;` on its line (`… does not exist; = lib.mkDefault …;`), the
 * corrupted binding runs to the end of the line.
 */
function valueRegion(text: string, from: number): { value: string; end: number } | undefined {
  let inString = false;
  let lines = 0;
  // The value is the text from `from` without its comments: kept as slices, not built a character at a time.
  const pieces: string[] = [];
  let pieceStart = from;
  const stop = Math.min(text.length, from + MAX_VALUE_CHARS);
  for (let i = from; i < stop; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 /* \n */ && ++lines > MAX_LINES) return undefined;
    if (inString) {
      if (c === 92 /* \\ */) i++;
      else if (c === 34 /* " */) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 35 /* # */) {
      pieces.push(text.slice(pieceStart, i));
      const nl = text.indexOf('\n', i);
      i = (nl < 0 || nl > stop ? stop : nl) - 1;
      pieceStart = i + 1;
    } else if (c === 59 /* ; */) {
      pieces.push(text.slice(pieceStart, i));
      const value = pieces.join('');
      const eol = text.indexOf('\n', i);
      const lineEnd = Math.min(eol < 0 ? text.length : eol, i + 1 + MAX_VALUE_CHARS);
      const rest = text.slice(i + 1, lineEnd);
      const junk =
        /^\s*[=:]/.test(rest) || (/[=]/.test(rest) && !/^\s*(?:[\w"'.-]+\s*=|[}#\]]|$)/.test(rest));
      if (!junk) return { value, end: i + 1 };
      // The end of the line; trailing whitespace stays.
      return { value: value + text.slice(i, lineEnd), end: i + 1 + rest.trimEnd().length };
    } else if (c === 123 /* { */) {
      // A set (`hostPlatform = { system = …; }`): its inner bindings are matched on their own.
      return undefined;
    }
  }
  return undefined;
}

/** The platform to write: the configurations' own (flake system, module hostPlatform), else x86_64-linux. */
function platformFor(ctx: FileContext): { value: string; from: string } {
  for (const c of ctx.configurations()) {
    const s = flakeSystemOf(c);
    if (s && checkPlatform(s.value).ok)
      return { value: s.value, from: `nixosConfigurations.${c.name}'s system` };
  }
  for (const c of ctx.configurations()) {
    const h = hostPlatformOf(c);
    if (h && checkPlatform(h.value).ok && !looksLikeToolOutput(h.value))
      return { value: h.value, from: `${c.name}'s ${h.option}` };
  }
  // TODO(probe): the probed target's platform, once a probe is attached to the configuration.
  return { value: 'x86_64-linux', from: 'the most common platform; check it' };
}

export const hostPlatformCorrupted: Rule = {
  code: 'host-platform-corrupted',
  severity: 'error',
  title: 'The host platform holds text a tool printed',
  explanation:
    'nixos-generate-config and install scripts write `nixpkgs.hostPlatform` from the output of a command. When ' +
    "that command also prints a warning (for example `warning: the group 'nixbld' specified in " +
    "'build-users-group' does not exist`), the warning lands in the configuration: either it breaks the " +
    'syntax of hardware-configuration.nix, or it sits inside the platform string. Both stop the install, and ' +
    'the error Nix gives points nowhere near the cause. The fix rewrites the line with the platform the ' +
    "configuration's flake names (or `x86_64-linux` when nothing names one).",
  bad: {
    files: {
      'configuration.nix': `{ lib, ... }:
{
  nixpkgs.hostPlatform = lib.mkDefault "warning: the group 'nixbld' specified in 'build-users-group' does not exist
x86_64-linux";
  system.stateVersion = "24.11";
}
`,
    },
    expect: ['configuration.nix:3'],
  },
  good: {
    files: {
      'configuration.nix': `{ lib, ... }:
{
  nixpkgs.hostPlatform = lib.mkDefault "x86_64-linux";
  system.stateVersion = "24.11";
}
`,
    },
  },
  checkFile(ctx) {
    if (!/hostPlatform|system/.test(ctx.text)) return;
    const found = findCorruptions(ctx.text);
    if (!found.length) return;
    const platform = platformFor(ctx);
    for (const c of found) {
      const literal = `"${platform.value}"`;
      const value = c.mkDefault ? `lib.mkDefault ${literal}` : literal;
      const shown = c.value.length > 80 ? c.value.slice(0, 77) + '…' : c.value;
      ctx.report({
        at: { file: ctx.file, span: { start: c.start, end: c.end } },
        message: `${c.key} holds text a tool printed instead of a platform: ${shown}`,
        fixes: [
          {
            title: `Replace with ${c.key} = ${value}; (${platform.from})`,
            edits: [
              {
                at: { file: ctx.file, span: { start: c.start, end: c.end } },
                newText: `${c.key} = ${value};`,
              },
            ],
            preferred: true,
          },
        ],
      });
    }
  },
};
