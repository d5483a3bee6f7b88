// What nixkit hands tree-sitter, and for how long. tree-sitter-nix reads a few things differently from Nix
// 2.8, and is quadratic on some shapes; this module keeps both out of the tree:
// - its input is the text as Nix reads it, with the same length (offsets stay valid): a lone CR ends a line
//   (and a `#` comment) for Nix, so it becomes LF; Nix stops at a NUL byte outside strings and comments,
//   so that NUL and everything after it become spaces (line breaks kept), and a NUL inside a string or
//   comment becomes a space;
// - tree-sitter-nix's external scanner looks ahead over the whole run of path characters
//   ([A-Za-z0-9._+-]) at every token of the run, so a run split into many tokens (`a.a.a…`, `-----`,
//   `1-1-1…`) costs its length squared (50,000 `-`: 29 s). A run longer than MAX_TOKEN_RUN characters with
//   more than MAX_RUN_SEPARATORS separators is not handed to tree-sitter at all;
// - anything else slow is cut off by a time budget (parseBudgetMs) through tree-sitter's progress callback.
// A file refused or cut off is checked by the recogniser alone (Nix's verdict), and its contents are unknown.
import { nixInputEnd } from './recognizer';

/** Longest run of path characters tree-sitter gets (real code: identifiers and attribute paths, < 200). */
export const MAX_TOKEN_RUN = 2048;
/** ...when it holds more separators than this (a long identifier or number is one token, and cheap). */
export const MAX_RUN_SEPARATORS = 64;

/** Time tree-sitter may take on a text: 500 ms plus 1 ms per KB (a plain 4 MB file parses in about 1.1 s). */
export function parseBudgetMs(length: number): number {
  return 500 + length / 1024;
}

/** The text tree-sitter parses in place of `text` (the same length). */
export function treeSitterText(text: string): string {
  let out = text;
  if (out.includes('\r')) out = out.replace(/\r(?!\n)/g, '\n');
  if (out.includes('\0')) {
    const end = nixInputEnd(text);
    out = out.slice(0, end).replace(/\0/g, ' ') + out.slice(end).replace(/[^\n\r]/g, ' ');
  }
  return out;
}

/**
 * Why tree-sitter must not see `text`, or undefined. Linear: one pass, counting each run's length and its
 * separators (`.`, `-`, `+` after the first character).
 */
export function pathologicalShape(text: string): string | undefined {
  let run = 0;
  let separators = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x20;
    const pathChar =
      (c >= 0x61 && c <= 0x7a) ||
      (c >= 0x41 && c <= 0x5a) ||
      (c >= 0x30 && c <= 0x39) ||
      c === 0x2e ||
      c === 0x5f ||
      c === 0x2d ||
      c === 0x2b;
    if (pathChar) {
      run++;
      if (c === 0x2e || c === 0x2d || c === 0x2b) separators++;
      continue;
    }
    if (run > MAX_TOKEN_RUN && separators > MAX_RUN_SEPARATORS) {
      return `a run of ${run} characters without a space or '/' (at offset ${i - run}), which nixkit's tree parser takes too long on`;
    }
    run = 0;
    separators = 0;
  }
  return undefined;
}
