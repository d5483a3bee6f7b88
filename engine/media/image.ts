// What an image file is, before anything is written: readable, its size, whether it boots from a USB stick, and
// whether it matches a checksum file. Reads only this machine's file (the image is streamed from here even to an
// SSH target).
//
// Boot detection from the first 64 KiB: an ISO 9660 image has "CD001" at sector 16 (byte 32769) and, when it is
// bootable from CD, an El Torito boot record ("EL TORITO SPECIFICATION") among the volume descriptors. Firmware
// booting a USB stick does not read ISO 9660: it needs an MBR boot signature (0x55AA at byte 510; BIOS) or a GPT
// header ("EFI PART" at LBA 1; UEFI) in the same image — a "hybrid" ISO, as NixOS's, Debian's and grub-mkrescue's.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ChecksumResult, ImageBootKind, ImageReport, WriteCandidate } from '../../protocol/media';

const HEAD_BYTES = 64 * 1024;

export interface ImageLayout {
  iso9660: boolean;
  elTorito: boolean;
  mbrSignature: boolean;
  gpt: boolean;
  volumeId: string | null;
}

/** Reads the layout from the image's first bytes (fewer is fine: what is not there is not found). */
export function layoutOf(head: Buffer): ImageLayout {
  const mbrSignature = head.length >= 512 && head[510] === 0x55 && head[511] === 0xaa;
  // LBA 1 with 512-byte sectors, or with 4096-byte sectors.
  const gpt = [512, 4096].some(
    (o) => head.length >= o + 8 && head.toString('latin1', o, o + 8) === 'EFI PART',
  );
  let iso9660 = false;
  let elTorito = false;
  let volumeId: string | null = null;
  for (let sector = 16; sector < 32; sector++) {
    const o = sector * 2048;
    if (head.length < o + 2048 || head.toString('latin1', o + 1, o + 6) !== 'CD001') break;
    iso9660 = true;
    const type = head[o];
    if (type === 0 && head.toString('latin1', o + 7, o + 30) === 'EL TORITO SPECIFICATION') elTorito = true;
    if (type === 1) volumeId = head.toString('latin1', o + 40, o + 72).trim() || null;
    if (type === 255) break;
  }
  return { iso9660, elTorito, mbrSignature, gpt, volumeId };
}

/** How the image boots and one sentence saying so. */
export function bootOf(l: ImageLayout): { boot: ImageBootKind; text: string } {
  const table = [l.mbrSignature && 'MBR boot signature', l.gpt && 'GPT'].filter(Boolean).join(' and ');
  if (l.iso9660 && (l.mbrSignature || l.gpt))
    return {
      boot: 'hybrid-iso',
      text: `Hybrid ISO (ISO 9660 with ${table}): boots from a USB stick as well as a CD.`,
    };
  if (l.iso9660)
    return {
      boot: 'cd-only-iso',
      text:
        `CD-only ISO: ISO 9660${l.elTorito ? ' with an El Torito boot record' : ''} but no MBR or GPT, so firmware ` +
        `boots it from a CD, not from a USB stick (it would write fine and not boot). Use a hybrid image (NixOS's ` +
        `ISOs are), or make this one hybrid first: \`isohybrid\` (syslinux) for ISOLINUX images, or rebuild with ` +
        `\`xorriso -as mkisofs\` / \`grub-mkrescue\`, which write an MBR and GPT.`,
    };
  if (l.mbrSignature || l.gpt)
    return { boot: 'disk-image', text: `Disk image with ${table}: written as it is, it boots like a disk.` };
  return {
    boot: 'unknown',
    text: 'No ISO 9660, MBR or GPT found at the start: nixkit cannot tell whether it boots; it is written as it is.',
  };
}

/** Parses sha256sum output and picks the line for `imageName` (or the only line without a name). */
export function expectedSha(text: string, imageName: string): { sha: string } | { problem: string } {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const entries: { sha: string; name: string | null }[] = [];
  for (const line of lines) {
    // sha256sum: "<hex>  name" (text) or "<hex> *name" (binary); a bare hash is accepted as the whole file.
    const m = /^\\?([0-9a-fA-F]{64})(?:\s+\*?(.*))?$/.exec(line.trim());
    if (!m) continue;
    entries.push({ sha: m[1].toLowerCase(), name: m[2] ? path.basename(m[2]) : null });
  }
  if (!entries.length)
    return { problem: 'it has no SHA-256 line (sha256sum format: "<64 hex digits>  <file name>")' };
  const named = entries.find((e) => e.name === imageName);
  if (named) return { sha: named.sha };
  if (entries.length === 1 && entries[0].name === null) return { sha: entries[0].sha };
  return { problem: `it has no line for ${JSON.stringify(imageName)}` };
}

/** SHA-256 of a file, streamed. */
export function sha256File(file: string, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = crypto.createHash('sha256');
    const s = fs.createReadStream(file, { highWaterMark: 1024 * 1024, signal });
    s.on('data', (c) => h.update(c));
    s.on('error', reject);
    s.on('end', () => resolve(h.digest('hex')));
  });
}

/** Inspects the image; `checksumFile` given, or `<image>.sha256` beside it when it exists. Never throws on bad input. */
export async function inspectImage(
  image: string,
  options: { checksumFile?: string; signal?: AbortSignal } = {},
): Promise<ImageReport> {
  const problems: string[] = [];
  let sizeBytes = 0;
  let head = Buffer.alloc(0);
  try {
    const st = await fs.promises.stat(image);
    if (!st.isFile()) problems.push(`${image} is not a regular file`);
    else {
      sizeBytes = st.size;
      if (sizeBytes === 0) problems.push(`${image} is empty`);
      const fh = await fs.promises.open(image, 'r');
      try {
        const buf = Buffer.alloc(Math.min(HEAD_BYTES, sizeBytes));
        const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
        head = buf.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    problems.push(
      err.code === 'ENOENT'
        ? `${image} does not exist`
        : err.code === 'EACCES'
          ? `${image} is not readable (permission denied)`
          : `${image} cannot be read: ${err.message}`,
    );
  }
  const layout = layoutOf(head);
  const { boot, text } = bootOf(layout);
  let checksum: ChecksumResult = { status: 'none', text: 'no checksum file given and none beside the image' };
  let sha256: string | null = null;
  const beside = `${image}.sha256`;
  const file = options.checksumFile ?? (fs.existsSync(beside) ? beside : undefined);
  if (file !== undefined && !problems.length) {
    let text2: string | undefined;
    try {
      text2 = (await fs.promises.readFile(file)).subarray(0, 1024 * 1024).toString('utf8');
    } catch (e) {
      checksum = { status: 'unusable', file, text: `cannot read it: ${(e as Error).message}` };
    }
    if (text2 !== undefined) {
      const want = expectedSha(text2, path.basename(image));
      if ('problem' in want) checksum = { status: 'unusable', file, text: want.problem };
      else {
        sha256 = await sha256File(image, options.signal);
        checksum =
          sha256 === want.sha
            ? { status: 'match', file, sha256 }
            : { status: 'mismatch', file, expected: want.sha, actual: sha256 };
      }
    }
  }
  return { path: image, sizeBytes, problems, boot, layout, bootText: text, checksum, sha256 };
}

/** Why this image cannot go on this device (empty: it can). */
export function imageProblemsFor(report: ImageReport, device: WriteCandidate): string[] {
  const out = [...report.problems];
  if (report.checksum.status === 'mismatch')
    out.push(
      `the image does not match ${report.checksum.file} (expected ${report.checksum.expected}, got ${report.checksum.actual}): a damaged or different download`,
    );
  if (report.checksum.status === 'unusable')
    out.push(`the checksum file ${report.checksum.file} cannot be used: ${report.checksum.text}`);
  if (report.sizeBytes > device.sizeBytes)
    out.push(
      `the image (${report.sizeBytes} bytes) is larger than ${device.path} (${device.sizeBytes} bytes)`,
    );
  return out;
}
