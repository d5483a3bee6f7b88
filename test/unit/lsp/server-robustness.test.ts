// The language server's own robustness, through the real server in process. When an analysis throws (a bug in
// nixkit, forced here by making the project update throw), the edited file's old findings, positions into text
// that no longer exists, are not kept: it shows its syntax errors and one analysis-failed finding, and the next
// edit analyses again from scratch. A flake.lock that changes on disk re-analyses its flake.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { createConnection } from 'vscode-languageserver/node';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type Diagnostic,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import { startServer } from '../../../server/lsp/server';
import { Project } from '../../../server/model/project';
import { tempDir } from '../../helpers';

const CONFIG = `{ ... }:
{
  fileSystems."/" = { device = "/dev/sda1"; fsType = "ext4"; };
  nix.maxJobs = 4;
  sound.enable = true;
  boot.loader.grub.version = 2;
  system.stateVersion = "24.11";
}
`;

test('a failed analysis leaves syntax errors and one analysis-failed finding, never the old findings', async () => {
  const ws = tempDir('lsp-failure');
  const file = path.join(ws, 'configuration.nix');
  fs.writeFileSync(file, CONFIG);
  const uri = pathToFileURL(file).toString();
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  startServer(createConnection(new StreamMessageReader(toServer), new StreamMessageWriter(toClient)));
  const client = createProtocolConnection(
    new StreamMessageReader(toClient),
    new StreamMessageWriter(toServer),
  );
  const published = new Map<string, Diagnostic[]>();
  client.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) =>
    published.set(p.uri, p.diagnostics),
  );
  client.listen();
  await client.sendRequest('initialize', {
    processId: null,
    rootUri: pathToFileURL(ws).toString(),
    capabilities: {},
  });
  client.sendNotification('initialized', {});
  client.sendNotification('textDocument/didOpen', {
    textDocument: { uri, languageId: 'nix', version: 1, text: CONFIG },
  });
  const settled = () => client.sendRequest('textDocument/documentSymbol', { textDocument: { uri } });
  await settled();
  const codes = () => (published.get(uri) ?? []).map((d) => d.code).sort();
  const before = codes();
  assert.ok(before.includes('removed-option') && before.includes('unstable-device-path'), before.join());

  const update = Project.prototype.update;
  Project.prototype.update = () => {
    throw new RangeError('Maximum call stack size exceeded');
  };
  try {
    // Delete lines 3 to 6 and break the syntax: the old findings point into text that is gone.
    client.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [
        { range: { start: { line: 2, character: 0 }, end: { line: 6, character: 0 } }, text: '  x = ;\n' },
      ],
    });
    await settled();
    const now = published.get(uri) ?? [];
    assert.deepEqual(now.map((d) => `${d.code} ${d.range.start.line}:${d.range.start.character}`).sort(), [
      'analysis-failed 0:0',
      'syntax-error 2:6',
    ]);
    const failed = now.find((d) => d.code === 'analysis-failed')!;
    assert.match(failed.message, /could not analyse the configuration \(Maximum call stack size exceeded\)/);
    assert.doesNotMatch(failed.message, /\n\s+at /);
  } finally {
    Project.prototype.update = update;
  }

  // The next edit analyses again: the old text back, the old findings back.
  client.sendNotification('textDocument/didChange', {
    textDocument: { uri, version: 3 },
    contentChanges: [{ text: CONFIG }],
  });
  await settled();
  assert.deepEqual(codes(), before);
  client.dispose();
  toServer.end();
  toClient.end();
});

test('a changed flake.lock re-analyses its flake: the locked nixpkgs branch decides what is removed', async () => {
  const ws = tempDir('lsp-lock');
  const lock = (ref: string) =>
    JSON.stringify({
      nodes: {
        nixpkgs: {
          locked: { lastModified: 1735000000, owner: 'NixOS', repo: 'nixpkgs', rev: 'abc', type: 'github' },
          original: { owner: 'NixOS', ref, repo: 'nixpkgs', type: 'github' },
        },
        root: { inputs: { nixpkgs: 'nixpkgs' } },
      },
      root: 'root',
      version: 7,
    });
  fs.writeFileSync(
    path.join(ws, 'flake.nix'),
    '{\n  outputs = { nixpkgs, ... }: {\n    nixosConfigurations.box = nixpkgs.lib.nixosSystem { modules = [ ./configuration.nix ]; };\n  };\n}\n',
  );
  fs.writeFileSync(path.join(ws, 'flake.lock'), lock('nixos-24.05'));
  fs.writeFileSync(path.join(ws, 'configuration.nix'), '{ ... }:\n{\n  sound.enable = true;\n}\n');
  const uri = pathToFileURL(path.join(ws, 'configuration.nix')).toString();
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  startServer(createConnection(new StreamMessageReader(toServer), new StreamMessageWriter(toClient)));
  const client = createProtocolConnection(
    new StreamMessageReader(toClient),
    new StreamMessageWriter(toServer),
  );
  const published = new Map<string, Diagnostic[]>();
  client.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) =>
    published.set(p.uri, p.diagnostics),
  );
  client.listen();
  await client.sendRequest('initialize', {
    processId: null,
    rootUri: pathToFileURL(ws).toString(),
    capabilities: {},
  });
  client.sendNotification('initialized', {});
  const settled = () => client.sendRequest('textDocument/documentSymbol', { textDocument: { uri } });
  await settled();
  const removed = () =>
    (published.get(uri) ?? [])
      .filter((d) => d.code === 'removed-option')
      .map((d) => `${d.severity} ${d.message.split(':')[0]}`);
  assert.deepEqual(removed(), []); // 24.05 still has sound.enable

  fs.writeFileSync(path.join(ws, 'flake.lock'), lock('nixos-24.11'));
  client.sendNotification('workspace/didChangeWatchedFiles', {
    changes: [{ uri: pathToFileURL(path.join(ws, 'flake.lock')).toString(), type: 2 }],
  });
  await settled();
  assert.deepEqual(removed(), ['1 sound.enable was removed in NixOS 24.11 and evaluation fails']);
  client.dispose();
  toServer.end();
  toClient.end();
});
