// `nixkit media list|write` without root and without a device: a stand-in host answers the listing with the
// recorded workstation lsblk (test/fixtures/media) and fails the test if the write script is ever started. What is
// printed (escaped hostile labels, refusals, overrides), usage mistakes, and every refusal before the typed name.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { makeMediaCommand } from '../../../cli/media-write-command';
import type { CliIO } from '../../../cli/io';
import type { MediaHost } from '../../../engine/media/host';
import { BYID_MARK } from '../../../engine/media/media-scripts';
import { REPO_ROOT, tempDir } from '../../helpers';

const DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'media');
const LISTING = `${fs.readFileSync(path.join(DIR, 'lsblk-workstation.json'), 'utf8')}\n${BYID_MARK}\n${fs.readFileSync(path.join(DIR, 'by-id-workstation.txt'), 'utf8')}`;

const host: MediaHost = {
  where: { kind: 'local' },
  streamsImage: false,
  rootVia: 'test',
  run: async () => ({ code: 0, stdout: Buffer.from(LISTING), stderr: Buffer.alloc(0) }),
  runAsRoot: async () => {
    throw new Error('the write script must not run in these tests');
  },
};

async function run(args: string[], typed?: string) {
  const dir = tempDir('media-cli');
  let out = '';
  let err = '';
  const asked: string[] = [];
  const io: CliIO = {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    cwd: dir,
    env: { HOME: dir, XDG_STATE_HOME: path.join(dir, 'state') },
    signal: new AbortController().signal,
  };
  const code = await makeMediaCommand({
    localHost: () => host,
    confirm: async (q) => {
      asked.push(q);
      return typed;
    },
  })(args, io);
  return { code, out, err, asked, dir };
}

describe('nixkit media list|write (stand-in host)', () => {
  it('lists every whole disk with why it may not be written, hostile labels escaped', async () => {
    const r = await run(['list']);
    assert.equal(r.code, 0, r.err);
    assert.match(
      r.out,
      /^\/dev\/sdb {2}14\.3 GiB {2}usb {2}SanDisk Ultra Fit {2}serial 4C530001230517116105 {2}\[can be written\]$/m,
    );
    assert.match(r.out, /by-id: \/dev\/disk\/by-id\/usb-SanDisk_Ultra_Fit_4C530001230517116105-0:0/);
    assert.match(r.out, /labels: "NIXOS \\"ISO\\" \$\(reboot\) `id`\\n\\u001b\[31mred"/);
    assert.ok(!r.out.includes('\x1b'), 'no raw escape character reaches the terminal');
    assert.match(
      r.out,
      /^\/dev\/nvme0n1 .*\[REFUSED\]\n(.*\n)*? {4}refused: \/dev\/nvme0n1p2 holds dm-0 .* mounted at \/: the running system$/m,
    );
    assert.match(
      r.out,
      /^\/dev\/sdd .*\[needs an override\]\n {4}by-id: .*\n {4}larger than 256 GiB: needs --allow-large$/m,
    );
    assert.match(r.out, /^\/dev\/sda .*\n(.*\n)*? {4}not removable .*: needs --allow-non-removable$/m);
    const json = await run(['list', '--json']);
    assert.equal(JSON.parse(json.out).devices.length, 11);
  });

  it('usage mistakes exit 2', async () => {
    assert.equal((await run(['write', 'x.iso'])).code, 2, 'no --device');
    assert.equal((await run(['write', '--device', 'sdb'])).code, 2, 'no IMAGE');
    assert.equal((await run(['list', 'x.iso'])).code, 2);
    assert.equal((await run(['frobnicate'])).code, 2);
  });

  it('refuses before asking for the name: unknown, refused, too large without the override, a bad image', async () => {
    const runs: Awaited<ReturnType<typeof run>>[] = [];
    let r = await run(['write', 'x.iso', '--device', 'sdz'], 'sdz');
    assert.equal(r.code, 1);
    assert.match(r.err, /no whole disk "sdz" on this machine/);
    runs.push(r);
    r = await run(['write', 'x.iso', '--device', '/dev/sdc'], 'sdc');
    assert.equal(r.code, 1);
    assert.match(r.err, /\/dev\/sdc1 mounted at \/media\/user\/STICK: unmount it first \(or --unmount\)/);
    runs.push(r);
    r = await run(['write', 'x.iso', '--device', 'sdd'], 'sdd');
    assert.match(r.err, /--allow-large to write it anyway/);
    runs.push(r);
    r = await run(['write', 'missing.iso', '--device', 'sdd', '--allow-large'], 'sdd');
    assert.equal(r.code, 1);
    assert.match(r.err, /the image cannot be written:\n {2}- .*missing\.iso does not exist/);
    runs.push(r);
    r = await run(['write', 'x.iso', '--device', 'nvme0n1', '--allow-large', '--allow-non-removable'], 'x');
    assert.equal(r.code, 1, 'overrides never lift a refusal');
    runs.push(r);
    for (const x of runs) assert.deepEqual(x.asked, [], 'never asked for the name');
  });

  it('an image that fits is shown, then the name is asked; a wrong name writes nothing', async () => {
    const dir = tempDir('media-cli-img');
    const image = path.join(dir, 'nixos.iso');
    fs.writeFileSync(image, Buffer.alloc(64 * 1024));
    const r = await run(
      ['write', image, '--device', 'usb-SanDisk_Ultra_Fit_4C530001230517116105-0:0'],
      'sda',
    );
    assert.equal(r.code, 1);
    assert.match(
      r.asked[0],
      /ERASES everything on \/dev\/sdb \(SanDisk Ultra Fit, 14\.3 GiB\) on this machine\. Type the device's name \(sdb\)/,
    );
    assert.match(r.out, /No ISO 9660, MBR or GPT found/);
    // What will run is shown before the name is asked.
    assert.match(
      r.out,
      /will run on this machine as root \(test\):\n {2}dd if=.*nixos\.iso of=\/dev\/sdb bs=4M iflag=fullblock oflag=direct conv=fsync\n {2}read 65536 bytes back from \/dev\/sdb and compare SHA-256/,
    );
    assert.match(r.err, /Refused, nothing was written to \/dev\/sdb: the typed name "sda" is not "sdb"/);
    const none = await run(['write', image, '--device', 'sdb'], undefined);
    assert.match(none.err, /needs its name typed on a terminal; nothing was written/);
  });
});
