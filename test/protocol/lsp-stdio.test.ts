// Starts the language server as a separate process over stdio and speaks JSON-RPC to it as an editor does.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type DocumentSymbol,
} from 'vscode-languageserver-protocol/node';
import { REPO_ROOT, tempDir } from '../helpers';

const URI = 'file:///tmp/nixkit-protocol/module.nix';

interface Server {
  proc: ChildProcess;
  conn: ProtocolConnection;
  diagnostics: PublishDiagnosticsParams[];
  stderr: string;
}

function startServer(args: string[]): Server {
  const proc = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const conn = createProtocolConnection(
    new StreamMessageReader(proc.stdout!),
    new StreamMessageWriter(proc.stdin!),
  );
  const server: Server = { proc, conn, diagnostics: [], stderr: '' };
  proc.stderr!.on('data', (d) => (server.stderr += d));
  conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) =>
    server.diagnostics.push(p),
  );
  conn.listen();
  return server;
}

async function waitFor<T>(what: string, probe: () => T | undefined, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function exchange(server: Server): Promise<void> {
  const init = (await server.conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri: null,
    capabilities: { textDocument: { documentSymbol: { hierarchicalDocumentSymbolSupport: true } } },
  })) as { capabilities: { textDocumentSync: { change: number }; documentSymbolProvider: boolean } };
  assert.equal(init.capabilities.textDocumentSync.change, 2, 'incremental sync');
  assert.equal(init.capabilities.documentSymbolProvider, true);
  await server.conn.sendNotification('initialized', {});

  const text = '{\n  networking.hostName = "demo"\n  services.openssh.enable = true;\n}\n';
  await server.conn.sendNotification('textDocument/didOpen', {
    textDocument: { uri: URI, languageId: 'nix', version: 1, text },
  });
  const first = await waitFor('diagnostics for version 1', () =>
    server.diagnostics.find((d) => d.version === 1),
  );
  assert.equal(first.uri, URI);
  assert.equal(first.diagnostics.length, 1);
  const d = first.diagnostics[0];
  assert.equal(d.code, 'syntax-error');
  assert.equal(d.source, 'nixkit');
  assert.deepEqual(d.range.start, { line: 1, character: 30 });

  // Type the missing semicolon: an incremental change of one character.
  await server.conn.sendNotification('textDocument/didChange', {
    textDocument: { uri: URI, version: 2 },
    contentChanges: [
      { range: { start: { line: 1, character: 30 }, end: { line: 1, character: 30 } }, text: ';' },
    ],
  });
  const second = await waitFor('diagnostics for version 2', () =>
    server.diagnostics.find((x) => x.version === 2),
  );
  assert.deepEqual(second.diagnostics, []);

  const symbols = (await server.conn.sendRequest('textDocument/documentSymbol', {
    textDocument: { uri: URI },
  })) as DocumentSymbol[];
  assert.deepEqual(
    symbols.map((s) => s.name),
    ['networking.hostName', 'services.openssh.enable'],
  );

  await server.conn.sendNotification('textDocument/didClose', { textDocument: { uri: URI } });
  const cleared = await waitFor('diagnostics cleared on close', () =>
    server.diagnostics.slice(2).find((x) => x.uri === URI && x.diagnostics.length === 0),
  );
  assert.ok(cleared);

  await server.conn.sendRequest('shutdown');
  const exited = new Promise<number | null>((resolve) => server.proc.on('exit', (code) => resolve(code)));
  await server.conn.sendNotification('exit');
  assert.equal(await exited, 0, `server exit code (stderr: ${server.stderr})`);
}

let servers: Server[] = [];
before(() => (servers = []));
after(() => servers.forEach((s) => s.proc.kill()));

test('dist/server.js --stdio: initialize, didOpen, incremental didChange, diagnostics, symbols, shutdown', async () => {
  const s = startServer([path.join(REPO_ROOT, 'dist/server.js'), '--stdio']);
  servers.push(s);
  await exchange(s);
});

test('`nixkit lsp` speaks the same protocol over stdio (for Neovim, Helix, Emacs)', async () => {
  const s = startServer([path.join(REPO_ROOT, 'dist/cli.js'), 'lsp']);
  servers.push(s);
  await exchange(s);
});

test('the server analyses the whole configuration: a finding in a closed file follows an edit in another', async () => {
  const ws = tempDir('lsp-ws');
  fs.mkdirSync(path.join(ws, 'hosts/demo'), { recursive: true });
  fs.writeFileSync(
    path.join(ws, 'flake.nix'),
    `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.05";
  outputs = { self, nixpkgs }: {
    nixosConfigurations.demo = nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./hosts/demo/configuration.nix ]; };
  };
}
`,
  );
  const config = `{ ... }:
{
  imports = [ ./hardware-configuration.nix ];
  boot.loader.systemd-boot.enable = true;
}
`;
  fs.writeFileSync(path.join(ws, 'hosts/demo/configuration.nix'), config);
  fs.writeFileSync(
    path.join(ws, 'hosts/demo/hardware-configuration.nix'),
    `{ ... }:
{
  fileSystems."/" = { device = "/dev/disk/by-uuid/1111"; fsType = "ext4"; };
  fileSystems."/boot/efi" = { device = "/dev/disk/by-uuid/2222"; fsType = "vfat"; };
}
`,
  );
  const hwUri = pathToFileURL(path.join(ws, 'hosts/demo/hardware-configuration.nix')).toString();
  const cfgUri = pathToFileURL(path.join(ws, 'hosts/demo/configuration.nix')).toString();
  const s = startServer([path.join(REPO_ROOT, 'dist/server.js'), '--stdio']);
  servers.push(s);
  await s.conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(ws).toString(),
    capabilities: {},
  });
  await s.conn.sendNotification('initialized', {});
  // The ESP finding is in the hardware configuration, which is not open.
  const initial = await waitFor('the ESP finding in the closed file', () =>
    s.diagnostics.find((d) => d.uri === hwUri && d.diagnostics.some((x) => x.code === 'esp-mount-mismatch')),
  );
  assert.equal(initial.diagnostics[0].range.start.line, 3);
  // Tell systemd-boot where the ESP is, in the other file: the finding in the closed file goes away.
  await s.conn.sendNotification('textDocument/didOpen', {
    textDocument: { uri: cfgUri, languageId: 'nix', version: 1, text: config },
  });
  const count = s.diagnostics.length;
  await s.conn.sendNotification('textDocument/didChange', {
    textDocument: { uri: cfgUri, version: 2 },
    contentChanges: [
      {
        range: { start: { line: 3, character: 41 }, end: { line: 3, character: 41 } },
        text: '\n  boot.loader.efi.efiSysMountPoint = "/boot/efi";',
      },
    ],
  });
  await waitFor('the ESP finding cleared', () =>
    s.diagnostics.slice(count).find((d) => d.uri === hwUri && d.diagnostics.length === 0),
  );
  await s.conn.sendRequest('shutdown');
  await s.conn.sendNotification('exit');
});
