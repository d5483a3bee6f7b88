// The hardware-configuration step (steps/index.ts holds the order): probe again now that the new system's filesystems
// are mounted, generate hardware-configuration.nix for them (generateHardwareConfig with the install root, plus the
// LUKS device of an encrypted root), write it where the configuration imports it (else
// hosts/<name>/hardware-configuration.nix), keeping a backup of a different existing file, and check it with the
// analysis: any error or warning in it fails the step.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkPaths } from '../../../server/analysis/check-files';
import { EngineError } from '../../errors';
import { generateHardwareConfig, HwconfigError, nixString } from '../../hwconfig/generate';
import type { ProbeReport } from '../../../protocol/probe-report';
import { probeArgv } from '../../probe/probe-script';
import { runProbe } from '../../probe/run-probe';
import { networkConfig, networkModule } from '../../../server/rule-api/network-config';
import { plannedPartitions } from '../layout';
import { proxyModule } from '../proxy';
import type {
  InstallOptions,
  InstallState,
  StepDescription,
  StepOutputs,
} from '../../../protocol/install-state';
import type { Step, StepContext } from '../plan';
import { defaultHardwareConfigFile, formatFinding } from './preflight';

export class HardwareConfigError extends EngineError {
  constructor(detail: string) {
    super('hardware-config-failed', detail);
  }
}

export function hardwareConfigFile(options: InstallOptions, state: InstallState): string {
  return state.config?.hardwareConfigFile ?? defaultHardwareConfigFile(options.flake, options.configuration);
}

const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');

export interface HardwareConfigOutputs extends StepOutputs {
  file: string;
  sha256: string;
  backup?: string;
  imported: boolean;
  /** network.nix beside it, when the install was asked to write one (`network`), and its hash. */
  networkFile?: string;
  networkSha256?: string;
  /** proxy.nix beside it, when the install was asked to keep its proxy (`proxy.inConfig`). */
  proxyFile?: string;
}

/** network.nix goes beside the hardware configuration, which imports it as `./network.nix`. */
export const networkFileFor = (hardwareFile: string) => path.join(path.dirname(hardwareFile), 'network.nix');

/** proxy.nix goes there too, imported the same way. */
export const proxyFileFor = (hardwareFile: string) => path.join(path.dirname(hardwareFile), 'proxy.nix');

/** The style network.nix is written in: the one asked for, else networkd when the configuration uses it. */
export function networkStyleFor(
  options: InstallOptions,
  state: Pick<InstallState, 'config'>,
): 'scripted' | 'networkd' | undefined {
  return options.networkStyle ?? (state.config?.networkd === true ? 'networkd' : undefined);
}

/** The network.nix text for the install's `network` option, from the probe taken after mounting. */
function networkText(options: InstallOptions, state: InstallState, report: ProbeReport): string | undefined {
  if (!options.network) return undefined;
  const written = networkConfig(report, { mode: options.network, style: networkStyleFor(options, state) });
  if (!written.ok)
    throw new HardwareConfigError(`cannot write a ${options.network} network.nix: ${written.error}`);
  return networkModule(report, written, options.network);
}

/** Writes a file the step generates, keeping a different existing one as `.bak-<install id>`. */
function writeKeepingBackup(ctx: StepContext, file: string, text: string): string | undefined {
  let backup: string | undefined;
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') !== text) {
    backup = `${file}.bak-${ctx.state.id}`;
    fs.copyFileSync(file, backup);
    ctx.emit({ kind: 'note', text: `kept the previous ${path.basename(file)} as ${backup}` });
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  ctx.emit({ kind: 'note', text: `wrote ${file}` });
  return backup;
}

async function checkFile(file: string, flake: string): Promise<void> {
  const check = await checkPaths([file]);
  const bad = check.findings.filter(
    (f) => f.file === file && (f.severity === 'error' || f.severity === 'warning'),
  );
  const io = check.ioErrors.map((e) => `${e.path}: ${e.message}`);
  if (bad.length > 0 || io.length > 0)
    throw new HardwareConfigError(
      `${path.relative(flake, file) || file} does not check clean:\n` +
        [...bad.map((f) => '  ' + formatFinding(f, flake)), ...io.map((x) => '  ' + x)].join('\n'),
    );
}

/**
 * The encrypted root's `boot.initrd.luks.devices."NAME".device`, the LUKS partition by UUID, placed after
 * `fileSystems."/"` as nixos-generate-config places it: without it the initrd never opens the container and the
 * installed system cannot mount its root. The probe records no device-mapper tables, so the install's own facts
 * name the container: the layout's mapping and the root partition of the disk, whose UUID the probe's blkid read.
 */
export function withLuksDevice(
  text: string,
  options: InstallOptions,
  report: ProbeReport,
  diskDevice: string | undefined,
): string {
  const name = options.layout?.luks?.name;
  if (!options.disk || !name) return text;
  const at = diskDevice ?? options.disk;
  const disk = report.disks.find((d) => d.path === at || d.byId.some((id) => `/dev/disk/by-id/${id}` === at));
  const number = plannedPartitions(options.layout!).find((p) => p.role === 'root')!.number;
  const fs = disk?.partitions.find((p) => p.number === number)?.fs;
  if (fs?.type !== 'crypto_LUKS' || !fs.uuid)
    throw new HardwareConfigError(
      `the probe shows no LUKS container on partition ${number} of ${at} (found ${fs?.type ?? 'nothing'}): ` +
        `cannot tell the new system which device to unlock as ${name}`,
    );
  if (fs.uuid.includes('\0')) throw new HwconfigError(`LUKS UUID of partition ${number} of ${at}`, fs.uuid);
  const entry = `  boot.initrd.luks.devices.${nixString(name)}.device = ${nixString(`/dev/disk/by-uuid/${fs.uuid}`)};\n\n`;
  const root = text.indexOf('  fileSystems."/" =');
  const close = '    };\n\n';
  const end = root < 0 ? -1 : text.indexOf(close, root);
  const swaps = text.indexOf('  swapDevices');
  // (the file's last resort: just inside its closing brace)
  const pos = end >= 0 ? end + close.length : swaps >= 0 ? swaps : text.lastIndexOf('}');
  return text.slice(0, pos) + entry + text.slice(pos);
}

export const hardwareConfigStep: Step = {
  id: 'hardware-config',
  title: 'Write hardware-configuration.nix',
  describe(options: InstallOptions, state: InstallState): StepDescription {
    return {
      id: 'hardware-config',
      title: 'Write hardware-configuration.nix',
      commands: [
        {
          where: 'target',
          argv: probeArgv(),
          purpose: 'probe the hardware again, with the new filesystems mounted (read-only)',
        },
      ],
      files: [
        {
          path: hardwareConfigFile(options, state),
          purpose:
            'the generated hardware configuration (an existing different file is kept as .bak-<install id>)',
        },
        ...(options.network
          ? [
              {
                path: networkFileFor(hardwareConfigFile(options, state)),
                purpose:
                  options.network === 'static'
                    ? "the target's current addresses, gateways and nameservers, imported by the hardware configuration"
                    : "DHCP on the target's uplink, imported by the hardware configuration",
              },
            ]
          : []),
        ...(options.proxy?.inConfig
          ? [
              {
                path: proxyFileFor(hardwareConfigFile(options, state)),
                purpose: `networking.proxy for the installed system (${options.proxy.url.replace(':***@', '@')}${options.proxy.hasPassword ? ', without the password' : ''}), imported by the hardware configuration`,
              },
            ]
          : []),
      ],
    };
  },

  async run(ctx: StepContext): Promise<StepOutputs> {
    const { options, state } = ctx;
    ctx.emit({ kind: 'command', command: hardwareConfigStep.describe(options, state).commands[0] });
    const report = (await runProbe(ctx.session, { signal: ctx.signal, timeoutMs: 120_000 })).report;
    state.probe = report;
    const network = networkText(options, state, report);
    const proxy = options.proxy?.inConfig ? proxyModule(options.proxy) : undefined;
    const extraImports = [
      ...(network !== undefined ? ['./network.nix'] : []),
      ...(proxy !== undefined ? ['./proxy.nix'] : []),
    ];
    const text = withLuksDevice(
      generateHardwareConfig(report, { root: options.root, extraImports }),
      options,
      report,
      ctx.outputs('preflight')?.diskDevice as string | undefined,
    );
    const file = hardwareConfigFile(options, state);
    const networkFile = networkFileFor(file);
    if (network !== undefined) writeKeepingBackup(ctx, networkFile, network);
    const proxyFile = proxyFileFor(file);
    if (proxy !== undefined) writeKeepingBackup(ctx, proxyFile, proxy);
    const backup = writeKeepingBackup(ctx, file, text);
    await checkFile(file, options.flake);
    if (network !== undefined) await checkFile(networkFile, options.flake);
    if (proxy !== undefined) await checkFile(proxyFile, options.flake);
    const imported = state.config?.hardwareConfigImported ?? false;
    if (!imported)
      ctx.emit({
        kind: 'note',
        text: `warning: the configuration does not import ${file}: add it to its imports so the new system mounts its filesystems`,
      });
    const outputs: HardwareConfigOutputs = {
      file,
      sha256: sha256(text),
      imported,
      ...(backup ? { backup } : {}),
      ...(network !== undefined ? { networkFile, networkSha256: sha256(network) } : {}),
      ...(proxy !== undefined ? { proxyFile } : {}),
    };
    return outputs;
  },

  async verify(ctx: StepContext, outputs: StepOutputs): Promise<void> {
    const o = outputs as HardwareConfigOutputs;
    if (!fs.existsSync(o.file)) throw new HardwareConfigError(`${o.file} is gone`);
    // Edited by hand since: fine as long as it still checks clean.
    await checkFile(o.file, ctx.options.flake);
    if (o.networkFile) {
      if (!fs.existsSync(o.networkFile)) throw new HardwareConfigError(`${o.networkFile} is gone`);
      await checkFile(o.networkFile, ctx.options.flake);
    }
    if (o.proxyFile) {
      if (!fs.existsSync(o.proxyFile)) throw new HardwareConfigError(`${o.proxyFile} is gone`);
      await checkFile(o.proxyFile, ctx.options.flake);
    }
  },
};
