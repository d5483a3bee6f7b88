// Reading a file as Nix source: what to do with bytes that are not text, and with files too large to check.
export type SourceText =
  | { ok: true; text: string; warning?: string }
  | {
      ok: false;
      reason: 'binary' | 'too-large' | 'encrypted';
      message: string;
      /** where the NUL byte is (text before it) */ before?: string;
    };

/** Default limit: tree-sitter's WASM heap holds ~35x the file size and never shrinks. */
export const DEFAULT_MAX_FILE_BYTES = 4 * 1024 * 1024;

/** What git-crypt puts before the ciphertext of every file it encrypts. */
const GIT_CRYPT_HEADER = [0x00, 0x47, 0x49, 0x54, 0x43, 0x52, 0x59, 0x50, 0x54, 0x00]; // \0GITCRYPT\0

/**
 * What age puts first (a recipient stanza follows at once), binary or ASCII-armored: files kept encrypted in git
 * by a filter (git-agecrypt, git-crypt-agessh) that this clone does not run.
 */
const AGE_HEADERS = ['age-encryption.org/v1\n-> ', '-----BEGIN AGE ENCRYPTED FILE-----'];

const startsWithAscii = (bytes: Uint8Array, prefix: string) =>
  bytes.length >= prefix.length && [...prefix].every((c, i) => bytes[i] === c.charCodeAt(0));

export function decodeSource(bytes: Uint8Array, maxBytes = DEFAULT_MAX_FILE_BYTES): SourceText {
  if (bytes.length > maxBytes) return tooLarge(bytes.length, maxBytes);
  // A secret kept with git-crypt in a clone without the key: not broken Nix, only unreadable here.
  if (GIT_CRYPT_HEADER.every((b, i) => bytes[i] === b))
    return {
      ok: false,
      reason: 'encrypted',
      message:
        'the file is encrypted with git-crypt (this clone has not been unlocked); nixkit cannot read it, so what it holds is unknown',
    };
  if (AGE_HEADERS.some((h) => startsWithAscii(bytes, h)))
    return {
      ok: false,
      reason: 'encrypted',
      message:
        'the file is encrypted with age (a git filter decrypts it where the key is; not in this clone); nixkit cannot read it, so what it holds is unknown',
    };
  // A NUL byte is not refused: Nix 2.8 reads up to the first NUL outside strings and comments and parses
  // that (the syntax layer does the same, see server/syntax/parse-bounds.ts).
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes) };
  } catch {
    // Nix itself accepts any bytes in strings and comments, so this is a warning, not an error.
    const text = new TextDecoder('utf-8').decode(bytes);
    const bad = text.indexOf('\uFFFD');
    return {
      ok: true,
      text,
      warning: `the file is not valid UTF-8 (first bad byte near character ${bad}); Nix accepts any bytes, nixkit checked it with replacement characters`,
    };
  }
}

/** The answer for a file over the limit (its size known from stat, so it was never read). */
export function tooLarge(size: number, maxBytes: number): SourceText {
  return {
    ok: false,
    reason: 'too-large',
    message: `file is too large to check (${formatSize(size)}; the limit is ${formatSize(maxBytes)})`,
  };
}

export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} B`;
}
