// How fast `nixkit` starts, against `nix-instantiate --parse` of the same small file (issue 13: `nixkit check` of a
// small file within 2× Nix's time). Each command is one process per run; runs alternate between the commands
// and the median of RUNS is reported, so a burst of load on a shared machine does not decide the row. `node -e 0`
// is listed as the floor any Node program starts from.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, tempDir } from '../helpers';
import { requireNix } from '../differential/nix-oracle';
import type { BenchRow } from './table';

const RUNS = 7;
const NIX_ENV = { ...process.env, NIX_CONFIG: 'build-users-group =', NIX_PATH: '' };
const SMALL = `{ config, pkgs, ... }:
{
  imports = [ ./hardware-configuration.nix ];
  boot.loader.systemd-boot.enable = true;
  networking.hostName = "demo";
  users.users.alice = { isNormalUser = true; extraGroups = [ "wheel" ]; };
  system.stateVersion = "24.05";
}
`;

function timed(command: string, args: string[], env = process.env): number {
  const t0 = performance.now();
  const r = spawnSync(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - t0;
  if (r.error || (r.status !== 0 && r.status !== 1))
    throw new Error(`${command} ${args.join(' ')} failed (${r.status}): ${String(r.stderr).slice(0, 300)}`);
  return ms;
}

/** From spawning `nixkit lsp` until its answer to `initialize` has arrived; the server is then killed. */
function lspInitialize(): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const proc = spawn(process.execPath, [CLI, 'lsp'], { stdio: ['pipe', 'pipe', 'ignore'] });
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { processId: process.pid, rootUri: null, capabilities: {} },
    });
    proc.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    let out = '';
    const timer = setTimeout(() => {
      proc.kill();
      reject(new Error('nixkit lsp did not answer initialize within 30 s'));
    }, 30_000);
    proc.stdout.on('data', (d: Buffer) => {
      out += d;
      if (/"id":1\b/.test(out) && /"capabilities"/.test(out)) {
        const ms = performance.now() - t0;
        clearTimeout(timer);
        proc.kill();
        resolve(ms);
      }
    });
    proc.on('error', reject);
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchCliStart(): Promise<BenchRow[]> {
  requireNix();
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run node scripts/build.mjs first`);
  const dir = tempDir('cli-start');
  const file = path.join(dir, 'configuration.nix');
  fs.writeFileSync(file, SMALL);
  const nixArgs = ['--store', 'dummy://', '--parse', file];
  const samples = {
    nix: [] as number[],
    node: [] as number[],
    check: [] as number[],
    version: [] as number[],
  };
  const lsp: number[] = [];
  // one untimed round first: the file cache, not the disk, is what a user's second run sees
  for (let i = 0; i <= RUNS; i++) {
    const round = {
      nix: timed('nix-instantiate', nixArgs, NIX_ENV),
      node: timed(process.execPath, ['-e', '0']),
      check: timed(process.execPath, [CLI, 'check', file]),
      version: timed(process.execPath, [CLI, 'version']),
    };
    const init = await lspInitialize();
    if (i === 0) continue;
    for (const k of Object.keys(round) as (keyof typeof round)[]) samples[k].push(round[k]);
    lsp.push(init);
  }
  const nix = median(samples.nix);
  const row = (name: string, ms: number, goal?: number): BenchRow => ({
    name: `CLI start: ${name}`,
    value: `${ms.toFixed(0)} ms = ${(ms / nix).toFixed(2)}× Nix`,
    ...(goal === undefined ? {} : { goal: `<= ${goal}× Nix`, met: ms / nix <= goal }),
  });
  return [
    {
      name: 'CLI start: nix-instantiate --parse (small file)',
      value: `${nix.toFixed(0)} ms (median of ${RUNS})`,
    },
    row('node -e 0 (the floor for any Node CLI)', median(samples.node)),
    row('nixkit version', median(samples.version)),
    row('nixkit check (same file)', median(samples.check), 2),
    row('nixkit lsp, until initialize is answered', median(lsp)),
  ];
}

if (require.main === module) {
  benchCliStart().then(
    (rows) => rows.forEach((r) => console.log(`${r.name.padEnd(56)} ${r.value} ${r.goal ?? ''}`)),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
