// `nixkit probe TARGET [--json] ...`: connect over SSH, run the hardware probe, print a summary or the JSON report.
import { EngineError } from '../engine/errors';
import type { ProbeReport } from '../protocol/probe-report';
import { runProbe } from '../engine/probe/run-probe';
import type { Prompter, Session } from '../engine/ssh/session';
import { parseFlags } from './flags';
import { explainRefusedHostKey, sshAccess, SSH_FLAGS } from './ssh-flags';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type CliIO, type Subcommand } from './io';
import { TtyPrompter } from './tty-prompter';

export const PROBE_USAGE = `usage: nixkit probe TARGET [--json] [--port N] [--identity FILE]... [--known-hosts FILE]
                    [--accept-new-host-key] [--password-env VAR] [--sudo-password-env VAR] [--timeout S]
                    [--ssh-config FILE]
  Connects to TARGET (user@host[:port] or a Host alias from ~/.ssh/config) and reports its hardware.
  --json                 print the versioned JSON report (save it for \`nixkit hwconfig\`)
  --known-hosts FILE     nixkit's own known-hosts file (default ~/.config/nixkit/known_hosts)
  --accept-new-host-key  trust an unknown host key without asking (a changed key is still refused)
  --password-env VAR     take the login password from environment variable VAR (never from the command line)
  Exit status: 0 probed, 1 connection or probe failed, 2 usage.`;

function gib(bytes: number | null): string {
  return bytes === null ? '?' : `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}

/** One screen of what matters before installing. */
export function formatProbeSummary(r: ProbeReport): string {
  const s = r.system;
  const lines: string[] = [];
  // Target strings (labels, models, host names) are shown with control characters escaped: a hostile label must
  // not be able to drive the terminal (C0, DEL and C1 such as U+009B CSI).
  const clean = (v: string | null | undefined) =>
    // eslint-disable-next-line no-control-regex
    (v ?? '?').replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  const quoted = (v: string | null | undefined) => clean(JSON.stringify(v ?? null));
  lines.push(`target:   ${clean(r.target)}  (${clean(s.hostname)})`);
  lines.push(
    `system:   ${clean(s.nixSystem ?? s.arch)}, kernel ${clean(s.kernel)}, ${clean(s.os?.prettyName)}${s.nixosInstaller ? ' [NixOS installer]' : ''}`,
  );
  lines.push(`nix:      ${s.nix.present ? `present (${clean(s.nix.version)})` : 'not installed'}`);
  lines.push(
    `memory:   ${gib(s.memory.totalBytes)}${s.memory.kexecFits === false ? ' (too little for kexec)' : ''}`,
  );
  lines.push(`virt:     ${clean(s.virtualisation.type)} (${s.virtualisation.source})`);
  lines.push(
    `firmware: ${r.firmware.mode.toUpperCase()}${r.firmware.mode === 'uefi' ? `, efivars ${r.firmware.efivarsWritable ? 'writable' : 'read-only/absent'}, Secure Boot ${r.firmware.secureBoot}` : ''}`,
  );
  lines.push(
    `cpu:      ${clean(r.cpu.model)} (${clean(r.cpu.vendor)}), ${r.cpu.cores ?? '?'} cores${r.cpu.kvmModule ? `, ${r.cpu.kvmModule}` : ''}`,
  );
  lines.push('disks:');
  for (const d of r.disks) {
    lines.push(
      `  ${d.path}  ${gib(d.sizeBytes)}  ${clean(d.model ?? d.transport)}${d.partitionTable ? `  ${d.partitionTable.type}` : ''}${d.liveSystem ? '  [live system runs from here]' : ''}`,
    );
    for (const p of d.partitions) {
      lines.push(
        `    ${clean(p.path ?? `#${p.number}`)}  ${p.sizeBytes === null ? '?' : gib(p.sizeBytes)}  ${clean(p.fs?.type ?? '-')}  label=${quoted(p.fs?.label)}  partlabel=${quoted(p.partlabel)}${p.mountpoints.length ? `  on ${p.mountpoints.map(clean).join(', ')}` : ''}`,
      );
    }
    if (d.fs) lines.push(`    (whole disk) ${clean(d.fs.type)} label=${quoted(d.fs.label)}`);
  }
  const mods = [
    ...new Set(r.controllers.filter((c) => c.module && c.kind !== 'network').map((c) => c.module!)),
  ].sort();
  lines.push(`initrd:   ${mods.join(' ') || '(no loadable controller drivers found)'}`);
  lines.push('network:');
  for (const n of r.network.interfaces) {
    const addr = n.addresses.map((a) => `${a.address}/${a.prefixLength}`).join(' ');
    lines.push(
      `  ${clean(n.name)} ${clean(n.mac)} ${clean(n.state)}${n.driver ? ` (${clean(n.driver)})` : ''}  ${addr}  → NixOS name: ${clean(n.predicted.name ?? '-')}`,
    );
  }
  lines.push(`dns:      ${r.network.dns.join(' ') || '-'}`);
  if (r.missing.length) lines.push(`missing tools: ${r.missing.join(', ')}`);
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n') + '\n';
}

export function makeProbeCommand(deps: { prompter?: (io: CliIO) => Prompter } = {}): Subcommand {
  return async (args: string[], io: CliIO) => {
    const parsed = parseFlags(
      'probe',
      PROBE_USAGE,
      args,
      io,
      { json: { type: 'boolean' }, timeout: { type: 'string' }, ...SSH_FLAGS },
      true,
    );
    if (typeof parsed === 'number') return parsed;
    const v = parsed.values;
    if (parsed.positionals.length !== 1) {
      io.stderr(`nixkit probe: give exactly one TARGET\n${PROBE_USAGE}\n`);
      return EXIT_USAGE;
    }
    const ssh = sshAccess('probe', v, io);
    if (!ssh) return EXIT_USAGE;
    const timeoutS = v.timeout === undefined ? 60 : Number(v.timeout);
    if (!Number.isFinite(timeoutS) || timeoutS <= 0) {
      io.stderr('nixkit probe: --timeout needs a positive number of seconds\n');
      return EXIT_USAGE;
    }

    const tty = new TtyPrompter((t) => io.stderr(t));
    const prompter = deps.prompter ? deps.prompter(io) : tty;
    let session: Session | undefined;
    try {
      session = await ssh.connect(parsed.positionals[0], {
        prompter,
        readyTimeoutMs: Math.min(timeoutS * 1000, 30_000),
        signal: io.signal,
      });
      const target = session.target;
      const run = await runProbe(session, {
        signal: io.signal,
        timeoutMs: timeoutS * 1000,
        target: target.label,
      });
      io.stdout(v.json ? JSON.stringify(run.report, null, 2) + '\n' : formatProbeSummary(run.report));
      return EXIT_OK;
    } catch (e) {
      if (explainRefusedHostKey(e, 'probe', tty, !!deps.prompter, io)) return EXIT_FINDINGS;
      if (e instanceof EngineError) {
        io.stderr(`nixkit probe: ${session ? session.redact(e.message) : e.message}\n`);
        return e.code === 'bad-target' ? EXIT_USAGE : EXIT_FINDINGS;
      }
      throw e;
    } finally {
      session?.close();
    }
  };
}

export const probeCommand: Subcommand = makeProbeCommand();
