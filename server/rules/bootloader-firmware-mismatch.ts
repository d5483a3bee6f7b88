import type { Disk, ProbeReport } from '../../protocol/probe-report';
import type { Definition } from '../model/modules';
import { diskoSetsGrubDevices, enableState, isImageOrContainer, OTHER_LOADERS } from '../facts/boot';
import { insertSibling, nixString } from '../rule-api/edits';
import { emptyProbe, exampleDisk, firmwareOf, installDisks, probeName } from '../facts/probe';
import type { ConfigurationContext, Rule, RuleFix } from '../rule-api/rule';

const BIOS_BOOT_PART = /^(21686148-6449-6e6f-744e-656564454649|ef02)$/i;

const BIOS = emptyProbe({
  firmware: {
    mode: 'bios',
    platformBits: null,
    efivarsMounted: false,
    efivarsWritable: null,
    secureBoot: null,
  },
  disks: [
    exampleDisk('sda', [{ type: 'ext4', uuid: '0f3c9d2e-6b1a-4c7e-9f10-2a3b4c5d6e7f', label: 'nixos' }], {
      partitionTable: { type: 'dos', uuid: '5d1e6f7a' },
      byId: ['ata-ST4000NM0035-1V4107_ZC1A2B3C', 'wwn-0x5000c500b1a2b3c4'],
      transport: 'sata',
    }),
  ],
});

const ROOT = `fileSystems."/" = { device = "/dev/disk/by-uuid/0f3c9d2e-6b1a-4c7e-9f10-2a3b4c5d6e7f"; fsType = "ext4"; };`;

export const bootloaderFirmwareMismatch: Rule = {
  code: 'bootloader-firmware-mismatch',
  severity: 'error',
  title: 'The bootloader needs UEFI but the probed target boots with legacy BIOS (or the other way round)',
  explanation:
    'systemd-boot, lanzaboote, rEFInd and GRUB built only for EFI (`efiSupport = true` with `device = "nodev"`) ' +
    'are EFI programs: on a machine that boots with legacy BIOS (many dedicated and cloud servers, rescue systems ' +
    'started in BIOS mode) `bootctl install` fails for lack of EFI variables, or the install finishes and the ' +
    'firmware finds nothing to boot. The reverse, GRUB installed only for BIOS on a machine that boots UEFI, works ' +
    'only while the firmware still offers legacy boot (CSM). With a probe attached, nixkit knows how the target ' +
    'booted (`/sys/firmware/efi`); a container probe says nothing about firmware and is ignored. A fix to GRUB for ' +
    'BIOS is offered only when the target has one disk to install on and that disk can take it (an MBR table, or ' +
    'GPT with a BIOS boot partition).',
  bad: {
    files: {
      'configuration.nix': `{ ... }:
{
  boot.loader.systemd-boot.enable = true;
  ${ROOT}
  system.stateVersion = "24.11";
}
`,
    },
    probe: BIOS,
    expect: ['configuration.nix:3'],
  },
  good: {
    files: {
      'configuration.nix': `{ ... }:
{
  boot.loader.grub.device = "/dev/disk/by-id/ata-ST4000NM0035-1V4107_ZC1A2B3C";
  ${ROOT}
  system.stateVersion = "24.11";
}
`,
    },
    probe: BIOS,
  },
  checkConfiguration(ctx) {
    const r = ctx.probe;
    if (!r) return;
    const { config } = ctx;
    if (isImageOrContainer(config) !== false) return;
    const firmware = firmwareOf(r);
    if (!firmware) return;
    const how =
      firmware === 'bios'
        ? `the target booted with legacy BIOS (no /sys/firmware/efi, ${probeName(r)})`
        : `the target boots with UEFI (${probeName(r)})`;
    if (firmware === 'bios') {
      for (const l of OTHER_LOADERS.filter((x) => x.uefiOnly)) {
        const s = enableState(config, l.option);
        if (s.state !== 'on' || s.def.conditional || !s.def.at) continue;
        ctx.report({
          at: s.def.at,
          message:
            `${l.name} needs UEFI, but ${how}: the install fails at the bootloader, or leaves a disk the ` +
            'firmware cannot boot. Use GRUB with boot.loader.grub.device set to the boot disk',
          fixes: l.name === 'systemd-boot' ? grubFix(ctx, r, s.def) : [],
        });
        return;
      }
      const grub = grubMode(ctx);
      if (grub?.mode === 'efi-only' && grub.at)
        ctx.report({
          at: grub.at,
          message:
            `GRUB is built for EFI only (efiSupport = true, device = "nodev"), but ${how}: nothing would boot. ` +
            'Set boot.loader.grub.device to the boot disk to install it for BIOS',
        });
      return;
    }
    const grub = grubMode(ctx);
    if (grub?.mode === 'bios-only' && grub.at)
      ctx.report({
        at: grub.at,
        severity: 'warning',
        message:
          `GRUB is installed for BIOS only (boot.loader.grub.efiSupport is not set), but ${how}: it boots only ` +
          'while the firmware offers legacy boot (CSM). Set boot.loader.grub.efiSupport = true and device = "nodev", ' +
          'or use systemd-boot',
      });
  },
};

/** How an enabled GRUB installs, when nixkit can tell. */
function grubMode(
  ctx: ConfigurationContext,
): { mode: 'efi-only' | 'bios-only' | 'both'; at?: Definition['at'] } | undefined {
  const { config } = ctx;
  const facts = ctx.facts.loaders;
  if (facts.unsure || facts.other || facts.grub.state !== 'on') return undefined;
  if (diskoSetsGrubDevices(config)) return undefined;
  const efi = config.bool('boot.loader.grub.efiSupport');
  if (efi === undefined) return undefined;
  const devices: string[] = [];
  let at: Definition['at'];
  const dev = config.value('boot.loader.grub.device');
  if (dev.state === 'unknown') return undefined;
  if (dev.state === 'known') {
    if (dev.def.conditional || dev.value.t !== 'str') return undefined;
    devices.push(dev.value.v);
    at = dev.def.at;
  }
  for (const option of ['boot.loader.grub.devices', 'boot.loader.grub.mirroredBoots']) {
    if (config.isOpaqueAt(option.split('.'))) return undefined;
    for (const d of config.defs(option)) {
      if (d.conditional || d.value.t !== 'list') return undefined;
      if (option.endsWith('mirroredBoots') && d.value.items.length) return undefined;
      for (const item of d.value.items) {
        const v = ctx.force(item);
        if (v.t !== 'str') return undefined;
        devices.push(v.v);
      }
      at ??= d.at;
    }
  }
  const bios = devices.some((d) => d !== 'nodev');
  if (efi === true) {
    const efiDef = config.value('boot.loader.grub.efiSupport');
    return { mode: bios ? 'both' : 'efi-only', at: efiDef.state === 'known' ? efiDef.def.at : at };
  }
  return bios ? { mode: 'bios-only', at } : undefined;
}

/** systemd-boot → GRUB for BIOS on the one disk the target has, when that is unambiguous and will work. */
function grubFix(ctx: ConfigurationContext, r: ProbeReport, def: Definition): RuleFix[] {
  const { config } = ctx;
  if (config.defsUnder('boot.loader.grub').length || !def.valueAt) return [];
  const disks = installDisks(r);
  if (disks.length !== 1 || !biosBootable(disks[0])) return [];
  const id = disks[0].byId.find((n) => !/^(wwn-|nvme-eui\.|nvme-nvme\.)/.test(n)) ?? disks[0].byId[0];
  if (!id) return [];
  const path = `/dev/disk/by-id/${id}`;
  const enable = insertSibling(def, ['boot', 'loader', 'grub', 'enable'], 'true', ctx.sources);
  const device = insertSibling(def, ['boot', 'loader', 'grub', 'device'], nixString(path), ctx.sources);
  if (!enable || !device) return [];
  return [
    {
      title: `Use GRUB for BIOS on ${path}`,
      edits: [
        { at: def.valueAt, newText: 'false' },
        { at: enable.at, newText: enable.newText + device.newText },
      ],
    },
  ];
}

function biosBootable(d: Disk): boolean {
  const table = d.partitionTable?.type;
  if (table === 'dos') return true;
  return table === 'gpt' && d.partitions.some((p) => !!p.type && BIOS_BOOT_PART.test(p.type));
}
