// didChange → publishDiagnostics latency of the real server process, for one-character edits in large files.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import { REPO_ROOT } from '../helpers';
import { percentile, type BenchRow } from './table';

/** A realistic large Nix file: a flat set of option-like bindings with strings, lists and nested sets. */
export function generateNix(targetBytes: number): string {
  const parts = ['{ config, lib, pkgs, ... }:\n{\n'];
  let size = parts[0].length;
  for (let i = 0; size < targetBytes; i++) {
    const b =
      i % 4 === 0
        ? `  services.app${i}.enable = true;\n`
        : i % 4 === 1
          ? `  environment.etc."app${i}.conf".text = "key=${i}\\n";\n`
          : i % 4 === 2
            ? `  users.users.u${i} = { isNormalUser = true; extraGroups = [ "wheel" "video" ]; uid = ${1000 + i}; };\n`
            : `  networking.hosts."10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}" = [ "host${i}.lan" ];\n`;
    parts.push(b);
    size += b.length;
  }
  parts.push('}\n');
  return parts.join('');
}

export async function benchLspLatency(
  sizes: { label: string; bytes: number }[],
  edits = 100,
): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const proc = spawn(
    process.execPath,
    [
      ...(process.env.NIXKIT_SERVER_NODE_ARGS?.split(' ') ?? []),
      path.join(REPO_ROOT, 'dist/server.js'),
      '--stdio',
    ],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const conn = createProtocolConnection(
    new StreamMessageReader(proc.stdout),
    new StreamMessageWriter(proc.stdin),
  );
  const waiting = new Map<string, (p: PublishDiagnosticsParams) => void>();
  conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    const k = `${p.uri}#${p.version}`;
    waiting.get(k)?.(p);
    waiting.delete(k);
  });
  conn.listen();
  const published = (uri: string, version: number) =>
    new Promise<PublishDiagnosticsParams>((resolve, reject) => {
      waiting.set(`${uri}#${version}`, resolve);
      setTimeout(() => reject(new Error(`no diagnostics for ${uri} v${version}`)), 30000);
    });
  await conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
  await conn.sendNotification('initialized', {});
  for (const { label, bytes } of sizes) {
    const text = generateNix(bytes);
    const uri = `file:///tmp/nixkit-bench/${label}.nix`;
    const opened = published(uri, 1);
    const t0 = performance.now();
    await conn.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'nix', version: 1, text },
    });
    await opened;
    const openMs = performance.now() - t0;
    const lines = text.split('\n');
    const times: number[] = [];
    for (let i = 0; i < edits; i++) {
      // Type a character into a string in the middle of the file, then delete it: edits a person makes.
      const line = Math.floor(lines.length / 2) + (i % 50);
      const col = lines[line].indexOf('"') + 1 || 2;
      const version = i + 2;
      const insert = i % 2 === 0;
      const change = insert
        ? { range: { start: { line, character: col }, end: { line, character: col } }, text: 'x' }
        : { range: { start: { line, character: col }, end: { line, character: col + 1 } }, text: '' };
      const done = published(uri, version);
      const s = performance.now();
      await conn.sendNotification('textDocument/didChange', {
        textDocument: { uri, version },
        contentChanges: [change],
      });
      await done;
      times.push(performance.now() - s);
    }
    rows.push({
      name: `didChange → diagnostics, ${label} (${edits} edits)`,
      value: `p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms (open: ${openMs.toFixed(0)} ms)`,
    });
    await conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }
  await conn.sendRequest('shutdown');
  await conn.sendNotification('exit');
  return rows;
}
