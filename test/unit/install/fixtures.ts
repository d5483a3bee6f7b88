// Shared by the install tests: a small flake that checks clean, and a probe report built in code.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProbeReport } from '../../../protocol/probe-report';

export interface FlakeOptions {
  efiSysMountPoint?: string;
  /** Write a hardware-configuration.nix (the configuration always imports it). */
  hardwareConfig?: boolean;
  /** Add a configuration error: the ESP mounted at /boot/efi while systemd-boot installs to /boot. */
  withError?: boolean;
}

export function writeFlake(dir: string, name = 'demo', o: FlakeOptions = {}): string {
  fs.mkdirSync(path.join(dir, 'hosts', name), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'flake.nix'),
    `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = { self, nixpkgs, ... }: {
    nixosConfigurations.${name} = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./hosts/${name}/configuration.nix ];
    };
  };
}
`,
  );
  fs.writeFileSync(
    path.join(dir, 'hosts', name, 'configuration.nix'),
    `{ config, pkgs, ... }:
{
  imports = [ ./hardware-configuration.nix ];
  boot.loader.systemd-boot.enable = true;
${o.efiSysMountPoint ? `  boot.loader.efi.efiSysMountPoint = "${o.efiSysMountPoint}";\n` : ''}  networking.hostName = "${name}";
  users.users.root.openssh.authorizedKeys.keys = [ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJqIDjZXtgGz20XLopUuM6INIZ5LWP9USC/dYFiqrNey t@t" ];
  services.openssh.enable = true;
  system.stateVersion = "24.11";
}
`,
  );
  if (o.hardwareConfig !== false) {
    const esp = o.withError ? '/boot/efi' : (o.efiSysMountPoint ?? '/boot');
    fs.writeFileSync(
      path.join(dir, 'hosts', name, 'hardware-configuration.nix'),
      `{ lib, modulesPath, ... }:
{
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
  fileSystems."${esp}" = { device = "/dev/disk/by-label/ESP"; fsType = "vfat"; options = [ "umask=0077" ]; };
  nixpkgs.hostPlatform = lib.mkDefault "x86_64-linux";
}
`,
    );
  }
  return dir;
}

/** A plausible report of a rescue system with one blank disk (vdb) and the live disk (vda). */
export function fakeReport(
  over: {
    nixos?: boolean;
    installer?: boolean;
    nix?: boolean;
    memMiB?: number;
    arch?: string;
  } = {},
): ProbeReport {
  const mem = (over.memMiB ?? 4096) * 1024 * 1024;
  const disk = (name: string, live: boolean, mounts: string[] = []) => ({
    name,
    path: `/dev/${name}`,
    majorMinor: '254:0',
    sizeBytes: 20 * 1024 ** 3,
    model: null,
    serial: null,
    vendor: null,
    wwn: null,
    transport: 'virtio',
    rotational: false,
    removable: false,
    readOnly: false,
    byId: [],
    partitionTable: null,
    partitions: [],
    fs: null,
    mountpoints: mounts,
    liveSystem: live,
    module: 'virtio_blk',
    loop: null,
  });
  return {
    version: 1,
    probedAt: '2024-01-01T00:00:00Z',
    target: 'root@t',
    user: { uid: 0 },
    system: {
      arch: over.arch ?? 'x86_64',
      nixSystem: 'x86_64-linux',
      kernel: '6.1',
      hostname: 't',
      os: null,
      nixos: over.nixos ?? over.installer ?? false,
      nixosInstaller: over.installer ?? false,
      nix: { present: over.nix ?? over.installer ?? false, version: null },
      memory: { totalBytes: mem, availableBytes: mem, kexecFits: mem >= 1536 * 1024 * 1024 },
      virtualisation: { type: 'kvm', source: 'systemd-detect-virt' },
      kernelCmdline: null,
    },
    firmware: {
      mode: 'uefi',
      platformBits: 64,
      efivarsMounted: true,
      efivarsWritable: true,
      secureBoot: 'disabled',
    },
    cpu: {
      vendor: null,
      model: null,
      cores: 2,
      kvmModule: null,
      microcode: null,
      hypervisorFlag: true,
      governors: [],
    },
    disks: [disk('vda', true, ['/']), disk('vdb', false), disk('vdc', false, ['/data'])],
    controllers: [],
    network: { interfaces: [], defaultRoutes: [], dns: [], searchDomains: [] },
    mounts: [
      {
        mountPoint: '/',
        fsType: 'ext4',
        source: '/dev/vda',
        root: '/',
        majorMinor: '254:0',
        options: ['rw'],
        superOptions: ['rw'],
      },
    ],
    swaps: [],
    missing: [],
    warnings: [],
  };
}
