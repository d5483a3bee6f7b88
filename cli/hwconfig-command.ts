// `nixkit hwconfig PROBE.json [--root /mnt] [--by-label] [--interfaces] [--out FILE]`
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateHardwareConfig, HwconfigError } from '../engine/hwconfig/generate';
import {
  networkConfig,
  networkModule,
  type NetworkMode,
  type NetworkStyle,
} from '../server/rule-api/network-config';
import { readProbeFile } from '../server/analysis/probes';
import { parseFlags } from './flags';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type CliIO, type Subcommand } from './io';

export const HWCONFIG_USAGE = `usage: nixkit hwconfig PROBE.json [--root DIR] [--by-label] [--interfaces] [--out FILE]
                       [--network static|dhcp [--network-style scripted|networkd] [--network-out FILE]]
  Writes hardware-configuration.nix for the probed target (like nixos-generate-config --show-hardware-config).
  --root DIR      where the target's filesystems are mounted for the install (default /mnt)
  --by-label      refer to filesystems by label instead of UUID
  --interfaces    set networking.interfaces.<name>.useDHCP for each NIC (by its NixOS name)
  --out FILE      write to FILE instead of standard output
  --network MODE  also write network.nix (beside --out, or at --network-out), imported by the hardware
                  configuration: "static" keeps the addresses, gateways and nameservers the target has now (for
                  networks without DHCP); "dhcp" asks DHCP on the interface with the default route
  --network-style scripted (networking.interfaces) or networkd (systemd.network); default: scripted, or networkd
                  when the NixOS name of an interface cannot be predicted (it then matches by MAC address)
  Exit status: 0 written, 2 usage or an unreadable/invalid probe file, 1 no network configuration possible.`;

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
      network: { type: 'string' },
      'network-style': { type: 'string' },
      'network-out': { type: 'string' },
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
  const mode = parsed.values.network;
  const style = parsed.values['network-style'];
  if (mode !== undefined && mode !== 'static' && mode !== 'dhcp') {
    io.stderr(`nixkit hwconfig: --network is "static" or "dhcp", not ${JSON.stringify(mode)}\n`);
    return EXIT_USAGE;
  }
  if (style !== undefined && ((style !== 'scripted' && style !== 'networkd') || mode === undefined)) {
    io.stderr('nixkit hwconfig: --network-style is "scripted" or "networkd", and goes with --network\n');
    return EXIT_USAGE;
  }
  let networkFile: string | undefined;
  let networkText: string | undefined;
  if (mode) {
    const out =
      parsed.values['network-out'] ??
      (parsed.values.out ? path.join(path.dirname(parsed.values.out), 'network.nix') : undefined);
    if (!out) {
      io.stderr(
        'nixkit hwconfig: --network writes network.nix: give --out (it goes beside) or --network-out\n',
      );
      return EXIT_USAGE;
    }
    const written = networkConfig(loaded.report, {
      mode: mode as NetworkMode,
      style: style as NetworkStyle | undefined,
    });
    if (!written.ok) {
      io.stderr(`nixkit hwconfig: no ${mode} network configuration: ${written.error}\n`);
      return EXIT_FINDINGS;
    }
    networkFile = path.resolve(io.cwd, out);
    networkText = networkModule(loaded.report, written, mode as NetworkMode);
  }
  const hwOut = parsed.values.out ? path.resolve(io.cwd, parsed.values.out) : undefined;
  const relImport =
    networkFile && hwOut && path.dirname(networkFile) === path.dirname(hwOut)
      ? `./${path.basename(networkFile)}`
      : undefined;
  let text: string;
  try {
    text = generateHardwareConfig(loaded.report, {
      root,
      byLabel: parsed.values['by-label'],
      interfaces: parsed.values.interfaces && !mode,
      extraImports: relImport ? [relImport] : [],
    });
  } catch (e) {
    if (!(e instanceof HwconfigError)) throw e;
    io.stderr(`nixkit hwconfig: ${parsed.positionals[0]}: ${e.message}\n`);
    return EXIT_USAGE;
  }
  if (networkFile && networkText !== undefined) {
    try {
      fs.writeFileSync(networkFile, networkText);
    } catch (e) {
      io.stderr(`nixkit hwconfig: ${(e as Error).message}\n`);
      return EXIT_USAGE;
    }
    if (!relImport) io.stderr(`nixkit hwconfig: wrote ${networkFile}; import it from the configuration\n`);
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
