// Workspace-scale benchmarks: an edit in a 30-file flake through the real server, `nixkit check` on a
// 500-file configuration repository, and the server's resident memory on that repository.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import { CLI, REPO_ROOT, tempDir } from '../helpers';
import { percentile, type BenchRow } from './table';

/** A flake with `hosts` hosts that share `modules` modules (each host: configuration + hardware configuration). */
export function generateFlakeRepo(dir: string, hosts: number, modules: number): string[] {
  const files: string[] = [];
  const write = (rel: string, text: string) => {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
    files.push(p);
  };
  const names = Array.from({ length: hosts }, (_, i) => `host${i}`);
  write(
    'flake.nix',
    `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.05";
  outputs = { self, nixpkgs, ... }@inputs:
    let
      mkHost = name: nixpkgs.lib.nixosSystem {
        system = "x86_64-linux";
        specialArgs = { inherit inputs; };
        modules = [ ./hosts/\${name}/configuration.nix ./modules ];
      };
    in {
      nixosConfigurations = nixpkgs.lib.genAttrs [ ${names.map((n) => `"${n}"`).join(' ')} ] mkHost;
    };
}
`,
  );
  write(
    'modules/default.nix',
    `{ ... }:\n{\n  imports = [\n${Array.from({ length: modules }, (_, i) => `    ./m${i}.nix\n`).join('')}  ];\n}\n`,
  );
  for (let i = 0; i < modules; i++) {
    write(
      `modules/m${i}.nix`,
      `{ config, lib, pkgs, ... }:
let cfg = config.services.app${i}; in
{
  options.services.app${i}.enable = lib.mkEnableOption "app ${i}";
  config = lib.mkIf cfg.enable {
    systemd.services.app${i} = { wantedBy = [ "multi-user.target" ]; serviceConfig.ExecStart = "\${pkgs.hello}/bin/hello"; };
    networking.firewall.allowedTCPPorts = [ ${8000 + i} ];
    environment.etc."app${i}.conf".text = ''
      port = ${8000 + i}
    '';
  };
}
`,
    );
  }
  for (const n of names) {
    write(
      `hosts/${n}/configuration.nix`,
      `{ config, lib, pkgs, ... }:
{
  imports = [ ./hardware-configuration.nix ];
  boot.loader.systemd-boot.enable = true;
  boot.loader.efi.canTouchEfiVariables = true;
  networking.hostName = "${n}";
  services.openssh.enable = true;
  services.app1.enable = true;
  users.users.root.openssh.authorizedKeys.keys = [ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJqIDjZXtgGz20XLopUuM6INIZ5LWP9USC/dYFiqrNey admin" ];
  system.stateVersion = "24.05";
}
`,
    );
    write(
      `hosts/${n}/hardware-configuration.nix`,
      `{ config, lib, pkgs, modulesPath, ... }:
{
  imports = [ (modulesPath + "/profiles/qemu-guest.nix") ];
  boot.initrd.availableKernelModules = [ "virtio_pci" "virtio_blk" "xhci_pci" ];
  fileSystems."/" = { device = "/dev/disk/by-uuid/5f3c1a2e-8b4d-4e6f-9a7b-2c1d0e9f8a6b"; fsType = "ext4"; };
  fileSystems."/boot" = { device = "/dev/disk/by-uuid/7A1C-3E5F"; fsType = "vfat"; options = [ "fmask=0077" "dmask=0077" ]; };
  nixpkgs.hostPlatform = lib.mkDefault "x86_64-linux";
}
`,
    );
  }
  return files;
}

async function withServer<T>(rootDir: string, fn: (s: Server) => Promise<T>): Promise<T> {
  const proc = spawn(process.execPath, [path.join(REPO_ROOT, 'dist/server.js'), '--stdio'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const conn = createProtocolConnection(
    new StreamMessageReader(proc.stdout),
    new StreamMessageWriter(proc.stdin),
  );
  const seen: PublishDiagnosticsParams[] = [];
  const waiters: { pred: (p: PublishDiagnosticsParams) => boolean; resolve: () => void }[] = [];
  conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    seen.push(p);
    for (const w of [...waiters]) {
      if (!w.pred(p)) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  conn.listen();
  const server: Server = {
    pid: proc.pid!,
    conn,
    until: (pred) =>
      new Promise<void>((resolve, reject) => {
        waiters.push({ pred, resolve });
        setTimeout(() => reject(new Error('timed out waiting for diagnostics')), 60000);
      }),
  };
  await conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(rootDir).toString(),
    capabilities: {},
  });
  try {
    return await fn(server);
  } finally {
    await conn.sendRequest('shutdown').catch(() => undefined);
    await conn.sendNotification('exit').catch(() => undefined);
    proc.kill();
  }
}

interface Server {
  pid: number;
  conn: ReturnType<typeof createProtocolConnection>;
  until(pred: (p: PublishDiagnosticsParams) => boolean): Promise<void>;
}

export async function benchFlakeEdit(edits = 100): Promise<BenchRow[]> {
  const dir = tempDir('bench30');
  generateFlakeRepo(dir, 3, 24); // 1 flake + 1 modules/default + 24 modules + 3×2 host files = 32 files
  const file = path.join(dir, 'modules/m1.nix');
  const uri = pathToFileURL(file).toString();
  const text = fs.readFileSync(file, 'utf8');
  const times: number[] = [];
  await withServer(dir, async (s) => {
    await s.conn.sendNotification('initialized', {});
    const opened = s.until((p) => p.uri === uri && p.version === 1);
    await s.conn.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'nix', version: 1, text },
    });
    await opened;
    const line = text.split('\n').findIndex((l) => l.includes('allowedTCPPorts'));
    const col = text.split('\n')[line].indexOf('[') + 2;
    for (let i = 0; i < edits; i++) {
      const version = i + 2;
      const change =
        i % 2 === 0
          ? { range: { start: { line, character: col }, end: { line, character: col } }, text: '1' }
          : { range: { start: { line, character: col }, end: { line, character: col + 1 } }, text: '' };
      const done = s.until((p) => p.uri === uri && p.version === version);
      const t0 = performance.now();
      await s.conn.sendNotification('textDocument/didChange', {
        textDocument: { uri, version },
        contentChanges: [change],
      });
      await done;
      times.push(performance.now() - t0);
    }
  });
  fs.rmSync(dir, { recursive: true, force: true });
  const p95 = percentile(times, 95);
  return [
    {
      name: 'edit in a shared module of a 32-file flake (3 hosts re-analysed)',
      value: `p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${p95.toFixed(1)} ms`,
      goal: 'p95 < 20 ms',
      met: p95 < 20,
    },
  ];
}

export async function benchLargeRepo(): Promise<BenchRow[]> {
  const dir = tempDir('bench500');
  const files = generateFlakeRepo(dir, 80, 338); // 1 + 1 + 338 + 160 = 500 files
  const rows: BenchRow[] = [];
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [CLI, 'check', '--format', 'json', dir], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    runs.push(performance.now() - t0);
    if (r.status !== 0 && r.status !== 1) throw new Error(`nixkit check failed: ${r.stderr}`);
  }
  const ours = percentile(runs, 50);
  rows.push({
    name: `nixkit check, ${files.length}-file repository (80 hosts)`,
    value: `${ours.toFixed(0)} ms`,
    goal: '< 1000 ms',
    met: ours < 1000,
  });
  const nix = spawnSync('sh', ['-c', 'command -v nix-instantiate'], { encoding: 'utf8' });
  if (nix.status === 0) {
    const t0 = performance.now();
    const r = spawnSync('nix-instantiate', ['--store', 'dummy://', '--parse', ...files], {
      env: { ...process.env, NIX_CONFIG: 'build-users-group =' },
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    const theirs = performance.now() - t0;
    if (r.status !== 0) throw new Error(`nix-instantiate failed: ${r.stderr.slice(0, 500)}`);
    rows.push({
      name: 'nix-instantiate --parse, same files (one process)',
      value: `${theirs.toFixed(0)} ms (nixkit/nix = ${(ours / theirs).toFixed(2)})`,
      goal: 'ratio <= 1',
      met: ours <= theirs,
    });
  }
  await withServer(dir, async (s) => {
    const done = s.until(() => true);
    await s.conn.sendNotification('initialized', {});
    await done.catch(() => undefined); // the first publish comes after the whole workspace was analysed
    await new Promise((r) => setTimeout(r, 500));
    const status = fs.readFileSync(`/proc/${s.pid}/status`, 'utf8');
    const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    rows.push({
      name: `language server memory after analysing the ${files.length}-file repository`,
      value: `RSS ${rss.toFixed(0)} MB (peak ${hwm.toFixed(0)} MB)`,
    });
  });
  fs.rmSync(dir, { recursive: true, force: true });
  return rows;
}
