// The editor features over the real protocol: dist/server.js --stdio with a workspace on disk, driven as an
// editor drives it (code actions and applying them, fix-all, hover, completion, definition, and nixkit's own
// nixkit/configurations request).
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
  type CodeAction,
  type CompletionList,
  type Hover,
  type Location,
  type MarkupContent,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type TextEdit,
} from 'vscode-languageserver-protocol/node';
import { ConfigurationsRequest } from '../../protocol/lsp-ext';
import { REPO_ROOT, tempDir } from '../helpers';
import { applyTextEdits } from '../unit/lsp/setup';

const FLAKE = `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.05";
  outputs = { self, nixpkgs, ... }: {
    nixosConfigurations.demo = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./configuration.nix ];
    };
  };
}
`;
const CONFIG = `{ config, lib, ... }:
{
  imports = [ ./hardware-configuration.nix ];
  boot.loader.systemd-boot.enable = true;
  nix.maxJobs = 4;
  nix.buildCores = 2;
  users.users.root.openssh.authorizedKeys.keys = [ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJqIDjZXtgGz20XLopUuM6INIZ5LWP9USC/dYFiqrNey me" ];
  system.stateVersion = "24.05";
}
`;
const HARDWARE = `{ ... }:
{
  fileSystems."/" = { device = "/dev/disk/by-uuid/5f3c1a2e-8b4d-4e6f-9a7b-2c1d0e9f8a6b"; fsType = "ext4"; };
  fileSystems."/boot/efi" = { device = "/dev/disk/by-uuid/7A1C-3E5F"; fsType = "vfat"; };
}
`;

interface Server {
  proc: ChildProcess;
  conn: ProtocolConnection;
  diagnostics: PublishDiagnosticsParams[];
  stderr: string;
}

let server: Server;
let ws: string;
const uri = (rel: string) => pathToFileURL(path.join(ws, rel)).toString();
const texts = new Map<string, { text: string; version: number }>();

async function waitFor<T>(what: string, probe: () => T | undefined, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (stderr: ${server.stderr})`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The latest diagnostics published for a file. */
const latest = (rel: string) => [...server.diagnostics].reverse().find((d) => d.uri === uri(rel));

async function open(rel: string): Promise<void> {
  const text = fs.readFileSync(path.join(ws, rel), 'utf8');
  texts.set(rel, { text, version: 1 });
  await server.conn.sendNotification('textDocument/didOpen', {
    textDocument: { uri: uri(rel), languageId: 'nix', version: 1, text },
  });
  await waitFor(`diagnostics of ${rel} v1`, () =>
    server.diagnostics.find((d) => d.uri === uri(rel) && d.version === 1),
  );
}

/** Applies a workspace edit to the open documents as the editor would, with didChange, and waits for diagnostics. */
async function applyWorkspaceEdit(changes: Record<string, TextEdit[]>): Promise<void> {
  for (const [u, edits] of Object.entries(changes)) {
    const rel = path.relative(ws, new URL(u).pathname);
    const doc = texts.get(rel);
    assert.ok(doc, `the edit is for ${rel}, which is open`);
    doc.text = applyTextEdits(doc.text, edits);
    doc.version++;
    await server.conn.sendNotification('textDocument/didChange', {
      textDocument: { uri: u, version: doc.version },
      contentChanges: [{ text: doc.text }],
    });
    await waitFor(`diagnostics of ${rel} v${doc.version}`, () =>
      server.diagnostics.find((d) => d.uri === u && d.version === doc.version),
    );
  }
}

const codeActions = (rel: string, line: number, character: number, only?: string[]) =>
  server.conn.sendRequest('textDocument/codeAction', {
    textDocument: { uri: uri(rel) },
    range: { start: { line, character }, end: { line, character } },
    context: { diagnostics: latest(rel)?.diagnostics ?? [], only },
  }) as Promise<CodeAction[]>;

const at = (rel: string, needle: string, delta = 0) => {
  const text = texts.get(rel)?.text ?? fs.readFileSync(path.join(ws, rel), 'utf8');
  const i = text.indexOf(needle);
  assert.ok(i >= 0, `${needle} in ${rel}`);
  const before = text.slice(0, i + delta).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
};

before(async () => {
  ws = tempDir('features');
  fs.writeFileSync(path.join(ws, 'flake.nix'), FLAKE);
  fs.writeFileSync(path.join(ws, 'configuration.nix'), CONFIG);
  fs.writeFileSync(path.join(ws, 'hardware-configuration.nix'), HARDWARE);
  const proc = spawn(process.execPath, [path.join(REPO_ROOT, 'dist/server.js'), '--stdio'], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const conn = createProtocolConnection(
    new StreamMessageReader(proc.stdout!),
    new StreamMessageWriter(proc.stdin!),
  );
  server = { proc, conn, diagnostics: [], stderr: '' };
  proc.stderr!.on('data', (d) => (server.stderr += d));
  conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) =>
    server.diagnostics.push(p),
  );
  conn.listen();
  const init = (await conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(ws).toString(),
    capabilities: {},
  })) as { capabilities: Record<string, unknown> };
  assert.ok(init.capabilities.codeActionProvider);
  assert.equal(init.capabilities.hoverProvider, true);
  assert.equal(init.capabilities.definitionProvider, true);
  assert.ok(init.capabilities.completionProvider);
  await conn.sendNotification('initialized', {});
  await open('hardware-configuration.nix');
  await open('configuration.nix');
});

after(async () => {
  await server.conn.sendRequest('shutdown');
  await server.conn.sendNotification('exit');
  server.proc.kill();
  fs.rmSync(ws, { recursive: true, force: true });
});

test('hover on boot.loader.systemd-boot.enable explains the option', async () => {
  const h = (await server.conn.sendRequest('textDocument/hover', {
    textDocument: { uri: uri('configuration.nix') },
    position: at('configuration.nix', 'systemd-boot.enable', 15),
  })) as Hover;
  const value = (h.contents as MarkupContent).value;
  assert.match(value, /\*\*boot\.loader\.systemd-boot\.enable\*\*/);
  assert.match(value, /Type: `boolean`/);
  assert.match(value, /`demo`: `true`/);
  assert.deepEqual(h.range?.start, at('configuration.nix', 'enable = true'));
});

test('hover on a finding explains it and links to its page', async () => {
  const d = latest('hardware-configuration.nix')!.diagnostics.find((x) => x.code === 'esp-mount-mismatch')!;
  assert.ok(d, 'the ESP finding is published');
  assert.equal(
    d.codeDescription?.href,
    'https://github.com/nixkit/nixkit/blob/main/docs/rules/esp-mount-mismatch.md',
  );
  const h = (await server.conn.sendRequest('textDocument/hover', {
    textDocument: { uri: uri('hardware-configuration.nix') },
    position: d.range.start,
  })) as Hover;
  const value = (h.contents as MarkupContent).value;
  assert.match(value, /esp-mount-mismatch/);
  assert.match(
    value,
    /\(https:\/\/github\.com\/nixkit\/nixkit\/blob\/main\/docs\/rules\/esp-mount-mismatch\.md\)/,
  );
});

test('completion after boot.loader. lists the bootloaders', async () => {
  const doc = texts.get('configuration.nix')!;
  const pos = at('configuration.nix', '  nix.maxJobs');
  const typed =
    doc.text.slice(0, doc.text.indexOf('  nix.maxJobs')) +
    '  boot.loader.\n' +
    doc.text.slice(doc.text.indexOf('  nix.maxJobs'));
  await server.conn.sendNotification('textDocument/didChange', {
    textDocument: { uri: uri('configuration.nix'), version: ++doc.version },
    contentChanges: [{ text: typed }],
  });
  const list = (await server.conn.sendRequest('textDocument/completion', {
    textDocument: { uri: uri('configuration.nix') },
    position: { line: pos.line, character: '  boot.loader.'.length },
    context: { triggerKind: 2, triggerCharacter: '.' },
  })) as CompletionList;
  const labels = list.items.map((i) => i.label);
  assert.ok(
    labels.includes('systemd-boot') && labels.includes('grub') && labels.includes('efi'),
    String(labels),
  );
  // Undo the typing.
  await server.conn.sendNotification('textDocument/didChange', {
    textDocument: { uri: uri('configuration.nix'), version: ++doc.version },
    contentChanges: [{ text: doc.text }],
  });
  await waitFor('diagnostics after undo', () =>
    server.diagnostics.find((d) => d.uri === uri('configuration.nix') && d.version === doc.version),
  );
});

test('rule severities: nixkit.toml, then the editor setting on top; a broken nixkit.toml is flagged', async () => {
  const severityOf = () =>
    latest('hardware-configuration.nix')!.diagnostics.find((d) => d.code === 'esp-mount-mismatch')?.severity;
  assert.equal(severityOf(), 1);
  const toml = path.join(ws, 'nixkit.toml');
  const changedFile = (type: number) =>
    server.conn.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: pathToFileURL(toml).toString(), type }],
    });
  fs.writeFileSync(toml, '[rules]\nesp-mount-mismatch = "warning"\n');
  await changedFile(1);
  await waitFor('the ESP finding as a warning', () => (severityOf() === 2 ? true : undefined));
  await server.conn.sendNotification('workspace/didChangeConfiguration', {
    settings: { nixkit: { rules: { 'esp-mount-mismatch': 'hint' } } },
  });
  await waitFor('the ESP finding as a hint', () => (severityOf() === 4 ? true : undefined));
  await server.conn.sendNotification('workspace/didChangeConfiguration', {
    settings: { nixkit: { rules: {} } },
  });
  await waitFor('the ESP finding as a warning again', () => (severityOf() === 2 ? true : undefined));
  fs.writeFileSync(toml, '[rules]\nesp-mount-mismatch = "loud"\n');
  await changedFile(2);
  const flagged = await waitFor('a diagnostic on nixkit.toml', () =>
    server.diagnostics.find((d) => d.uri === pathToFileURL(toml).toString() && d.diagnostics.length),
  );
  assert.match(flagged.diagnostics[0].message, /rules\.esp-mount-mismatch: the severity must be one of/);
  await waitFor('the default severity while the file is broken', () =>
    severityOf() === 1 ? true : undefined,
  );
  fs.rmSync(toml);
  await changedFile(3);
  await waitFor('the diagnostic on nixkit.toml cleared', () =>
    latest('nixkit.toml')?.diagnostics.length === 0 ? true : undefined,
  );
});

test('definition on ./hardware-configuration.nix opens the file', async () => {
  const locs = (await server.conn.sendRequest('textDocument/definition', {
    textDocument: { uri: uri('configuration.nix') },
    position: at('configuration.nix', './hardware-configuration.nix', 5),
  })) as Location[];
  assert.deepEqual(locs, [
    {
      uri: uri('hardware-configuration.nix'),
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    },
  ]);
});

test("nixkit/configurations describes the flake's configuration", async () => {
  const { configurations } = await server.conn.sendRequest(ConfigurationsRequest, {});
  assert.equal(configurations.length, 1);
  const c = configurations[0];
  assert.equal(c.name, 'demo');
  assert.equal(c.kind, 'flake');
  assert.deepEqual(c.files, [uri('configuration.nix'), uri('flake.nix'), uri('hardware-configuration.nix')]);
  assert.deepEqual([c.platform.value, c.platform.from], ['x86_64-linux', 'system']);
  assert.equal(c.bootloader.kind, 'systemd-boot');
  assert.deepEqual([c.efiSysMountPoint.state, c.efiSysMountPoint.value], ['unset', '/boot']);
  assert.equal(c.esp?.mountPoint, '/boot/efi');
  assert.equal(c.esp?.location?.uri, uri('hardware-configuration.nix'));
  assert.deepEqual([c.rootFileSystem?.fsType, c.stateVersion.value], ['ext4', '24.05']);
  assert.deepEqual(
    c.users.map((u) => [u.name, u.methods]),
    [['root', ['sshKey']]],
  );
  assert.ok(c.findings.error >= 1, 'the ESP finding is counted');
});

test('fix all removed-option problems in a file, then the ESP quick fix: both findings go away', async () => {
  const removed = () => latest('configuration.nix')!.diagnostics.filter((d) => d.code === 'removed-option');
  assert.equal(removed().length, 2, JSON.stringify(latest('configuration.nix')));
  const first = removed()[0];
  const actions = await codeActions('configuration.nix', first.range.start.line, first.range.start.character);
  const fixAll = actions.find((a) => a.title === 'Fix all removed-option problems in this file');
  assert.ok(fixAll, actions.map((a) => a.title).join(', '));
  assert.equal(fixAll.diagnostics?.length, 2);
  await applyWorkspaceEdit(fixAll.edit!.changes!);
  assert.deepEqual(removed(), []);
  assert.match(texts.get('configuration.nix')!.text, /nix\.settings\.max-jobs = 4;/);

  // The ESP finding: two fixes, the preferred one edits the other file (configuration.nix).
  const esp = latest('hardware-configuration.nix')!.diagnostics.find((d) => d.code === 'esp-mount-mismatch')!;
  const espActions = await codeActions(
    'hardware-configuration.nix',
    esp.range.start.line,
    esp.range.start.character,
  );
  const fixes = espActions.filter(
    (a) => a.diagnostics?.[0]?.code === 'esp-mount-mismatch' && !a.title.startsWith('Ignore'),
  );
  assert.deepEqual(
    fixes.map((a) => [a.title, !!a.isPreferred]),
    [
      ['Set boot.loader.efi.efiSysMountPoint = "/boot/efi"', true],
      ['Mount the ESP at /boot', false],
    ],
  );
  const count = server.diagnostics.length;
  await applyWorkspaceEdit(fixes[0].edit!.changes!);
  await waitFor('the ESP finding to go away', () =>
    server.diagnostics
      .slice(count)
      .find(
        (d) =>
          d.uri === uri('hardware-configuration.nix') &&
          !d.diagnostics.some((x) => x.code === 'esp-mount-mismatch'),
      ),
  );
  assert.match(texts.get('configuration.nix')!.text, /boot\.loader\.efi\.efiSysMountPoint = "\/boot\/efi";/);
});

test('source.fixAll.nixkit fixes what can be fixed in the file (fix on save)', async () => {
  // A configuration of its own: inside the workspace's flake folder a configuration.nix is a machine only when a
  // flake says so (here its own), never because of its name.
  fs.mkdirSync(path.join(ws, 'other'));
  fs.writeFileSync(path.join(ws, 'other/flake.nix'), FLAKE.replace('demo', 'other'));
  fs.writeFileSync(
    path.join(ws, 'other/configuration.nix'),
    '{ ... }:\n{\n  nix.buildCores = 2;\n  nix.maxJobs = 2;\n  system.stateVersion = "24.05";\n}\n',
  );
  await open('other/flake.nix');
  await open('other/configuration.nix');
  const before = latest('other/configuration.nix')!.diagnostics.filter((d) => d.code === 'removed-option');
  assert.equal(before.length, 2);
  const actions = await codeActions('other/configuration.nix', 0, 0, ['source.fixAll']);
  assert.deepEqual(
    actions.map((a) => a.kind),
    ['source.fixAll.nixkit'],
  );
  await applyWorkspaceEdit(actions[0].edit!.changes!);
  assert.deepEqual(
    latest('other/configuration.nix')!.diagnostics.filter((d) => d.code === 'removed-option'),
    [],
  );
});
