// Turns the probe script's records (probe-script.ts) into a typed, versioned ProbeReport. All interpretation lives
// here, in TypeScript, on data that can never be executed: tool outputs are parsed as JSON (lsblk, sfdisk) or as
// escaped KEY=VALUE (blkid -o udev), and /sys values are single lines. Anything absent degrades to null plus a
// note in `missing` / `warnings`; nothing here throws on odd input except a broken record framing.
import { decodeUdevEscapes } from '../../protocol/udev-escapes';
import { ProbeError } from '../errors';
import type {
  Controller,
  Disk,
  Filesystem,
  NetworkInterface,
  Partition,
  ProbeReport,
} from '../../protocol/probe-report';
import { PROBE_REPORT_VERSION } from '../../protocol/probe-report';
import { diskUsage, LIVE_MOUNTS } from './disk-usage';
import { predictName } from './predicted-names';
import { parseRecords } from './records';
import {
  bool,
  fsFromBlkid,
  nixSystemOf,
  num,
  parseBlkidUdev,
  parseBusyboxBlkid,
  parseMountinfo,
  parseOsRelease,
  trimmed,
  tryJson,
  type LsblkDevice,
  type SfdiskTable,
} from './tool-parsers';
import { EFI_GLOBAL_GUID, PROBE_SCRIPT_VERSION } from './probe-script';

/** About what kexec into a NixOS installer needs (kernel + initrd + the squashfs in RAM). */
export const KEXEC_MIN_BYTES = 1536 * 1024 * 1024;

export interface ParseOptions {
  target?: string;
  now?: Date;
}

/** Parses the raw probe output into a report. */
export function parseProbeOutput(output: Buffer, options: ParseOptions = {}): ProbeReport {
  const records = parseRecords(output);
  const rec = new Map<string, string>();
  const missing: string[] = [];
  const warnings: string[] = [];
  for (const r of records) {
    const value = r.value.toString('utf8');
    if (r.name === 'missing') missing.push(value);
    else rec.set(r.name, value);
  }
  const version = rec.get('meta/version');
  if (version !== String(PROBE_SCRIPT_VERSION)) {
    throw new ProbeError(
      `the probe output has version ${version ?? 'none'}, expected ${PROBE_SCRIPT_VERSION}`,
    );
  }
  if (!rec.has('meta/end')) warnings.push('The probe output ended early: the report is incomplete.');
  const get = (k: string) => rec.get(k);
  const line = (k: string) => trimmed(get(k)?.split('\n')[0]);
  const keysUnder = (prefix: string) => {
    const names = new Set<string>();
    for (const k of rec.keys()) if (k.startsWith(prefix)) names.add(k.slice(prefix.length).split('/')[0]);
    return [...names].sort();
  };

  // --- system
  const arch = line('sys/arch');
  const nixSystem = nixSystemOf(arch);
  if (arch && !nixSystem) warnings.push(`Unknown architecture '${arch}': no Nix system for it.`);
  const osr = get('sys/os-release') !== undefined ? parseOsRelease(get('sys/os-release')!) : undefined;
  const meminfo: Record<string, number> = {};
  for (const m of (get('sys/meminfo') ?? '').matchAll(/^(\w+(?:\(\w+\))?):\s+(\d+) kB$/gm))
    meminfo[m[1]] = Number(m[2]) * 1024;
  const totalBytes = meminfo.MemTotal ?? null;
  const mounts = parseMountinfo(get('mnt/mountinfo') ?? '');
  const nixos = rec.has('sys/etc-nixos') || osr?.ID === 'nixos';
  const nixosInstaller =
    nixos &&
    (osr?.VARIANT_ID === 'installer' ||
      mounts.some((m) => m.mountPoint === '/iso') ||
      /\bfound=|root=LABEL=nixos-/.test(get('sys/cmdline') ?? ''));
  const nixVersion = trimmed(/(\d+\.\d+[\w.+-]*)/.exec(get('sys/nix-version') ?? '')?.[1]);

  // --- cpu
  const cpuFirst = get('cpu/first') ?? '';
  const cpuField = (name: string) => trimmed(new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(cpuFirst)?.[1]);
  const flags = new Set((cpuField('flags') ?? cpuField('Features') ?? '').split(/\s+/));
  const vendor = cpuField('vendor_id') ?? cpuField('CPU implementer');
  const cores = num(line('cpu/count'));

  // --- virtualisation: systemd-detect-virt, else DMI, else the cpuinfo hypervisor flag
  let virt: ProbeReport['system']['virtualisation'] = { type: 'none', source: 'none' };
  const detect = line('sys/detect-virt');
  if (detect) virt = { type: detect, source: 'systemd-detect-virt' };
  else {
    const dmi = [line('dmi/sys_vendor'), line('dmi/product_name'), line('dmi/bios_vendor')].join(' ');
    const dmiMap: [RegExp, string][] = [
      [/QEMU|SeaBIOS|Bochs/i, 'qemu'],
      [/KVM/i, 'kvm'],
      [/VMware/i, 'vmware'],
      [/VirtualBox|innotek/i, 'oracle'],
      [/Microsoft Corporation.*Virtual/i, 'microsoft'],
      [/Xen/i, 'xen'],
      [/Amazon EC2/i, 'amazon'],
      [/Google/i, 'google'],
      [/DigitalOcean|Hetzner vServer/i, 'kvm'],
    ];
    const hit = dmiMap.find(([re]) => re.test(dmi));
    if (hit) virt = { type: hit[1], source: 'dmi' };
    else if (flags.has('hypervisor')) virt = { type: 'vm-other', source: 'cpuinfo' };
  }

  // --- firmware
  const efi = rec.has('fw/efi');
  const efivars = mounts.find((m) => m.fsType === 'efivarfs');
  const sbByte = num(line(`fw/SecureBoot-${EFI_GLOBAL_GUID}`));
  const setupByte = num(line(`fw/SetupMode-${EFI_GLOBAL_GUID}`));
  const secureBoot: ProbeReport['firmware']['secureBoot'] = !efi
    ? null
    : setupByte === 1
      ? 'setup-mode'
      : sbByte === 1
        ? 'enabled'
        : sbByte === 0
          ? 'disabled'
          : 'unknown';

  // --- block devices
  const lsblkRoot = tryJson<{ blockdevices?: LsblkDevice[] }>(get('blk/lsblk'));
  const lsblkByName = new Map<string, LsblkDevice>();
  const walk = (list: LsblkDevice[] | undefined) => {
    for (const d of list ?? []) {
      const n = d.kname ?? d.name;
      if (n && !lsblkByName.has(n)) lsblkByName.set(n, d);
      walk(d.children);
    }
  };
  walk(lsblkRoot?.blockdevices);
  const busybox =
    get('blkid-all') !== undefined ? parseBusyboxBlkid(get('blkid-all')!) : new Map<string, Filesystem>();
  const fsOf = (name: string): Filesystem | null => {
    const b = get(`blkid/${name}`);
    if (b !== undefined && b.trim() !== '') {
      const fs = fsFromBlkid(parseBlkidUdev(b));
      if (fs) return fs;
    }
    const l = lsblkByName.get(name);
    if (l?.fstype)
      return { type: l.fstype, uuid: l.uuid ?? null, label: l.label ?? null, version: l.fsver ?? null };
    return busybox.get(name) ?? null;
  };
  const byIdOf = new Map<string, string[]>();
  for (const k of keysUnder('byid/')) {
    const target = get(`byid/${k}`) ?? '';
    const dev = target.split('/').pop() ?? '';
    if (!byIdOf.has(dev)) byIdOf.set(dev, []);
    byIdOf.get(dev)!.push(k);
  }
  const mountsByMajMin = new Map<string, string[]>();
  const mountsBySource = new Map<string, string[]>();
  for (const m of mounts) {
    if (!mountsByMajMin.has(m.majorMinor)) mountsByMajMin.set(m.majorMinor, []);
    mountsByMajMin.get(m.majorMinor)!.push(m.mountPoint);
    if (m.source.startsWith('/dev/')) {
      if (!mountsBySource.has(m.source)) mountsBySource.set(m.source, []);
      mountsBySource.get(m.source)!.push(m.mountPoint);
    }
  }
  const mountpointsOf = (name: string, majMin: string | null) => {
    const set = new Set<string>([
      ...(majMin ? (mountsByMajMin.get(majMin) ?? []) : []),
      ...(mountsBySource.get(`/dev/${name}`) ?? []),
    ]);
    return [...set].sort();
  };

  const holdersOf = (key: string) =>
    (get(key) ?? '')
      .split(/\s+/)
      .filter((h) => h !== '')
      .sort();

  const blockNames = keysUnder('blk/').filter((n) => n !== 'lsblk');
  const loopInfo = new Map<string, { backing: string; offset: number; size: number }>();
  for (const n of blockNames) {
    const backing = trimmed(get(`blk/${n}/loop-backing`));
    if (backing)
      loopInfo.set(n, {
        backing,
        offset: num(get(`blk/${n}/loop-offset`)) ?? 0,
        size: (num(get(`blk/${n}/size`)) ?? 0) * 512,
      });
  }
  // Loop devices at an offset into another loop device's backing file stand in for that disk's partitions
  // (kernels without partition-table support; the fast test target). They are folded into the disk they belong to.
  const standIns = new Map<string, { disk: string; offset: number }>();
  for (const [n, li] of loopInfo) {
    if (li.offset === 0) continue;
    const disk = [...loopInfo].find(
      ([other, o]) => other !== n && o.offset === 0 && o.backing === li.backing,
    );
    if (disk) standIns.set(n, { disk: disk[0], offset: li.offset });
  }

  const disks: Disk[] = [];
  for (const n of blockNames) {
    if (standIns.has(n)) continue;
    const l = lsblkByName.get(n);
    const majMin = trimmed(get(`blk/${n}/dev`)) ?? l?.['maj:min'] ?? null;
    const sizeBytes = (num(get(`blk/${n}/size`)) ?? 0) * 512;
    const table = tryJson<SfdiskTable>(get(`ptable/${n}`))?.partitiontable;
    const sector = table?.sectorsize ?? 512;
    const partitions: Partition[] = [];
    const kernelParts = keysUnder(`part/${n}/`);
    for (const pn of kernelParts) {
      const lp = lsblkByName.get(pn);
      const number = num(get(`part/${n}/${pn}/partition`));
      const start = num(get(`part/${n}/${pn}/start`));
      const pMajMin = trimmed(get(`part/${n}/${pn}/dev`));
      const onDisk = table?.partitions?.find((p) => p.start === start);
      const blk = parseBlkidUdev(get(`blkid/${pn}`) ?? '');
      partitions.push({
        name: pn,
        path: `/dev/${pn}`,
        number,
        startSector: start,
        sizeBytes: (num(get(`part/${n}/${pn}/size`)) ?? 0) * 512,
        type: onDisk?.type ?? lp?.parttype ?? blk.ID_PART_ENTRY_TYPE ?? null,
        typeName: lp?.parttypename ?? null,
        partuuid: (onDisk?.uuid ?? lp?.partuuid ?? blk.ID_PART_ENTRY_UUID ?? null)?.toLowerCase() ?? null,
        partlabel:
          onDisk?.name ??
          lp?.partlabel ??
          (blk.ID_PART_ENTRY_NAME ? decodeUdevEscapes(blk.ID_PART_ENTRY_NAME) : null),
        fs: fsOf(pn),
        mountpoints: mountpointsOf(pn, pMajMin),
        holders: holdersOf(`part/${n}/${pn}/holders`),
      });
    }
    // Entries of the on-disk table the kernel does not show (or shows through stand-in loop devices).
    for (const [i, p] of (table?.partitions ?? []).entries()) {
      if (partitions.some((k) => k.startSector === (p.start ?? -1))) continue;
      const standIn = [...standIns].find(
        ([, s]) => s.disk === n && s.offset === (p.start ?? -1) * sector,
      )?.[0];
      const sMajMin = standIn ? trimmed(get(`blk/${standIn}/dev`)) : null;
      const numberMatch = /(\d+)$/.exec(p.node ?? '');
      partitions.push({
        name: standIn ?? null,
        path: standIn ? `/dev/${standIn}` : null,
        number: numberMatch ? Number(numberMatch[1]) : i + 1,
        startSector: p.start ?? null,
        sizeBytes: p.size !== undefined ? p.size * sector : null,
        type: p.type ?? null,
        typeName: null,
        partuuid: p.uuid?.toLowerCase() ?? null,
        partlabel: p.name ?? null,
        fs: standIn ? fsOf(standIn) : null,
        mountpoints: standIn ? mountpointsOf(standIn, sMajMin) : [],
      });
    }
    partitions.sort((a, b) => (a.number ?? 0) - (b.number ?? 0));
    const diskBlk = parseBlkidUdev(get(`blkid/${n}`) ?? '');
    const ptType = table?.label ?? l?.pttype ?? diskBlk.ID_PART_TABLE_TYPE ?? null;
    const ptUuid = table?.id ?? l?.ptuuid ?? diskBlk.ID_PART_TABLE_UUID ?? null;
    const li = loopInfo.get(n);
    const rotational = bool(get(`blk/${n}/rotational`)?.trim()) ?? bool(l?.rota);
    disks.push({
      name: n,
      path: `/dev/${n}`,
      majorMinor: majMin,
      sizeBytes,
      model: trimmed(get(`blk/${n}/model`)) ?? trimmed(l?.model),
      serial: trimmed(get(`blk/${n}/serial`)) ?? trimmed(l?.serial),
      vendor: trimmed(get(`blk/${n}/vendor`)) ?? trimmed(l?.vendor),
      wwn: trimmed(l?.wwn),
      transport:
        trimmed(l?.tran) ??
        (n.startsWith('vd')
          ? 'virtio'
          : n.startsWith('nvme')
            ? 'nvme'
            : n.startsWith('loop')
              ? 'loop'
              : null),
      rotational,
      removable: get(`blk/${n}/removable`)?.trim() === '1',
      readOnly: get(`blk/${n}/ro`)?.trim() === '1',
      byId: (byIdOf.get(n) ?? []).sort(),
      partitionTable: ptType ? { type: ptType, uuid: ptUuid?.toLowerCase() ?? null } : null,
      partitions,
      fs: partitions.length === 0 ? fsOf(n) : null,
      mountpoints: mountpointsOf(n, majMin),
      liveSystem: false,
      module: trimmed(get(`blk/${n}/module`)?.split('/').pop()),
      loop: li ? { backingFile: li.backing, offsetBytes: li.offset } : null,
      holders: holdersOf(`blk/${n}/holders`),
      dm:
        rec.has(`blk/${n}/dm-name`) || rec.has(`blk/${n}/dm-uuid`)
          ? { name: line(`blk/${n}/dm-name`), uuid: line(`blk/${n}/dm-uuid`) }
          : null,
      md: rec.has(`blk/${n}/md-level`) ? { level: line(`blk/${n}/md-level`) } : null,
    });
  }
  // The disk the running system lives on: whatever backs / or a live medium's usual mount points, directly or
  // through what the disk holds (/ on LVM, LUKS or md on it).
  const swapsSoFar = parseSwaps(get('mnt/swaps') ?? '');
  for (const d of disks)
    d.liveSystem = diskUsage({ disks, swaps: swapsSoFar }, d).some(
      (u) => u.mountpoint !== undefined && LIVE_MOUNTS.includes(u.mountpoint),
    );

  // --- controllers: what the initrd needs to reach the disks (and a keyboard)
  const controllers: Controller[] = [];
  for (const id of keysUnder('pci/')) {
    const cls = line(`pci/${id}/class`);
    const kind: Controller['kind'] = !cls
      ? 'other'
      : cls.startsWith('0x01')
        ? 'storage'
        : cls.startsWith('0x0c03')
          ? 'usb'
          : cls.startsWith('0x0c00')
            ? 'firewire'
            : cls.startsWith('0x02')
              ? 'network'
              : 'other';
    controllers.push({
      kind,
      address: id,
      pciClass: cls,
      vendorId: line(`pci/${id}/vendor`),
      deviceId: line(`pci/${id}/device`),
      driver: trimmed(get(`pci/${id}/driver`)?.split('/').pop()),
      module: trimmed(get(`pci/${id}/module`)?.split('/').pop()),
    });
  }
  for (const id of keysUnder('usb/')) {
    const cls = line(`usb/${id}/class`);
    const sub = line(`usb/${id}/subclass`);
    const proto = line(`usb/${id}/protocol`);
    const storage = cls === '08' && !!sub && /^0[1-6]$/.test(sub);
    const keyboard = cls === '03' && proto === '01';
    if (!storage && !keyboard) continue;
    const module = trimmed(get(`usb/${id}/module`)?.split('/').pop());
    controllers.push({
      kind: storage ? 'usb-storage' : 'usb-hid',
      address: id,
      pciClass: null,
      vendorId: null,
      deviceId: null,
      driver: module,
      module,
    });
  }
  for (const d of disks) {
    if (d.module)
      controllers.push({
        kind: 'block',
        address: d.name,
        pciClass: null,
        vendorId: null,
        deviceId: null,
        driver: d.module,
        module: d.module,
      });
  }
  for (const id of keysUnder('mmc/')) {
    const module = trimmed(get(`mmc/${id}/module`)?.split('/').pop());
    if (module)
      controllers.push({
        kind: 'mmc',
        address: id,
        pciClass: null,
        vendorId: null,
        deviceId: null,
        driver: module,
        module,
      });
  }

  // --- network
  const slots: Record<string, string> = {};
  for (const s of keysUnder('slot/')) {
    const addr = line(`slot/${s}/address`);
    if (addr) slots[addr] = s;
  }
  const addrs = new Map<string, NetworkInterface['addresses']>();
  for (const l of (get('ip/addr') ?? '').split('\n')) {
    const m = /^\d+:\s+(\S+?)(?:@\S+)?\s+(inet6?)\s+([0-9a-fA-F.:]+)\/(\d+)(?:.*?\bscope\s+(\S+))?/.exec(l);
    if (!m) continue;
    if (!addrs.has(m[1])) addrs.set(m[1], []);
    addrs.get(m[1])!.push({
      family: m[2] as 'inet' | 'inet6',
      address: m[3],
      prefixLength: Number(m[4]),
      scope: m[5] ?? null,
      dynamic: /\sdynamic\b/.test(l),
    });
  }
  const interfaces: NetworkInterface[] = [];
  for (const n of keysUnder('net/')) {
    const name = get(`net/${n}/name`) ?? n;
    const devPath = trimmed(get(`net/${n}/devpath`)) ?? undefined;
    const type = num(line(`net/${n}/type`)) ?? undefined;
    if (type === 772) continue; // loopback
    interfaces.push({
      name,
      mac: line(`net/${n}/address`),
      driver: trimmed(get(`net/${n}/driver`)?.split('/').pop()),
      state: line(`net/${n}/operstate`),
      virtual: !devPath,
      addresses: addrs.get(name) ?? [],
      predicted: predictName({
        name,
        type,
        wireless: rec.has(`net/${n}/wireless`),
        nameAssignType: num(line(`net/${n}/name-assign-type`)) ?? undefined,
        devPath,
        acpiIndex: num(line(`net/${n}/acpi-index`)) ?? undefined,
        index: num(line(`net/${n}/index`)) ?? undefined,
        devPort: num(line(`net/${n}/dev-port`)) ?? undefined,
        netIdOutput: get(`net/${n}/net-id`),
        slots,
      }),
    });
  }
  const defaultRoutes: ProbeReport['network']['defaultRoutes'] = [];
  for (const [key, family] of [
    ['ip/route4', 'inet'],
    ['ip/route6', 'inet6'],
  ] as const) {
    for (const l of (get(key) ?? '').split('\n')) {
      if (!/^default\b/.test(l)) continue;
      defaultRoutes.push({
        family,
        gateway: /\bvia\s+(\S+)/.exec(l)?.[1] ?? null,
        dev: /\bdev\s+(\S+)/.exec(l)?.[1] ?? null,
        proto: /\bproto\s+(\S+)/.exec(l)?.[1] ?? null,
      });
    }
  }
  for (const l of (get('ip/proc-route') ?? '').split('\n').slice(1)) {
    const f = l.trim().split(/\s+/);
    if (f.length < 3 || f[1] !== '00000000') continue;
    const gw =
      f[2]
        .match(/../g)
        ?.reverse()
        .map((h) => parseInt(h, 16))
        .join('.') ?? null;
    defaultRoutes.push({ family: 'inet', gateway: gw, dev: f[0], proto: null });
  }
  const resolv = get('dns/resolv') ?? '';
  const dns = [...resolv.matchAll(/^\s*nameserver\s+(\S+)/gm)].map((m) => m[1]);
  const searchDomains = [...resolv.matchAll(/^\s*(?:search|domain)\s+(.+)$/gm)].flatMap((m) =>
    m[1].trim().split(/\s+/),
  );
  const domain = /^\s*domain\s+(\S+)/m.exec(resolv)?.[1] ?? null;

  const swaps = swapsSoFar;

  const report: ProbeReport = {
    version: PROBE_REPORT_VERSION,
    probedAt: (options.now ?? new Date()).toISOString(),
    target: options.target ?? null,
    user: { uid: num(line('meta/uid')) },
    system: {
      arch,
      nixSystem,
      kernel: line('sys/kernel'),
      hostname: line('sys/hostname'),
      os: osr
        ? {
            id: osr.ID ?? null,
            name: osr.NAME ?? null,
            prettyName: osr.PRETTY_NAME ?? null,
            versionId: osr.VERSION_ID ?? null,
            variantId: osr.VARIANT_ID ?? null,
          }
        : null,
      nixos,
      nixosInstaller,
      nix: { present: rec.has('sys/nix-version'), version: nixVersion },
      memory: {
        totalBytes,
        availableBytes: meminfo.MemAvailable ?? null,
        kexecFits: totalBytes === null ? null : totalBytes >= KEXEC_MIN_BYTES,
      },
      virtualisation: virt,
      kernelCmdline: trimmed(get('sys/cmdline')),
    },
    firmware: {
      mode: efi ? 'uefi' : 'bios',
      platformBits: num(line('fw/platform-size')),
      efivarsMounted: !!efivars,
      efivarsWritable: efivars ? efivars.options.includes('rw') : efi ? false : null,
      secureBoot,
    },
    cpu: {
      vendor,
      model: cpuField('model name'),
      cores,
      kvmModule: flags.has('vmx') ? 'kvm-intel' : flags.has('svm') ? 'kvm-amd' : null,
      microcode: vendor === 'GenuineIntel' ? 'intel' : vendor === 'AuthenticAMD' ? 'amd' : null,
      hypervisorFlag: flags.has('hypervisor'),
      governors: (line('cpu/governors') ?? '').split(/\s+/).filter((g) => g !== ''),
    },
    disks,
    controllers,
    network: { interfaces, defaultRoutes, dns, searchDomains, domain },
    mounts,
    swaps,
    missing: [...new Set(missing)].sort(),
    warnings,
  };
  addWarnings(report);
  return report;
}

function parseSwaps(text: string): ProbeReport['swaps'] {
  const swaps: ProbeReport['swaps'] = [];
  for (const l of text.split('\n').slice(1)) {
    const f = l.trim().split(/\s+/);
    if (f.length < 3) continue;
    swaps.push({ device: f[0].replace(/\\040/g, ' '), type: f[1], sizeKiB: Number(f[2]) || 0 });
  }
  return swaps;
}

/** Findings a person should see before installing (the panel lists them; the CLI prints them). */
function addWarnings(r: ProbeReport): void {
  const w = r.warnings;
  if (r.firmware.mode === 'bios')
    w.push('BIOS (legacy) boot: systemd-boot needs UEFI; use GRUB with boot.loader.grub.device.');
  if (r.firmware.mode === 'uefi' && r.firmware.efivarsMounted && r.firmware.efivarsWritable === false) {
    w.push(
      'efivars is mounted read-only: installing a boot loader entry will fail until it is remounted rw.',
    );
  }
  if (r.system.memory.kexecFits === false) {
    w.push(
      `Only ${Math.round((r.system.memory.totalBytes ?? 0) / 1048576)} MiB of RAM: kexec into a NixOS installer needs about 1.5 GiB.`,
    );
  }
  if (!r.system.nix.present)
    w.push('No Nix on the target: the system will be copied without nix-store on the remote side.');
  if (r.user.uid !== 0)
    w.push('The probe did not run as root: some facts (partition tables, serials) may be missing.');
  if (r.missing.length) w.push(`Tools missing on the target (fewer facts): ${r.missing.join(', ')}.`);
}
