// The netboot HTTP server on 127.0.0.1 with a real client (node's http, raw sockets for paths a URL parser would
// normalise): only the set's files, byte ranges as iPXE and curl send them, HEAD, the script nixkit writes, and
// the set's validation.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import {
  NetbootError,
  nixkitScript,
  parseListen,
  parseRange,
  startNetbootServer,
  validateNetbootSet,
  type NetbootServer,
} from '../../../../engine/media/netboot';
import type { NetbootRequestEvent } from '../../../../protocol/media-boot';
import { tempDir } from '../../../helpers';

const root = tempDir('netboot');
const set = path.join(root, 'set');
const secret = path.join(root, 'secret.txt');
const kernel = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
let server: NetbootServer;
const requests: NetbootRequestEvent[] = [];

before(async () => {
  fs.mkdirSync(set);
  fs.writeFileSync(path.join(set, 'bzImage'), kernel);
  fs.writeFileSync(path.join(set, 'initrd'), 'INITRD');
  fs.writeFileSync(path.join(set, 'netboot.ipxe'), '#!ipxe\nkernel bzImage\ninitrd initrd\nboot\n');
  fs.writeFileSync(path.join(set, 'notes.txt'), 'not part of the set');
  fs.writeFileSync(secret, 'SECRET');
  fs.symlinkSync(secret, path.join(set, 'link-out'));
  server = await startNetbootServer({ dir: set, listen: '127.0.0.1:0' }, (r) => requests.push(r));
});
after(() => server.stop());

function get(p: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>(
    (resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: server.port, path: p, method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      });
      req.on('error', reject);
      req.end();
    },
  );
}

/** A request line sent as written (no client-side normalisation of "..", "%2e" or backslashes). */
function raw(target: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(server.port, '127.0.0.1', () =>
      s.end(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
    );
    let out = '';
    s.on('data', (d) => (out += d.toString('latin1')));
    s.on('end', () => resolve(out));
    s.on('error', reject);
  });
}

test('serves the set and the script nixkit wrote; reports where it listens', async () => {
  assert.equal(server.host, '127.0.0.1');
  assert.equal(server.scriptUrl, `http://127.0.0.1:${server.port}/nixkit.ipxe`);
  assert.deepEqual(
    server.files.map((f) => f.name),
    ['bzImage', 'initrd', 'netboot.ipxe', 'nixkit.ipxe'],
  );
  const k = await get('/bzImage');
  assert.equal(k.status, 200);
  assert.ok(k.body.equals(kernel));
  assert.equal(k.headers['accept-ranges'], 'bytes');
  assert.equal(k.headers['content-length'], String(kernel.length));
  const s = await get('/nixkit.ipxe');
  assert.equal(s.body.toString(), "#!ipxe\n# written by nixkit: the set's own script\nchain netboot.ipxe\n");
  assert.ok(server.pxeConfig.dnsmasq.includes(`dhcp-boot=tag:ipxe,${server.scriptUrl}`));
  assert.ok(server.pxeConfig.iscDhcpd.includes(`filename "${server.scriptUrl}";`));
});

test('path traversal, other files of the folder, symlinks out of it and encoded names are refused', async () => {
  for (const p of [
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/..%2fsecret.txt',
    '/notes.txt',
    '/link-out',
    '//etc/passwd',
    '/set/bzImage',
    '/bzImage/',
    '/.%2e/secret.txt',
    '/..\\secret.txt',
  ]) {
    const r = await raw(p);
    assert.match(r, /^HTTP\/1\.1 (404|400) /, `${p}: ${r.slice(0, 80)}`);
    assert.ok(!r.includes('SECRET') && !r.includes('not part of the set\n'), p);
  }
  const abs = await raw(`${secret}`);
  assert.match(abs, /^HTTP\/1\.1 404 /);
});

test('byte ranges: first bytes, a middle slice, the suffix, open-ended; unsatisfiable gets 416', async () => {
  const a = await get('/bzImage', { Range: 'bytes=0-9' });
  assert.equal(a.status, 206);
  assert.equal(a.headers['content-range'], `bytes 0-9/${kernel.length}`);
  assert.ok(a.body.equals(kernel.subarray(0, 10)));
  const b = await get('/bzImage', { Range: 'bytes=65536-65599' });
  assert.ok(b.body.equals(kernel.subarray(65536, 65600)));
  const c = await get('/bzImage', { Range: 'bytes=-5' });
  assert.ok(c.body.equals(kernel.subarray(kernel.length - 5)));
  const d = await get('/bzImage', { Range: 'bytes=69990-' });
  assert.ok(d.body.equals(kernel.subarray(69990)));
  const e = await get('/bzImage', { Range: `bytes=${kernel.length}-` });
  assert.equal(e.status, 416);
  assert.equal(e.headers['content-range'], `bytes */${kernel.length}`);
  // Several ranges: the whole file (allowed by RFC 9110), never a wrong slice.
  const f = await get('/bzImage', { Range: 'bytes=0-1,5-6' });
  assert.equal(f.status, 200);
  assert.equal(f.body.length, kernel.length);
  assert.deepEqual(parseRange('bytes=5-2', 10), null);
  assert.deepEqual(parseRange('bytes=0-100', 10), { start: 0, end: 9 });
});

test('HEAD answers the size without a body; other methods get 405', async () => {
  const h = await get('/initrd', {}, 'HEAD');
  assert.equal(h.status, 200);
  assert.equal(h.headers['content-length'], '6');
  assert.equal(h.body.length, 0);
  const p = await get('/initrd', {}, 'PUT');
  assert.equal(p.status, 405);
  assert.equal(p.headers.allow, 'GET, HEAD');
  assert.ok(requests.some((r) => r.method === 'PUT' && r.status === 405));
});

test('a set needs a kernel, an initrd and a script or a command line; the command line stays one iPXE line', () => {
  const d = tempDir('netboot-bad');
  assert.throws(() => validateNetbootSet(d), /no kernel/);
  fs.writeFileSync(path.join(d, 'bzImage'), 'k');
  assert.throws(() => validateNetbootSet(d), /no initrd/);
  fs.writeFileSync(path.join(d, 'initrd'), 'i');
  assert.throws(() => validateNetbootSet(d), /no netboot\.ipxe/);
  assert.throws(
    () => validateNetbootSet(d, 'console=ttyS0\nshell'),
    (e: Error) => e instanceof NetbootError && /control character/.test(e.message),
  );
  const ok = validateNetbootSet(d, 'console=ttyS0 init=/nix/store/x-nixos/init');
  assert.equal(
    nixkitScript(ok),
    '#!ipxe\n# written by nixkit media netboot\nkernel bzImage initrd=initrd console=ttyS0 init=/nix/store/x-nixos/init\ninitrd initrd\nboot\n',
  );
  fs.writeFileSync(path.join(d, 'netboot.ipxe'), 'kernel x\n');
  assert.throws(() => validateNetbootSet(d), /not an iPXE script/);
  assert.throws(() => validateNetbootSet(path.join(d, 'bzImage')), /not a folder/);
});

test('--listen forms; a port in use is a clear error', async () => {
  assert.deepEqual(parseListen('0.0.0.0:8080'), { host: '0.0.0.0', port: 8080 });
  assert.deepEqual(parseListen(':9000'), { host: '0.0.0.0', port: 9000 });
  assert.deepEqual(parseListen('[::1]:80'), { host: '::1', port: 80 });
  assert.throws(() => parseListen('host:99999'), NetbootError);
  assert.throws(() => parseListen('a:b:c'), NetbootError);
  await assert.rejects(
    startNetbootServer({ dir: set, listen: `127.0.0.1:${server.port}` }),
    (e: Error) => e instanceof NetbootError && /EADDRINUSE/.test(e.message),
  );
});
