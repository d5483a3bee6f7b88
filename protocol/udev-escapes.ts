// udev's `\xNN` escaping of names: blkid's ID_*_ENC values and the /dev/disk/by-label links, which the probe report
// keeps as udev writes them. The engine decodes what it parses, the rules decode link names; this is the one decoder
// both use (protocol is the layer both may import). TextEncoder/TextDecoder, not Buffer: it runs anywhere.

/** Decodes `\xNN` byte escapes (UTF-8 sequences included); other characters stay as they are. */
export function decodeUdevEscapes(s: string): string {
  if (!/\\x[0-9a-fA-F]{2}/.test(s)) return s;
  const encoder = new TextEncoder();
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && s[i + 1] === 'x' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 2, i + 4))) {
      bytes.push(parseInt(s.slice(i + 2, i + 4), 16));
      i += 3;
    } else {
      const cp = s.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      bytes.push(...encoder.encode(ch));
      i += ch.length - 1;
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}
