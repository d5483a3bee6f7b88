// POSIX shell quoting for every argument that reaches a remote shell (dash, bash, busybox ash, zsh in sh mode).
// A tiny single-quote quoter rather than a library: inside '...' POSIX shells interpret nothing at all, so the only
// character needing care is the quote itself ('\''), and that is the whole algorithm. shell-quote's quote() mixes
// double quotes and backslashes (whose meaning differs between shells), shescape picks escaping per detected shell;
// neither is needed for plain POSIX single-quote semantics and neither is a dependency yet.

/** Characters that never need quoting anywhere in a POSIX command line (kept bare for readable logs). */
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes one argument. NUL cannot be part of an argv string at all, so it is refused rather than dropped. */
export function shQuote(arg: string): string {
  if (arg.includes('\0')) throw new Error('a shell argument cannot contain a NUL byte');
  if (arg !== '' && SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Quotes each argument and joins them: the result runs `argv` exactly, with no word splitting or expansion. */
export function shJoin(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('empty command');
  return argv.map(shQuote).join(' ');
}
