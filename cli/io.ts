// What a CLI subcommand gets from the outside world, so each one can be tested without spawning a process.
export interface CliIO {
  /** Writes to standard output exactly as given (add your own newlines). */
  stdout(text: string): void;
  /** Writes to standard error exactly as given. */
  stderr(text: string): void;
  /** The folder paths are resolved and reported relative to. */
  cwd: string;
  /** Environment variables (process.env in the real CLI). */
  env: Record<string, string | undefined>;
  /** Cancelled on Ctrl-C. */
  signal: AbortSignal;
}

/** A subcommand: parses its own arguments, returns the process exit code (0 ok, 1 findings/failure, 2 usage or I/O). */
export type Subcommand = (args: string[], io: CliIO) => Promise<number>;

/** Exit codes shared by every subcommand. */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;
