// `nixkit hwconfig PROBE.json [--root /mnt] [--by-label] [--interfaces] [--out FILE]`
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateHardwareConfig } from '../engine/hwconfig/generate';
import { readProbeFile } from '../server/analysis/probes';
import { parseFlags } from './flags';
import { EXIT_OK, EXIT_USAGE, type CliIO, type Subcommand } from './io';

export const HWCONFIG_USAGE = `usage: nixkit hwconfig PROBE.json [--root DIR] [--by-label] [--interfaces] [--out FILE]
  Writes hardware-configuration.nix for the probed target (like nixos-generate-config --show-hardware-config).
  --root DIR      where the target's filesystems are mounted for the install (default /mnt)
  --by-label      refer to filesystems by label instead of UUID
  --interfaces    set networking.interfaces.<name>.useDHCP for each NIC (by its NixOS name)
  --out FILE      write to FILE instead of standard output
  Exit status: 0 written, 2 usage or an unreadable/invalid probe file.`;

export const hwconfigCommand: Subcommand = async (args: string[], io: CliIO) => {
  const parsed = parseFlags(
    'hwconfig',
    HWCONFIG_USAGE,
    args,
    io,
    {
      root: { type: 'string', default: '/mnt' },
      'by-label': { type: 'boolean' },
      interfaces: { type: 'boolean' },
      out: { type: 'string', short: 'o' },
    },
    true,
  );
  if (typeof parsed === 'number') return parsed;
  if (parsed.positionals.length !== 1) {
    io.stderr(`nixkit hwconfig: give exactly one PROBE.json\n${HWCONFIG_USAGE}\n`);
    return EXIT_USAGE;
  }
  const root = parsed.values.root!;
  if (!root.startsWith('/')) {
    io.stderr('nixkit hwconfig: --root must be an absolute path\n');
    return EXIT_USAGE;
  }
  // The same reader as `nixkit check --probe`: one message for a missing, broken or foreign file.
  const loaded = readProbeFile(path.resolve(io.cwd, parsed.positionals[0]));
  if (!loaded.ok) {
    io.stderr(`nixkit hwconfig: ${parsed.positionals[0]}: ${loaded.message}\n`);
    return EXIT_USAGE;
  }
  const text = generateHardwareConfig(loaded.report, {
    root,
    byLabel: parsed.values['by-label'],
    interfaces: parsed.values.interfaces,
  });
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
