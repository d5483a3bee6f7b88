// The copy step's target-side scripts, run here with sh and tar: a tar stream unpacked path by path, an
// interrupted stream leaving only complete paths (recovered next time), a write error marking nothing complete
// after it, the missing-path query, the free-space query; the nix copy URI and OpenSSH options (host key checking
// on).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  FREE_SPACE_SCRIPT,
  MISSING_SCRIPT,
  RECEIVE_SCRIPT,
  nixCopyUri,
  nixSshOpts,
  parseDfLine,
} from '../../../engine/install/steps/copy';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-copy-unit-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const names = [
  'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-one',
  'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-two',
  'cccccccccccccccccccccccccccccccc-three',
];
const src = path.join(dir, 'src');
for (const [i, n] of names.entries()) {
  fs.mkdirSync(path.join(src, 'nix/store', n, 'share'), { recursive: true });
  fs.writeFileSync(path.join(src, 'nix/store', n, 'share', 'data'), Buffer.alloc(200_000 * (i + 1), i + 65));
  fs.symlinkSync('share/data', path.join(src, 'nix/store', n, 'link'));
}
const tarOf = (list: string[]) =>
  execFileSync(
    'tar',
    ['-C', src, '--owner=0', '--group=0', '-cf', '-', ...list.map((n) => `nix/store/${n}`)],
    {
      maxBuffer: 64 << 20,
    },
  );
const receive = (root: string, input: Buffer) =>
  spawnSync('sh', ['-c', RECEIVE_SCRIPT, 'r', root], { input, encoding: 'utf8' });
const missing = (root: string, paths: string[]) =>
  spawnSync('sh', ['-c', MISSING_SCRIPT, 'm', root], { input: paths.join('\n') + '\n', encoding: 'utf8' });

describe('copy step scripts', () => {
  it('a whole stream lands path by path in the store', () => {
    const root = path.join(dir, 'r1');
    const r = receive(root, tarOf(names));
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(
      r.stdout.split('\n').filter((l) => l.startsWith('done ')),
      names.map((n) => `done ${n}`),
    );
    assert.match(r.stdout, /nixkit-copy-ok/);
    for (const n of names) assert.ok(fs.existsSync(path.join(root, 'nix/store', n, 'share/data')));
    assert.equal(fs.existsSync(path.join(root, 'nix/.nixkit-incoming')), false);
    assert.equal(
      missing(
        root,
        names.map((n) => `/nix/store/${n}`),
      ).stdout,
      '',
    );
  });

  it('a cut stream leaves complete paths only; the next query recovers them and lists the rest', () => {
    const root = path.join(dir, 'r2');
    const whole = tarOf(names);
    // Cut inside the third path: the first two are complete, the third is half written.
    const cut = whole.subarray(0, Math.floor(whole.length * 0.75));
    const r = receive(root, cut);
    assert.notEqual(r.status, 0);
    assert.equal(fs.existsSync(path.join(root, 'nix/store', names[2])), false, 'no half path in the store');
    const m = missing(
      root,
      names.map((n) => `/nix/store/${n}`),
    );
    assert.equal(m.status, 0, m.stderr);
    assert.deepEqual(m.stdout.split('\n').filter(Boolean), [`/nix/store/${names[2]}`]);
    for (const n of names.slice(0, 2)) {
      const data = fs.readFileSync(path.join(root, 'nix/store', n, 'share/data'));
      assert.equal(data.length, 200_000 * (names.indexOf(n) + 1));
    }
    assert.equal(fs.existsSync(path.join(root, 'nix/.nixkit-incoming')), false, 'the half path was dropped');
    // The rest completes the store.
    assert.equal(receive(root, tarOf([names[2]])).status, 0);
    assert.equal(
      missing(
        root,
        names.map((n) => `/nix/store/${n}`),
      ).stdout,
      '',
    );
  });

  it('after a write error no path is taken as complete, though tar goes on to the next ones', () => {
    // The second path's file cannot be written (a non-empty folder stands where it goes, as a full disk would stop
    // it); GNU tar reports that and goes on to the third path.
    const root = path.join(dir, 'r3');
    fs.mkdirSync(path.join(root, 'nix/.nixkit-incoming/nix/store', names[1], 'share/data/x'), {
      recursive: true,
    });
    const r = receive(root, tarOf(names));
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /share\/data/, "tar's message reaches stderr");
    assert.deepEqual(
      r.stdout.split('\n').filter((l) => l.startsWith('done ')),
      [`done ${names[0]}`],
    );
    const m = missing(
      root,
      names.map((n) => `/nix/store/${n}`),
    );
    assert.deepEqual(
      m.stdout.split('\n').filter(Boolean),
      names.slice(1).map((n) => `/nix/store/${n}`),
    );
    assert.ok(fs.existsSync(path.join(root, 'nix/store', names[0], 'share/data')));
  });

  it('free space: df of the nearest folder that exists, read from GNU and busybox lines', () => {
    const r = spawnSync('sh', ['-c', FREE_SPACE_SCRIPT, 'f', path.join(dir, 'not', 'yet', 'nix', 'store')], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    const df = parseDfLine(r.stdout);
    assert.ok(df && df.availableBytes > 0, r.stdout);
    const real = execFileSync('df', ['-Pk', dir], { encoding: 'utf8' }).trim().split('\n').pop()!;
    assert.equal(df.mountedOn, real.split(/\s+/).slice(5).join(' '));
    // GNU coreutils and busybox print the same POSIX columns; a device or mount point may hold spaces.
    assert.deepEqual(parseDfLine('/dev/vda1   41152736 12345678  26697468  32% /mnt'), {
      availableBytes: 26697468 * 1024,
      mountedOn: '/mnt',
    });
    assert.deepEqual(parseDfLine('my disk 1000 10 990 1% /mnt/new root'), {
      availableBytes: 990 * 1024,
      mountedOn: '/mnt/new root',
    });
    assert.equal(parseDfLine('df: /mnt: No such file or directory'), undefined);
    assert.equal(parseDfLine(''), undefined);
  });

  it('nix copy: the store URI and OpenSSH options keep host key checking on', () => {
    assert.equal(nixCopyUri('10.0.0.2', '/mnt'), 'ssh://root@10.0.0.2?remote-store=local%3Froot%3D%2Fmnt');
    assert.equal(nixCopyUri('fe80::1', '/mnt').startsWith('ssh://root@[fe80::1]?'), true);
    const opts = nixSshOpts(2222, '/k/id', '/t/known_hosts');
    assert.match(opts, /StrictHostKeyChecking=yes/);
    assert.match(opts, /UserKnownHostsFile=\/t\/known_hosts/);
    assert.doesNotMatch(opts, /StrictHostKeyChecking=no|accept-new/);
  });
});
