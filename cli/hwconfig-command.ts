// `nixkit hwconfig PROBE.json [--root /mnt] [--by-label] [--interfaces] [--out FILE]`
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { generateHardwareConfig, HwconfigError } from '../engine/hwconfig/generate';
import { validateProbeReport } from '../protocol/probe-report-schema';
import { EXIT_OK, EXIT_USAGE, type CliIO, type Subcommand } from './io';

export const HWCONFIG_USAGE = `usage: nixkit hwconfig PROBE.json [--root DIR] [--by-label] [--interfaces] [--out FILE]
  Writes hardware-configuration.nix for the probed target (like nixos-generate-config --show-hardware-config).
  --root DIR      where the target's filesystems are mounted for the install (default /mnt)
  --by-label      refer to filesystems by label instead of UUID
  --interfaces    set networking.interfaces.<name>.useDHCP for each NIC (by its NixOS name)
  --out FILE      write to FILE instead of standard output
  Exit status: 0 written, 2 usage or an unreadable/invalid probe file.`;

export const hwconfigCommand: Subcommand = async (args: string[], io: CliIO) => {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        root: { type: 'string', default: '/mnt' },
        'by-label': { type: 'boolean' },
        interfaces: { type: 'boolean' },
        out: { type: 'string', short: 'o' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    io.stderr(`nixkit hwconfig: ${(e as Error).message}\n${HWCONFIG_USAGE}\n`);
    return EXIT_USAGE;
  }
  if (parsed.values.help) {
    io.stdout(HWCONFIG_USAGE + '\n');
    return EXIT_OK;
  }
  if (parsed.positionals.length !== 1) {
    io.stderr(`nixkit hwconfig: give exactly one PROBE.json\n${HWCONFIG_USAGE}\n`);
    return EXIT_USAGE;
  }
  const root = parsed.values.root!;
  if (!root.startsWith('/')) {
    io.stderr('nixkit hwconfig: --root must be an absolute path\n');
    return EXIT_USAGE;
  }
  const file = path.resolve(io.cwd, parsed.positionals[0]);
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    io.stderr(`nixkit hwconfig: ${parsed.positionals[0]}: ${(e as Error).message}\n`);
    return EXIT_USAGE;
  }
  const valid = validateProbeReport(data);
  if (!valid.ok) {
    io.stderr(`nixkit hwconfig: ${parsed.positionals[0]} is not a nixkit probe report (version 1):\n`);
    for (const err of valid.errors) io.stderr(`  ${err}\n`);
    return EXIT_USAGE;
  }
  let text: string;
  try {
    text = generateHardwareConfig(valid.report, {
      root,
      byLabel: parsed.values['by-label'],
      interfaces: parsed.values.interfaces,
    });
  } catch (e) {
    if (!(e instanceof HwconfigError)) throw e;
    io.stderr(`nixkit hwconfig: ${parsed.positionals[0]}: ${e.message}\n`);
    return EXIT_USAGE;
  }
  if (parsed.values.out) {
    try {
      fs.writeFileSync(path.resolve(io.cwd, parsed.values.out), text);
    } catch (e) {
      io.stderr(`nixkit hwconfig: ${(e as Error).message}\n`);
      return EXIT_USAGE;
    }
  } else io.stdout(text);
  return EXIT_OK;
};
