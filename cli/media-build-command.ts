import type { CliIO } from './io';
export async function mediaBuildCommand(_args: string[], io: CliIO): Promise<number> {
  io.stderr('not yet\n');
  return 2;
}
