// One run of the install runner as the install tests drive it: a failure of the install (InstallFailedError, whose
// step the saved state names) is what a test looks at, so it is returned; anything else is a bug and is thrown.
import { InstallFailedError, InstallRunner, type RunnerOptions } from '../../engine/install/runner';
import * as fs from 'node:fs';
import { NodeLocalRunner } from '../../engine/install/local-runner';
import type { InstallState } from '../../protocol/install-state';
import type { StepContext } from '../../engine/install/plan';
import type { Session } from '../../engine/ssh/session';
import { diskDown } from '../targets/closure/test-closure';
import type { TestTarget } from './netns-target';

export async function runInstall(
  state: InstallState,
  options: RunnerOptions,
): Promise<InstallFailedError | undefined> {
  try {
    await new InstallRunner(state, options).run();
    return undefined;
  } catch (e) {
    if (e instanceof InstallFailedError) return e;
    throw e;
  }
}

/** What one step sees when a test runs it alone (verify after tampering, a build on its own): nothing emitted. */
export function stepContext(state: InstallState, session: Session): StepContext {
  return {
    options: state.options,
    state,
    session,
    local: new NodeLocalRunner(),
    outputs: (id) => state.steps.find((s) => s.id === id)?.outputs,
    emit: () => undefined,
    signal: new AbortController().signal,
  };
}

/** Teardown for a test file that started the namespace target and may have a test disk up: safe half-way. */
export function stopTargetWithDisk(
  t: TestTarget | undefined,
  stop: (() => void) | undefined,
  dir: string,
): void {
  if (t) diskDown(t.stateDir, dir);
  stop?.();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}
