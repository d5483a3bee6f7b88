// The install as a plan of typed steps. Each step describes itself (the exact commands, destructive ones
// marked) before anything runs, runs with streamed output, verifies its result, and records what it finished
// so a failed or cancelled install resumes at the failed step without redoing finished work.
import type {
  InstallOptions,
  InstallState,
  StepDescription,
  StepEvent,
  StepId,
  StepOutputs,
} from '../../protocol/install-state';

/** Runs commands on this machine (builds, `nix copy`), streaming like a remote exec. */
export interface LocalRunner {
  run(
    argv: readonly string[],
    options?: {
      env?: Record<string, string>;
      stdin?: string | Buffer;
      onStdout?: (chunk: Buffer) => void;
      onStderr?: (chunk: Buffer) => void;
      signal?: AbortSignal;
    },
  ): Promise<{ code: number | null; stdout: Buffer; stderr: Buffer }>;
}

/** What a step may use while it runs. Steps never talk to VS Code: the wizard and the CLI both drive them. */
export interface StepContext {
  options: InstallOptions;
  state: InstallState;
  /** The SSH session to the target (root or sudo already established in preflight). */
  session: import('../ssh/session').Session;
  local: LocalRunner;
  /** Outputs of an earlier step (undefined when it has not run or was skipped). */
  outputs(id: StepId): StepOutputs | undefined;
  emit(event: StepEvent): void;
  signal: AbortSignal;
  /**
   * Secrets asked for when a step needs them (never saved, redacted from the transcript and events); undefined
   * when none was given.
   */
  secret?(name: 'luks-passphrase'): Promise<string | undefined>;
  /**
   * Connects to the target again (after the reboot in `finish`) with the same host-key rules: a changed key is
   * refused (HostKeyChangedError) unless the person accepts it, never silently. Absent: no waiting for SSH.
   */
  reconnect?(): Promise<import('../ssh/session').Session>;
  /**
   * Makes `session` the install's session from here on (this context's and every later step's), closing the old
   * one: after the kexec in preflight the target is another system. Absent where the runner cannot switch.
   */
  adoptSession?(session: import('../ssh/session').Session): void;
}

export interface Step {
  id: StepId;
  title: string;
  /** The exact commands it will run, without running anything; `state` may hold earlier outputs. */
  describe(options: InstallOptions, state: InstallState): StepDescription;
  /** Does the work; returns what later steps (and a resume) need. Throws a clear EngineError on failure. */
  run(ctx: StepContext): Promise<StepOutputs>;
  /** Checks that the work really landed (a bootloader that "installed" but is not on the ESP fails here). */
  verify(ctx: StepContext, outputs: StepOutputs): Promise<void>;
  /**
   * Running this step again undoes what every later step did (partitioning erases the disk they wrote to): when a
   * resume runs it again, the later steps run again too instead of being checked and kept.
   */
  invalidatesLaterSteps?: boolean;
}
