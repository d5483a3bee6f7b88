// The probe report: what a probe of a target found (firmware, disks, controllers, NICs, mounts), as the engine
// produces it, `.nixkit/hosts/<name>.json` stores it, the rules read it and the probe panel shows it. Versioned;
// its JSON schema is probe-report-schema.ts. Only types and constants live here: parsing is the engine's.

export interface PredictedName {
  name: string | null;
  source: 'udevadm' | 'sysfs' | 'kernel' | 'none';
  /** Which rule of the policy gave it, or why there is none. */
  reason: string;
}

export const PROBE_REPORT_VERSION = 1;

export interface Filesystem {
  type: string | null;
  uuid: string | null;
  label: string | null;
  version: string | null;
}

export interface Partition {
  /** Kernel name (e.g. sda1), or the loop device standing in for it; null if only on disk, not in the kernel. */
  name: string | null;
  path: string | null;
  number: number | null;
  startSector: number | null;
  sizeBytes: number | null;
  /** GPT type GUID or MBR type (e.g. 0x83). */
  type: string | null;
  typeName: string | null;
  partuuid: string | null;
  partlabel: string | null;
  fs: Filesystem | null;
  mountpoints: string[];
  /** Kernel names of the devices built on this partition (/sys/…/holders: dm-0 for LVM or dm-crypt, md0). Absent in
   * reports from before holders were probed. */
  holders?: string[];
}

export interface Disk {
  name: string;
  path: string;
  majorMinor: string | null;
  sizeBytes: number;
  model: string | null;
  serial: string | null;
  vendor: string | null;
  wwn: string | null;
  transport: string | null;
  rotational: boolean | null;
  removable: boolean;
  readOnly: boolean;
  byId: string[];
  partitionTable: { type: string; uuid: string | null } | null;
  partitions: Partition[];
  /** A filesystem directly on the whole disk (no partition table). */
  fs: Filesystem | null;
  mountpoints: string[];
  /** The live/rescue system itself runs from this disk (directly, or under LVM, LUKS or md that it holds). */
  liveSystem: boolean;
  /** Kernel names of the devices built on the whole disk (see Partition.holders). */
  holders?: string[];
  /** For a device-mapper device: its name (vg-root, cryptroot) and uuid (`LVM-…`, `CRYPT-LUKS2-…`), which says what
   * it is. */
  dm?: { name: string | null; uuid: string | null } | null;
  /** For an md RAID array: its level (raid1, …). */
  md?: { level: string | null } | null;
  /** Kernel driver module of the disk's device (e.g. virtio_blk, sd_mod's host: ahci is in controllers). */
  module: string | null;
  loop: { backingFile: string; offsetBytes: number } | null;
}

export interface Controller {
  kind: 'storage' | 'usb' | 'firewire' | 'network' | 'usb-storage' | 'usb-hid' | 'block' | 'mmc' | 'other';
  address: string;
  pciClass: string | null;
  vendorId: string | null;
  deviceId: string | null;
  driver: string | null;
  module: string | null;
}

export interface NetworkInterface {
  name: string;
  mac: string | null;
  driver: string | null;
  state: string | null;
  virtual: boolean;
  addresses: {
    family: 'inet' | 'inet6';
    address: string;
    prefixLength: number;
    scope: string | null;
    /** Leased (DHCP) or autoconfigured (SLAAC): `ip addr` marks it `dynamic`. Absent in older probes. */
    dynamic?: boolean;
  }[];
  predicted: PredictedName;
}

export interface Mount {
  mountPoint: string;
  fsType: string;
  source: string;
  /** Path inside the filesystem that is mounted (btrfs subvolume, bind mounts). */
  root: string;
  majorMinor: string;
  options: string[];
  superOptions: string[];
}

export interface ProbeReport {
  version: 1;
  probedAt: string;
  target: string | null;
  user: { uid: number | null };
  system: {
    arch: string | null;
    nixSystem: string | null;
    kernel: string | null;
    hostname: string | null;
    os: {
      id: string | null;
      name: string | null;
      prettyName: string | null;
      versionId: string | null;
      variantId: string | null;
    } | null;
    nixos: boolean;
    nixosInstaller: boolean;
    nix: { present: boolean; version: string | null };
    memory: { totalBytes: number | null; availableBytes: number | null; kexecFits: boolean | null };
    virtualisation: { type: string; source: 'systemd-detect-virt' | 'dmi' | 'cpuinfo' | 'none' };
    kernelCmdline: string | null;
  };
  firmware: {
    mode: 'uefi' | 'bios';
    platformBits: number | null;
    efivarsMounted: boolean;
    efivarsWritable: boolean | null;
    secureBoot: 'enabled' | 'disabled' | 'setup-mode' | 'unknown' | null;
  };
  cpu: {
    vendor: string | null;
    model: string | null;
    cores: number | null;
    kvmModule: 'kvm-intel' | 'kvm-amd' | null;
    microcode: 'intel' | 'amd' | null;
    hypervisorFlag: boolean;
    governors: string[];
  };
  disks: Disk[];
  controllers: Controller[];
  network: {
    interfaces: NetworkInterface[];
    defaultRoutes: {
      family: 'inet' | 'inet6';
      gateway: string | null;
      dev: string | null;
      /** Who made the route (`dhcp`, `ra`, `static`, `boot`, …) when `ip route` says; absent in older probes. */
      proto?: string | null;
    }[];
    dns: string[];
    searchDomains: string[];
    /** resolv.conf's `domain`, when it has one. Absent in older probes. */
    domain?: string | null;
  };
  mounts: Mount[];
  swaps: { device: string; type: string; sizeKiB: number }[];
  missing: string[];
  warnings: string[];
}
