// Incremental equals fresh: a seeded random sequence of edits (insertions of Nix fragments, deletions,
// replacements, several changes in one notification, across the files of a small flake) goes through the real
// language server in process; at checkpoints and at the end, the diagnostics it last published for each file are
// exactly those of a fresh `nixkit check` of the same texts. Incremental parsing, the per-unit and per-module
// caches and the incremental rule re-runs may skip work, never change the answer.
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
import { checkPaths } from '../../../server/analysis/check-files';
import { toDiagnostic } from '../../../server/lsp/convert';
import { startServer } from '../../../server/lsp/server';
import { LineIndex } from '../../../server/syntax/positions';
import { tempDir } from '../../helpers';

const FILES: Record<string, string> = {
  'flake.nix': `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = { nixpkgs, ... }: {
    nixosConfigurations.box = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./configuration.nix ./hardware.nix ];
    };
  };
}
`,
  'configuration.nix': `{ config, lib, pkgs, ... }:
{
  imports = [ ./users.nix ];
  boot.loader.systemd-boot.enable = true;
  boot.loader.efi.canTouchEfiVariables = true;
  networking.hostName = "box";
  nix.maxJobs = 4;
  system.stateVersion = "24.11";
}
`,
  'hardware.nix': `{ lib, ... }:
{
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
  fileSystems."/boot" = { device = "/dev/disk/by-label/ESP"; fsType = "vfat"; };
  nixpkgs.hostPlatform = lib.mkDefault "x86_64-linux";
}
`,
  'users.nix': `{ ... }:
{
  users.users.alice = { isNormalUser = true; extraGroups = [ "wheel" ]; };
  users.users.alice.hashedPassword = "$6$abcdefgh$0123456789012345678901234567890123456789012345678901234567890123456789012345678901234";
}
`,
  'extra.nix': `{ ... }:
{
  services.openssh.enable = true;
}
`,
};

/** Whole bindings that make and unmake the findings the rules look for (one line each). */
const BINDINGS = [
  'sound.enable = true;',
  'boot.loader.grub.version = 2;',
  'hardware.opengl.enable = true;',
  'hardware.opengl = { enable = true; driSupport32Bit = true; };',
  'fileSystems."/data" = { device = "/dev/sdb1"; fsType = "ext4"; };',
  'fileSystems."/" = { device = "/dev/sda2"; fsType = "btrfs"; };',
  'boot.loader.efi.efiSysMountPoint = "/boot/efi";',
  'boot.loader.systemd-boot.enable = lib.mkForce false;',
  'boot.loader.grub = { enable = true; device = "nodev"; efiSupport = true; };',
  'nixpkgs.hostPlatform = "x86-64-linux";',
  `nixpkgs.hostPlatform = lib.mkDefault "warning: the group 'nixbld' does not exist x86_64-linux";`,
  'networking.hostName = "bad_name-";',
  'system.stateVersion = "24.13";',
  'imports = [ ./missing.nix ];',
  'imports = [ ./extra.nix ];',
  'users.users.root.hashedPassword = "hunter2";',
  'users.users.bob = { isNormalUser = true; extraGroups = [ "wheel" ]; openssh.authorizedKeys.keys = [ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIncrementalFreshTestKey0000000000000000 b" ]; };',
  'services.openssh.permitRootLogin = "no";',
  'services.xserver.layout = "de";',
  'boot.initrd.luks.devices.crypt.device = "/dev/sda3";',
  'networking.interfaces.eth0.ipv4.addresses = [ { address = "192.0.2.1"; prefixLength = 24; } ];',
  'swapDevices = [ { device = "/dev/sdc"; } ];',
  '# nixkit: ignore removed-option',
];

/** Text that breaks the syntax where it lands; the next edit of that file takes it out again. */
const BREAKERS = [';', '}', '{', ' = ', '"', "''", '${x}', 'let x = 1; in ', '[', 'lib.mkIf ', '# ', '\n'];

/** Value swaps that keep the syntax: each turns a finding on or off. */
const SWAPS: [string, string][] = [
  ['nixos-24.11', 'nixos-24.05'],
  ['./hardware.nix ]', './hardware.nix ./extra.nix ]'],
  ['"24.11"', '"24.05"'],
  ['by-label/nixos', 'sda1'],
  ['"vfat"', '"ext4"'],
  ['"x86_64-linux"', '"aarch64-darwin"'],
  ['$6$abcdefgh$', '$1$abcdefgh$'],
  ['[ "wheel" ]', '[ ]'],
  ['./users.nix', './userz.nix'],
];

function random(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

interface Change {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  text: string;
}

function change(text: string, start: number, end: number, insert: string): { change: Change; text: string } {
  const lines = new LineIndex(text);
  return {
    change: { range: { start: lines.positionAt(start), end: lines.positionAt(end) }, text: insert },
    text: text.slice(0, start) + insert + text.slice(end),
  };
}

/** Offsets of the starts of the body lines of a module (between its `{` line and its closing `}`). */
function bodyLineStarts(text: string): number[] {
  const starts: number[] = [];
  const open = text.indexOf('\n{\n');
  const close = text.lastIndexOf('\n}');
  if (open < 0 || close < 0) return starts;
  for (let i = open + 3; i <= close; i = text.indexOf('\n', i) + 1) {
    starts.push(i);
    if (text.indexOf('\n', i) < 0) break;
  }
  return starts;
}

interface Shown {
  range: Diagnostic['range'];
  severity: Diagnostic['severity'];
  code: Diagnostic['code'];
  message: string;
}
/** A diagnostic as a user sees it; the workspace folder in messages (`… does not exist (/tmp/…)`) as `<ws>`. */
const shown = (d: Diagnostic, root: string): Shown => ({
  range: d.range,
  severity: d.severity,
  code: d.code,
  message: d.message.split(root).join('<ws>'),
});
const order = (a: Shown, b: Shown) =>
  JSON.stringify([a.range.start.line, a.range.start.character, a.code, a.message]) <
  JSON.stringify([b.range.start.line, b.range.start.character, b.code, b.message])
    ? -1
    : 1;

/** What a fresh `nixkit check` of these texts reports, per file, in LSP's shapes. */
async function fresh(texts: Map<string, string>): Promise<Map<string, Shown[]>> {
  const dir = tempDir('fresh');
  for (const [rel, text] of texts) fs.writeFileSync(path.join(dir, rel), text);
  const r = await checkPaths([dir]);
  const out = new Map<string, Shown[]>();
  for (const f of r.findings) {
    const rel = path.relative(dir, f.file);
    out.set(rel, [...(out.get(rel) ?? []), shown(toDiagnostic(f), dir)]);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  for (const list of out.values()) list.sort(order);
  return out;
}

test('random edits through the language server end with the diagnostics of a fresh analysis', async () => {
  const ws = tempDir('incremental');
  for (const [rel, text] of Object.entries(FILES)) fs.writeFileSync(path.join(ws, rel), text);
  const uri = (rel: string) => pathToFileURL(path.join(ws, rel)).toString();

  // The real server, in process, over a pair of in-memory streams.
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
    workspaceFolders: [{ uri: pathToFileURL(ws).toString(), name: 'ws' }],
    capabilities: {},
  });
  client.sendNotification('initialized', {});

  const texts = new Map(Object.entries(FILES));
  const versions = new Map<string, number>();
  for (const [rel, text] of texts) {
    versions.set(rel, 1);
    client.sendNotification('textDocument/didOpen', {
      textDocument: { uri: uri(rel), languageId: 'nix', version: 1, text },
    });
  }
  /** Messages are handled in order: once this answers, every notification before it has been published. */
  const settled = () =>
    client.sendRequest('textDocument/documentSymbol', { textDocument: { uri: uri('flake.nix') } });
  await settled();

  const seen = new Set<string>();
  const compare = async (after: number) => {
    await settled();
    const expected = await fresh(texts);
    for (const list of expected.values()) for (const d of list) seen.add(String(d.code));
    for (const rel of texts.keys()) {
      const got = (published.get(uri(rel)) ?? []).map((d) => shown(d, ws)).sort(order);
      assert.deepEqual(
        got,
        expected.get(rel) ?? [],
        `after ${after} edits, ${rel} reads:\n${texts.get(rel)}`,
      );
    }
  };
  // Sanity: the start already has findings of several rules, so the comparison has something to compare.
  const start = await fresh(texts);
  assert.ok([...start.values()].flat().some((d) => d.code === 'removed-option'));

  const rnd = random(20261207);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  const names = [...texts.keys()];
  /** A file whose syntax an edit broke, and the change that mends it. */
  const broken = new Map<string, { at: number; length: number }>();
  const send = (rel: string, changes: Change[]) => {
    const version = versions.get(rel)! + 1;
    versions.set(rel, version);
    client.sendNotification('textDocument/didChange', {
      textDocument: { uri: uri(rel), version },
      contentChanges: changes,
    });
  };
  const EDITS = 300;
  for (let i = 1; i <= EDITS; i++) {
    const rel = pick(names);
    let text = texts.get(rel)!;
    const changes: Change[] = [];
    const apply = (start: number, end: number, insert: string) => {
      const step = change(text, start, end, insert);
      changes.push(step.change);
      text = step.text;
    };
    const mend = broken.get(rel);
    const r = rnd();
    if (mend) {
      apply(mend.at, mend.at + mend.length, '');
      broken.delete(rel);
    } else if (r < 0.15) {
      // Break the syntax somewhere; mended by this file's next edit.
      const at = Math.floor(rnd() * (text.length + 1));
      const what = pick(BREAKERS);
      apply(at, at, what);
      broken.set(rel, { at, length: what.length });
    } else if (r < 0.45 && rel !== 'flake.nix') {
      // Add a binding, typed in one go or (a third of the time) in three pieces, as typing sends them.
      const starts = bodyLineStarts(text);
      const at = starts.length ? pick(starts) : text.length;
      const line = `  ${pick(BINDINGS)}\n`;
      if (rnd() < 0.33) {
        const a = Math.floor(line.length / 3);
        const b = Math.floor((2 * line.length) / 3);
        apply(at, at, line.slice(0, a));
        apply(at + a, at + a, line.slice(a, b));
        apply(at + b, at + b, line.slice(b));
      } else apply(at, at, line);
    } else if (r < 0.65 && rel !== 'flake.nix') {
      // Delete a whole body line.
      const starts = bodyLineStarts(text);
      if (starts.length > 1) {
        const k = Math.floor(rnd() * (starts.length - 1));
        apply(starts[k], starts[k + 1], '');
      }
    } else {
      // Swap a value either way.
      const [a, b] = pick(SWAPS);
      const from = rnd() < 0.5 ? a : b;
      const to = from === a ? b : a;
      const at = text.indexOf(from);
      if (at >= 0) apply(at, at + from.length, to);
    }
    if (!changes.length) continue;
    texts.set(rel, text);
    send(rel, changes);
    if (i % 50 === 0) await compare(i);
  }
  // Mend what is still broken, so the end state is a whole configuration, then compare.
  for (const [rel, m] of broken) {
    const step = change(texts.get(rel)!, m.at, m.at + m.length, '');
    texts.set(rel, step.text);
    send(rel, [step.change]);
  }
  await compare(EDITS);
  // The walk went through many rules' findings, not only syntax errors.
  for (const code of [
    'removed-option',
    'unstable-device-path',
    'syntax-error',
    'module-not-found',
    'host-platform-corrupted',
  ])
    assert.ok(seen.has(code), `${code} was among the compared findings (${[...seen].join(', ')})`);
  assert.ok(seen.size >= 8, [...seen].join(', '));
  client.dispose();
  toServer.end();
  toClient.end();
});
