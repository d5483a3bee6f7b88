// `nixkit check PATH... [--format text|json|sarif] [--max-file-size BYTES] [--config FILE | --no-config]
//  [--probe FILE [--probe-for NAME]] [--eval]`
import * as path from 'node:path';
import { checkPaths } from '../server/analysis/check-files';
import { readProbeFile, type ExplicitProbe } from '../server/analysis/probes';
import {
  commonFolder,
  findProjectConfig,
  loadProjectConfig,
  ruleSettings,
} from '../server/analysis/project-config';
import { parseFlags } from './flags';
import { formatJson, formatSarif, formatText, type OutputFormat } from './format';
import { CHECK_USAGE } from './check-usage';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type CliIO, type Subcommand } from './io';

export const checkCommand: Subcommand = async (args: string[], io: CliIO) => {
  const parsed = parseFlags(
    'check',
    CHECK_USAGE,
    args,
    io,
    {
      format: { type: 'string', short: 'f', default: 'text' },
      'max-file-size': { type: 'string' },
      config: { type: 'string' },
      'no-config': { type: 'boolean' },
      probe: { type: 'string' },
      'probe-for': { type: 'string' },
      eval: { type: 'boolean' },
    },
    true,
  );
  if (typeof parsed === 'number') return parsed;
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
  if (parsed.values['probe-for'] !== undefined && parsed.values.probe === undefined) {
    io.stderr(`nixkit check: --probe-for needs --probe FILE\n`);
    return EXIT_USAGE;
  }
  let probe: ExplicitProbe | undefined;
  if (parsed.values.probe !== undefined) {
    const loaded = readProbeFile(path.resolve(io.cwd, parsed.values.probe));
    if (!loaded.ok) {
      io.stderr(`nixkit check: ${parsed.values.probe}: ${loaded.message}\n`);
      return EXIT_USAGE;
    }
    probe = { report: loaded.report, file: loaded.file, for: parsed.values['probe-for'] };
  }
  const paths = parsed.positionals.map((p) => path.resolve(io.cwd, p));
  const configFile = parsed.values['no-config']
    ? undefined
    : parsed.values.config !== undefined
      ? path.resolve(io.cwd, parsed.values.config)
      : findProjectConfig(commonFolder(paths));
  let rules;
  let machines;
  if (configFile) {
    const loaded = loadProjectConfig(configFile);
    const shown = path.relative(io.cwd, configFile) || configFile;
    if (!loaded.ok) {
      const line = loaded.range ? `:${loaded.range.start.line + 1}` : '';
      io.stderr(`nixkit check: ${shown}${line}: ${loaded.message}\n`);
      return EXIT_USAGE;
    }
    for (const w of loaded.warnings) io.stderr(`nixkit check: note: ${shown}: ${w}\n`);
    rules = ruleSettings(loaded.config);
    machines = loaded.config.machines;
  }
  const result = await checkPaths(paths, {
    maxFileBytes,
    rules,
    probe,
    machines,
    evaluate: parsed.values.eval ? { env: io.env } : undefined,
  });
  for (const note of result.notes) io.stderr(`nixkit check: note: ${note}\n`);
  for (const e of result.ioErrors)
    io.stderr(`nixkit check: ${path.relative(io.cwd, e.path) || e.path}: ${e.message}\n`);
  const configs = result.configurations;
  if (format === 'json') io.stdout(formatJson(result.findings, io.cwd, configs));
  else if (format === 'sarif') io.stdout(formatSarif(result.findings, io.cwd, () => undefined, configs));
  else io.stdout(formatText(result.findings, io.cwd, result.filesChecked, configs));
  if (result.ioErrors.length) return EXIT_USAGE;
  return result.findings.some((f) => f.severity === 'error') ? EXIT_FINDINGS : EXIT_OK;
};
