// `nixkit rescue TARGET [--flake PATH#NAME] [--rollback GEN | --run CMD | --resume-from STEP]`: getting back an
// installed NixOS that does not answer, from the rescue or live system the machine was booted into. By default it
// only reads: it finds the installed system (the configuration's fileSystems, else the target's disks), mounts it
// read-only in a private mount namespace, and prints why it did not come back. An action is shown command by
// command and confirmed before it runs. Everything is unmounted at the end (also when the connection drops) and a
// transcript, secrets redacted, is left under $XDG_STATE_HOME/nixkit/rescues.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EngineError, redact } from '../engine/errors';
import { StateStore } from '../engine/install/state-store';
import { formatCommand, Transcript } from '../engine/install/transcript';
import { rescueConfiguration, type RescueConfiguration } from '../engine/rescue/configuration';
import { formatDiagnosis } from '../engine/rescue/diagnosis';
import { RescueSession } from '../engine/rescue/rescue-session';
import { rescueTranscriptPath } from '../engine/rescue/transcript-path';
import type { Prompter, Session } from '../engine/ssh/session';
import { STEP_IDS, type PlannedCommand, type StepId } from '../protocol/install-state';
import { parseFlags, secretFromEnv } from './flags';
import { defaultStateDir, makeInstallCommand } from './install-command';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type CliIO, type Subcommand } from './io';
import { explainRefusedHostKey, sshAccess, SSH_FLAGS } from './ssh-flags';
import { askOnTerminal, TtyPrompter } from './tty-prompter';

export const RESCUE_USAGE = `usage: nixkit rescue TARGET [--flake PATH#NAME] [--device DEV] [--rollback GEN | --run CMD | --resume-from STEP]
                     [--yes] [--luks-passphrase-env VAR] [--state-dir DIR] [--identity FILE]... [--port N]
                     [--known-hosts FILE] [--accept-new-host-key] [--password-env VAR] [--sudo-password-env VAR]
                     [--ssh-config FILE]
  TARGET is the rescue or live system the machine was booted into. Finds the installed NixOS (the configuration's
  fileSystems by label, UUID or by-id; else the target's unmounted filesystems), mounts it READ-ONLY in a private
  mount namespace and shows why it did not come back: the journal's boots and the last boot's failed units and
  errors (or the text logs where there is no journal or no journalctl), the kernel command line it booted with,
  whether the interfaces the configuration names existed, the boot loader's entries and default, the generations.
  --flake PATH#NAME     the installed configuration (its filesystems, LUKS devices and interfaces)
  --device DEV          the installed root filesystem's device, when nixkit cannot find it
  --rollback GEN        make generation GEN the default boot entry (systemd-boot loader.conf / GRUB default)
  --run CMD             run the shell command CMD inside the installed system (as nixos-enter does)
  --resume-from STEP    continue the install of --flake onto TARGET from STEP (build, copy, install, …): its
                        plan is shown and confirmed as \`nixkit install --resume\` does
  --yes                 run the action without asking (it is still printed first)
  --luks-passphrase-env VAR   the LUKS passphrase from environment variable VAR (else it is asked for)
  Changes are made only by an action, and only to what it shows: the filesystem it writes is remounted writable
  for it. Exit status: 0 done, 1 the rescue or the action failed, 2 usage.`;

export interface RescueCommandDeps {
  prompter?: (io: CliIO) => Prompter;
  /** Asks a question on the terminal (default); undefined when there is none. */
  ask?: (question: string) => Promise<string | undefined>;
}

export function makeRescueCommand(deps: RescueCommandDeps = {}): Subcommand {
  return async (args: string[], io: CliIO) => {
    const parsed = parseFlags(
      'rescue',
      RESCUE_USAGE,
      args,
      io,
      {
        flake: { type: 'string' },
        device: { type: 'string' },
        rollback: { type: 'string' },
        run: { type: 'string' },
        'resume-from': { type: 'string' },
        yes: { type: 'boolean', short: 'y' },
        'confirm-disk': { type: 'string' },
        'luks-passphrase-env': { type: 'string' },
        'state-dir': { type: 'string' },
        ...SSH_FLAGS,
      },
      true,
    );
    if (typeof parsed === 'number') return parsed;
    const v = parsed.values;
    const usage = (msg: string) => {
      io.stderr(`nixkit rescue: ${msg}\n`);
      return EXIT_USAGE;
    };
    if (parsed.positionals.length !== 1) return usage(`give exactly one TARGET\n${RESCUE_USAGE}`);
    const target = parsed.positionals[0];
    const actions = [v.rollback, v.run, v['resume-from']].filter((x) => x !== undefined);
    if (actions.length > 1) return usage('give one action at a time: --rollback, --run or --resume-from');
    let rollback: number | undefined;
    if (v.rollback !== undefined) {
      if (!/^\d+$/.test(v.rollback))
        return usage(`--rollback takes a generation number, not '${v.rollback}'`);
      rollback = Number(v.rollback);
    }
    if (v['resume-from'] !== undefined && !STEP_IDS.includes(v['resume-from'] as StepId))
      return usage(`--resume-from takes one of ${STEP_IDS.join(', ')}`);
    if (v['resume-from'] !== undefined && v.flake === undefined)
      return usage('--resume-from needs --flake PATH#NAME (the install to continue)');
    if (
      v.device !== undefined &&
      !v.device.startsWith('/dev/') &&
      !/^(LABEL|UUID|PARTLABEL|PARTUUID)=./.test(v.device)
    )
      return usage(`--device takes a /dev/… path or LABEL=/UUID=, not '${v.device}'`);
    const ssh = sshAccess('rescue', v, io);
    const luksFromEnv = secretFromEnv('rescue', io, v['luks-passphrase-env'], '--luks-passphrase-env');
    if (!ssh || luksFromEnv === null) return EXIT_USAGE;

    let config: RescueConfiguration | undefined;
    let flakeDir: string | undefined;
    let configName: string | undefined;
    if (v.flake !== undefined) {
      const hash = v.flake.lastIndexOf('#');
      if (hash < 0) return usage(`--flake needs PATH#NAME, got '${v.flake}'`);
      configName = v.flake.slice(hash + 1);
      flakeDir = path.resolve(io.cwd, v.flake.slice(0, hash) || '.');
      if (!fs.existsSync(path.join(flakeDir, 'flake.nix'))) return usage(`${flakeDir} holds no flake.nix`);
      const r = await rescueConfiguration(flakeDir, configName);
      if (!r.config)
        return usage(
          `the flake defines no nixosConfigurations.${configName}${r.configurations.length ? ` (it has: ${r.configurations.join(', ')})` : ''}`,
        );
      config = r.config;
    }

    const tty = new TtyPrompter((t) => io.stderr(t));
    const prompter = deps.prompter ? deps.prompter(io) : tty;
    const ask = deps.ask ?? askOnTerminal(io);
    const secrets = [ssh.password, ssh.sudoPassword, luksFromEnv].filter((s): s is string => !!s);
    let luks = luksFromEnv;
    const redactAll = (t: string) => redact(t, secrets);
    const transcriptFile = rescueTranscriptPath(io.env, target);
    const transcript = new Transcript(transcriptFile, redactAll);
    transcript.line(`rescue of ${target}${config ? ` (${config.source})` : ''}`);
    const show = (c: PlannedCommand) => {
      transcript.event('rescue', { kind: 'command', command: c });
      io.stdout(`    $ ${formatCommand(c).slice(0, 600)}${formatCommand(c).length > 600 ? ' …' : ''}\n`);
    };
    const events = {
      command: show,
      output: (stream: 'stdout' | 'stderr', text: string) => {
        transcript.event('rescue', { kind: 'output', stream, text });
        io.stderr(text);
      },
      note: (text: string) => {
        transcript.event('rescue', { kind: 'note', text });
        io.stdout(`    ${text}\n`);
      },
    };

    let session: Session | undefined;
    let rescue: RescueSession | undefined;
    let code = EXIT_OK;
    try {
      io.stdout(`==> Connecting to ${target}\n`);
      session = await ssh.connect(target, { prompter, readyTimeoutMs: 30_000, signal: io.signal });
      io.stdout('==> Mounting the installed system read-only\n');
      rescue = await RescueSession.open(session, events, io.signal);
      const how = await rescue.locate({
        config,
        ...(v.device ? { rootDevice: v.device } : {}),
        passphrase: async () => {
          if (luks === undefined) {
            luks = await prompter.password('LUKS passphrase of the installed system');
            if (luks) secrets.push(luks);
          }
          return luks;
        },
      });
      io.stdout(`    found through ${how}\n\n`);
      const diagnosis = await rescue.diagnose(config);
      const text = formatDiagnosis(diagnosis);
      transcript.line(`diagnosis:\n${text}`);
      io.stdout(text);

      let plan: PlannedCommand[] | undefined;
      let what = '';
      if (rollback !== undefined) {
        const p = rescue.planRollback(diagnosis, rollback);
        plan = p.commands;
        what = `Roll back: ${p.summary}`;
      } else if (v.run !== undefined) {
        plan = rescue.planRun(v.run);
        what = `Run inside the installed system: ${v.run}`;
      }
      if (plan) {
        io.stdout(`\n==> ${what}\nThese commands will run on ${target}:\n`);
        for (const c of plan) io.stdout(`    ${formatCommand(c)}\n      # ${c.purpose}\n`);
        let go = v.yes === true;
        if (!go) {
          const a = await ask('Type "yes" to run them: ');
          if (a === undefined) {
            io.stderr('nixkit rescue: there is no terminal to confirm on: pass --yes to run the action\n');
            code = EXIT_USAGE;
          } else go = a.trim() === 'yes';
          if (!go && a !== undefined) {
            io.stdout('Nothing was changed.\n');
            code = EXIT_FINDINGS;
          }
        }
        if (go) {
          transcript.line(`action: ${what}`);
          await rescue.execute(plan);
          io.stdout(`    done: ${what}\n`);
          transcript.line(`action done`);
        }
      }
    } catch (e) {
      if (explainRefusedHostKey(e, 'rescue', tty, !!deps.prompter, io)) code = EXIT_FINDINGS;
      else if (e instanceof EngineError) {
        const msg = rescue ? rescue.redact(e.message) : redactAll(e.message);
        transcript.line(`failed: ${msg}`);
        io.stderr(`nixkit rescue: ${msg}\n`);
        code = e.code === 'bad-target' ? EXIT_USAGE : EXIT_FINDINGS;
      } else {
        transcript.close();
        session?.close();
        throw e;
      }
    } finally {
      if (rescue) {
        io.stdout('==> Unmounting\n');
        const problem = await rescue.close();
        if (problem) {
          io.stderr(`nixkit rescue: ${problem}\n`);
          transcript.line(`cleanup: ${problem}`);
          if (code === EXIT_OK) code = EXIT_FINDINGS;
        } else transcript.line('unmounted everything');
      }
      session?.close();
    }

    if (code === EXIT_OK && v['resume-from'] !== undefined && flakeDir && configName) {
      const r = resumeInstall(io, v, flakeDir, configName, target, v['resume-from'] as StepId);
      if (typeof r === 'string') {
        io.stderr(`nixkit rescue: ${r}\n`);
        code = EXIT_FINDINGS;
      } else {
        transcript.line(`resuming install ${r.id} from ${v['resume-from']}`);
        io.stdout(`\n==> Resuming install ${r.id} from "${v['resume-from']}"\n`);
        code = await makeInstallCommand()(r.args, io);
      }
    }
    transcript.line(`rescue ended (exit ${code})`);
    transcript.close();
    io.stdout(`Transcript: ${transcriptFile}\n`);
    return code;
  };
}

/**
 * Marks the chosen step and every later one of the newest install of this flake onto this target as to be run
 * again, and returns the arguments of `nixkit install --resume` that continue it (the install then shows its plan
 * and asks for the disk again, as every resume does).
 */
function resumeInstall(
  io: CliIO,
  v: Record<string, unknown>,
  flake: string,
  name: string,
  target: string,
  from: StepId,
): { id: string; args: string[] } | string {
  const dir =
    typeof v['state-dir'] === 'string'
      ? path.resolve(io.cwd, v['state-dir'])
      : defaultStateDir(flake, io.env);
  const store = new StateStore(dir);
  let states;
  try {
    states = store.list().filter((s) => s.options.configuration === name && s.options.target === target);
  } catch (e) {
    return (e as Error).message;
  }
  const state = states.sort((a, b) =>
    String(b.createdAt ?? b.id).localeCompare(String(a.createdAt ?? a.id)),
  )[0];
  if (!state) return `no install of ${flake}#${name} onto ${target} in ${dir} to resume`;
  const ids = state.steps.map((s) => s.id);
  const at = ids.indexOf(from);
  if (at < 0) return `install ${state.id} has no step ${from}`;
  for (const st of state.steps.slice(at)) {
    st.status = 'pending';
    delete st.outputs;
    delete st.error;
    delete st.startedAt;
    delete st.finishedAt;
  }
  state.status = 'cancelled';
  store.save(state);
  const args = ['--resume', state.id, '--state-dir', dir];
  const pass = (flag: string, key: string) => {
    const x = v[key];
    if (typeof x === 'string') args.push(flag, x);
    else if (x === true) args.push(flag);
    else if (Array.isArray(x)) for (const y of x) args.push(flag, String(y));
  };
  for (const k of [
    'port',
    'identity',
    'known-hosts',
    'accept-new-host-key',
    'password-env',
    'sudo-password-env',
    'ssh-config',
    'luks-passphrase-env',
    'yes',
    'confirm-disk',
  ])
    pass(`--${k}`, k);
  return { id: state.id, args };
}

export const rescueCommand: Subcommand = makeRescueCommand();
