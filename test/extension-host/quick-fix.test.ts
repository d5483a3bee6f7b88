import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { codeOf, EXTENSION_ID, nixkitDiagnostics, waitFor, workspaceRoot } from './util';

// A machine of its own (a small flake beside the example one: a configuration.nix inside a flake's folder is a
// machine only when the flake says so) whose ESP is mounted at /boot/efi while systemd-boot installs to /boot.
const FLAKE = `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.05";
  outputs = { nixpkgs, ... }: {
    nixosConfigurations.quickfix = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./configuration.nix ];
    };
  };
}
`;
const CONFIG = `{ ... }:
{
  boot.loader.systemd-boot.enable = true;
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
  fileSystems."/boot/efi" = { device = "/dev/disk/by-label/ESP"; fsType = "vfat"; };
  users.users.root.openssh.authorizedKeys.keys = [ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJqIDjZXtgGz20XLopUuM6INIZ5LWP9USC/dYFiqrNey me" ];
  system.stateVersion = "24.05";
}
`;

const espFinding = (uri: vscode.Uri) =>
  nixkitDiagnostics(uri).find((d) => codeOf(d) === 'esp-mount-mismatch');

describe('quick fixes', () => {
  before(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('applies the ESP quick fix through executeCodeActionProvider and the finding disappears', async () => {
    const dir = vscode.Uri.joinPath(workspaceRoot(), 'quick-fix');
    await vscode.workspace.fs.createDirectory(dir);
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(dir, 'flake.nix'), Buffer.from(FLAKE, 'utf8'));
    const uri = vscode.Uri.joinPath(dir, 'configuration.nix');
    await vscode.workspace.fs.writeFile(uri, Buffer.from(CONFIG, 'utf8'));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const finding = await waitFor('the esp-mount-mismatch finding', () => espFinding(uri));

    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      uri,
      finding.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    const titles = actions.map((a) => a.title);
    assert.ok(titles.includes('Mount the ESP at /boot'), titles.join(', '));
    const preferred = actions.find((a) => a.isPreferred);
    assert.ok(preferred?.edit, `no preferred fix among ${titles.join(', ')}`);
    assert.equal(preferred.title, 'Set boot.loader.efi.efiSysMountPoint = "/boot/efi"');
    assert.ok(await vscode.workspace.applyEdit(preferred.edit), 'the edit was not applied');

    assert.match(doc.getText(), /boot\.loader\.efi\.efiSysMountPoint = "\/boot\/efi";/);
    await waitFor('the finding to go away', () => !espFinding(uri));
    await doc.save();
  });

  it('reports the example workspace’s documented mistakes without opening its files', async () => {
    // examples/README.md lists them; the server analyses the whole workspace, not only open documents.
    const expected: Record<string, string[]> = {
      'hosts/demo/configuration.nix': ['hostname-invalid', 'removed-option', 'state-version-invalid'],
      'hosts/demo/hardware-configuration.nix': [
        'esp-mount-mismatch',
        'host-platform-corrupted',
        'syntax-error',
        'unstable-device-path',
      ],
    };
    for (const [file, codes] of Object.entries(expected)) {
      const uri = vscode.Uri.joinPath(workspaceRoot(), file);
      const found = await waitFor(`${codes.join(', ')} on ${file}`, () => {
        const have = nixkitDiagnostics(uri).map((d) => String(codeOf(d)));
        return codes.every((c) => have.includes(c)) && have;
      });
      assert.deepEqual([...new Set(found)].sort(), codes, `findings on ${file}`);
    }
  });

  it('registers NixOS: Show Configuration', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('nixkit.showConfiguration'));
  });
});
