import type { Controller, Disk, ProbeReport } from '../../protocol/probe-report';
import { mountedFileSystems } from '../model/filesystems';
import type { Definition } from '../model/modules';
import type { Source } from '../model/value';
import { absenceUnsure, isImageOrContainer } from '../facts/boot';
import { nixString } from '../rule-api/edits';
import { emptyProbe, exampleDisk, installDisks, probeName, resolveDevice } from '../facts/probe';
import type { ConfigurationContext, Rule, RuleEdit } from '../rule-api/rule';

/** nixos/modules/system/boot/kernel.nix: what `boot.initrd.includeDefaultModules` adds (x86 extras included). */
const DEFAULT_MODULES = [
  'ahci',
  'sata_nv',
  'sata_via',
  'sata_sis',
  'sata_uli',
  'ata_piix',
  'pata_marvell',
  'nvme',
  'sd_mod',
  'sr_mod',
  'mmc_block',
  'uhci_hcd',
  'ehci_hcd',
  'ehci_pci',
  'ohci_hcd',
  'ohci_pci',
  'xhci_hcd',
  'xhci_pci',
  'usbhid',
  'hid_generic',
  'pcips2',
  'atkbd',
  'i8042',
  'rtc_cmos',
  'dm_mod',
];
/** nixos/modules/profiles/qemu-guest.nix. */
const QEMU_GUEST_MODULES = [
  'virtio_net',
  'virtio_pci',
  'virtio_mmio',
  'virtio_blk',
  'virtio_scsi',
  '9p',
  '9pnet_virtio',
];
/** Kept on the root disk: the initrd needs these mounted to switch to the system. */
const NEEDED_FOR_BOOT = new Set([
  '/',
  '/nix',
  '/nix/store',
  '/var',
  '/var/log',
  '/var/lib',
  '/etc',
  '/usr',
  '/lib',
]);

const norm = (m: string) => m.replace(/-/g, '_');

const VM = emptyProbe({
  system: { ...emptyProbe().system, virtualisation: { type: 'kvm', source: 'systemd-detect-virt' } },
  disks: [
    exampleDisk(
      'vda',
      [
        { type: 'vfat', uuid: '5A1B-2C3D', label: 'ESP' },
        { type: 'ext4', uuid: '0f3c9d2e-6b1a-4c7e-9f10-2a3b4c5d6e7f', label: 'nixos' },
      ],
      { transport: 'virtio', module: 'virtio_blk' },
    ),
  ],
  controllers: [
    {
      kind: 'storage',
      address: '0000:00:04.0',
      pciClass: '0x010000',
      vendorId: '0x1af4',
      deviceId: '0x1001',
      driver: 'virtio-pci',
      module: 'virtio_pci',
    },
    {
      kind: 'block',
      address: 'vda',
      pciClass: null,
      vendorId: null,
      deviceId: null,
      driver: 'virtio_blk',
      module: 'virtio_blk',
    },
  ],
});

const CONFIG = (modules: string) => `{ ... }:
{
  boot.loader.systemd-boot.enable = true;
  boot.initrd.availableKernelModules = [ ${modules} ];
  fileSystems."/" = { device = "/dev/disk/by-uuid/0f3c9d2e-6b1a-4c7e-9f10-2a3b4c5d6e7f"; fsType = "ext4"; };
  fileSystems."/boot" = { device = "/dev/disk/by-uuid/5A1B-2C3D"; fsType = "vfat"; };
  system.stateVersion = "24.11";
}
`;

export const initrdModuleMissing: Rule = {
  code: 'initrd-module-missing',
  severity: 'error',
  reportsAbsence: true,
  title: "The driver of the target's root disk is not in boot.initrd.availableKernelModules",
  explanation:
    'The initrd holds only the kernel modules NixOS puts there: its defaults (SATA, NVMe, USB), the ones in ' +
    '`boot.initrd.availableKernelModules` / `kernelModules`, and those of imported profiles such as ' +
    '`qemu-guest.nix`. When the controller or disk driver of the disk holding `/` is not among them (virtio on a ' +
    'VM without the qemu-guest profile, a hardware RAID or SAS HBA, Hyper-V or Xen storage), the initrd never sees ' +
    'the disk: the boot waits for the root device and gives up in an emergency shell. With a probe attached, ' +
    "nixkit knows the drivers the target's kernel uses for its disks; modules built into the kernel need nothing.",
  bad: {
    files: { 'configuration.nix': CONFIG('"ahci" "xhci_pci" "usbhid"') },
    probe: VM,
    expect: ['configuration.nix:4'],
  },
  good: {
    files: { 'configuration.nix': CONFIG('"ahci" "xhci_pci" "virtio_pci" "virtio_blk" "usbhid"') },
    probe: VM,
  },
  checkConfiguration(ctx) {
    const r = ctx.probe;
    if (!r) return;
    const { config } = ctx;
    if (isImageOrContainer(config) !== false || absenceUnsure(config, ctx.sources)) return;
    const allHardware = config.bool('hardware.enableAllHardware');
    if (allHardware === true || allHardware === undefined) return;
    if (config.hasExternalModule(/all-hardware\.nix$/)) return;

    // --- what the initrd will have
    const have = new Set<string>();
    const lists: Definition[] = [];
    for (const option of ['boot.initrd.availableKernelModules', 'boot.initrd.kernelModules']) {
      if (config.isOpaqueAt(option.split('.'))) return;
      for (const d of config.defs(option)) {
        if (d.conditional || d.value.t !== 'list') return;
        for (const item of d.value.items) {
          const v = ctx.force(item);
          if (v.t !== 'str') return; // an item nixkit cannot read could be the module
          have.add(norm(v.v));
        }
        if (option === 'boot.initrd.availableKernelModules') lists.push(d);
      }
    }
    if (config.bool('boot.initrd.includeDefaultModules') !== false)
      for (const m of DEFAULT_MODULES) have.add(m);
    if (config.hasExternalModule(/profiles\/qemu-guest\.nix$/))
      for (const m of QEMU_GUEST_MODULES) have.add(m);
    const hyperv = config.bool('virtualisation.hypervGuest.enable');
    if (hyperv !== false && hyperv !== 'unset') return; // it brings its storage drivers

    // --- what the target needs: the drivers of the disks holding what the initrd mounts
    const disks = bootDisks(ctx, r);
    if (!disks) return;
    const needed: { module: string; disk: string; role: string }[] = [];
    for (const disk of disks)
      for (const n of modulesFor(disk, r))
        if (!have.has(norm(n.module)) && !needed.some((x) => norm(x.module) === norm(n.module)))
          needed.push(n);
    if (!needed.length) return;

    const list = lists.find((d) => /hardware-configuration\.nix$/.test(d.valueAt?.file ?? '')) ?? lists[0];
    const root = mountedFileSystems(config, ctx.force).find((f) => f.mountPoint === '/');
    const at: Source | undefined = list?.at ?? list?.valueAt ?? root?.at ?? config.entry.at;
    if (!at) return;
    const names = needed.map((n) => n.module);
    const byDisk = new Map<string, string[]>();
    for (const n of needed) byDisk.set(n.disk, [...(byDisk.get(n.disk) ?? []), `${n.module} ${n.role}`]);
    const why = [...byDisk].map(
      ([disk, roles]) =>
        `the target's disk ${disk} needs ${roles.length > 1 ? 'them' : 'it'} (${roles.join(', ')})`,
    );
    const edit = list ? appendToList(ctx, list, names) : undefined;
    ctx.report({
      at,
      message:
        `boot.initrd.availableKernelModules lacks ${names.join(', ')}: ${why.join('; ')} ` +
        `(${probeName(r)}). Without ${names.length > 1 ? 'them' : 'it'} the initrd cannot see the disk and the boot ` +
        'stops waiting for the root device',
      fixes: edit
        ? [
            {
              title: `Add ${names.map((n) => `"${n}"`).join(' ')} to boot.initrd.availableKernelModules`,
              edits: [edit],
              preferred: true,
            },
          ]
        : [],
    });
  },
};

/** The disks the initrd must reach: those of `/` and the other early mounts, else every disk it could go on. */
function bootDisks(ctx: ConfigurationContext, r: ProbeReport): Disk[] | undefined {
  const { config } = ctx;
  const out = new Set<Disk>();
  let unresolved = false;
  for (const f of mountedFileSystems(config, ctx.force)) {
    const needed = config.bool(['fileSystems', f.mountPoint, 'neededForBoot']);
    if (!NEEDED_FOR_BOOT.has(f.mountPoint) && needed !== true) continue;
    let device = f.device.value;
    const mapper = device ? /^\/dev\/mapper\/([^/]+)$/.exec(device) : null;
    if (mapper) {
      const luks = config.string(['boot', 'initrd', 'luks', 'devices', mapper[1], 'device']);
      device = typeof luks === 'object' ? luks.value : undefined;
    }
    const res = device ? resolveDevice(r, device) : undefined;
    if (res?.state === 'found') out.add(res.block.disk);
    else unresolved = true;
  }
  if (out.size) return [...out];
  if (!unresolved) return undefined;
  // Nothing resolves (a probe before partitioning, disko): every disk NixOS could be installed on.
  const candidates = installDisks(r);
  return candidates.length ? candidates : undefined;
}

/** The modules a disk needs: its own driver and its controller's, matched by transport. */
function modulesFor(disk: Disk, r: ProbeReport): { module: string; disk: string; role: string }[] {
  const where = `${disk.name}${disk.transport ? ` (${disk.transport})` : ''}`;
  const out: { module: string; disk: string; role: string }[] = [];
  if (disk.module) out.push({ module: disk.module, disk: where, role: 'drives the disk' });
  const storage = r.controllers.filter((c) => c.kind === 'storage' && c.module);
  const byClass = (re: RegExp) => storage.filter((c) => re.test(c.pciClass ?? ''));
  let controllers: Controller[] = [];
  switch (disk.transport?.toLowerCase()) {
    case 'nvme':
      controllers = byClass(/^0x0108/);
      break;
    case 'sata':
    case 'ata':
      controllers = byClass(/^0x010[16]/);
      break;
    case 'sas':
    case 'scsi':
    case 'spi':
    case 'fc':
      controllers = byClass(/^0x010[047]/);
      break;
    case 'virtio':
      controllers = storage.filter((c) => /virtio/.test(c.module ?? '') || /virtio/.test(c.driver ?? ''));
      break;
    case 'usb':
      controllers = r.controllers.filter((c) => (c.kind === 'usb' || c.kind === 'usb-storage') && c.module);
      break;
    case 'mmc':
      controllers = r.controllers.filter((c) => c.kind === 'mmc' && c.module);
      break;
  }
  for (const c of controllers)
    out.push({ module: c.module!, disk: where, role: `drives its ${c.kind} controller ${c.address}` });
  return out;
}

/** Adds strings at the end of a list literal `[ … ]`, in the list's own layout. */
function appendToList(ctx: ConfigurationContext, def: Definition, items: string[]): RuleEdit | undefined {
  const at = def.valueAt;
  if (!at) return undefined;
  const text = ctx.sources.parsed(at.file)?.lines.text;
  if (!text) return undefined;
  const list = text.slice(at.span.start, at.span.end);
  if (!/^\[[\s\S]*\]$/.test(list)) return undefined;
  const added = items.map(nixString);
  const inner = list.slice(1, -1);
  if (inner.trim() === '') return { at, newText: `[ ${added.join(' ')} ]` };
  const lastEnd = at.span.start + 1 + inner.trimEnd().length;
  const multiLine = /\n/.test(inner.trimEnd());
  let insert: string;
  if (multiLine) {
    const lineStart = text.lastIndexOf('\n', lastEnd - 1) + 1;
    const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
    insert = added.map((a) => `\n${indent}${a}`).join('');
  } else insert = added.map((a) => ` ${a}`).join('');
  return { at: { file: at.file, span: { start: lastEnd, end: lastEnd } }, newText: insert };
}
