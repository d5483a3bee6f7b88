// The write page's one test seam, for the UI test on a machine without a USB stick: NIXKIT_MEDIA_TEST_LSBLK (and
// optionally NIXKIT_MEDIA_TEST_BY_ID) name a recorded `lsblk -J -b` and by-id list that the engine's listing sees
// in place of this machine's (the listing script is not run; everything else is real: the engine parses the
// recording, re-lists it right before writing, and the root write script runs against the device path the
// recording names, e.g. a loop device the test made). Announced first in the page's warnings whenever set, as the
// CLI's integration test does with its own recorded host. No `vscode` import (unit-tested).
import * as fs from 'node:fs';
import type { MediaHost } from '../../engine/media/host';
import { BYID_MARK } from '../../engine/media/media-scripts';

export const TEST_LSBLK_ENV = 'NIXKIT_MEDIA_TEST_LSBLK';
export const TEST_BY_ID_ENV = 'NIXKIT_MEDIA_TEST_BY_ID';

/** `host` with its device listing replaced by the recording, and the notice to show; `host` itself when unset. */
export function withRecordedDevices(
  host: MediaHost,
  env: NodeJS.ProcessEnv = process.env,
): { host: MediaHost; notice: string | null } {
  const lsblkFile = env[TEST_LSBLK_ENV];
  if (!lsblkFile) return { host, notice: null };
  const byIdFile = env[TEST_BY_ID_ENV];
  const notice =
    `Test seam ${TEST_LSBLK_ENV}: these devices are a recorded list (${lsblkFile}), not this machine's ` +
    'listing; writes go to the device paths it names.';
  return {
    notice,
    host: {
      ...host,
      // Read at every listing, as the real script runs at every listing.
      run: async () => {
        const lsblk = fs.readFileSync(lsblkFile, 'utf8');
        const byId = byIdFile ? fs.readFileSync(byIdFile, 'utf8') : '';
        return { code: 0, stdout: Buffer.from(`${lsblk}\n${BYID_MARK}\n${byId}`), stderr: Buffer.alloc(0) };
      },
    },
  };
}
