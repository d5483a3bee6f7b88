// The `nixkit` command inside the installed extension runs with nothing but the extension's own folder (no
// node_modules: the .vsix is built with --no-dependencies), as a user would run it from there.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, workspaceRoot } from './util';

function cli(args: string[]) {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
  return spawnSync(process.execPath, [path.join(ext.extensionPath, 'dist/cli.js'), ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('the nixkit CLI of the installed extension', () => {
  it('checks the example workspace and finds its documented ESP mistake', () => {
    const r = cli(['check', '--format', 'json', workspaceRoot().fsPath]);
    assert.equal(r.status, 1, `exit ${r.status}: ${r.stderr}`);
    const out = JSON.parse(r.stdout) as { version: number; diagnostics: { code: string }[] };
    assert.equal(out.version, 1);
    assert.ok(
      out.diagnostics.some((d) => d.code === 'esp-mount-mismatch'),
      JSON.stringify(out.diagnostics.map((d) => d.code)),
    );
  });

  it('loads the remote commands bundle (ssh2 without its optional native helper)', () => {
    const r = cli(['probe', '--help']);
    assert.equal(r.status, 0, `exit ${r.status}: ${r.stderr}`);
    assert.match(r.stdout, /usage: nixkit probe TARGET/);
  });
});
