// Where rescue transcripts go: per user, beside the install states ($XDG_STATE_HOME/nixkit/rescues), never in a
// repository. The CLI and VS Code write the same place.
import * as os from 'node:os';
import * as path from 'node:path';

export function rescueTranscriptPath(
  env: Record<string, string | undefined>,
  target: string,
  now = new Date(),
): string {
  const base = env.XDG_STATE_HOME?.startsWith('/')
    ? env.XDG_STATE_HOME
    : path.join(env.HOME || os.homedir(), '.local', 'state');
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return path.join(
    base,
    'nixkit',
    'rescues',
    `${stamp}-${target.replace(/[^A-Za-z0-9_.@-]/g, '_').slice(0, 60)}.log`,
  );
}
