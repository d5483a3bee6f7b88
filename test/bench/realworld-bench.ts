// Cold analysis of real-world-shaped repositories (300 and 3,000 files) against `nix-instantiate --parse` of
// the same files in one process (issue 12's goal: nixkit at most 3× Nix). The repositories are generated in the
// shapes people keep in git: a flake whose hosts come from folders, shared NixOS modules with options and
// mkIf, home-manager modules, package definitions and overlays that no configuration reads.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, tempDir } from '../helpers';
import { percentile, type BenchRow } from './table';

/** Writes about `total` files; returns their paths. */
export function generateRealWorldRepo(dir: string, total: number): string[] {
  const files: string[] = [];
  const write = (rel: string, text: string) => {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
    files.push(p);
  };
  const hosts = Math.max(2, Math.round(total * 0.05));
  const modules = Math.round(total * 0.4);
  const home = Math.round(total * 0.2);
  const overlays = Math.round(total * 0.05);
  const pkgs = Math.max(0, total - 1 - 2 * hosts - modules - home - overlays - 3);
  write(
    'flake.nix',
    `{
  description = "my machines";
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
    home-manager = { url = "github:nix-community/home-manager/release-24.11"; inputs.nixpkgs.follows = "nixpkgs"; };
  };
  outputs = { self, nixpkgs, home-manager, ... }@inputs:
    let
      lib = nixpkgs.lib;
      hostNames = builtins.attrNames (lib.filterAttrs (_: t: t == "directory") (builtins.readDir ./hosts));
      mkHost = name: lib.nixosSystem {
        system = "x86_64-linux";
        specialArgs = { inherit inputs; hostName = name; };
        modules = [ ./hosts/\${name} ./modules home-manager.nixosModules.home-manager ];
      };
    in {
      nixosConfigurations = lib.genAttrs hostNames mkHost;
      overlays.default = import ./overlays;
    };
}
`,
  );
  write(
    'modules/default.nix',
    `{ ... }:\n{\n  imports = [\n${Array.from({ length: modules }, (_, i) => `    ./${category(i)}/m${i}.nix\n`).join('')}  ];\n}\n`,
  );
  write(
    'overlays/default.nix',
    `final: prev:\n  builtins.foldl' (acc: f: acc // (import f final prev)) { } [\n${Array.from({ length: overlays }, (_, i) => `    ./o${i}.nix\n`).join('')}  ]\n`,
  );
  write(
    'home/default.nix',
    `{ ... }:\n{\n  imports = [\n${Array.from({ length: home }, (_, i) => `    ./u${i % 3}/h${i}.nix\n`).join('')}  ];\n}\n`,
  );
  for (let i = 0; i < modules; i++) write(`modules/${category(i)}/m${i}.nix`, moduleText(i));
  for (let i = 0; i < hosts; i++) {
    write(
      `hosts/host${i}/default.nix`,
      `{ config, lib, pkgs, hostName, ... }:
{
  imports = [ ./hardware-configuration.nix ];
  boot.loader.systemd-boot.enable = true;
  boot.loader.efi.canTouchEfiVariables = true;
  networking.hostName = hostName;
  my.${category(i)}.m${i % Math.max(1, modules)}.enable = true;
  home-manager.users.alice = import ../../home;
  users.users.alice = {
    isNormalUser = true;
    extraGroups = [ "wheel" "networkmanager" ];
    openssh.authorizedKeys.keys = [ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJqIDjZXtgGz20XLopUuM6INIZ5LWP9USC/dYFiqrNey alice" ];
  };
  time.timeZone = "Europe/Berlin";
  i18n.defaultLocale = "en_US.UTF-8";
  system.stateVersion = "24.11";
}
`,
    );
    write(
      `hosts/host${i}/hardware-configuration.nix`,
      `{ config, lib, pkgs, modulesPath, ... }:
{
  imports = [ (modulesPath + "/installer/scan/not-detected.nix") ];
  boot.initrd.availableKernelModules = [ "nvme" "xhci_pci" "ahci" "usb_storage" "sd_mod" ];
  boot.kernelModules = [ "kvm-amd" ];
  fileSystems."/" = { device = "/dev/disk/by-uuid/5f3c1a2e-8b4d-4e6f-9a7b-2c1d0e9f8a${String(i).padStart(2, '0').slice(-2)}"; fsType = "ext4"; };
  fileSystems."/boot" = { device = "/dev/disk/by-uuid/7A1C-3E5F"; fsType = "vfat"; options = [ "fmask=0077" "dmask=0077" ]; };
  swapDevices = [ ];
  networking.useDHCP = lib.mkDefault true;
  nixpkgs.hostPlatform = lib.mkDefault "x86_64-linux";
  hardware.cpu.amd.updateMicrocode = lib.mkDefault config.hardware.enableRedistributableFirmware;
}
`,
    );
  }
  for (let i = 0; i < home; i++)
    write(
      `home/u${i % 3}/h${i}.nix`,
      `{ config, lib, pkgs, ... }:
{
  programs.git = { enable = true; userName = "Alice"; aliases = { co = "checkout"; st = "status -sb"; lg${i} = "log --graph --oneline"; }; };
  home.packages = with pkgs; [ ripgrep fd jq bat ];
  home.file.".config/tool${i}/config".text = ''
    # generated
    option-a = \${toString ${i}}
    path = \${config.home.homeDirectory}/.local/share/tool${i}
  '';
  programs.zsh.shellAliases = lib.mkIf config.programs.zsh.enable { ll${i} = "ls -l"; };
}
`,
    );
  for (let i = 0; i < overlays; i++)
    write(
      `overlays/o${i}.nix`,
      `final: prev: {\n  tool${i} = prev.tool${i}.overrideAttrs (old: { patches = (old.patches or [ ]) ++ [ ./fix-${i}.patch ]; });\n}\n`,
    );
  for (let i = 0; i < pkgs; i++) write(`pkgs/p${i}/default.nix`, packageText(i));
  return files;
}

function category(i: number): string {
  return ['services', 'desktop', 'networking', 'security', 'virtualisation', 'dev'][i % 6];
}

function moduleText(i: number): string {
  const c = category(i);
  return `{ config, lib, pkgs, ... }:
let
  cfg = config.my.${c}.m${i};
  inherit (lib) mkEnableOption mkOption mkIf types optionals;
in
{
  options.my.${c}.m${i} = {
    enable = mkEnableOption "feature ${i}";
    port = mkOption { type = types.port; default = ${8000 + i}; description = "Port of feature ${i}."; };
    extraArgs = mkOption { type = types.listOf types.str; default = [ ]; };
  };
  config = mkIf cfg.enable {
    systemd.services.feature${i} = {
      description = "Feature ${i}";
      wantedBy = [ "multi-user.target" ];
      after = [ "network-online.target" ];
      serviceConfig = {
        ExecStart = "\${pkgs.hello}/bin/hello --port \${toString cfg.port} \${lib.concatStringsSep " " cfg.extraArgs}";
        DynamicUser = true;
        Restart = "on-failure";
      };
    };
    networking.firewall.allowedTCPPorts = [ cfg.port ] ++ optionals (cfg.port > 9000) [ (cfg.port + 1) ];
    environment.etc."feature${i}/config.toml".text = ''
      [server]
      port = \${toString cfg.port}
      name = "feature-${i}"
    '';
  };
}
`;
}

function packageText(i: number): string {
  return `{ lib, stdenv, fetchFromGitHub, cmake, pkg-config, openssl, zlib }:

stdenv.mkDerivation rec {
  pname = "tool${i}";
  version = "1.${i % 10}.${i % 7}";
  src = fetchFromGitHub {
    owner = "example";
    repo = pname;
    rev = "v\${version}";
    hash = "sha256-${'A'.repeat(43)}=";
  };
  nativeBuildInputs = [ cmake pkg-config ];
  buildInputs = [ openssl zlib ];
  cmakeFlags = [ "-DENABLE_TESTS=OFF" "-DTOOL_ID=${i}" ];
  postInstall = ''
    mkdir -p $out/share/\${pname}
    cp -r ../share/* $out/share/\${pname}/ || true
    for f in $out/bin/*; do
      wrapProgram "$f" --prefix PATH : \${lib.makeBinPath [ openssl ]}
    done
  '';
  meta = with lib; {
    description = "Tool number ${i}";
    homepage = "https://example.invalid/tool${i}";
    license = licenses.mit;
    platforms = platforms.linux;
  };
}
`;
}

const median = (xs: number[]) => percentile(xs, 50);

/**
 * Runs a command `runs` times; the median wall time and the median CPU time (user + system of the process and
 * its children, from bash's `time`). The machine is shared with other work: CPU time is the fair comparison.
 */
function timeIt(
  runs: number,
  cmd: string,
  args: string[],
  env?: NodeJS.ProcessEnv,
): { wall: number; cpu: number } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(
      'bash',
      ['-c', 'TIMEFORMAT="%R %U %S"; time "$@" >/dev/null 2>/tmp/nixkit-bench-stderr', 'bash', cmd, ...args],
      { encoding: 'utf8', env: env ?? process.env },
    );
    const m = /([\d.]+) ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
    if (!m) throw new Error(`${cmd}: no timing (${r.stderr.slice(0, 300)})`);
    wall.push(Number(m[1]) * 1000);
    cpu.push((Number(m[2]) + Number(m[3])) * 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

export async function benchRealWorld(sizes = [300, 3000]): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const hasNix = spawnSync('sh', ['-c', 'command -v nix-instantiate']).status === 0;
  const startup = timeIt(5, process.execPath, [CLI, 'version']);
  rows.push({
    name: 'nixkit start-up alone (`nixkit version`)',
    value: `${startup.wall.toFixed(0)} ms wall, ${startup.cpu.toFixed(0)} ms CPU`,
  });
  for (const size of sizes) {
    const dir = tempDir(`realworld${size}`);
    const files = generateRealWorldRepo(dir, size);
    const runs = size > 1000 ? 3 : 5;
    const check = spawnSync(process.execPath, [CLI, 'check', '--format', 'json', dir], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    if (check.status !== 0 && check.status !== 1)
      throw new Error(`nixkit check failed: ${check.stderr.slice(0, 300)}`);
    const findings = (JSON.parse(check.stdout) as { diagnostics: unknown[] }).diagnostics.length;
    const ours = timeIt(runs, process.execPath, [CLI, 'check', '--format', 'json', dir]);
    rows.push({
      // cold: the repository is analysed from scratch; nixkit's compiled code is cached (run.ts)
      name: `nixkit check (cold), ${files.length}-file real-world-shaped repository`,
      value: `${ours.wall.toFixed(0)} ms wall, ${ours.cpu.toFixed(0)} ms CPU (${findings} findings)`,
    });
    if (hasNix) {
      const theirs = timeIt(runs, 'nix-instantiate', ['--store', 'dummy://', '--parse', ...files], {
        ...process.env,
        NIX_CONFIG: 'build-users-group =',
      });
      const ratio = ours.cpu / theirs.cpu;
      rows.push({
        name: `nix-instantiate --parse, the same ${files.length} files (one process)`,
        value: `${theirs.wall.toFixed(0)} ms wall, ${theirs.cpu.toFixed(0)} ms CPU (nixkit/nix CPU = ${ratio.toFixed(1)}, wall = ${(ours.wall / theirs.wall).toFixed(1)})`,
        goal: 'CPU ratio <= 3',
        met: ratio <= 3,
      });
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
