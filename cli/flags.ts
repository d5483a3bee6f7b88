// What the subcommands share in reading their command lines: parseArgs with the usage on a mistake and --help, and
// secrets taken from environment variables (never from the command line). Nothing here loads the engine, so
// `nixkit check` stays light (the SSH flags of `probe` and `install` are in ssh-flags.ts).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EXIT_OK, EXIT_USAGE, type CliIO } from './io';

type Options = NonNullable<ParseArgsConfig['options']>;
type HelpFlag = { help: { type: 'boolean'; short: 'h' } };

/**
 * Parses `args` for `nixkit <command>`; prints the usage and returns an exit code on a mistake or --help (which
 * every subcommand takes, as -h too).
 */
export function parseFlags<O extends Options, P extends boolean>(
  command: string,
  usage: string,
  args: string[],
  io: CliIO,
  options: O,
  allowPositionals: P,
) {
  const config = {
    args,
    allowPositionals,
    options: { ...options, help: { type: 'boolean', short: 'h' } } as O & HelpFlag,
  };
  let parsed: ReturnType<typeof parseArgs<typeof config>>;
  try {
    parsed = parseArgs(config);
  } catch (e) {
    io.stderr(`nixkit ${command}: ${(e as Error).message}\n${usage}\n`);
    return EXIT_USAGE;
  }
  // The generic result does not show `help` until the caller's options are known.
  if ((parsed.values as { help?: boolean }).help) {
    io.stdout(usage + '\n');
    return EXIT_OK;
  }
  return parsed;
}

/**
 * The value of the environment variable a `--…-env VAR` flag names: undefined without the flag, null (with the
 * reason printed) when the variable is not set.
 */
export function secretFromEnv(
  command: string,
  io: CliIO,
  name: string | undefined,
  flag: string,
): string | undefined | null {
  if (name === undefined) return undefined;
  const value = io.env[name];
  if (value === undefined) {
    io.stderr(`nixkit ${command}: ${flag} ${name}: that environment variable is not set\n`);
    return null;
  }
  return value;
}
