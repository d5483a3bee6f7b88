// The MediaBackend on engine/media: the same functions `nixkit media list|write` runs. On this machine listing runs
// as the VS Code user and the write through the engine's privileged helper (pkexec or sudo around a small sh
// script, asked once; VS Code itself never runs as root); on an SSH target over one verified session.
//
// One test seam, for the UI test on a machine without a USB stick: a recorded device listing (recorded-devices.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { defaultElevation, localHost, sshHost, type MediaHost } from '../../engine/media/host';
import { inspectImage } from '../../engine/media/image';
import { listCandidates } from '../../engine/media/list';
import { runWrite } from '../../engine/media/write';
import { fileWriteLog, lastWrites, writeKey } from '../../engine/media/write-log';
import type { Session } from '../../engine/ssh/session';
import type { MediaWhere } from '../../protocol/media';
import type { MediaBackend } from './media-backend';
import { openMediaSession } from './media-session';
import { withRecordedDevices } from './recorded-devices';

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
  const recorded = withRecordedDevices(host);
  host = recorded.host;
  // Which writes started and ended, so a write cut by a closed window stays "not verified" (the CLI keeps its own).
  const writeLog = fileWriteLog(path.join(context.globalStorageUri.fsPath, 'media-writes.jsonl'), (m) =>
    log(m),
  );
  return {
    list: async (s) => {
      const list = await listCandidates(host, s);
      if (recorded.notice) list.warnings.unshift(recorded.notice);
      return list;
    },
    inspect: (image, s) => inspectImage(image, { signal: s }),
    write: (request, confirmed, onEvent, s) =>
      runWrite(host, request, { confirmed, onEvent, signal: s, log: writeLog }),
    lastWrite: (c) => {
      let text = '';
      try {
        text = fs.readFileSync(writeLog.file, 'utf8');
      } catch {
        return undefined; // no write recorded yet
      }
      const where = host.where.kind === 'ssh' ? host.where.target : 'this machine';
      return lastWrites(text).get(writeKey(where, c.path, c.serial));
    },
    close: () => session?.close(),
  };
}
