// `nixkit media list|write`: installer media on this machine or on an SSH target. `list` shows every whole disk and
// why it may or may not be written; `write` checks the device and the image, asks for the device's name typed
// exactly (as `nixkit install` asks for the disk's), then writes, reads back, compares SHA-256 and powers the
// device off. The engine (engine/media/) does the work; this file only reads flags, prints and asks.
import * as os from 'node:os';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { EngineError } from '../engine/errors';
import { blockers, findCandidate } from '../engine/media/candidates';
import { defaultElevation, localHost, sshHost, type MediaHost } from '../engine/media/host';
import { imageProblemsFor, inspectImage } from '../engine/media/image';
import { listCandidates } from '../engine/media/list';
import { fileWriteLog, lastWrites, writeKey, type WriteLogEntry } from '../engine/media/write-log';
import { runWrite } from '../engine/media/write';
import type { Prompter, Session } from '../engine/ssh/session';
import {
  displayText,
  type ImageReport,
  type MediaCandidates,
  type OverrideKind,
  type WriteCandidate,
  type WriteEvent,
  type WriteResult,
} from '../protocol/media';
import { parseFlags } from './flags';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type CliIO, type Subcommand } from './io';
import { explainRefusedHostKey, sshAccess, SSH_FLAGS } from './ssh-flags';
import { TtyPrompter } from './tty-prompter';

export const MEDIA_WRITE_USAGE = `usage: nixkit media list [--host TARGET] [--json] [SSH flags]
       nixkit media write IMAGE --device ID [--host TARGET] [--checksum FILE] [--allow-large]
                          [--allow-non-removable] [--unmount] [--no-power-off] [SSH flags]
  list    every whole disk where the device is, and whether an image may be written to it (and why not)
  write   writes IMAGE (a file on this machine) to the device ID (/dev/sdX, sdX or a /dev/disk/by-id name):
          checks the device (removable, nothing mounted or built on it) and the image (size, hybrid ISO, the
          checksum), asks for the device's name typed exactly, writes with direct I/O and fsync, reads back and
          compares SHA-256, then powers the device off. Ctrl-C cancels; a cut write is reported as not verified.
  --host TARGET          the device is on TARGET (user@host[:port] or an ~/.ssh/config alias), reached over SSH;
                         without it, on this machine (root through sudo, or pkexec without a terminal)
  --checksum FILE        a sha256sum file to verify the image against (default: IMAGE.sha256 when it exists)
  --allow-large          allow a device larger than 256 GiB
  --allow-non-removable  allow a device that is neither removable nor USB/SD
  --unmount              unmount the device's filesystems mounted under /media, /run/media or /mnt first (a
                         desktop's automount); anything else mounted or built on it is still refused
  --no-power-off         leave the device powered after the verified write
  SSH flags (with --host): --port N --identity FILE --known-hosts FILE --accept-new-host-key --password-env VAR
                           --sudo-password-env VAR --ssh-config FILE
  Exit status: 0 listed / written and verified, 1 refused, failed or not verified, 2 usage.`;

export interface MediaCommandDeps {
  prompter?: (io: CliIO) => Prompter;
  /** Asks for the typed device name (tests); default: the terminal, with echo. */
  confirm?: (question: string) => Promise<string | undefined>;
  /** How this machine becomes root (tests run as root: 'none'). */
  localHost?: () => MediaHost;
}

function gib(bytes: number): string {
  return bytes >= 1024 ** 3
    ? `${(bytes / 1024 ** 3).toFixed(1)} GiB`
    : `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

function stateLogPath(env: Record<string, string | undefined>): string {
  const base = env.XDG_STATE_HOME?.startsWith('/')
    ? env.XDG_STATE_HOME
    : path.join(env.HOME || os.homedir(), '.local', 'state');
  return path.join(base, 'nixkit', 'media-writes.jsonl');
}

function readLog(file: string): Map<string, WriteLogEntry> {
  try {
    return lastWrites(fs.readFileSync(file, 'utf8'));
  } catch {
    return new Map();
  }
}

/** One device for people: the line, then its names, labels, refusals and overrides. Device strings escaped. */
export function formatCandidate(c: WriteCandidate, last?: WriteLogEntry): string {
  const what = [c.vendor, c.model].filter(Boolean).map(displayText).join(' ') || '(no model)';
  const status = c.refusals.length ? 'REFUSED' : c.overrides.length ? 'needs an override' : 'can be written';
  const lines = [
    `${c.path}  ${gib(c.sizeBytes)}  ${displayText(c.transport ?? '-')}  ${what}  serial ${displayText(c.serial ?? '-')}  [${status}]`,
  ];
  for (const id of c.byId) lines.push(`    by-id: ${displayText(id)}`);
  if (c.labels.length)
    lines.push(`    labels: ${c.labels.map((l) => displayText(JSON.stringify(l))).join(', ')}`);
  for (const r of c.refusals) lines.push(`    refused: ${displayText(r.text)}`);
  for (const o of c.overrides)
    lines.push(
      o === 'large'
        ? '    larger than 256 GiB: needs --allow-large'
        : '    not removable (no removable flag, not USB/SD): needs --allow-non-removable',
    );
  if (last && last.status !== 'verified')
    lines.push(
      `    last write from nixkit: ${last.status === 'started' ? 'never finished' : last.status} (${displayText(last.image)}, ${last.time ?? '?'}): not verified`,
    );
  return lines.join('\n');
}

export function formatImage(r: ImageReport): string {
  const lines = [
    `image: ${r.path}  ${gib(r.sizeBytes)}${r.layout.volumeId ? `  volume ${displayText(r.layout.volumeId)}` : ''}`,
  ];
  lines.push(`  ${r.bootText}`);
  const c = r.checksum;
  lines.push(
    c.status === 'none'
      ? `  checksum: ${c.text}`
      : c.status === 'match'
        ? `  checksum: matches ${c.file} (SHA-256 ${c.sha256})`
        : c.status === 'mismatch'
          ? `  checksum: DOES NOT MATCH ${c.file}`
          : `  checksum: ${c.file} cannot be used: ${c.text}`,
  );
  return lines.join('\n') + '\n';
}

export function formatResult(r: WriteResult): string {
  switch (r.status) {
    case 'verified':
      return (
        `Written and verified: ${r.bytes} bytes, SHA-256 ${r.sha256} (write ${r.writeSeconds.toFixed(1)} s, ` +
        `read-back ${r.verifySeconds.toFixed(1)} s).\n${r.text}\n`
      );
    case 'not-verified':
      return `NOT VERIFIED: ${r.device}: ${r.reason}. Write it again before using it.\n`;
    case 'mismatch':
      return (
        `MISMATCH: ${r.device} reads back SHA-256 ${r.actual}, the image is ${r.expected}: the device is faulty or ` +
        `smaller than it claims. Do not use it.\n`
      );
    case 'refused':
      return `Refused, nothing was written to ${r.device}: ${r.reason}\n`;
  }
}

function rate(bytesPerSecond: number | null): string {
  return bytesPerSecond === null ? '-' : `${(bytesPerSecond / 1024 ** 2).toFixed(1)} MiB/s`;
}

export function makeMediaCommand(deps: MediaCommandDeps = {}): Subcommand {
  return async (args: string[], io: CliIO) => {
    const [sub, ...rest] = args;
    if (sub === '--help' || sub === '-h' || sub === 'help') {
      io.stdout(MEDIA_WRITE_USAGE + '\n');
      return EXIT_OK;
    }
    if (sub !== 'list' && sub !== 'write') {
      io.stderr(
        `nixkit media: ${sub ? `unknown subcommand '${sub}'` : 'give a subcommand'}\n${MEDIA_WRITE_USAGE}\n`,
      );
      return EXIT_USAGE;
    }
    const parsed = parseFlags(
      `media ${sub}`,
      MEDIA_WRITE_USAGE,
      rest,
      io,
      {
        host: { type: 'string' },
        json: { type: 'boolean' },
        device: { type: 'string' },
        checksum: { type: 'string' },
        'allow-large': { type: 'boolean' },
        'allow-non-removable': { type: 'boolean' },
        'no-power-off': { type: 'boolean' },
        unmount: { type: 'boolean' },
        ...SSH_FLAGS,
      },
      true,
    );
    if (typeof parsed === 'number') return parsed;
    const v = parsed.values;
    const usage = (m: string) => {
      io.stderr(`nixkit media ${sub}: ${m}\n${MEDIA_WRITE_USAGE}\n`);
      return EXIT_USAGE;
    };
    if (sub === 'list' && parsed.positionals.length) return usage('list takes no IMAGE');
    if (sub === 'write') {
      if (parsed.positionals.length !== 1) return usage('give exactly one IMAGE');
      if (!v.device) return usage('--device ID is required (see `nixkit media list`)');
    }
    const ssh = v.host !== undefined ? sshAccess(`media ${sub}`, v, io) : undefined;
    if (ssh === null) return EXIT_USAGE;

    const tty = new TtyPrompter((t) => io.stderr(t));
    const prompter = deps.prompter ? deps.prompter(io) : tty;
    const log = fileWriteLog(stateLogPath(io.env), (m) => io.stderr(`nixkit media: ${m}\n`));
    let session: Session | undefined;
    try {
      let host: MediaHost;
      if (ssh && v.host !== undefined) {
        session = await ssh.connect(v.host, { prompter, readyTimeoutMs: 30_000, signal: io.signal });
        host = sshHost(session);
      } else {
        host = deps.localHost
          ? deps.localHost()
          : localHost(
              defaultElevation({ isRoot: process.getuid?.() === 0, hasTty: process.stdin.isTTY === true }),
            );
      }
      const whereText = host.where.kind === 'ssh' ? host.where.target : 'this machine';
      const list = await listCandidates(host, io.signal);
      const last = readLog(log.file);
      const lastOf = (c: WriteCandidate) => last.get(writeKey(whereText, c.path, c.serial));
      for (const w of list.warnings) io.stderr(`nixkit media: ${w}\n`);
      if (sub === 'list') {
        if (v.json) io.stdout(JSON.stringify(list, null, 2) + '\n');
        else io.stdout(formatList(list, lastOf));
        return EXIT_OK;
      }

      // --- write: the device, the image, the typed name, then the run
      const image = path.resolve(io.cwd, parsed.positionals[0]);
      const overrides: OverrideKind[] = [];
      if (v['allow-large']) overrides.push('large');
      if (v['allow-non-removable']) overrides.push('non-removable');
      const device = findCandidate(list, v.device!);
      if (!device) {
        io.stderr(
          `nixkit media write: no whole disk ${JSON.stringify(displayText(v.device!))} on ${whereText}.\n` +
            formatList(list, lastOf),
        );
        return EXIT_FINDINGS;
      }
      io.stdout(`device on ${whereText}:\n${formatCandidate(device, lastOf(device))}\n`);
      const refusedNow = blockers(device, overrides, { unmount: v.unmount });
      if (refusedNow.length) {
        io.stderr(
          `nixkit media write: ${device.path} cannot be written:\n${refusedNow.map((r) => `  - ${displayText(r)}\n`).join('')}`,
        );
        return EXIT_FINDINGS;
      }
      const report = await inspectImage(image, {
        checksumFile: v.checksum ? path.resolve(io.cwd, v.checksum) : undefined,
        signal: io.signal,
      });
      io.stdout(formatImage(report));
      const imageProblems = imageProblemsFor(report, device);
      if (imageProblems.length) {
        io.stderr(
          `nixkit media write: the image cannot be written:\n${imageProblems.map((p) => `  - ${p}\n`).join('')}`,
        );
        return EXIT_FINDINGS;
      }
      if (report.boot === 'cd-only-iso')
        io.stderr(
          `warning: this image will not boot from ${device.path} (see above); writing it anyway as asked.\n`,
        );

      // What will run, before the question (the install's review does the same for its destructive commands).
      io.stdout(
        `will run on ${whereText} as root (${host.rootVia}):\n` +
          `${v.unmount ? `  umount what is mounted from ${device.path} under /media, /run/media or /mnt\n` : ''}` +
          `  dd if=${host.streamsImage ? '<the image, streamed>' : image} of=${device.path} bs=4M iflag=fullblock oflag=direct conv=fsync\n` +
          `  read ${report.sizeBytes} bytes back from ${device.path} and compare SHA-256 with the image\n` +
          `${v['no-power-off'] ? '' : `  sync; udisksctl power-off -b ${device.path} (or eject ${device.path})\n`}`,
      );
      const ask = deps.confirm ?? ((q: string) => tty.typed(q));
      const answer = await ask(
        `This ERASES everything on ${device.path} (${displayText([device.vendor, device.model].filter(Boolean).join(' ') || 'no model')}, ${gib(device.sizeBytes)}) on ${whereText}. Type the device's name (${device.confirmName}) to continue: `,
      );
      if (answer === undefined) {
        io.stderr(
          `nixkit media write: writing ${device.path} needs its name typed on a terminal; nothing was written\n`,
        );
        return EXIT_FINDINGS;
      }

      const live = process.stderr.isTTY === true && !deps.confirm;
      let lastLine = 0;
      const onEvent = (e: WriteEvent) => {
        if (e.kind === 'command') io.stderr(`$ ${e.argv.join(' ')}    # ${e.purpose}\n`);
        else if (e.kind === 'phase') io.stderr(`${live ? '\n' : ''}${e.text}\n`);
        else if (e.kind === 'note') io.stderr(`  ${displayText(e.text)}\n`);
        else {
          const p = e.progress;
          const line = `  ${p.phase}: ${gib(p.bytes)} of ${gib(p.total)}  ${rate(p.rate)}  ${p.secondsLeft === null ? '' : `${p.secondsLeft} s left`}`;
          if (live) io.stderr(`\r${line}\x1b[K`);
          else if (Date.now() - lastLine >= 5000 || p.bytes === p.total) {
            lastLine = Date.now();
            io.stderr(line + '\n');
          }
        }
      };
      const result = await runWrite(
        host,
        {
          where: host.where,
          image,
          device: device.path,
          overrides,
          typedConfirmation: answer.trim(),
          unmount: v.unmount === true,
        },
        {
          checksumFile: v.checksum ? path.resolve(io.cwd, v.checksum) : undefined,
          confirmed: device,
          inspected: report,
          signal: io.signal,
          onEvent,
          powerOff: !v['no-power-off'],
          log,
        },
      );
      if (live) io.stderr('\n');
      if (result.status === 'verified') {
        io.stdout(formatResult(result));
        return EXIT_OK;
      }
      io.stderr(formatResult(result));
      return EXIT_FINDINGS;
    } catch (e) {
      if (explainRefusedHostKey(e, 'media', tty, !!deps.prompter, io)) return EXIT_FINDINGS;
      if (e instanceof EngineError) {
        io.stderr(`nixkit media: ${session ? session.redact(e.message) : e.message}\n`);
        return e.code === 'bad-target' ? EXIT_USAGE : EXIT_FINDINGS;
      }
      throw e;
    } finally {
      session?.close();
    }
  };
}

export function formatList(
  list: MediaCandidates,
  lastOf: (c: WriteCandidate) => WriteLogEntry | undefined,
): string {
  const where = list.where.kind === 'ssh' ? list.where.target : 'this machine';
  if (!list.devices.length) return `No whole disks on ${where}.\n`;
  return `Disks on ${where}:\n${list.devices.map((c) => formatCandidate(c, lastOf(c))).join('\n')}\n`;
}

const command = makeMediaCommand();
/** `nixkit media list …` (the dispatcher in media-command.ts has taken `media list` off). */
export const mediaListCommand: Subcommand = (args, io) => command(['list', ...args], io);
/** `nixkit media write …`. */
export const mediaWriteCommand: Subcommand = (args, io) => command(['write', ...args], io);
