// scripts/check-vsix.mjs, on packages made here: it accepts one holding what the repository needs at run time
// and names what is missing, what must not be shipped, and a package over the size limit.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import * as zlib from 'node:zlib';
import { REPO_ROOT, tempDir } from '../../helpers';

const SCRIPT = path.join(REPO_ROOT, 'scripts/check-vsix.mjs');

/** A zip (stored, uncompressed) holding `files`, as vsce writes one: paths under extension/ plus the manifest. */
function zip(files: Record<string, Buffer | string>): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.from(content);
    const nameBuf = Buffer.from(name);
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(data.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(nameBuf.length, 28);
    entry.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, data);
    central.push(entry, nameBuf);
    offset += local.length + nameBuf.length + data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** What a right package of this repository holds, written out by hand so the test does not trust the script. */
function completePackage(): Record<string, string> {
  const files: Record<string, string> = {
    'extension.vsixmanifest': '<PackageManifest/>',
    'extension/package.json': '{}',
    'extension/readme.md': '# nixkit',
    'extension/LICENSE.txt': 'MIT',
    'extension/syntaxes/nix.tmLanguage.json': '{}',
    'extension/syntaxes/language-configuration.json': '{}',
    'extension/dist/tree-sitter.wasm': 'wasm',
    'extension/dist/tree-sitter-nix.wasm': 'wasm',
  };
  for (const b of ['extension', 'remote', 'server', 'cli', 'cli-check', 'cli-remote', 'cli-media'])
    files[`extension/dist/${b}.js`] = '';
  for (const p of ['probe-page', 'install-wizard-page', 'media-write-page'])
    for (const ext of ['js', 'css']) files[`extension/dist/webview/${p}.${ext}`] = '';
  for (const doc of fs.readdirSync(path.join(REPO_ROOT, 'docs/rules')))
    files[`extension/docs/rules/${doc}`] = '';
  files['extension/docs/architecture.md'] = '';
  files['extension/docs/rescue.md'] = '';
  files['extension/docs/media.md'] = '';
  return files;
}

function check(files: Record<string, string>): { code: number | null; stderr: string } {
  const vsix = path.join(tempDir('vsix'), 'nixkit.vsix');
  fs.writeFileSync(vsix, zip(files));
  const r = spawnSync(process.execPath, [SCRIPT, vsix, REPO_ROOT], { encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr };
}

test('a package with every bundle, WASM file, webview asset and linked doc passes', () => {
  const r = check(completePackage());
  assert.equal(r.code, 0, r.stderr);
});

test('a missing split CLI bundle, WASM file, webview stylesheet or linked doc is named', () => {
  for (const gone of [
    'extension/dist/cli-check.js',
    'extension/dist/tree-sitter-nix.wasm',
    'extension/dist/webview/probe-page.css',
    'extension/docs/rules/lockout-risk.md',
    'extension/docs/rules/README.md',
  ]) {
    const files = completePackage();
    delete files[gone];
    const r = check(files);
    assert.equal(r.code, 1, `${gone} removed`);
    assert.match(r.stderr, new RegExp(`missing: ${gone.replace('extension/', '').replace(/\./g, '\\.')}`));
  }
});

test('source maps, sources and development folders are refused', () => {
  for (const extra of ['extension/dist/cli.js.map', 'extension/cli/main.ts', 'extension/out/test/x.js']) {
    const r = check({ ...completePackage(), [extra]: '' });
    assert.equal(r.code, 1, `${extra} added`);
    assert.match(r.stderr, new RegExp(`is packaged: ${extra.replace(/\./g, '\\.')}`));
  }
});

test('a package over the size limit is refused', () => {
  const r = check({ ...completePackage(), 'extension/dist/server.js': 'x'.repeat(2 * 1024 * 1024 + 1) });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /over the limit of 2048 KB/);
});
