// One run of the install runner as the install tests drive it: a failure of the install (InstallFailedError, whose
// step the saved state names) is what a test looks at, so it is returned; anything else is a bug and is thrown.
import { InstallFailedError, InstallRunner, type RunnerOptions } from '../../extension/engine/install/runner';
import type { InstallState } from '../../extension/engine/install/plan';

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
