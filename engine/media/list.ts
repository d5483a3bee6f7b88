// Lists the write candidates where the device is: runs LIST_SCRIPT there (no root needed) and parses its output.
import type { MediaCandidates } from '../../protocol/media';
import { EngineError } from '../errors';
import { LSBLK_COLUMNS, parseCandidates } from './candidates';
import type { MediaHost } from './host';
import { BYID_MARK, LIST_SCRIPT } from './media-scripts';

/** Splits the list script's stdout into lsblk's JSON and the by-id lines. */
export function splitListOutput(stdout: string): { lsblk: string; byId: string } {
  const i = stdout.indexOf(`${BYID_MARK}\n`);
  if (i < 0) return { lsblk: stdout, byId: '' };
  return { lsblk: stdout.slice(0, i), byId: stdout.slice(i + BYID_MARK.length + 1) };
}

export async function listCandidates(host: MediaHost, signal?: AbortSignal): Promise<MediaCandidates> {
  const r = await host.run(LIST_SCRIPT, LSBLK_COLUMNS, { signal });
  if (r.code !== 0)
    throw new EngineError(
      'media-list-failed',
      `Listing the devices failed: ${r.stderr.toString().trim().slice(0, 300)}`,
    );
  const { lsblk, byId } = splitListOutput(r.stdout.toString());
  return parseCandidates(host.where, lsblk, byId);
}
