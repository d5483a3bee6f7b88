// Runs an install plan: describes every step up front, then runs the steps in order with streamed events,
// verifies each one, saves the state after every step and keeps a redacted transcript. A failed or cancelled
// install resumes from where it stopped: finished steps are verified again (a finished step whose result is
// gone — say, the target rebooted and lost its mounts — runs again) and their outputs reused; nothing else is
// redone. Cancellation is one AbortSignal, passed to every command.
import { spawn } from 'node:child_process';
import { CancelledError, EngineError, redact } from '../errors';
import type { ExecResult, Session } from '../ssh/session';
import type {
  InstallState,
  PlannedCommand,
  StepDescription,
  StepEvent,
  StepId,
  StepOutputs,
  StepState,
} from '../../protocol/install-state';
import type { LocalRunner, Step, StepContext } from './plan';
import type { StateStore } from './state-store';
import { Transcript, formatCommand } from './transcript';
import { parseProxyUrl, proxyEnv, proxyForRun, redactProxy, type ParsedProxy } from './proxy';

export class InstallFailedError extends EngineError {
  constructor(
    readonly installId: string,
    readonly stepId: StepId,
    readonly stepTitle: string,
    readonly cancelled: boolean,
    detail: string,
    readonly causeCode?: string,
  ) {
    super(
      cancelled ? 'install-cancelled' : 'install-failed',
      cancelled
        ? `The install was cancelled during "${stepTitle}". Its state is saved (install ${installId}): resume it to continue from this step.`
        : `"${stepTitle}" failed: ${detail} The install's state is saved (install ${installId}): fix the cause and resume it to continue from this step.`,
    );
  }
}

export class CommandFailedError extends EngineError {
  constructor(
    readonly command: PlannedCommand,
    readonly exitCode: number | null,
    detail: string,
  ) {
    super(
      'command-failed',
      `${command.purpose} failed (${command.argv[0]} exited with ${exitCode ?? 'a signal'})${detail ? `: ${detail}` : ''}.`,
    );
  }
}

export interface RunnerOptions {
  /** The steps in order (steps/index.ts). */
  steps: readonly Step[];
  store: StateStore;
  /** Opens the SSH session to the target (the runner closes it when it is done). */
  connect(signal: AbortSignal): Promise<Session>;
  local?: LocalRunner;
  onEvent?(step: StepId, event: StepEvent): void;
  /** Called whenever a step's state changes (after it was saved). */
  onStepState?(step: StepState, state: InstallState): void;
  /** Asked when a step needs the LUKS passphrase; never saved. */
  luksPassphrase?(): Promise<string | undefined>;
  /** Secrets known up front (passwords from the environment): redacted from everything written. */
  secrets?: string[];
  /**
   * The proxy URL with its password, when the install's proxy has one (options.proxy holds it without): it must
   * show as the saved one. Never saved; shown everywhere as the saved form.
   */
  proxyUrl?: string;
  signal?: AbortSignal;
}

/**
 * A step that can tell, when the install resumes at it, that the target is past what the finished steps before
 * it set up: finish after its reboot (the live system and its mounts are gone; the installed system runs). Those
 * steps are then neither checked again nor run again — on the new system they would remount its own disk, or
 * fail for want of the old mounts, and the confirmation would never be reached.
 */
export interface ResumeAwareStep extends Step {
  /** Why the earlier steps need no check (shown), or undefined to check them as usual. */
  pastEarlierSteps?(ctx: StepContext): Promise<string | undefined>;
}

/** Every step's description, in order, for the review (nothing runs). */
export function describePlan(steps: readonly Step[], state: InstallState): StepDescription[] {
  return steps.map((s) => s.describe(state.options, state));
}

/** A LocalRunner on this machine (child_process.spawn, no shell). */
export const nodeLocalRunner: LocalRunner = {
  run(argv, options = {}) {
    return new Promise((resolve, reject) => {
      if (options.signal?.aborted) return reject(new CancelledError(`${argv[0]}`));
      const child = spawn(argv[0], argv.slice(1), {
        env: options.env ? { ...process.env, ...options.env } : process.env,
        stdio: ['pipe', 'pipe', 'pipe'],
        signal: options.signal,
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (c: Buffer) => {
        out.push(c);
        options.onStdout?.(c);
      });
      child.stderr.on('data', (c: Buffer) => {
        err.push(c);
        options.onStderr?.(c);
      });
      child.on('error', (e: Error & { code?: string }) => {
        if (e.name === 'AbortError') reject(new CancelledError(argv[0]));
        else reject(new EngineError('local-command', `${argv[0]}: ${e.message}`));
      });
      child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err) }));
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.stdin ?? '');
    });
  },
};

export interface RunCommandOptions {
  /** What really goes to stdin when it differs from the plan's (a secret: it is never shown). */
  stdin?: string | Buffer;
  timeoutMs?: number;
  /** Return a non-zero exit instead of throwing. */
  allowFailure?: boolean;
  /** Do not stream the output as events (large outputs parsed by the step). */
  quiet?: boolean;
}

/**
 * Runs one planned command for a step: announces it (transcript, review log), streams its output as events,
 * runs it as root on the target (sudo as established) or locally, and throws CommandFailedError on a non-zero
 * exit with the last lines of its error output.
 */
export async function runCommand(
  ctx: StepContext,
  command: PlannedCommand,
  options: RunCommandOptions = {},
): Promise<ExecResult> {
  if (ctx.signal.aborted) throw new CancelledError(command.purpose);
  ctx.emit({ kind: 'command', command });
  const stream = (s: 'stdout' | 'stderr') =>
    options.quiet
      ? undefined
      : (c: Buffer) => ctx.emit({ kind: 'output', stream: s, text: c.toString('utf8') });
  const stdin = options.stdin ?? command.stdin;
  const r =
    command.where === 'target'
      ? await ctx.session.execAsRoot(command.argv, {
          stdin,
          onStdout: stream('stdout'),
          onStderr: stream('stderr'),
          signal: ctx.signal,
          timeoutMs: options.timeoutMs ?? 10 * 60_000,
        })
      : await ctx.local.run(command.argv, {
          stdin,
          onStdout: stream('stdout'),
          onStderr: stream('stderr'),
          signal: ctx.signal,
        });
  if (r.code !== 0 && !options.allowFailure) {
    const tail = r.stderr.toString('utf8').trim().split('\n').slice(-3).join(' / ');
    throw new CommandFailedError(command, r.code, ctx.session ? ctx.session.redact(tail) : tail);
  }
  return r;
}

export class InstallRunner {
  private session: Session | undefined;
  private readonly secrets: string[];
  private luks: string | undefined;
  private proxy: ParsedProxy | undefined;
  private proxyShown: ParsedProxy | undefined;

  constructor(
    readonly state: InstallState,
    private readonly o: RunnerOptions,
  ) {
    this.secrets = [...(o.secrets ?? [])];
    // A proxy URL given with its password is redacted even when it does not match (the run then refuses it).
    if (o.proxyUrl !== undefined)
      try {
        const p = parseProxyUrl(o.proxyUrl);
        this.secrets.push(...p.secrets);
        this.proxyShown = p;
      } catch {
        this.secrets.push(o.proxyUrl);
      }
    // Steps this plan has that the state does not know yet (a newer nixkit resuming an older state).
    for (const s of o.steps)
      if (!state.steps.some((x) => x.id === s.id)) state.steps.push({ id: s.id, status: 'pending' });
    state.steps.sort(
      (a, b) => o.steps.findIndex((s) => s.id === a.id) - o.steps.findIndex((s) => s.id === b.id),
    );
  }

  /** Hides every secret the install has seen (login and sudo passwords, the LUKS passphrase). */
  redact = (text: string): string => {
    const once = this.session ? this.session.redact(text) : text;
    return redact(redactProxy(once, this.proxy ?? this.proxyShown), this.secrets);
  };

  /**
   * Connects for the install: every session (the first, the one after a kexec, the one after the reboot) runs its
   * root commands with the install's proxy in their environment.
   */
  private async connect(signal: AbortSignal): Promise<Session> {
    const session = await this.o.connect(signal);
    if (this.proxy) session.setRemoteEnv(proxyEnv(this.proxy.full, this.state.options.proxy?.noProxy));
    return session;
  }

  plan(): StepDescription[] {
    return describePlan(this.o.steps, this.state);
  }

  get transcriptPath(): string {
    return this.o.store.transcriptPath(this.state.id);
  }

  /** Marks every step after `step` pending again: its work is about to be undone (see invalidatesLaterSteps). */
  private resetLaterSteps(step: Step, ctx: StepContext): void {
    const ids = this.o.steps.map((s) => s.id);
    const later = this.state.steps.filter(
      (s) => ids.indexOf(s.id) > ids.indexOf(step.id) && s.status !== 'pending',
    );
    for (const st of later) {
      st.status = 'pending';
      delete st.outputs;
      delete st.error;
      delete st.startedAt;
      delete st.finishedAt;
    }
    if (later.length > 0)
      ctx.emit({
        kind: 'note',
        text: `${step.title} runs again, so ${later.map((s) => s.id).join(', ')} will run again too`,
      });
  }

  /** Runs (or resumes) the install; resolves with the final state, rejects with InstallFailedError. */
  async run(): Promise<InstallState> {
    const signal = this.o.signal ?? new AbortController().signal;
    const state = this.state;
    const store = this.o.store;
    const transcript = new Transcript(store.transcriptPath(state.id), this.redact);
    const resuming = state.steps.some((s) => s.status !== 'pending');
    transcript.line(
      `${resuming ? 'resuming' : 'starting'} install ${state.id}: ${state.options.flake}#${state.options.configuration} onto ${state.options.target}`,
    );
    state.status = 'running';
    store.save(state);
    let current: { step: Step; st: StepState } | undefined;
    try {
      if (state.options.proxy) {
        this.proxy = proxyForRun(state.options.proxy, this.o.proxyUrl);
        transcript.line(
          `commands on the target run with http_proxy/https_proxy ${state.options.proxy.url}` +
            (state.options.proxy.noProxy?.length
              ? ` and no_proxy ${state.options.proxy.noProxy.join(',')}`
              : ''),
        );
      }
      if (state.steps.every((s) => s.status === 'done' || s.status === 'skipped')) {
        state.status = 'done';
        return state;
      }
      this.session = await this.connect(signal);
      const next: ResumeAwareStep | undefined = this.o.steps.find((s) => {
        const st = state.steps.find((x) => x.id === s.id);
        return st?.status !== 'done' && st?.status !== 'skipped';
      });
      const past = resuming
        ? await next?.pastEarlierSteps?.(this.context(next, signal, transcript))
        : undefined;
      for (const step of this.o.steps) {
        const st = state.steps.find((s) => s.id === step.id)!;
        current = { step, st };
        if (signal.aborted) throw new CancelledError('The install');
        const ctx = this.context(step, signal, transcript);
        if (st.status === 'done' && past) {
          ctx.emit({ kind: 'note', text: `${step.title}: finished earlier; not checked again (${past})` });
          continue;
        }
        // Outputs are only kept once a step finished, so a step that failed or was cancelled while running again
        // (e.g. refusing a mistyped passphrase) may still have its earlier work in place: check before redoing it.
        if (st.status === 'done' || (st.outputs !== undefined && st.status !== 'skipped')) {
          try {
            await step.verify(ctx, st.outputs ?? {});
            if (st.status !== 'done') this.update(st, { status: 'done', error: undefined });
            ctx.emit({ kind: 'note', text: `${step.title}: finished earlier, still in place` });
            continue;
          } catch (e) {
            if (e instanceof CancelledError || signal.aborted) throw e;
            ctx.emit({
              kind: 'note',
              text: `${step.title}: finished earlier but no longer in place (${this.redact((e as Error).message)}); running it again`,
            });
          }
        }
        const description = step.describe(state.options, state);
        if (description.skipped !== undefined) {
          this.update(st, { status: 'skipped', error: undefined, finishedAt: new Date().toISOString() });
          transcript.stepFinished(step.id, 'skipped', description.skipped);
          continue;
        }
        this.update(st, {
          status: 'running',
          error: undefined,
          startedAt: new Date().toISOString(),
          finishedAt: undefined,
        });
        transcript.stepStarted(step.id, step.title);
        if (step.invalidatesLaterSteps) this.resetLaterSteps(step, ctx);
        const outputs: StepOutputs = await step.run(ctx);
        if (signal.aborted) throw new CancelledError(step.title);
        await step.verify(ctx, outputs);
        this.update(st, { status: 'done', outputs, finishedAt: new Date().toISOString() });
        transcript.stepFinished(step.id, 'done');
      }
      current = undefined;
      state.status = 'done';
      store.save(state);
      transcript.line(`install ${state.id} finished`);
      return state;
    } catch (e) {
      const cancelled = e instanceof CancelledError || signal.aborted;
      const message = this.redact(e instanceof Error ? e.message : String(e));
      state.status = cancelled ? 'cancelled' : 'failed';
      if (current) {
        const { step, st } = current;
        this.update(st, {
          status: cancelled ? 'cancelled' : 'failed',
          error: message,
          finishedAt: new Date().toISOString(),
        });
        transcript.stepFinished(step.id, st.status, message);
        throw new InstallFailedError(
          state.id,
          step.id,
          step.title,
          cancelled,
          /[.?!]$/.test(message) ? message : message + '.',
          e instanceof EngineError ? e.code : undefined,
        );
      }
      store.save(state);
      transcript.line(`install ${state.id} stopped before any step: ${message}`);
      if (e instanceof EngineError) throw e;
      throw new EngineError('install-failed', message);
    } finally {
      transcript.close();
      // The proxy's environment file on the target holds its password: removed at the end (a tmpfs anyway).
      if (this.proxy) await this.session?.dropRemoteEnv();
      this.session?.close();
      this.session = undefined;
    }
  }

  private update(st: StepState, patch: Partial<StepState>): void {
    Object.assign(st, patch);
    for (const k of Object.keys(patch) as (keyof StepState)[]) if (patch[k] === undefined) delete st[k];
    this.o.store.save(this.state);
    this.o.onStepState?.(st, this.state);
  }

  private context(step: Step, signal: AbortSignal, transcript: Transcript): StepContext {
    const emit = (event: StepEvent) => {
      let e = event;
      if (event.kind === 'output') e = { ...event, text: this.redact(event.text) };
      else if (event.kind === 'note') e = { ...event, text: this.redact(event.text) };
      transcript.event(step.id, e);
      this.o.onEvent?.(step.id, e);
    };
    const ctx: StepContext = {
      options: this.state.options,
      state: this.state,
      session: this.session!,
      local: this.o.local ?? nodeLocalRunner,
      outputs: (id) => {
        const s = this.state.steps.find((x) => x.id === id);
        return s?.status === 'done' ? s.outputs : undefined;
      },
      emit,
      signal,
      // finish (after its reboot) and preflight (after a kexec) wait for the target with it: the same connect, so
      // the same host-key rules.
      reconnect: () => this.connect(signal),
      secret: async (name) => {
        if (name !== 'luks-passphrase') return undefined;
        if (this.luks === undefined) {
          this.luks = await this.o.luksPassphrase?.();
          if (this.luks) this.secrets.push(this.luks);
        }
        return this.luks;
      },
      // Preflight's kexec: the old system's session is dead, the new one serves this step and the later ones.
      adoptSession: (session) => {
        if (this.session !== session) this.session?.close();
        this.session = session;
        ctx.session = session;
      },
    };
    return ctx;
  }
}

/** One line per planned command, for the CLI and the transcript. */
export function formatPlan(plan: StepDescription[]): string {
  const lines: string[] = [];
  plan.forEach((d, i) => {
    lines.push(`${i + 1}. ${d.title}${d.skipped !== undefined ? `  [skipped: ${d.skipped}]` : ''}`);
    for (const w of d.warnings ?? []) lines.push(`   warning: ${w}`);
    for (const c of d.commands) {
      let text = formatCommand(c);
      // Long inline scripts (the hardware probe) are shown by their first line and size.
      if (text.length > 400) {
        const first = text.slice(0, 200).split('\n')[0];
        text = `${first} … (${text.length} characters in all)`;
      }
      lines.push(`   ${text.replace(/\n/g, '\n     ')}`);
      lines.push(`     # ${c.purpose}`);
      if (c.stdin !== undefined)
        lines.push(`     stdin: ${c.stdin.replace(/\n$/, '').replace(/\n/g, '\n            ')}`);
    }
    for (const f of d.files ?? []) lines.push(`   writes ${f.path}  # ${f.purpose}`);
  });
  return lines.join('\n') + '\n';
}
