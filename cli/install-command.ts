// `nixkit install --flake PATH#name --target TARGET [--disk ID] ...`: the install engine from a terminal. Prints
// the whole plan first (every command, destructive ones marked), asks for the disk's name before erasing it (or
// takes --yes with a matching --confirm-disk), streams progress, and saves the state after every step so a failed
// install resumes with --resume. --dry-run prints the plan and changes nothing (no connection, no state file).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EngineError } from '../engine/errors';
import { checkLayout, DEFAULT_LAYOUT } from '../engine/install/layout';
import type {
  DiskLayout,
  InstallOptions,
  InstallState,
  StepEvent,
  StepId,
  StrategyName,
} from '../protocol/install-state';
import { InstallFailedError, InstallRunner, formatPlan } from '../engine/install/runner';
import { newInstallState, StateStore } from '../engine/install/state-store';
import { STRATEGY_NAMES } from '../engine/install/strategies';
import { installSteps, type StepHooks } from '../engine/install/steps';
import { analyzeConfiguration } from '../engine/install/steps/preflight';
import { describeSeams, loadInstallTestSeams, type InstallTestSeams } from '../engine/install/test-seams';
import { formatCommand } from '../engine/install/transcript';
import {
  installProxy,
  parseNoProxy,
  parseProxyUrl,
  withProxyPassword,
  type ParsedProxy,
} from '../engine/install/proxy';
import type { Prompter } from '../engine/ssh/session';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type CliIO, type Subcommand } from './io';
import { parseFlags, secretFromEnv } from './flags';
import { explainRefusedHostKey, sshAccess, SSH_FLAGS } from './ssh-flags';
import { askOnTerminal, TtyPrompter } from './tty-prompter';

export const INSTALL_USAGE = `usage: nixkit install --flake PATH#NAME --target TARGET [--disk /dev/disk/by-id/ID] [--layout FILE]
                      [--strategy S] [--build-on local|target|HOST] [--root DIR] [--dry-run]
                      [--yes --confirm-disk ID] [--resume [INSTALL-ID]] [--reboot] [--kexec-image DIR]
                      [--network static|dhcp] [--network-style scripted|networkd]
                      [--proxy URL [--no-proxy LIST] [--proxy-password-env VAR] [--proxy-in-config]]
                      [--identity FILE]... [--known-hosts FILE] [--accept-new-host-key]
                      [--password-env VAR] [--sudo-password-env VAR] [--luks-passphrase-env VAR]
                      [--state-dir DIR] [--ssh-config FILE]
  Installs the flake's nixosConfigurations.NAME onto TARGET over SSH.
  --disk ID          the disk to ERASE, by /dev/disk/by-id (a kernel name like /dev/sda is refused: it can name
                     another disk after a reboot); without it, what is mounted at --root is used
  --layout FILE      the disk layout as JSON ({"espSizeMiB":512,"rootFs":"ext4"|"btrfs"|"xfs","swapSizeMiB":N,
                     "subvolumes":{"@":"/"},"luks":{"name":"cryptroot"},"labels":{...}}); default ESP 512 MiB + ext4
  --strategy S       ${STRATEGY_NAMES.join(', ')} (default: chosen from the probe)
  --root DIR         where the new system is mounted on the target (default /mnt)
  --kexec-image DIR  with --strategy kexec: the installer image to kexec into first, a folder with bzImage,
                     initrd and cmdline (or an unpacked nixos-images kexec tarball)
  --network MODE     also write network.nix beside hardware-configuration.nix (which imports it): "static" keeps
                     the addresses, gateways and nameservers the target has now (a rescue network without DHCP),
                     "dhcp" asks DHCP on the interface with the default route
  --network-style S  network.nix as "scripted" networking.interfaces or "networkd" (default: networkd when the
                     configuration uses it, else scripted)
  --proxy URL        every command on the target runs with http_proxy/https_proxy (and HTTP_PROXY/HTTPS_PROXY)
                     set to URL: http://[user[:password]@]host:port (also https://, socks5://, socks5h://). The
                     password is never saved, and shown as ***; a resume asks for it again
  --no-proxy LIST    hosts, .domains, addresses or ranges reached directly (no_proxy), comma-separated
  --proxy-password-env VAR  the proxy's password from this environment variable (not on the command line)
  --proxy-in-config  also write proxy.nix (networking.proxy.default/noProxy) beside hardware-configuration.nix,
                     which imports it, so the installed system uses the proxy too. Without the password: anything
                     in networking.proxy is world-readable in the Nix store (see proxy-credentials-in-store)
  --dry-run          print every command the install would run; connect to nothing, change nothing
  --yes              do not ask; erasing a disk then needs --confirm-disk with the disk's exact name
  --resume [ID]      continue a failed or cancelled install (default: the newest unfinished one); the plan is
                     shown and erasing the disk is confirmed again (--yes needs --confirm-disk again)
  --state-dir DIR    install states and transcripts (default $XDG_STATE_HOME/nixkit/installs/<flake>, else
                     ~/.local/state/nixkit/installs/<flake>: never inside the repository)
  Exit status: 0 installed (or plan printed), 1 the install failed (its state is saved), 2 usage.`;

export interface InstallCommandDeps {
  prompter?: (io: CliIO) => Prompter;
  /** Test seams for kernels without vfat (see steps/index.ts). */
  hooks?: StepHooks;
  /** Asks the user to type the disk's name (default: the terminal); undefined when there is no terminal. */
  confirm?: (question: string) => Promise<string | undefined>;
}

function parseFlakeRef(ref: string, cwd: string): { flake: string; name: string } | string {
  const hash = ref.lastIndexOf('#');
  if (hash < 0) return `--flake needs PATH#NAME (the nixosConfigurations entry), got '${ref}'`;
  const name = ref.slice(hash + 1);
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.'-]*$/.test(name)) return `'${name}' is not a configuration name`;
  const p = ref.slice(0, hash) || '.';
  return { flake: path.resolve(cwd, p), name };
}

function parseBuildOn(v: string | undefined): { buildOn: InstallOptions['buildOn'] } | { error: string } {
  if (v === undefined || v === 'local') return { buildOn: 'local' };
  if (v === 'target') return { buildOn: 'target' };
  // ssh and Nix's ssh-ng:// take no host:port: a port goes into an ~/.ssh/config alias.
  if (/^[^[]*:\d+$/.test(v) || /^\[.*\]:\d+$/.test(v))
    return { error: `--build-on '${v}': give the port in an ~/.ssh/config Host alias, not as host:port` };
  if (/^[A-Za-z0-9_.@:[\]-]+$/.test(v) && !v.startsWith('-')) return { buildOn: { host: v } };
  return { error: `--build-on takes local, target or a host, not '${v}'` };
}

/**
 * The disk names --disk accepts: /dev/disk/by-id (the disk's own serial or WWN), or /dev/disk/by-path where a disk
 * has no by-id name. A kernel name (/dev/sda, /dev/nvme0n1, /dev/vdb) can name another disk after a reboot, which a
 * resumed install would then erase.
 */
export function diskNameProblem(disk: string, flag: string): string | null {
  if (/^\/dev\/disk\/by-(id|path)\/[^/]+$/.test(disk)) return null;
  return (
    `${flag} ${disk}: name the disk by /dev/disk/by-id/… (\`nixkit probe TARGET\` lists them), not by a kernel ` +
    `name, which can name another disk after a reboot`
  );
}

/**
 * Where the CLI keeps install states by default: per user, outside the repository (a state planted in a
 * repository would otherwise supply the target, the disk and the files to copy), one folder per flake path.
 */
export function defaultStateDir(flake: string, env: NodeJS.ProcessEnv): string {
  const base = env.XDG_STATE_HOME?.startsWith('/')
    ? env.XDG_STATE_HOME
    : path.join(env.HOME || os.homedir(), '.local', 'state');
  const key = `${path.basename(flake).replace(/[^A-Za-z0-9_.-]/g, '_') || 'flake'}-${crypto
    .createHash('sha256')
    .update(path.resolve(flake))
    .digest('hex')
    .slice(0, 12)}`;
  return path.join(base, 'nixkit', 'installs', key);
}

export function makeInstallCommand(deps: InstallCommandDeps = {}): Subcommand {
  return async (args: string[], io: CliIO) => {
    // `--resume` takes an optional id: turn `--resume ID` into `--resume-id ID`.
    const argv: string[] = [];
    for (let i = 0; i < args.length; i++) {
      if (args[i] === '--resume' && args[i + 1] !== undefined && !args[i + 1].startsWith('-')) {
        argv.push('--resume', '--resume-id', args[++i]);
      } else argv.push(args[i]);
    }
    const parsed = parseFlags(
      'install',
      INSTALL_USAGE,
      argv,
      io,
      {
        flake: { type: 'string' },
        target: { type: 'string' },
        disk: { type: 'string' },
        layout: { type: 'string' },
        strategy: { type: 'string' },
        'build-on': { type: 'string' },
        root: { type: 'string' },
        'dry-run': { type: 'boolean' },
        yes: { type: 'boolean', short: 'y' },
        'confirm-disk': { type: 'string' },
        resume: { type: 'boolean' },
        'resume-id': { type: 'string' },
        reboot: { type: 'boolean' },
        'kexec-image': { type: 'string' },
        network: { type: 'string' },
        'network-style': { type: 'string' },
        proxy: { type: 'string' },
        'no-proxy': { type: 'string' },
        'proxy-password-env': { type: 'string' },
        'proxy-in-config': { type: 'boolean' },
        'luks-passphrase-env': { type: 'string' },
        'state-dir': { type: 'string' },
        ...SSH_FLAGS,
      },
      false,
    );
    if (typeof parsed === 'number') return parsed;
    const v = parsed.values;
    const usage = (msg: string) => {
      io.stderr(`nixkit install: ${msg}\n`);
      return EXIT_USAGE;
    };
    const ssh = sshAccess('install', v, io);
    const luksPassphrase = secretFromEnv('install', io, v['luks-passphrase-env'], '--luks-passphrase-env');
    const proxyPassword = secretFromEnv('install', io, v['proxy-password-env'], '--proxy-password-env');
    if (!ssh || luksPassphrase === null || proxyPassword === null) return EXIT_USAGE;
    // The proxy as given (with its password): checked now, before anything runs; the state saves it without.
    let proxyUrl: string | undefined;
    let proxy: ParsedProxy | undefined;
    if (
      v.proxy === undefined &&
      (v['no-proxy'] !== undefined || v['proxy-in-config']) &&
      !v.resume &&
      !v['resume-id']
    )
      return usage('--no-proxy and --proxy-in-config go with --proxy');
    if (v.proxy !== undefined) {
      try {
        let given = v.proxy;
        if (proxyPassword !== undefined) {
          const p = parseProxyUrl(given);
          if (p.hasPassword) return usage('--proxy already holds a password; drop --proxy-password-env');
          if (!/^[a-z0-9]+:\/\/[^:@/]+@/.test(p.shown))
            return usage('--proxy-password-env needs a user in the --proxy URL (http://user@host:port)');
          given = withProxyPassword(p.shown.replace('@', ':***@'), proxyPassword);
        }
        proxy = parseProxyUrl(given);
        proxyUrl = proxy.full;
      } catch (e) {
        return usage((e as Error).message);
      }
    }
    let seams: InstallTestSeams | undefined;
    try {
      seams = loadInstallTestSeams(io.env);
    } catch (e) {
      return usage((e as Error).message);
    }
    if (seams) io.stderr(`nixkit install: ${describeSeams(seams)}\n`);
    const hooks = { ...seams?.hooks, ...deps.hooks };

    // --- the install's options: from the command line, or from the saved state when resuming
    let flakeDir: string | undefined;
    let ref: { flake: string; name: string } | undefined;
    if (v.flake !== undefined) {
      const r = parseFlakeRef(v.flake, io.cwd);
      if (typeof r === 'string') return usage(r);
      ref = r;
      flakeDir = r.flake;
    }
    const flakeOrCwd = flakeDir ?? io.cwd;
    const stateDir = v['state-dir']
      ? path.resolve(io.cwd, v['state-dir'])
      : defaultStateDir(flakeOrCwd, io.env);
    const store = new StateStore(stateDir);
    // States from before they moved out of the repository are never read (anyone who can write the repository
    // could have planted one): say so once, and where states live now.
    const legacy = path.join(flakeOrCwd, '.nixkit', 'installs');
    const resuming = v.resume || v['resume-id'] !== undefined;
    if (!v['state-dir'] && fs.existsSync(legacy) && fs.readdirSync(legacy).some((n) => n.endsWith('.json')))
      io.stderr(
        `nixkit install: ignoring the install states in ${legacy}: states inside a repository are no longer ` +
          `trusted (one planted there could choose the target and the disk to erase). Installs are kept in ` +
          `${stateDir} now; ${resuming ? 'an install started before cannot be resumed: start it again (steps whose work is in place are checked, not redone)' : 'delete that folder when you no longer need its transcripts'}.\n`,
      );
    let state: InstallState;
    if (resuming) {
      try {
        const found = v['resume-id'] ? store.load(v['resume-id']) : store.latestUnfinished();
        if (!found) return usage(`no unfinished install in ${stateDir}`);
        state = found;
      } catch (e) {
        return usage((e as Error).message);
      }
      if (state.status === 'done') {
        io.stdout(`install ${state.id} already finished\n`);
        return EXIT_OK;
      }
    } else {
      if (!ref) return usage('--flake PATH#NAME is required');
      if (!v.target) return usage('--target is required');
      if (!fs.existsSync(path.join(ref.flake, 'flake.nix'))) return usage(`${ref.flake} holds no flake.nix`);
      let layout: DiskLayout | undefined;
      if (v.layout !== undefined) {
        try {
          layout = JSON.parse(fs.readFileSync(path.resolve(io.cwd, v.layout), 'utf8')) as DiskLayout;
          checkLayout(layout);
        } catch (e) {
          return usage(`--layout ${v.layout}: ${(e as Error).message}`);
        }
      }
      if (layout && !v.disk) return usage('--layout needs --disk (without a disk, what is mounted is used)');
      if (v.disk !== undefined) {
        const problem = diskNameProblem(v.disk, '--disk');
        if (problem) return usage(problem);
      }
      if (v.strategy !== undefined && !STRATEGY_NAMES.includes(v.strategy as StrategyName))
        return usage(`--strategy must be one of ${STRATEGY_NAMES.join(', ')}`);
      const b = parseBuildOn(v['build-on']);
      if ('error' in b) return usage(b.error);
      const buildOn = b.buildOn;
      const root = v.root ?? '/mnt';
      if (!root.startsWith('/')) return usage('--root must be an absolute path');
      if (v.network !== undefined && v.network !== 'static' && v.network !== 'dhcp')
        return usage('--network is "static" or "dhcp"');
      const style = v['network-style'];
      if (style !== undefined && style !== 'scripted' && style !== 'networkd')
        return usage('--network-style is "scripted" or "networkd"');
      if (style !== undefined && !v.network) return usage('--network-style goes with --network');
      let noProxy: string[] = [];
      if (v['no-proxy'] !== undefined)
        try {
          noProxy = parseNoProxy(v['no-proxy']);
        } catch (e) {
          return usage(`--no-proxy: ${(e as Error).message}`);
        }
      const options: InstallOptions = {
        flake: ref.flake,
        configuration: ref.name,
        target: v.target,
        ...(v.strategy ? { strategy: v.strategy as StrategyName } : {}),
        ...(v.disk ? { disk: v.disk, layout: layout ?? DEFAULT_LAYOUT } : {}),
        buildOn,
        root,
        reboot: v.reboot === true,
        ...(v['kexec-image'] ? { kexecImage: path.resolve(io.cwd, v['kexec-image']) } : {}),
        ...(v.network ? { network: v.network as 'static' | 'dhcp' } : {}),
        ...(style ? { networkStyle: style } : {}),
        ...(proxy ? { proxy: installProxy(proxy, noProxy, v['proxy-in-config'] === true) } : {}),
        ...seams?.options,
      };
      const steps = installSteps(hooks);
      state = newInstallState(
        options,
        steps.map((s) => s.id),
      );
      try {
        state.config = (await analyzeConfiguration(options.flake, options.configuration)).facts;
      } catch {
        /* preflight reports analysis problems with the target's facts */
      }
    }
    const steps = installSteps(hooks);
    const options = state.options;

    // --- the plan
    const plan = new InstallRunner(JSON.parse(JSON.stringify(state)) as InstallState, {
      steps,
      store,
      connect: () => Promise.reject(new Error('not connecting for the plan')),
    }).plan();
    io.stdout(`Install plan for ${options.flake}#${options.configuration} onto ${options.target}:\n`);
    if (options.proxy)
      io.stdout(
        `Every command on the target runs with the proxy ${options.proxy.url}` +
          (options.proxy.noProxy?.length ? ` (not for ${options.proxy.noProxy.join(',')})` : '') +
          ' (http_proxy, https_proxy and their upper-case forms).\n',
      );
    io.stdout(formatPlan(plan));
    if (v['dry-run']) {
      io.stdout('(dry run: nothing was run or changed)\n');
      return EXIT_OK;
    }

    // --- the disk confirmation: always asked here, also on a resume (a saved confirmation is never reused)
    if (options.disk) {
      const problem = diskNameProblem(options.disk, resuming ? 'the saved install erases' : '--disk');
      if (problem) return usage(problem);
      delete options.confirmedDisk;
    }
    if (v['confirm-disk'] !== undefined && v['confirm-disk'] !== options.disk) {
      const problem = diskNameProblem(v['confirm-disk'], '--confirm-disk');
      if (problem) return usage(problem);
    }
    if (options.disk && options.confirmedDisk !== options.disk) {
      if (v.yes) {
        if (v['confirm-disk'] !== options.disk)
          return usage(
            `--yes erases ${options.disk} only with --confirm-disk ${options.disk} (the disk's exact name)`,
          );
        options.confirmedDisk = v['confirm-disk'];
      } else {
        const ask = deps.confirm ?? askOnTerminal(io);
        const answer = await ask(
          `This ERASES everything on ${options.disk}. Type the disk's name to continue: `,
        );
        if (answer === undefined)
          return usage(
            `erasing ${options.disk} needs a confirmation: run in a terminal, or pass --yes --confirm-disk ${options.disk}`,
          );
        if (answer.trim() !== options.disk) {
          io.stderr(`nixkit install: "${answer.trim()}" is not ${options.disk}; nothing was changed\n`);
          return EXIT_FINDINGS;
        }
        options.confirmedDisk = options.disk;
      }
    }

    // --- the run
    const tty = new TtyPrompter((t) => io.stderr(t));
    const prompter = deps.prompter ? deps.prompter(io) : tty;
    const secrets = [ssh.password, ssh.sudoPassword, luksPassphrase, proxyPassword].filter(
      (s): s is string => !!s,
    );
    // A resume: the saved proxy's password is asked again (it is never saved).
    if (options.proxy?.hasPassword && proxyUrl === undefined) {
      const password =
        proxyPassword ?? (await prompter.password(`Password for the proxy ${options.proxy.url}`));
      if (password === undefined)
        return usage(
          `the install goes through the proxy ${options.proxy.url}, whose password is not saved: give --proxy-password-env VAR or --proxy URL`,
        );
      secrets.push(password);
      proxyUrl = withProxyPassword(options.proxy.url, password);
    }
    const titles = new Map(steps.map((s) => [s.id, s.title]));
    const runner = new InstallRunner(state, {
      steps,
      store,
      secrets,
      proxyUrl,
      signal: io.signal,
      luksPassphrase: async () =>
        luksPassphrase ?? (await prompter.password('LUKS passphrase for the new root')),
      connect: (signal) => ssh.connect(options.target, { prompter, readyTimeoutMs: 30_000, signal }),
      onStepState: (st) => {
        const t = titles.get(st.id) ?? st.id;
        if (st.status === 'running') io.stdout(`\n==> ${t}\n`);
        else if (st.status === 'done') io.stdout(`    done: ${t}\n`);
        else if (st.status === 'skipped') io.stdout(`\n==> ${t}: skipped\n`);
      },
      onEvent: (_id: StepId, e: StepEvent) => {
        if (e.kind === 'command') io.stdout(`    $ ${formatCommand(e.command)}\n`);
        else if (e.kind === 'output') io.stderr(e.text);
        else if (e.kind === 'note') io.stdout(`    ${e.text}\n`);
        else if (e.kind === 'progress' && e.detail)
          io.stdout(`    [${e.done}/${e.total ?? '?'}] ${e.detail}\n`);
      },
    });
    io.stdout(`\ninstall ${state.id} (state and transcript in ${stateDir})\n`);
    try {
      await runner.run();
      io.stdout(`\ninstall ${state.id} finished. Transcript: ${runner.transcriptPath}\n`);
      return EXIT_OK;
    } catch (e) {
      const resume = `nixkit install --resume ${state.id}${v['state-dir'] ? ` --state-dir ${stateDir}` : ` --flake ${options.flake}#${options.configuration}`}`;
      if (explainRefusedHostKey(e, 'install', tty, !!deps.prompter, io)) return EXIT_FINDINGS;
      if (e instanceof EngineError) {
        io.stderr(`\nnixkit install: ${runner.redact(e.message)}\n`);
        if (e instanceof InstallFailedError || fs.existsSync(store.statePath(state.id)))
          io.stderr(`Transcript: ${runner.transcriptPath}\nTo continue: ${resume}\n`);
        return e.code === 'bad-target' ? EXIT_USAGE : EXIT_FINDINGS;
      }
      throw e;
    }
  };
}

export const installCommand: Subcommand = makeInstallCommand();
