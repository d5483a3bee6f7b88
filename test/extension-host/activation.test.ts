import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { NixkitTestApi } from '../../extension/main';
import { EXTENSION_ID, waitFor } from './util';

describe('activation', () => {
  it('activates on a workspace that contains .nix files', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
    // Not ext.activate(): the point is that `workspaceContains:**/*.nix` activates it on its own.
    await waitFor(`${EXTENSION_ID} to activate`, () => ext.isActive, 30_000);
  });

  // The runner names the folder it loaded (the installed .vsix, or the repository with NIXKIT_FROM_SOURCE=1).
  it('runs from the folder the runner installed, the packaged files only when it is the .vsix', function () {
    const expected = process.env.NIXKIT_EXPECTED_EXTENSION_PATH;
    if (!expected) this.skip(); // another runner (test:electron) loads the repository as always
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
    assert.equal(fs.realpathSync(ext.extensionPath), fs.realpathSync(expected));
    const root = ext.extensionPath;
    if (!fs.existsSync(path.join(root, 'extension/main.ts'))) {
      // the package: bundles, no sources, no compiled tests
      for (const f of [
        'dist/extension.js',
        'dist/server.js',
        'dist/cli-check.js',
        'dist/tree-sitter-nix.wasm',
      ])
        assert.ok(fs.existsSync(path.join(root, f)), `${f} is installed`);
      for (const f of ['out', 'server', 'node_modules'])
        assert.ok(!fs.existsSync(path.join(root, f)), `${f}/ is not installed`);
    }
  });

  it('registers nixkit.restartServer', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('nixkit.restartServer'), 'nixkit.restartServer is not registered');
  });

  // A measurement, not a timed assertion: `npm run bench` parses the line this prints from the runner's output
  // (test/bench/extension-bench.ts), so keep its shape.
  it('reports its activation time', async () => {
    const ext = vscode.extensions.getExtension<NixkitTestApi | undefined>(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
    const api = await ext.activate();
    const t = api?.activation;
    assert.ok(t, 'activate() returns its activation time in extension tests');
    for (const [k, v] of Object.entries(t)) assert.ok(Number.isFinite(v) && v >= 0, `activation.${k} = ${v}`);
    console.log(
      `nixkit activation: ${t.totalMs.toFixed(1)} ms ` +
        `(code loading ${t.loadMs.toFixed(1)} ms, activate() ${t.activateMs.toFixed(1)} ms)`,
    );
  });
});
