import type { ProbeReport } from '../../protocol/probe-report';
import { mountedFileSystems, swapDevices } from '../model/filesystems';
import type { Source } from '../model/value';
import { nixString } from '../rule-api/edits';
import {
  blockKey,
  blocks,
  describeTarget,
  emptyProbe,
  exampleDisk,
  fsTypeAccepts,
  probeName,
  resolveDevice,
  type Block,
  type Resolution,
} from '../facts/probe';
import type { ConfigurationContext, Rule, RuleFix } from '../rule-api/rule';

const HETZNER = emptyProbe({
  disks: [
    exampleDisk('sda', [
      { type: 'vfat', uuid: '5A1B-2C3D', label: 'ESP' },
      { type: 'ext4', uuid: '0f3c9d2e-6b1a-4c7e-9f10-2a3b4c5d6e7f', label: 'nixos' },
    ]),
  ],
});

const CONFIG = (boot: string, root: string) => `{ ... }:
{
  boot.loader.systemd-boot.enable = true;
  fileSystems."/" = { device = "${root}"; fsType = "ext4"; };
  fileSystems."/boot" = { device = "${boot}"; fsType = "vfat"; };
  system.stateVersion = "24.11";
}
`;

export const deviceNotOnTarget: Rule = {
  code: 'device-not-on-target',
  severity: 'error',
  title: 'A filesystem, swap, LUKS or boot device names something the probed target does not have',
  explanation:
    'NixOS waits in the initrd for every filesystem it needs to boot, by the exact name the configuration ' +
    'gives: `/dev/disk/by-uuid/…`, `by-label`, `by-partuuid`, `by-id` or a kernel name. A UUID copied from ' +
    'another machine, a disk that was formatted again after the configuration was written, or a by-id name of the ' +
    'wrong disk exists nowhere on the target, so the first boot stops after a long "waiting for device" and drops ' +
    'to an emergency shell (and GRUB or disko cannot even install). With a probe of the target attached, nixkit ' +
    'compares every device name with what the target really has. Labels are only compared once the target has ' +
    'filesystems on its disks (before formatting, the labels do not exist yet); a probe older than the last ' +
    'formatting is out of date: probe again.',
  bad: {
    files: { 'configuration.nix': CONFIG('/dev/disk/by-uuid/1234-ABCD', '/dev/disk/by-label/nixos') },
    probe: HETZNER,
    expect: ['configuration.nix:5'],
  },
  good: {
    files: { 'configuration.nix': CONFIG('/dev/disk/by-uuid/5A1B-2C3D', '/dev/disk/by-label/nixos') },
    probe: HETZNER,
  },
  checkConfiguration(ctx) {
    const r = ctx.probe;
    if (!r) return;
    const { config } = ctx;
    const fss = mountedFileSystems(config, ctx.force).filter(
      (f) => !f.conditional && f.origin === 'fileSystems',
    );
    const used = new Set<string>();
    for (const f of fss) {
      if (!f.device.value) continue;
      const res = resolveDevice(r, f.device.value);
      if (res.state === 'found') used.add(blockKey(res.block));
    }
    const swaps = swapDevices(config, ctx.force);
    for (const s of swaps) {
      if (!s.device.value) continue;
      const res = resolveDevice(r, s.device.value);
      if (res.state === 'found') used.add(blockKey(res.block));
    }
    for (const f of fss) {
      if (!f.device.value || !f.device.at) continue;
      const fsType = f.fsType.value;
      check(ctx, r, f.device.value, f.device.at, `fileSystems."${f.mountPoint}"`, () =>
        candidate(r, used, f.mountPoint, fsType),
      );
    }
    for (const s of swaps) {
      if (!s.device.value || !s.device.at) continue;
      check(ctx, r, s.device.value, s.device.at, 'the swap device', () =>
        candidate(r, used, undefined, 'swap'),
      );
    }
    for (const name of config.children('boot.initrd.luks.devices').names) {
      const d = config.value(['boot', 'initrd', 'luks', 'devices', name, 'device']);
      if (d.state !== 'known' || d.def.conditional || d.value.t !== 'str') continue;
      const at = d.value.src ?? d.def.valueAt;
      if (at) check(ctx, r, d.value.v, at, `the LUKS device "${name}"`);
    }
    for (const name of config.children('disko.devices.disk').names) {
      const d = config.value(['disko', 'devices', 'disk', name, 'device']);
      if (d.state !== 'known' || d.def.conditional || d.value.t !== 'str') continue;
      const at = d.value.src ?? d.def.valueAt;
      if (at) check(ctx, r, d.value.v, at, `the disko disk "${name}"`);
    }
    const grub = config.value('boot.loader.grub.device');
    if (grub.state === 'known' && !grub.def.conditional && grub.value.t === 'str') {
      const at = grub.value.src ?? grub.def.valueAt;
      if (at) check(ctx, r, grub.value.v, at, 'boot.loader.grub.device');
    }
    for (const d of config.defs('boot.loader.grub.devices')) {
      if (d.conditional || d.value.t !== 'list') continue;
      for (const item of d.value.items) {
        const v = ctx.force(item);
        if (v.t === 'str' && v.src) check(ctx, r, v.v, v.src, 'boot.loader.grub.devices');
      }
    }
  },
};

const WHAT: Record<string, (key: string) => string> = {
  uuid: (k) => `no filesystem with UUID ${k}`,
  label: (k) => `no filesystem labelled ${JSON.stringify(k)}`,
  partuuid: (k) => `no partition with PARTUUID ${k}`,
  partlabel: (k) => `no partition named ${JSON.stringify(k)} (partlabel)`,
  id: (k) => `no disk or partition /dev/disk/by-id/${k}`,
  kernel: (k) => `no block device /dev/${k}`,
};

/** The target's disks are formatted (labels exist once the filesystems are made). */
function formatted(r: ProbeReport): boolean {
  return blocks(r).some((b) => !b.disk.liveSystem && !!b.fs);
}

function check(
  ctx: ConfigurationContext,
  r: ProbeReport,
  device: string,
  at: Source,
  what: string,
  suggest?: () => { block: Block; why: string } | undefined,
): void {
  if (device === 'nodev') return;
  const res: Resolution = resolveDevice(r, device);
  if (res.state !== 'missing') return;
  if ((res.kind === 'label' || res.kind === 'partlabel') && !formatted(r)) return;
  const text = ctx.sources.parsed(at.file)?.lines.text.slice(at.span.start, at.span.end);
  const literal = text === nixString(device);
  const fixes: RuleFix[] = [];
  if (res.exact && literal)
    fixes.push({
      title: `Use ${res.exact.path} (the spelling udev gives it)`,
      edits: [{ at, newText: nixString(res.exact.path) }],
      preferred: true,
    });
  else if (literal && suggest) {
    const s = suggest();
    if (s?.block.fs?.uuid)
      fixes.push({
        title: `Use /dev/disk/by-uuid/${s.block.fs.uuid} (${s.why})`,
        edits: [{ at, newText: nixString(`/dev/disk/by-uuid/${s.block.fs.uuid}`) }],
        preferred: true,
      });
  }
  const has = res.kind === 'id' ? 'its disks are' : 'its disks have';
  const spelling = res.exact ? ` (it has ${res.exact.path}: udev names are case-sensitive)` : '';
  ctx.report({
    at,
    message:
      `${what} is ${device}, but the target has ${WHAT[res.kind](res.key)}${spelling}; ` +
      `${has}: ${describeTarget(r, res.kind)} (${probeName(r)}, ${r.probedAt.slice(0, 10)})`,
    fixes,
  });
}

/**
 * The one filesystem the device must mean: the one mounted at the install root's mount point (`/mnt/boot` for
 * `/boot`), else the only filesystem of that type that no other entry names. Undefined when ambiguous.
 */
function candidate(
  r: ProbeReport,
  used: Set<string>,
  mountPoint: string | undefined,
  fsType: string | undefined,
): { block: Block; why: string } | undefined {
  const all = blocks(r).filter((b) => b.fs?.uuid && !b.disk.liveSystem);
  if (mountPoint) {
    const at = mountPoint === '/' ? '/mnt' : `/mnt${mountPoint}`;
    const mounts = r.mounts.filter((m) => m.mountPoint === at && m.root === '/');
    if (mounts.length === 1) {
      const source = mounts[0].source;
      const hit = all.filter((b) => b.name && `/dev/${b.name}` === source);
      if (hit.length === 1 && (!fsType || (hit[0].fs?.type && fsTypeAccepts(fsType, hit[0].fs.type))))
        return { block: hit[0], why: `mounted at ${at} on the target` };
    }
  }
  if (!fsType) return undefined;
  const same = all.filter((b) => !used.has(blockKey(b)) && b.fs?.type && fsTypeAccepts(fsType, b.fs.type));
  if (same.length !== 1) return undefined;
  return {
    block: same[0],
    why: `the target's only other ${fsType} filesystem, ${same[0].name ?? same[0].disk.name}`,
  };
}
