import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, waitFor } from './util';

describe('activation', () => {
  it('activates on a workspace that contains .nix files', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
    // Not ext.activate(): the point is that `workspaceContains:**/*.nix` activates it on its own.
    await waitFor(`${EXTENSION_ID} to activate`, () => ext.isActive, 30_000);
  });

  it('registers nixkit.restartServer', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('nixkit.restartServer'), 'nixkit.restartServer is not registered');
  });
});
