import type { ProbeReport } from '../../protocol/probe-report';
import type { NixosConfiguration } from '../model/configuration';
import { firmwareOf, installDisks } from '../facts/probe';
import type { Definition } from '../model/modules';
import type { Source, Thunk, Value } from '../model/value';
import {
  absenceUnsure,
  diskoDisks,
  diskoSetsGrubDevices,
  diskoUnsure,
  isImageOrContainer,
  isSharedModule,
} from '../facts/boot';
import { insertSibling, nixString } from '../rule-api/edits';
import type { Rule, RuleFix } from '../rule-api/rule';

const HW = `{ config, lib, pkgs, modulesPath, ... }:
{
  imports = [ (modulesPath + "/profiles/qemu-guest.nix") ];
  boot.initrd.availableKernelModules = [ "ata_piix" "virtio_pci" "virtio_scsi" "sd_mod" ];
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
}
`;

export const grubDeviceMissing: Rule = {
  code: 'grub-device-missing',
  severity: 'error',
  reportsAbsence: true,
  title: 'GRUB has no device to install to, or a BIOS device on an EFI-only disk',
  explanation:
    'GRUB installs itself where `boot.loader.grub.device`, `devices` or `mirroredBoots` say: on BIOS machines ' +
    'into the boot sector of a whole disk, on UEFI machines into the EFI System Partition, which is written as ' +
    'the device `"nodev"`. With none of them set, NixOS stops the build with an assertion. The opposite mistake ' +
    'is a real disk on a GPT disk that has no BIOS boot partition (EF02) while GRUB is meant for UEFI: ' +
    'grub-install then tries a BIOS install as well, finds nowhere to embed itself and fails the install. ' +
    'For UEFI-only layouts the device must be `"nodev"`.',
  bad: {
    files: {
      'configuration.nix': `{ config, pkgs, ... }:
{
  imports = [ ./hardware-configuration.nix ];
  boot.loader.grub.enable = true;
  boot.loader.grub.useOSProber = true;
  system.stateVersion = "24.11";
}
`,
      'hardware-configuration.nix': HW,
    },
    expect: ['configuration.nix:4'],
  },
  good: {
    files: {
      'configuration.nix': `{ config, pkgs, ... }:
{
  imports = [ ./hardware-configuration.nix ];
  boot.loader.grub.enable = true;
  boot.loader.grub.device = "/dev/disk/by-id/ata-QEMU_HARDDISK_QM00001";
  boot.loader.grub.useOSProber = true;
  system.stateVersion = "24.11";
}
`,
      'hardware-configuration.nix': HW,
    },
  },
  checkConfiguration(ctx) {
    const { config } = ctx;
    const loaders = ctx.facts.loaders;
    const { grub } = loaders;
    if (grub.state !== 'on') return;
    const chosen = loaders.grubSettings.filter((d) => !d.conditional);
    // GRUB on only by default, with no GRUB setting: bootloader-missing speaks.
    if (grub.byDefault && !chosen.length) return;
    if (isSharedModule(config, ctx.project) || isImageOrContainer(config) !== false) return;
    const efi = config.bool('boot.loader.grub.efiSupport');
    const near = grub.def && !grub.def.conditional ? grub.def : chosen[0];
    if (!near?.at) return;

    const devices = grubDevices(config, ctx.force);
    // A module nixkit cannot read may set (or force) the device.
    if (absenceUnsure(config, ctx.sources, { diskoModelled: true })) return;
    if (devices === 'none') {
      if (diskoSetsGrubDevices(config)) return;
      const fixes: RuleFix[] = [];
      if (efi === true) {
        const edit = insertSibling(
          near,
          ['boot', 'loader', 'grub', 'device'],
          nixString('nodev'),
          ctx.sources,
        );
        if (edit)
          fixes.push({
            title: 'Set boot.loader.grub.device = "nodev" (install to the ESP only)',
            edits: [edit],
            preferred: true,
          });
      }
      const disk = efi === true ? undefined : onlyBiosDisk(ctx.probe);
      if (disk) {
        const edit = insertSibling(near, ['boot', 'loader', 'grub', 'device'], nixString(disk), ctx.sources);
        if (edit)
          fixes.push({
            title: `Set boot.loader.grub.device = "${disk}" (the target's disk)`,
            edits: [edit],
            preferred: true,
          });
      }
      ctx.report({
        at: near.at,
        message:
          efi === true
            ? 'GRUB has no device: for a UEFI install set boot.loader.grub.device = "nodev"; NixOS stops the build without one'
            : 'GRUB has no device to install to: set boot.loader.grub.device to the boot disk ' +
              (disk ? `(the target's only disk is ${disk}), ` : '(for example "/dev/disk/by-id/…"), ') +
              'or "nodev" with efiSupport on UEFI; NixOS stops the build without one',
        fixes,
      });
      return;
    }
    if (devices === 'unknown') return;

    // A BIOS install to a GPT disk without a BIOS boot partition, where the configuration means UEFI only.
    if (efi !== true) return;
    const removable = config.bool('boot.loader.grub.efiInstallAsRemovable');
    const touch = config.bool('boot.loader.efi.canTouchEfiVariables');
    if (removable !== true && touch !== true) return;
    if (diskoUnsure(config)) return;
    const disks = diskoDisks(config);
    for (const d of devices) {
      if (d.value === 'nodev') continue;
      const disk = disks.find((x) => x.device === d.value);
      if (!disk?.gpt || disk.biosBoot) continue;
      ctx.report({
        at: d.at,
        message:
          `GRUB would also install for BIOS to ${d.value}, but its GPT layout (disko disk "${disk.name}") has no ` +
          `BIOS boot partition: grub-install fails. For this UEFI-only layout the device must be "nodev"`,
        fixes: [
          {
            title: 'Use "nodev" (install to the ESP only)',
            edits: [{ at: d.at, newText: nixString('nodev') }],
            preferred: true,
          },
        ],
      });
    }
  },
};

/**
 * The disk a BIOS GRUB goes on, when a probe of a BIOS machine leaves no choice: its only install disk, by a stable
 * name (`/dev/disk/by-id/…`; a virtio disk without a serial has none, and in a VM its kernel name is stable).
 */
function onlyBiosDisk(r: ProbeReport | undefined): string | undefined {
  if (!r || firmwareOf(r) !== 'bios') return undefined;
  const disks = installDisks(r);
  if (disks.length !== 1) return undefined;
  const [disk] = disks;
  const byId = [...disk.byId].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))[0];
  if (byId) return byId.startsWith('/') ? byId : `/dev/disk/by-id/${byId}`;
  return r.system.virtualisation.type !== 'none' && disk.transport === 'virtio' ? disk.path : undefined;
}

/** Prefer the names people recognise (ata-/nvme-/scsi- with the model and serial) over wwn- and eui- ones. */
const rank = (id: string) => (/(^|\/)(wwn|eui|nvme-eui)[-.]/.test(id) ? 1 : 0);

interface GrubDevice {
  value: string;
  at: Source;
}

/**
 * The disks GRUB installs to: `none` when nothing is set, `unknown` when nixkit cannot tell, otherwise the
 * statically known ones (from `device` and `devices`; `mirroredBoots` counts as set but is not listed).
 */
function grubDevices(
  config: NixosConfiguration,
  force: (t: Thunk) => Value,
): GrubDevice[] | 'none' | 'unknown' {
  const out: GrubDevice[] = [];
  let set = false;
  const device = config.value('boot.loader.grub.device');
  if (device.state === 'unknown') return 'unknown';
  if (device.state === 'known') {
    if (device.value.t !== 'str') return 'unknown';
    if (device.value.v !== '') {
      set = true;
      const at = device.def.valueAt;
      if (at) out.push({ value: device.value.v, at });
    }
  }
  for (const option of ['boot.loader.grub.devices', 'boot.loader.grub.mirroredBoots']) {
    if (config.isOpaqueAt(option.split('.'))) return 'unknown';
    for (const d of config.defs(option)) {
      const items = listItems(d, force);
      if (!items) return 'unknown';
      if (!items.length) continue;
      set = true;
      if (option.endsWith('mirroredBoots')) continue;
      for (const v of items) {
        if (v.t !== 'str') return 'unknown';
        if (v.src) out.push({ value: v.v, at: v.src });
      }
    }
  }
  return set ? out : 'none';
}

function listItems(d: Definition, force: (t: Thunk) => Value): Value[] | undefined {
  if (d.conditional || d.value.t !== 'list') return undefined;
  return d.value.items.map(force);
}
