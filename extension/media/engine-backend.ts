// The MediaBackend on engine/media: the same functions `nixkit media list|write` runs. On this machine listing runs
// as the VS Code user and the write through the engine's privileged helper (pkexec or sudo around a small sh
// script, asked once; VS Code itself never runs as root); on an SSH target over one verified session.
//
// One test seam, for the UI test on a machine without a USB stick: NIXKIT_MEDIA_TEST_LSBLK (and optionally
// NIXKIT_MEDIA_TEST_BY_ID) name a recorded `lsblk -J -b` and by-id list that the page shows instead of this
// machine's devices, parsed by the engine's own parser and announced in the page's warnings. The write never uses
// them: the engine lists the real devices again right before writing (so a recorded device is refused).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { parseCandidates } from '../../engine/media/candidates';
import { defaultElevation, localHost, sshHost, type MediaHost } from '../../engine/media/host';
import { inspectImage } from '../../engine/media/image';
import { listCandidates } from '../../engine/media/list';
import { runWrite } from '../../engine/media/write';
import { fileWriteLog } from '../../engine/media/write-log';
import type { Session } from '../../engine/ssh/session';
import type { MediaCandidates, MediaWhere } from '../../protocol/media';
import type { MediaBackend } from './media-backend';
import { openMediaSession } from './media-session';

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

export async function engineBackend(
  where: MediaWhere,
  context: vscode.ExtensionContext,
  log: (line: string) => void,
  signal: AbortSignal,
): Promise<MediaBackend> {
  let session: Session | undefined;
  let host: MediaHost;
  if (where.kind === 'ssh') {
    session = await openMediaSession(context, where.target, log, signal);
    host = sshHost(session);
  } else {
    host = localHost(defaultElevation({ isRoot: process.getuid?.() === 0, hasTty: false }));
  }
  // Which writes started and ended, so a write cut by a closed window stays "not verified" (the CLI keeps its own).
  const writeLog = fileWriteLog(path.join(context.globalStorageUri.fsPath, 'media-writes.jsonl'), (m) =>
    log(m),
  );
  return {
    list: async (s) => recordedCandidates(host.where) ?? (await listCandidates(host, s)),
    inspect: (image, s) => inspectImage(image, { signal: s }),
    write: (request, confirmed, onEvent, s) =>
      runWrite(host, request, { confirmed, onEvent, signal: s, log: writeLog }),
    close: () => session?.close(),
  };
}
