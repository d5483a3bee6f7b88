// `nixkit check PATH... [--format text|json|sarif] [--max-file-size BYTES]`
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { checkPaths } from '../analysis/check-files';
import { formatJson, formatSarif, formatText, type OutputFormat } from './format';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type CliIO, type Subcommand } from './io';

export const CHECK_USAGE = `usage: nixkit check PATH... [--format text|json|sarif] [--max-file-size BYTES]
  Checks .nix files (folders are walked) and prints the findings.
  Exit status: 0 no errors, 1 errors found, 2 usage or I/O problem.`;

export const checkCommand: Subcommand = async (args: string[], io: CliIO) => {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        format: { type: 'string', short: 'f', default: 'text' },
        'max-file-size': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    io.stderr(`nixkit check: ${(e as Error).message}\n${CHECK_USAGE}\n`);
    return EXIT_USAGE;
  }
  if (parsed.values.help) {
    io.stdout(CHECK_USAGE + '\n');
    return EXIT_OK;
  }
  const format = parsed.values.format as OutputFormat;
  if (!['text', 'json', 'sarif'].includes(format)) {
    io.stderr(`nixkit check: unknown format '${format}' (use text, json or sarif)\n`);
    return EXIT_USAGE;
  }
  if (parsed.positionals.length === 0) {
    io.stderr(`nixkit check: no PATH given\n${CHECK_USAGE}\n`);
    return EXIT_USAGE;
  }
  let maxFileBytes: number | undefined;
  if (parsed.values['max-file-size'] !== undefined) {
    maxFileBytes = Number(parsed.values['max-file-size']);
    if (!Number.isInteger(maxFileBytes) || maxFileBytes <= 0) {
      io.stderr(`nixkit check: --max-file-size needs a positive number of bytes\n`);
      return EXIT_USAGE;
    }
  }
  const paths = parsed.positionals.map((p) => path.resolve(io.cwd, p));
  const result = await checkPaths(paths, { maxFileBytes });
  for (const note of result.notes) io.stderr(`nixkit check: note: ${note}\n`);
  for (const e of result.ioErrors)
    io.stderr(`nixkit check: ${path.relative(io.cwd, e.path) || e.path}: ${e.message}\n`);
  if (format === 'json') io.stdout(formatJson(result.findings, io.cwd));
  else if (format === 'sarif') io.stdout(formatSarif(result.findings, io.cwd, () => undefined));
  else io.stdout(formatText(result.findings, io.cwd, result.filesChecked));
  if (result.ioErrors.length) return EXIT_USAGE;
  return result.findings.some((f) => f.severity === 'error') ? EXIT_FINDINGS : EXIT_OK;
};
