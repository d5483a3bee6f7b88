// A rescue of an installed NixOS that does not come back, run against the rescue or live system the machine was
// booted into: find the installed system's filesystems (from the configuration, else the probe's candidates), open
// LUKS with a passphrase that is never logged, mount them read-only in a private mount namespace, read why the
// system did not come back (diagnosis.ts), and, each shown first and confirmed by the caller, act: make an earlier
// generation the default boot entry, or run one command inside the installed system. Closing — or the SSH
// connection dropping — unmounts everything (the namespace's holder process does it when its input ends).
import * as crypto from 'node:crypto';
import { PassThrough } from 'node:stream';
import { CancelledError, EngineError } from '../errors';
import { probeArgv } from '../probe/probe-script';
import { runProbe } from '../probe/run-probe';
import type { ExecResult, Session } from '../ssh/session';
import type { PlannedCommand } from '../../protocol/install-state';
import type { ProbeReport } from '../../protocol/probe-report';
import { ENTER_PREFIX } from '../install/steps/install';
import {
  entryForGeneration,
  setGrubCfgDefault,
  setGrubenvSavedEntry,
  setSystemdBootDefault,
  type GrubMenu,
} from './boot-entries';
import type { RescueConfiguration } from './configuration';
import { buildDiagnosis, parseSections, type Diagnosis } from './diagnosis';
import {
  DIAGNOSE_SCRIPT,
  HOLDER_SCRIPT,
  JOURNAL_SCRIPT,
  MOUNT_RO_SCRIPT,
  REMOUNT_RW_SCRIPT,
  RESOLVE_SCRIPT,
  WRITE_FILE_SCRIPT,
} from './scripts';

export class RescueError extends EngineError {
  constructor(detail: string) {
    super('rescue-failed', detail);
  }
}

/** What the rescue reports while it works: every command before it runs, its output, notes. */
export interface RescueEvents {
  command?(c: PlannedCommand): void;
  output?(stream: 'stdout' | 'stderr', text: string): void;
  note?(text: string): void;
}

export interface RescueMount {
  /** The mount point on the installed system (`/`, `/boot`). */
  mountPoint: string;
  /** Where it is mounted on the target (under the holder's private directory). */
  target: string;
  device: string;
  fsType: string;
  writable: boolean;
}

export interface LocateOptions {
  config?: RescueConfiguration;
  /** The root filesystem's device, given by the person (overrides the configuration and the probe). */
  rootDevice?: string;
  /** Asked when an encrypted device has to be opened; undefined = none given (that device is skipped). */
  passphrase?: () => Promise<string | undefined>;
}

const FS_CANDIDATES = new Set(['ext4', 'ext3', 'ext2', 'btrfs', 'xfs', 'f2fs', 'bcachefs']);

/** blkid's key and value for a device name that names a label/UUID (the link names escape bytes as \xHH). */
export function blkidKey(spec: string): { key: string; value: string } | undefined {
  const decode = (s: string) =>
    s.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  const m = /^\/dev\/disk\/by-(label|uuid|partlabel|partuuid)\/(.+)$/.exec(spec);
  if (m) return { key: m[1].toUpperCase(), value: decode(m[2]) };
  const t = /^(LABEL|UUID|PARTLABEL|PARTUUID)=(.+)$/.exec(spec);
  if (t) return { key: t[1], value: t[2] };
  return undefined;
}

export class RescueSession {
  private readonly mounts: RescueMount[] = [];
  private readonly input = new PassThrough();
  private holderDone: Promise<ExecResult | Error>;
  private closed = false;
  /** Opened LUKS mappings: configured name → /dev/mapper/… */
  private readonly opened = new Map<string, string>();
  private readonly secrets: string[] = [];

  private constructor(
    readonly session: Session,
    private readonly events: RescueEvents,
    private readonly signal: AbortSignal,
    readonly nonce: string,
    readonly pid: number,
    /** The private mount point of the installed root on the target. */
    readonly root: string,
    holderDone: Promise<ExecResult | Error>,
    input: PassThrough,
  ) {
    this.holderDone = holderDone;
    this.input = input;
  }

  /** The command that starts the holder (shown like every other). */
  static holderCommand(nonce: string): PlannedCommand {
    return {
      where: 'target',
      argv: [
        'unshare',
        '--mount',
        '--propagation',
        'private',
        '--',
        'sh',
        '-c',
        HOLDER_SCRIPT,
        'nixkit-rescue',
        nonce,
      ],
      purpose:
        'hold a private mount namespace for the rescue: what it mounts is seen by nothing else and is unmounted when nixkit is done or the connection drops',
    };
  }

  /** Starts the holder and waits for it to say where its mount point is. */
  static async open(session: Session, events: RescueEvents, signal: AbortSignal): Promise<RescueSession> {
    await session.ensureRoot(signal);
    const nonce = crypto.randomBytes(6).toString('hex');
    const command = RescueSession.holderCommand(nonce);
    events.command?.(command);
    const input = new PassThrough();
    let ready: (v: { pid: number; dir: string } | Error) => void = () => undefined;
    const readyP = new Promise<{ pid: number; dir: string } | Error>((r) => (ready = r));
    let out = '';
    const done = session
      .execAsRoot(command.argv, {
        stdin: input,
        onStdout: (c) => {
          out += c.toString();
          const m = /nixkit-rescue-ready (\d+) (\/tmp\/nixkit-rescue\.[A-Za-z0-9]+)\n/.exec(out);
          if (m) ready({ pid: Number(m[1]), dir: m[2] });
        },
        onStderr: (c) => events.output?.('stderr', session.redact(c.toString())),
        maxOutputBytes: 1024 * 1024,
      })
      .then(
        (r) => {
          ready(
            new RescueError(
              `The rescue's namespace holder ended at once (exit ${r.code}): ${r.stderr.toString().trim()}`,
            ),
          );
          return r;
        },
        (e: Error) => {
          ready(e);
          return e;
        },
      );
    const onAbort = () => ready(new CancelledError('The rescue'));
    signal.addEventListener('abort', onAbort, { once: true });
    const r = await readyP;
    signal.removeEventListener('abort', onAbort);
    if (r instanceof Error) {
      input.end();
      throw r;
    }
    return new RescueSession(session, events, signal, nonce, r.pid, r.dir, done, input);
  }

  /** argv run inside the holder's namespace. */
  inNamespace(argv: string[]): string[] {
    return ['nsenter', '-t', String(this.pid), '-m', '--', ...argv];
  }

  redact(text: string): string {
    let t = this.session.redact(text);
    for (const s of this.secrets) if (s) t = t.split(s).join('[redacted]');
    return t;
  }

  /** Runs one planned command as root; its output streams to the events unless quiet. */
  async exec(
    command: PlannedCommand,
    o: { stdin?: string; quiet?: boolean; timeoutMs?: number; allowFailure?: boolean } = {},
  ): Promise<ExecResult> {
    if (this.signal.aborted) throw new CancelledError(command.purpose);
    this.events.command?.(command);
    const stream = (s: 'stdout' | 'stderr') =>
      o.quiet ? undefined : (c: Buffer) => this.events.output?.(s, this.redact(c.toString()));
    const r = await this.session.execAsRoot(command.argv, {
      ...(o.stdin !== undefined ? { stdin: o.stdin } : {}),
      onStdout: stream('stdout'),
      onStderr: stream('stderr'),
      signal: this.signal,
      timeoutMs: o.timeoutMs ?? 120_000,
    });
    if (r.code !== 0 && !o.allowFailure)
      throw new RescueError(
        `${command.purpose} failed (exit ${r.code ?? r.signal}): ${this.redact(r.stderr.toString().trim().split('\n').slice(-3).join(' / '))}`,
      );
    return r;
  }

  get mounted(): readonly RescueMount[] {
    return this.mounts;
  }

  private note(text: string): void {
    this.events.note?.(this.redact(text));
  }

  /** Every device a name can mean on the target (a label/UUID seen twice gives two). */
  async resolve(spec: string): Promise<string[]> {
    const k = blkidKey(spec);
    const r = await this.exec(
      {
        where: 'target',
        argv: ['sh', '-c', RESOLVE_SCRIPT, 'nixkit-resolve', spec, k?.key ?? '', k?.value ?? ''],
        purpose: `find the device ${spec} names`,
      },
      { quiet: true, allowFailure: true, timeoutMs: 30_000 },
    );
    return r.stdout
      .toString()
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('/dev/'));
  }

  private async resolveOne(spec: string): Promise<string | undefined> {
    const all = [...new Set(await this.resolve(spec))];
    if (all.length > 1)
      throw new RescueError(
        `${spec} names ${all.length} devices here (${all.join(', ')}): two disks carry the same label or UUID. Give the root's device with --device.`,
      );
    return all[0];
  }

  /** Opens an encrypted device read-only under this rescue's own mapping name; the passphrase goes on stdin. */
  async openLuks(name: string, device: string, passphrase: string): Promise<string> {
    const existing = this.opened.get(name);
    if (existing) return existing;
    if (!/^[A-Za-z0-9_.+-]{1,64}$/.test(name))
      throw new RescueError(`'${name}' is not a usable mapping name`);
    this.secrets.push(passphrase);
    const mapping = `nixkit-rescue-${this.nonce}-${name}`;
    await this.exec(
      {
        where: 'target',
        argv: ['cryptsetup', 'open', '--readonly', '--key-file=-', device, mapping],
        stdin: '(the passphrase: not shown)',
        purpose: `unlock ${device} (read-only) as /dev/mapper/${mapping}`,
      },
      { stdin: passphrase, timeoutMs: 120_000 },
    );
    const path = `/dev/mapper/${mapping}`;
    this.opened.set(name, path);
    return path;
  }

  /** Mounts `device` read-only at the installed system's `mountPoint`. */
  async mountReadOnly(
    mountPoint: string,
    device: string,
    fsType: string | undefined,
    subvol?: string,
  ): Promise<RescueMount> {
    const target = mountPoint === '/' ? this.root : `${this.root}${mountPoint}`;
    await this.exec(
      {
        where: 'target',
        argv: this.inNamespace([
          'sh',
          '-c',
          MOUNT_RO_SCRIPT,
          'nixkit-mount',
          device,
          target,
          fsType ?? '',
          subvol ? `subvol=${subvol}` : '',
        ]),
        purpose: `mount ${device} read-only as the installed system's ${mountPoint}`,
      },
      { timeoutMs: 120_000 },
    );
    const type = await this.mountedType(target);
    const m: RescueMount = { mountPoint, target, device, fsType: type ?? fsType ?? '?', writable: false };
    this.mounts.push(m);
    return m;
  }

  private async mountedType(target: string): Promise<string | undefined> {
    const r = await this.session.execAsRoot(this.inNamespace(['cat', '/proc/self/mounts']), {
      signal: this.signal,
      timeoutMs: 30_000,
    });
    const line = r.stdout
      .toString()
      .split('\n')
      .map((l) => l.split(' '))
      .filter((f) => f[1] === target)
      .pop();
    return line?.[2];
  }

  private async hasSystem(): Promise<boolean> {
    const r = await this.session.execAsRoot(
      this.inNamespace(['test', '-d', `${this.root}/nix/var/nix/profiles`]),
      { signal: this.signal, timeoutMs: 30_000 },
    );
    return r.code === 0;
  }

  private async unmount(m: RescueMount): Promise<void> {
    await this.exec(
      { where: 'target', argv: this.inNamespace(['umount', m.target]), purpose: `unmount ${m.device}` },
      { allowFailure: true },
    );
    this.mounts.splice(this.mounts.indexOf(m), 1);
  }

  /**
   * Finds and mounts the installed system read-only: the device given, else the configuration's filesystems
   * (`/` first, then /nix, /boot, /var… where separate), else the probe's candidates (unmounted Linux
   * filesystems, LUKS when a passphrase is given) until one holds /nix/var/nix/profiles; then its ESP.
   * Returns how it was found.
   */
  async locate(o: LocateOptions): Promise<string> {
    const cfg = o.config;
    const luksByName = new Map((cfg?.luks ?? []).map((l) => [l.name, l.device]));
    const openDevice = async (spec: string): Promise<string | undefined> => {
      const mapper = /^\/dev\/mapper\/([^/]+)$/.exec(spec);
      if (mapper && luksByName.has(mapper[1])) {
        const under = await this.resolveOne(luksByName.get(mapper[1])!);
        if (!under) {
          this.note(`the encrypted device ${luksByName.get(mapper[1])} (for ${spec}) is not here`);
          return undefined;
        }
        const pass = await o.passphrase?.();
        if (!pass) {
          this.note(`${spec} is encrypted (${under}) and no passphrase was given`);
          return undefined;
        }
        return this.openLuks(mapper[1], under, pass);
      }
      return this.resolveOne(spec);
    };

    if (o.rootDevice) {
      const dev = await openDevice(o.rootDevice);
      if (!dev) throw new RescueError(`${o.rootDevice} is not a device on the target`);
      await this.mountReadOnly('/', dev, undefined);
      if (!(await this.hasSystem()))
        throw new RescueError(`${o.rootDevice} holds no NixOS system (no /nix/var/nix/profiles on it)`);
      await this.mountRest(cfg, openDevice);
      return `the device given (${o.rootDevice})`;
    }

    const rootFs = cfg?.fileSystems.find((f) => f.mountPoint === '/');
    if (cfg && rootFs) {
      const dev = await openDevice(rootFs.device);
      if (dev) {
        await this.mountReadOnly('/', dev, rootFs.fsType, rootFs.subvol);
        if (await this.hasSystem()) {
          await this.mountRest(cfg, openDevice);
          return `the configuration's fileSystems."/" (${rootFs.device} is ${dev})`;
        }
        this.note(`${rootFs.device} (${dev}) holds no /nix/var/nix/profiles: looking at the other disks`);
        await this.unmount(this.mounts[this.mounts.length - 1]);
      } else
        this.note(
          `the configuration's root device ${rootFs.device} is not on the target: looking at its disks`,
        );
    } else if (cfg)
      this.note(`${cfg.source} has no fileSystems."/" nixkit can read: looking at the target's disks`);

    // The probe's candidates.
    this.events.command?.({
      where: 'target',
      argv: probeArgv(),
      purpose: 'the hardware probe: list the disks and filesystems',
    });
    const report = (await runProbe(this.session, { signal: this.signal, timeoutMs: 120_000 })).report;
    const found = await this.tryCandidates(report, o);
    if (!found)
      throw new RescueError(
        'No installed NixOS found: no unmounted filesystem on the target holds /nix/var/nix/profiles' +
          (o.passphrase ? '' : ' (encrypted partitions need a passphrase)') +
          '. Name the root with --device.',
      );
    // The ESP: the configuration's, else a vfat partition on the same disk.
    await this.mountRest(cfg, openDevice, report, found);
    return `the target's disks (${found} holds /nix/var/nix/profiles)`;
  }

  private async tryCandidates(report: ProbeReport, o: LocateOptions): Promise<string | undefined> {
    const plain: { path: string; fs: string }[] = [];
    const luks: string[] = [];
    for (const d of report.disks) {
      if (d.liveSystem) continue;
      const parts = d.partitions.length
        ? d.partitions
        : [{ path: d.path, fs: d.fs, mountpoints: d.mountpoints }];
      for (const p of parts) {
        const type = p.fs?.type;
        if (!p.path || p.mountpoints.length > 0 || !type) continue;
        if (FS_CANDIDATES.has(type)) plain.push({ path: p.path, fs: type });
        else if (type === 'crypto_LUKS') luks.push(p.path);
      }
    }
    for (const c of plain) {
      try {
        await this.mountReadOnly('/', c.path, c.fs);
      } catch (e) {
        if (e instanceof CancelledError) throw e;
        continue;
      }
      if (await this.hasSystem()) return c.path;
      await this.unmount(this.mounts[this.mounts.length - 1]);
    }
    if (luks.length > 0) {
      const pass = await o.passphrase?.();
      if (!pass) {
        this.note(`encrypted partitions (${luks.join(', ')}) were not opened: no passphrase`);
        return undefined;
      }
      for (const [i, dev] of luks.entries()) {
        let mapped: string;
        try {
          mapped = await this.openLuks(`candidate${i}`, dev, pass);
        } catch (e) {
          if (e instanceof CancelledError) throw e;
          continue;
        }
        try {
          await this.mountReadOnly('/', mapped, undefined);
        } catch (e) {
          if (e instanceof CancelledError) throw e;
          continue;
        }
        if (await this.hasSystem()) return `${dev} (${mapped})`;
        await this.unmount(this.mounts[this.mounts.length - 1]);
      }
    }
    return undefined;
  }

  /** The configuration's other filesystems (/nix, /boot, …), else a vfat partition beside the root as /boot. */
  private async mountRest(
    cfg: RescueConfiguration | undefined,
    openDevice: (spec: string) => Promise<string | undefined>,
    report?: ProbeReport,
    rootPath?: string,
  ): Promise<void> {
    let esp = false;
    for (const f of cfg?.fileSystems ?? []) {
      if (f.mountPoint === '/') continue;
      let dev: string | undefined;
      try {
        dev = await openDevice(f.device);
      } catch (e) {
        if (e instanceof CancelledError) throw e;
        this.note(`${f.mountPoint}: ${(e as Error).message}`);
        continue;
      }
      if (!dev) {
        this.note(`${f.mountPoint}: ${f.device} is not on the target; not mounted`);
        continue;
      }
      try {
        await this.mountReadOnly(f.mountPoint, dev, f.fsType, f.subvol);
        if (f.fsType === 'vfat') esp = true;
      } catch (e) {
        if (e instanceof CancelledError) throw e;
        this.note(`${f.mountPoint}: not mounted (${(e as Error).message})`);
      }
    }
    if (esp || !report || !rootPath) return;
    const disk = report.disks.find((d) => d.partitions.some((p) => p.path && rootPath.startsWith(p.path)));
    const vfat = disk?.partitions.find((p) => p.fs?.type === 'vfat' && p.path && p.mountpoints.length === 0);
    if (vfat?.path)
      try {
        await this.mountReadOnly('/boot', vfat.path, 'vfat');
      } catch (e) {
        if (e instanceof CancelledError) throw e;
        this.note(`the ESP ${vfat.path} was not mounted: ${(e as Error).message}`);
      }
  }

  /** Reads why the system did not come back (read-only). */
  async diagnose(config?: RescueConfiguration): Promise<Diagnosis> {
    const marker = `@@nixkit-${crypto.randomBytes(8).toString('hex')}`;
    const r = await this.exec(
      {
        where: 'target',
        argv: this.inNamespace(['sh', '-c', DIAGNOSE_SCRIPT, 'nixkit-diagnose', this.root, marker]),
        purpose: 'read the generations, the boot loader entries and the logs of the installed system',
      },
      { quiet: true, timeoutMs: 180_000 },
    );
    const sections = parseSections(r.stdout.toString(), marker);
    let journal: Map<string, string> | undefined;
    const boots = sections.get('list-boots') ?? '';
    const lastBoot =
      /(?:^|\n)\s*0\s+([0-9a-f]{32})\s/.exec(boots)?.[1] ??
      [...boots.matchAll(/\s([0-9a-f]{32})\s/g)].pop()?.[1];
    if (lastBoot) {
      const jm = `@@nixkit-${crypto.randomBytes(8).toString('hex')}`;
      const jr = await this.exec(
        {
          where: 'target',
          argv: this.inNamespace([
            'sh',
            '-c',
            JOURNAL_SCRIPT,
            'nixkit-journal',
            `${this.root}/var/log/journal`,
            lastBoot,
            jm,
          ]),
          purpose: `read the journal of the last boot (${lastBoot})`,
        },
        { quiet: true, timeoutMs: 180_000 },
      );
      journal = parseSections(jr.stdout.toString(), jm);
    }
    return buildDiagnosis(sections, journal, {
      mounts: this.mounts.map((m) => ({ mountPoint: m.mountPoint, device: m.device, fsType: m.fsType })),
      interfaces: config?.interfaces ?? [],
      redact: (t) => this.redact(t),
    });
  }

  /** The mounts the boot loader's files are on (the ESP when separate, else the root). */
  private mountOf(file: string): RescueMount {
    return [...this.mounts]
      .sort((a, b) => b.mountPoint.length - a.mountPoint.length)
      .find((m) => m.mountPoint === '/' || file === m.mountPoint || file.startsWith(m.mountPoint + '/'))!;
  }

  private remountCommand(m: RescueMount): PlannedCommand {
    return {
      where: 'target',
      argv: this.inNamespace(['sh', '-c', REMOUNT_RW_SCRIPT, 'nixkit-remount', m.target, m.device, m.fsType]),
      purpose: `make ${m.mountPoint} (${m.device}) writable for this change`,
    };
  }

  /**
   * The commands that make generation `n` the default boot entry: systemd-boot's loader.conf `default`, GRUB's
   * grubenv `saved_entry` (where grub.cfg defers to it) or grub.cfg's `set default=`. The file's mount is made
   * writable first (only for this).
   */
  planRollback(d: Diagnosis, n: number): { commands: PlannedCommand[]; summary: string } {
    if (!d.generations.some((g) => g.number === n))
      throw new RescueError(
        `There is no generation ${n} (the installed system has ${d.generations.map((g) => g.number).join(', ') || 'none'}).`,
      );
    const menu = d.bootMenu;
    if (!menu)
      throw new RescueError('No boot loader menu was found on the installed system: nothing to change.');
    const entry = entryForGeneration(menu, n);
    if (!entry)
      throw new RescueError(
        `The ${menu.loader} menu (${menu.file}) has no entry for generation ${n}: its boot files are gone (collected?).`,
      );
    if (menu.defaultId === entry.id)
      throw new RescueError(`Generation ${n} (${entry.id}) is already the default boot entry.`);
    const commands: PlannedCommand[] = [];
    let file: string;
    let content: string;
    if (menu.loader === 'systemd-boot') {
      file = menu.file;
      content = setSystemdBootDefault(d.files.get(menu.file) ?? '', entry.id);
    } else {
      const grub = menu as GrubMenu;
      if (grub.usesSavedEntry) {
        file = menu.file.replace(/grub\.cfg$/, 'grubenv');
        content = setGrubenvSavedEntry(d.files.get(file), entry.id);
      } else {
        file = menu.file;
        content = setGrubCfgDefault(d.files.get(menu.file) ?? '', grub, entry.id);
      }
    }
    const m = this.mountOf(file);
    if (!m.writable) commands.push(this.remountCommand(m));
    commands.push({
      where: 'target',
      argv: this.inNamespace([
        'sh',
        '-c',
        WRITE_FILE_SCRIPT,
        'nixkit-write',
        `${this.root}${file === '/' ? '' : file}`,
        content,
      ]),
      purpose: `make "${entry.title}" (generation ${n}) the default boot entry: rewrite ${file}`,
    });
    // The system profile follows, as `nixos-rebuild --rollback` does: the generation that boots is the current
    // one (its /run/current-system and the next rebuild start from it), not only the menu's first line.
    if (d.currentGeneration !== n) {
      const rootMount = this.mounts.find((x) => x.mountPoint === '/')!;
      const nixMount = this.mountOf('/nix/var/nix/profiles');
      for (const x of new Set([rootMount, nixMount]))
        if (!x.writable && !commands.some((c) => c.argv.includes(x.target)))
          commands.push(this.remountCommand(x));
      commands.push({
        where: 'target',
        argv: this.inNamespace([
          'ln',
          '-sfn',
          `system-${n}-link`,
          `${this.root}/nix/var/nix/profiles/system`,
        ]),
        purpose: `point the system profile at generation ${n} (it was ${d.currentGeneration ?? 'unknown'})`,
      });
    }
    return {
      commands,
      summary: `${menu.loader}: default ${menu.defaultId ?? '(the loader’s choice)'} → ${entry.id} (generation ${n})`,
    };
  }

  /** The commands that run `command` (a shell command line) inside the installed system, as nixos-enter does. */
  planRun(command: string): PlannedCommand[] {
    if (command.trim() === '') throw new RescueError('The command to run is empty.');
    const out: PlannedCommand[] = [];
    for (const m of this.mounts) if (!m.writable) out.push(this.remountCommand(m));
    out.push({
      where: 'target',
      argv: this.inNamespace([
        'unshare',
        '--mount',
        '--fork',
        '--pid',
        '--mount-proc',
        'sh',
        '-c',
        RUN_INSIDE_SCRIPT,
        'nixkit-enter',
        this.root,
        command,
      ]),
      purpose:
        'enter the installed system (private /dev, /proc, /sys, /run; activation as nixos-enter) and run the command',
    });
    return out;
  }

  /** Runs planned commands in order (the caller showed them and had them confirmed). */
  async execute(commands: PlannedCommand[]): Promise<void> {
    for (const c of commands) {
      await this.exec(c, { timeoutMs: 30 * 60_000 });
      if (c.purpose.startsWith('make ') && c.purpose.includes('writable')) {
        const m = this.mounts.find((x) => c.argv.includes(x.target) && c.argv.includes(x.device));
        if (m) {
          m.writable = true;
          m.fsType = (await this.mountedType(m.target)) ?? m.fsType;
        }
      }
    }
  }

  /**
   * Ends the holder: it unmounts everything under its mount point, closes this rescue's LUKS mappings and removes
   * the mount point. Safe to call twice and after the connection dropped (then the holder already did it).
   */
  async close(): Promise<string> {
    if (this.closed) return '';
    this.closed = true;
    this.events.command?.({
      where: 'target',
      argv: ['(end the holder\u2019s input)'],
      purpose: 'unmount everything the rescue mounted, close its LUKS mappings, remove its mount point',
    });
    this.input.end();
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 60_000).unref());
    const r = await Promise.race([this.holderDone, timeout]);
    if (r === 'timeout') return 'the rescue holder did not end within a minute';
    if (r instanceof Error) return this.redact(r.message);
    const err = this.redact(r.stderr.toString());
    if (/could not|not empty/.test(err)) return err.trim();
    return '';
  }
}

/** ENTER_PREFIX (the install's nixos-enter-like entry) followed by the command in the root's shell: $2. */
export const RUN_INSIDE_SCRIPT = `${ENTER_PREFIX}
exec env -i PATH="$path" HOME=/root TERM=dumb "$chroot" "$root" "$sys/sw/bin/sh" -c "$2"`;
