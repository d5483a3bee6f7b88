// `nixkit media write` against plain `dd bs=4M oflag=direct conv=fsync` to the same loop device (the issue's
// yardstick), as a throughput ratio, and the read-back verify time. Runs on this machine as root (the write script
// reads the image itself, as it does for a local stick); alternates the two so neither always gets the warmer cache.
import { execFileSync, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { localHost } from '../../engine/media/host';
import { inspectImage } from '../../engine/media/image';
import { writeImage } from '../../engine/media/write';
import { loopCandidate } from '../integration/media-helpers';
import type { BenchRow } from './table';

const MiB = 1024 * 1024;
const IMAGE = 256 * MiB;
const DEVICE = 320 * MiB;
const RUNS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function benchMediaWrite(): Promise<BenchRow[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-bench-media-'));
  let loop = '';
  try {
    const backing = path.join(dir, 'stick.img');
    fs.writeFileSync(backing, '');
    fs.truncateSync(backing, DEVICE);
    loop = execFileSync('losetup', ['--find', '--show', backing], { encoding: 'utf8' }).trim();
    const image = path.join(dir, 'image.iso');
    const fd = fs.openSync(image, 'w');
    for (let o = 0; o < IMAGE; o += 16 * MiB) fs.writeSync(fd, crypto.randomBytes(16 * MiB));
    fs.closeSync(fd);
    const report = await inspectImage(image);
    const dd: number[] = [];
    const ours: number[] = [];
    const verify: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const r = spawnSync('dd', [`if=${image}`, `of=${loop}`, 'bs=4M', 'oflag=direct', 'conv=fsync'], {
        stdio: 'ignore',
      });
      if (r.status !== 0) throw new Error('plain dd failed');
      dd.push((performance.now() - t0) / 1000);
      const w = await writeImage(localHost('none'), loopCandidate(loop, DEVICE), report, { powerOff: false });
      if (w.status !== 'verified') throw new Error(`nixkit's write was ${w.status}`);
      ours.push(w.writeSeconds);
      verify.push(w.verifySeconds);
    }
    const mibs = (s: number) => (IMAGE / MiB / s).toFixed(0);
    return [
      {
        name: 'media write throughput / plain dd (256 MiB, loop device)',
        value: `${(median(dd) / median(ours)).toFixed(2)} (${mibs(median(ours))} vs ${mibs(median(dd))} MiB/s)`,
      },
      { name: 'media write read-back verify (256 MiB)', value: `${median(verify).toFixed(2)} s` },
    ];
  } finally {
    if (loop) spawnSync('losetup', ['-d', loop]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
