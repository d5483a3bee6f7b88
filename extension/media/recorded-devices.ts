// The write page's one test seam, for the UI test on a machine without a USB stick: NIXKIT_MEDIA_TEST_LSBLK (and
// optionally NIXKIT_MEDIA_TEST_BY_ID) name a recorded `lsblk -J -b` and by-id list that the page shows instead of
// the real devices, parsed by the engine's own parser and announced first in the page's warnings whenever set.
// Writes never use it: the engine lists the real devices again right before writing (a recorded device is refused).
// No `vscode` import (unit-tested).
import * as fs from 'node:fs';
import { parseCandidates } from '../../engine/media/candidates';
import type { MediaCandidates, MediaWhere } from '../../protocol/media';

export const TEST_LSBLK_ENV = 'NIXKIT_MEDIA_TEST_LSBLK';
export const TEST_BY_ID_ENV = 'NIXKIT_MEDIA_TEST_BY_ID';

/** The recorded device list of the test seam, or undefined when the seam is not set. */
export function recordedCandidates(
  where: MediaWhere,
  env: NodeJS.ProcessEnv = process.env,
): MediaCandidates | undefined {
  const lsblkFile = env[TEST_LSBLK_ENV];
  if (!lsblkFile) return undefined;
  const byIdFile = env[TEST_BY_ID_ENV];
  const list = parseCandidates(
    where,
    fs.readFileSync(lsblkFile, 'utf8'),
    byIdFile ? fs.readFileSync(byIdFile, 'utf8') : '',
  );
  list.warnings.unshift(
    `Test seam ${TEST_LSBLK_ENV}: these devices are a recorded list (${lsblkFile}), not this machine's. ` +
      'A write re-reads the real devices first.',
  );
  return list;
}
