// What the write page needs from the media engine, for one place (this machine or one SSH target): list the
// devices, inspect an image, write it. The panel (extension/panels/media-write.ts) only talks to this, so it never
// decides a rule itself; `engineBackend` binds it to engine/media (the same functions `nixkit media` uses).
import type * as vscode from 'vscode';
import type { WriteLogEntry } from '../../engine/media/write-log';
import type {
  ImageReport,
  MediaCandidates,
  MediaWhere,
  WriteCandidate,
  WriteEvent,
  WriteRequest,
  WriteResult,
} from '../../protocol/media';

export interface MediaBackend {
  list(signal: AbortSignal): Promise<MediaCandidates>;
  inspect(image: string, signal: AbortSignal): Promise<ImageReport>;
  /**
   * Writes (the engine lists, inspects and checks everything again first). `confirmed` is the device as the page
   * showed it when the name was typed: a different stick in its place is refused.
   */
  write(
    request: WriteRequest,
    confirmed: WriteCandidate,
    onEvent: (e: WriteEvent) => void,
    signal: AbortSignal,
  ): Promise<WriteResult>;
  /** nixkit's last recorded write to this device (from the write log), if any. */
  lastWrite(c: WriteCandidate): WriteLogEntry | undefined;
  /** Closes the SSH session, if any. */
  close(): void;
}

/** Opens a backend for a place (for an SSH target: connects, host key verified). */
export type MediaBackendFactory = (
  where: MediaWhere,
  context: vscode.ExtensionContext,
  log: (line: string) => void,
  signal: AbortSignal,
) => Promise<MediaBackend>;
