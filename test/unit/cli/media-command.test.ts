// `nixkit media`'s command lines: usage mistakes exit 2 with the usage, unusable input exits 1 with one clear
// sentence (never a stack trace), before any QEMU or server starts.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { CLI, tempDir } from '../../helpers';

const run = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, 'media', ...args], { encoding: 'utf8', timeout: 30_000 });
const noStack = (r: { stderr: string; stdout: string }) =>
  assert.doesNotMatch(r.stderr + r.stdout, /\n\s+at .+:\d+:\d+/);

test('media: no subcommand or an unknown one is a usage error; --help lists the subcommands', () => {
  const none = run();
  assert.equal(none.status, 2);
  assert.match(none.stderr, /name a subcommand/);
  const bad = run('burn');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown subcommand 'burn'/);
  const help = run('--help');
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^ {2}test IMAGE/m);
  assert.match(help.stdout, /^ {2}netboot DIR/m);
});

test('media test: usage mistakes exit 2', () => {
  for (const [args, msg] of [
    [['test'], /name one IMAGE/],
    [['test', 'a.iso', '--as', 'floppy'], /--as is cdrom or usb \(got "floppy"\)/],
    [['test', 'a.iso', '--uefi', '--bios'], /not both/],
    [['test', 'a.iso', '--timeout', 'soon'], /--timeout is a number of seconds/],
    [['test', 'a.iso', '--accel', 'hvf'], /--accel is auto, kvm or tcg/],
  ] as const) {
    const r = run(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, msg);
  }
});

test('media test: a missing, empty or folder image fails in one sentence', () => {
  const d = tempDir('media-cli');
  const empty = path.join(d, 'empty.iso');
  fs.writeFileSync(empty, '');
  for (const [image, msg] of [
    [path.join(d, 'missing.iso'), /cannot test: cannot read the image ".*missing\.iso": ENOENT/],
    [empty, /cannot test: ".*empty\.iso" is empty/],
    [d, /is not a file or a block device/],
  ] as const) {
    const r = run('test', image, '--bios', '--timeout', '5');
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, msg);
    assert.match(r.stdout, /^FAIL: /m);
    noStack(r);
  }
  const net = run('test', '--netboot', 'ftp://x/y', '--bios');
  assert.equal(net.status, 1);
  assert.match(net.stdout, /http:\/\/ URLs only/);
});

test('media netboot: an unusable set or address is one sentence, exit 1', () => {
  const d = tempDir('media-cli-netboot');
  const r = run('netboot', d, '--listen', '127.0.0.1:0');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no kernel in/);
  fs.writeFileSync(path.join(d, 'bzImage'), 'k');
  fs.writeFileSync(path.join(d, 'initrd'), 'i');
  const nl = run('netboot', d, '--listen', '127.0.0.1:0', '--cmdline', 'a\nshell');
  assert.equal(nl.status, 1);
  assert.match(nl.stderr, /control character/);
  const addr = run('netboot', d, '--listen', 'nowhere', '--cmdline', 'console=ttyS0');
  assert.equal(addr.status, 1);
  assert.match(addr.stderr, /--listen wants ADDR:PORT/);
  noStack(addr);
});

test(
  'media netboot: serves until Ctrl-C, logs each request, then stops and exits 0',
  { timeout: 30_000 },
  async () => {
    const d = tempDir('media-cli-serve');
    fs.writeFileSync(path.join(d, 'bzImage'), 'KERNEL');
    fs.writeFileSync(path.join(d, 'initrd'), 'INITRD');
    const child = spawn(
      process.execPath,
      [CLI, 'media', 'netboot', d, '--listen', '127.0.0.1:0', '--cmdline', 'console=ttyS0'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      while (!out.includes('Ctrl-C stops the server.')) await new Promise((r) => setTimeout(r, 50));
      const url = /^iPXE: {2}chain (http:\/\/127\.0\.0\.1:\d+\/nixkit\.ipxe)$/m.exec(out)?.[1];
      assert.ok(url, out);
      const script = await (await fetch(url)).text();
      assert.equal(
        script,
        '#!ipxe\n# written by nixkit media netboot\nkernel bzImage initrd=initrd console=ttyS0\ninitrd initrd\nboot\n',
      );
      assert.match(out, /^dhcp-boot=tag:ipxe,http:\/\/127\.0\.0\.1:\d+\/nixkit\.ipxe$/m);
      while (!/ GET "\/nixkit\.ipxe" 200 \d+ bytes/.test(out)) await new Promise((r) => setTimeout(r, 50));
      child.kill('SIGINT');
      assert.equal(await exited, 0);
      assert.match(out, /\nstopped\n$/);
    } finally {
      child.kill('SIGKILL');
    }
  },
);
