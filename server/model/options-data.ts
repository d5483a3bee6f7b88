// The install-relevant NixOS options nixkit explains on hover and offers in completion: their type, default and
// what they do, described in nixkit's own words (not NixOS's option descriptions). Data only.
// `<name>` stands for any attribute name (attrsOf), `*` for any element of a list of submodules.

export interface OptionInfo {
  /** Dotted option path with `<name>` / `*` placeholders. */
  path: string;
  /** The option's type as NixOS declares it, in short (`boolean`, `string`, `attribute set of submodules`). */
  type: string;
  /** The default as Nix text; absent when there is none (the option must be set) or it is computed. */
  default?: string;
  description: string;
  /** Values to offer in completion, as Nix text. Booleans get `true`/`false` without listing them. */
  values?: string[];
}

export const FS_TYPES = [
  'ext4',
  'btrfs',
  'xfs',
  'vfat',
  'zfs',
  'tmpfs',
  'f2fs',
  'bcachefs',
  'ext3',
  'ext2',
  'ntfs3',
  'exfat',
  'nfs',
  'cifs',
  'none',
];

/** System doubles NixOS builds for (the first four are the common ones). */
export const SYSTEM_DOUBLES = [
  'x86_64-linux',
  'aarch64-linux',
  'i686-linux',
  'riscv64-linux',
  'armv7l-linux',
  'armv6l-linux',
  'powerpc64le-linux',
  'loongarch64-linux',
];

const quoted = (xs: string[]) => xs.map((x) => JSON.stringify(x));

export const OPTIONS: OptionInfo[] = [
  // Bootloaders
  {
    path: 'boot.loader.systemd-boot.enable',
    type: 'boolean',
    default: 'false',
    description:
      'Use systemd-boot, the simple UEFI boot manager: it copies itself and one entry per generation onto the EFI System Partition mounted at `boot.loader.efi.efiSysMountPoint`. Needs a UEFI machine and a vfat ESP.',
  },
  {
    path: 'boot.loader.systemd-boot.configurationLimit',
    type: 'null or positive integer',
    default: 'null',
    description:
      'Keeps at most this many generations in the boot menu, so a small ESP does not fill up with old kernels. `null` keeps them all.',
  },
  {
    path: 'boot.loader.systemd-boot.editor',
    type: 'boolean',
    default: 'true',
    description:
      'Lets anyone at the boot menu edit the kernel command line (and so get a root shell with `init=/bin/sh`). Turn it off on machines others can touch.',
  },
  {
    path: 'boot.loader.efi.efiSysMountPoint',
    type: 'string',
    default: '"/boot"',
    description:
      'Where the EFI System Partition is mounted, that is where systemd-boot and GRUB (with efiSupport) install to. It must be the mount point of the vfat filesystem in `fileSystems`, or the machine will not boot the installed system.',
    values: quoted(['/boot', '/boot/efi', '/efi']),
  },
  {
    path: 'boot.loader.efi.canTouchEfiVariables',
    type: 'boolean',
    default: 'false',
    description:
      "Lets the installer register the bootloader in the firmware's boot entries (NVRAM). Leave it off for removable media or firmware that forgets entries; GRUB then needs `efiInstallAsRemovable`.",
  },
  {
    path: 'boot.loader.grub.enable',
    type: 'boolean',
    default: 'true (unless a container)',
    description:
      'Use GRUB. It is on unless something else is chosen, and then needs `device`/`devices` (a whole disk for BIOS, `"nodev"` for EFI-only) or the build fails.',
  },
  {
    path: 'boot.loader.grub.device',
    type: 'string',
    default: '""',
    description:
      'The disk GRUB writes its BIOS boot code to (`/dev/disk/by-id/…` is stable across boots), or `"nodev"` to install only the EFI files.',
    values: ['"nodev"'],
  },
  {
    path: 'boot.loader.grub.devices',
    type: 'list of strings',
    default: '[ ]',
    description: 'Several disks to install GRUB onto (each receives the boot code); a list form of `device`.',
  },
  {
    path: 'boot.loader.grub.efiSupport',
    type: 'boolean',
    default: 'false',
    description:
      'Also installs GRUB as an EFI application onto the EFI System Partition at `boot.loader.efi.efiSysMountPoint`.',
  },
  {
    path: 'boot.loader.grub.efiInstallAsRemovable',
    type: 'boolean',
    default: 'false',
    description:
      'Installs GRUB at the fallback path firmware looks for (`EFI/BOOT/BOOTX64.EFI`) instead of registering an entry. For firmware that loses NVRAM entries; excludes `canTouchEfiVariables`.',
  },
  {
    path: 'boot.loader.grub.mirroredBoots',
    type: 'list of submodules',
    default: '[ ]',
    description: 'Installs GRUB and /boot onto several disks (each with its own path), for RAID setups.',
  },
  {
    path: 'boot.loader.grub.useOSProber',
    type: 'boolean',
    default: 'false',
    description:
      'Adds other operating systems found on the disks (Windows, other Linux installs) to the menu.',
  },
  {
    path: 'boot.loader.generic-extlinux-compatible.enable',
    type: 'boolean',
    default: 'false',
    description:
      'Writes an extlinux.conf for U-Boot style firmware (many ARM boards) instead of installing a bootloader.',
  },
  {
    path: 'boot.loader.timeout',
    type: 'null or integer',
    default: '5',
    description: 'Seconds the boot menu waits before booting the default entry; `null` waits forever.',
  },
  // initrd and kernel
  {
    path: 'boot.initrd.availableKernelModules',
    type: 'list of strings',
    default: '[ ]',
    description:
      'Kernel modules the initial ramdisk may load when it finds matching hardware: the disk controller (`nvme`, `ahci`, `virtio_blk`, …) must be here or the root filesystem is never found.',
  },
  {
    path: 'boot.initrd.kernelModules',
    type: 'list of strings',
    default: '[ ]',
    description: 'Kernel modules the initial ramdisk always loads, before mounting the root filesystem.',
  },
  {
    path: 'boot.initrd.luks.devices',
    type: 'attribute set of submodules',
    default: '{ }',
    description:
      'Encrypted (LUKS) devices the initial ramdisk unlocks at boot. Each name becomes `/dev/mapper/<name>`, which filesystems can then use as their device.',
  },
  {
    path: 'boot.initrd.luks.devices.<name>.device',
    type: 'string',
    description:
      'The encrypted partition to unlock as `/dev/mapper/<name>`; name it by UUID (`/dev/disk/by-uuid/…`) so it is found on every boot.',
  },
  {
    path: 'boot.initrd.luks.devices.<name>.allowDiscards',
    type: 'boolean',
    default: 'false',
    description: 'Passes TRIM through the encryption layer (faster SSDs, leaks which blocks are free).',
  },
  {
    path: 'boot.initrd.systemd.enable',
    type: 'boolean',
    default: 'false',
    description: "Runs systemd as the initial ramdisk's init instead of the classic shell script.",
  },
  {
    path: 'boot.initrd.network.enable',
    type: 'boolean',
    default: 'false',
    description: 'Brings up networking in the initial ramdisk (for example to unlock disks over SSH).',
  },
  {
    path: 'boot.kernelPackages',
    type: 'package set',
    default: 'pkgs.linuxPackages',
    description: "Which kernel (and matching modules) to boot; the default is the release's LTS kernel.",
  },
  {
    path: 'boot.kernelParams',
    type: 'list of strings',
    default: '[ ]',
    description: 'Extra parameters for the kernel command line of every boot entry.',
  },
  {
    path: 'boot.isContainer',
    type: 'boolean',
    default: 'false',
    description:
      'Builds the system to run as a container: no bootloader, no kernel, no filesystems of its own.',
  },
  // Filesystems and swap
  {
    path: 'fileSystems',
    type: 'attribute set of submodules',
    default: '{ }',
    description:
      'The filesystems to mount, by mount point (`fileSystems."/"`, `fileSystems."/boot"`). A system needs one at `/`, and UEFI bootloaders a vfat one at the ESP mount point.',
  },
  {
    path: 'fileSystems.<name>.device',
    type: 'string',
    description:
      'What to mount. Prefer names that survive reboots and disk reordering: `/dev/disk/by-uuid/…`, `/dev/disk/by-label/…`, or `/dev/mapper/…` for LUKS/LVM.',
  },
  {
    path: 'fileSystems.<name>.fsType',
    type: 'string',
    default: '"auto"',
    description:
      'The filesystem type (`ext4`, `btrfs`, `vfat` for the ESP, …). The initial ramdisk includes the drivers for the types listed here.',
    values: quoted(FS_TYPES),
  },
  {
    path: 'fileSystems.<name>.options',
    type: 'list of strings',
    default: '[ "defaults" ]',
    description: 'Mount options (`noatime`, `subvol=@` for btrfs, `fmask=0077` to keep the ESP private, …).',
  },
  {
    path: 'fileSystems.<name>.label',
    type: 'null or string',
    default: 'null',
    description:
      'Mounts the filesystem with this label (`/dev/disk/by-label/<label>`) instead of naming a device.',
  },
  {
    path: 'fileSystems.<name>.neededForBoot',
    type: 'boolean',
    default: 'false',
    description:
      'Mounts it in the initial ramdisk, before the system starts (needed for `/nix`, `/var/log` or secrets kept on separate filesystems).',
  },
  {
    path: 'fileSystems.<name>.mountPoint',
    type: 'string',
    default: 'the attribute name',
    description: 'Where to mount it, when it should differ from the attribute name.',
  },
  {
    path: 'swapDevices',
    type: 'list of submodules',
    default: '[ ]',
    description: 'Swap partitions and swap files to enable at boot.',
  },
  {
    path: 'swapDevices.*.device',
    type: 'string',
    description: 'The swap partition or file; a UUID path keeps naming stable between boots.',
  },
  {
    path: 'swapDevices.*.size',
    type: 'null or integer (MiB)',
    default: 'null',
    description: 'Creates a swap file of this many MiB at `device` when it does not exist.',
  },
  {
    path: 'swapDevices.*.randomEncryption.enable',
    type: 'boolean',
    default: 'false',
    description: 'Encrypts the swap with a fresh random key at every boot (no hibernation then).',
  },
  // disko
  {
    path: 'disko.devices',
    type: 'attribute set',
    default: '{ }',
    description:
      'A disko disk layout: partitions, filesystems and mount points that disko creates at install time and that become `fileSystems` entries.',
  },
  {
    path: 'disko.devices.disk.<name>.device',
    type: 'string',
    description:
      'The whole disk disko partitions, erasing it (`/dev/disk/by-id/…` avoids picking the wrong one).',
  },
  {
    path: 'disko.devices.disk.<name>.type',
    type: 'string',
    default: '"disk"',
    description: 'The kind of device entry; whole disks are `"disk"`.',
    values: ['"disk"'],
  },
  {
    path: 'disko.enableConfig',
    type: 'boolean',
    default: 'true',
    description: 'Turns the disko layout into `fileSystems`, `swapDevices` and LUKS settings of the system.',
  },
  // Networking
  {
    path: 'networking.hostName',
    type: 'string',
    default: '"nixos"',
    description:
      "The machine's name: letters, digits and hyphens, at most 63 characters, not starting or ending with a hyphen (no dots; the domain goes in `networking.domain`).",
  },
  {
    path: 'networking.domain',
    type: 'null or string',
    default: 'null',
    description: 'The DNS domain the host belongs to; with the host name it makes the fully qualified name.',
  },
  {
    path: 'networking.useDHCP',
    type: 'boolean',
    default: 'true',
    description:
      'Asks for an address by DHCP on every interface that has no static configuration. Turning it off without configuring an interface leaves the machine unreachable.',
  },
  {
    path: 'networking.networkmanager.enable',
    type: 'boolean',
    default: 'false',
    description: 'Lets NetworkManager configure the network (typical for laptops and desktops).',
  },
  {
    path: 'networking.useNetworkd',
    type: 'boolean',
    default: 'false',
    description: 'Configures the network with systemd-networkd instead of the scripted setup.',
  },
  {
    path: 'networking.interfaces.<name>.useDHCP',
    type: 'null or boolean',
    default: 'null',
    description: 'Whether this interface gets its address by DHCP (`null` follows `networking.useDHCP`).',
  },
  {
    path: 'networking.interfaces.<name>.ipv4.addresses',
    type: 'list of submodules',
    default: '[ ]',
    description: 'Static IPv4 addresses for the interface, each `{ address = "…"; prefixLength = 24; }`.',
  },
  {
    path: 'networking.defaultGateway',
    type: 'null or string or submodule',
    default: 'null',
    description: 'The IPv4 router for traffic outside the local networks, for static setups.',
  },
  {
    path: 'networking.nameservers',
    type: 'list of strings',
    default: '[ ]',
    description: 'DNS servers to use instead of the ones DHCP hands out.',
  },
  {
    path: 'networking.firewall.enable',
    type: 'boolean',
    default: 'true',
    description: 'Drops incoming connections except to the ports listed as allowed (SSH opens its own port).',
  },
  {
    path: 'networking.firewall.allowedTCPPorts',
    type: 'list of 16-bit ports',
    default: '[ ]',
    description: 'TCP ports the firewall lets in from any network.',
  },
  {
    path: 'networking.hostId',
    type: 'null or string',
    default: 'null',
    description: 'Eight hex digits identifying the machine; ZFS requires it to import pools at boot.',
  },
  // Users
  {
    path: 'users.mutableUsers',
    type: 'boolean',
    default: 'true',
    description:
      'Lets `passwd` and `useradd` change accounts at run time. When false, the configuration is the only source of users and passwords; a user without one cannot log in.',
  },
  {
    path: 'users.users',
    type: 'attribute set of submodules',
    default: '{ }',
    description: 'The user accounts, by login name.',
  },
  {
    path: 'users.users.<name>.isNormalUser',
    type: 'boolean',
    default: 'false',
    description: "A person's account: a home directory, a login shell and a UID in the user range.",
  },
  {
    path: 'users.users.<name>.isSystemUser',
    type: 'boolean',
    default: 'false',
    description:
      'An account for a service; exactly one of this and `isNormalUser` must be set for non-root users.',
  },
  {
    path: 'users.users.<name>.extraGroups',
    type: 'list of strings',
    default: '[ ]',
    description:
      'Further groups; `wheel` lets the user run `sudo`, which is how most installs get administered.',
  },
  {
    path: 'users.users.<name>.hashedPassword',
    type: 'null or string',
    default: 'null',
    description:
      'The password as a crypt(3) hash (`mkpasswd` prints one, `$y$…` or `$6$…`). `"!"` locks password login. Readable by anyone who can read the Nix store.',
  },
  {
    path: 'users.users.<name>.initialHashedPassword',
    type: 'null or string',
    default: 'null',
    description:
      'A crypt(3) hash set only when the account is created; later changes with `passwd` are kept.',
  },
  {
    path: 'users.users.<name>.initialPassword',
    type: 'null or string',
    default: 'null',
    description:
      'A clear-text password set when the account is created, meant to be changed after the first login. It ends up in the world-readable Nix store.',
  },
  {
    path: 'users.users.<name>.password',
    type: 'null or string',
    default: 'null',
    description: 'A clear-text password, stored in the world-readable Nix store; prefer a hash or a file.',
  },
  {
    path: 'users.users.<name>.hashedPasswordFile',
    type: 'null or string',
    default: 'null',
    description:
      'A file on the target holding the crypt(3) hash (from sops-nix or agenix, for example); it must exist when the system activates.',
  },
  {
    path: 'users.users.<name>.openssh.authorizedKeys.keys',
    type: 'list of strings',
    default: '[ ]',
    description: 'SSH public keys that may log in as this user.',
  },
  {
    path: 'users.users.<name>.openssh.authorizedKeys.keyFiles',
    type: 'list of paths',
    default: '[ ]',
    description: 'Files with SSH public keys that may log in as this user.',
  },
  {
    path: 'users.users.<name>.shell',
    type: 'package or path',
    default: 'pkgs.shadow (nologin) / bash for normal users',
    description: 'The login shell; a shell from a package must also be enabled (`programs.zsh.enable`).',
  },
  {
    path: 'users.users.<name>.uid',
    type: 'null or integer',
    default: 'null',
    description: 'A fixed user ID; chosen automatically when null.',
  },
  // SSH
  {
    path: 'services.openssh.enable',
    type: 'boolean',
    default: 'false',
    description: 'Runs the OpenSSH server, the usual way into a freshly installed headless machine.',
  },
  {
    path: 'services.openssh.ports',
    type: 'list of 16-bit ports',
    default: '[ 22 ]',
    description: 'Ports sshd listens on (the firewall is opened for them).',
  },
  {
    path: 'services.openssh.openFirewall',
    type: 'boolean',
    default: 'true',
    description: 'Opens the SSH ports in the firewall.',
  },
  {
    path: 'services.openssh.settings.PermitRootLogin',
    type: 'string',
    default: '"prohibit-password"',
    description:
      'Whether root may log in over SSH: with a key only (the default), never, or also with a password.',
    values: quoted(['prohibit-password', 'no', 'yes', 'forced-commands-only']),
  },
  {
    path: 'services.openssh.settings.PasswordAuthentication',
    type: 'boolean',
    default: 'true',
    description: 'Allows logging in over SSH with a password; turn it off once every user has a key.',
  },
  {
    path: 'services.openssh.settings.KbdInteractiveAuthentication',
    type: 'boolean',
    default: 'true',
    description: 'Allows keyboard-interactive login (password prompts through PAM).',
  },
  // nixpkgs and the system
  {
    path: 'nixpkgs.hostPlatform',
    type: 'string or platform set',
    description:
      'The platform the system runs on, as a system double (`x86_64-linux`, `aarch64-linux`). `nixos-generate-config` writes it into hardware-configuration.nix.',
    values: quoted(SYSTEM_DOUBLES),
  },
  {
    path: 'nixpkgs.buildPlatform',
    type: 'string or platform set',
    default: 'the host platform',
    description:
      'The platform that builds the system, when it differs from the one it runs on (cross-compiling).',
    values: quoted(SYSTEM_DOUBLES),
  },
  {
    path: 'nixpkgs.system',
    type: 'string',
    description: 'The older way to say the host platform; `nixpkgs.hostPlatform` replaces it.',
    values: quoted(SYSTEM_DOUBLES),
  },
  {
    path: 'nixpkgs.config.allowUnfree',
    type: 'boolean',
    default: 'false',
    description: 'Allows packages with non-free licences (some firmware and drivers need it).',
  },
  {
    path: 'nixpkgs.overlays',
    type: 'list of overlays',
    default: '[ ]',
    description: 'Functions that add or change packages in the package set the system is built from.',
  },
  {
    path: 'system.stateVersion',
    type: 'string',
    description:
      'The NixOS release ("YY.MM") this machine was first installed with. It keeps data formats of stateful services compatible; set it once at install and do not bump it on upgrades.',
  },
];

/** Whether an option path with placeholders covers a concrete path prefix of the same length. */
export function segmentMatches(pattern: string, key: string): boolean {
  return pattern === key || ((pattern === '<name>' || pattern === '*') && key !== '');
}

const byPath = new Map(OPTIONS.map((o) => [o.path, o]));

/** The option a concrete path names (`users.users.alice.hashedPassword` → `users.users.<name>.hashedPassword`). */
export function findOption(path: string[]): OptionInfo | undefined {
  const exact = byPath.get(path.join('.'));
  if (exact) return exact;
  return OPTIONS.find((o) => {
    const p = o.path.split('.');
    return p.length === path.length && p.every((seg, i) => segmentMatches(seg, path[i]));
  });
}

/** Every option whose path starts with `prefix` (placeholders match any key). */
export function optionsUnder(prefix: string[]): { option: OptionInfo; segments: string[] }[] {
  const out: { option: OptionInfo; segments: string[] }[] = [];
  for (const o of OPTIONS) {
    const segments = o.path.split('.');
    if (segments.length > prefix.length && prefix.every((k, i) => segmentMatches(segments[i], k)))
      out.push({ option: o, segments });
  }
  return out;
}
