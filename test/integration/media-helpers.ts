// What the media write tests share: a loop device's bytes, a candidate standing for it, a FIFO as an image whose
// bytes the test feeds, and whether a dd is still writing to a device.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ImageReport, WriteCandidate } from '../../protocol/media';

export const MiB = 1024 * 1024;

export function deviceBytes(dev: string, n: number, offset = 0): Buffer {
  const fd = fs.openSync(dev, 'r');
  try {
    const b = Buffer.alloc(n);
    fs.readSync(fd, b, 0, n, offset);
    return b;
  } finally {
    fs.closeSync(fd);
  }
}

/** Fills the device with one byte value, so what a write touched (and did not) can be seen. */
export function fillDevice(dev: string, bytes: number, value: number): void {
  const fd = fs.openSync(dev, 'w');
  try {
    const chunk = Buffer.alloc(8 * MiB, value);
    for (let o = 0; o < bytes; o += chunk.length)
      fs.writeSync(fd, chunk, 0, Math.min(chunk.length, bytes - o), o);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function ddRunningOn(dev: string): boolean {
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (cmd[0].endsWith('dd') && cmd.includes(`of=${dev}`)) return true;
    } catch {
      /* gone */
    }
  }
  return false;
}

/** A loop device as a write candidate (a loop device is never listed; the tests hand it over directly). */
export function loopCandidate(loop: string, sizeBytes: number): WriteCandidate {
  return {
    name: path.basename(loop),
    path: loop,
    byId: [],
    sizeBytes,
    model: 'loop',
    vendor: null,
    serial: null,
    transport: null,
    removable: true,
    labels: [],
    refusals: [],
    overrides: [],
    confirmName: path.basename(loop),
  };
}

/** A FIFO standing for an image of `sizeBytes`: the test decides how many bytes arrive and when the input ends. */
export function fifoImage(dir: string, name: string, sizeBytes: number): ImageReport {
  const f = path.join(dir, name);
  execFileSync('mkfifo', [f]);
  return {
    path: f,
    sizeBytes,
    problems: [],
    boot: 'unknown',
    bootText: '',
    sha256: null,
    layout: { iso9660: false, elTorito: false, mbrSignature: false, gpt: false, volumeId: null },
    checksum: { status: 'none', text: '' },
  };
}

export async function waitFor(cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}
