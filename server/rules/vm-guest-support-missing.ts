import type { ProbeReport } from '../../protocol/probe-report';
import { absenceUnsure, isImageOrContainer } from '../facts/boot';
import { emptyProbe, exampleDisk, probeName } from '../facts/probe';
import { replaceValue } from '../rule-api/edits';
import { addImport, insertIntoModule } from '../rule-api/rewrite';
import type { ConfigurationContext, Rule, RuleFix } from '../rule-api/rule';

/** systemd-detect-virt's names for the hypervisors this rule knows what a guest needs on. */
const VIRTUALBOX = new Set(['oracle']);
const QEMU = new Set(['kvm', 'qemu']);
/** Modules that show the configuration already gives the initrd virtio (as the qemu-guest profile does). */
const VIRTIO = /^virtio(_|$)/;

const vmProbe = (type: string, transport: string, module: string): ProbeReport =>
  emptyProbe({
    system: { ...emptyProbe().system, virtualisation: { type, source: 'systemd-detect-virt' } },
    cpu: { ...emptyProbe().cpu, hypervisorFlag: true },
    disks: [
      exampleDisk('sda', [{ type: 'ext4', uuid: '0f3c9d2e-6b1a-4c7e-9f10-2a3b4c5d6e7f' }], {
        transport,
        module,
      }),
    ],
  });

const CONFIG = (extra: string) => `{ ... }:
{
  boot.loader.systemd-boot.enable = true;
  fileSystems."/" = { device = "/dev/disk/by-uuid/0f3c9d2e-6b1a-4c7e-9f10-2a3b4c5d6e7f"; fsType = "ext4"; };
${extra}  system.stateVersion = "24.11";
}
`;

export const vmGuestSupportMissing: Rule = {
  code: 'vm-guest-support-missing',
  severity: 'warning',
  title: "The target is a virtual machine and the configuration lacks its hypervisor's guest support",
  explanation:
    "A NixOS guest works best, and sometimes only, with its hypervisor's guest support. In VirtualBox that is " +
    '`virtualisation.virtualbox.guest.enable = true`: the guest additions give shared folders (`vboxsf` mounts ' +
    'fail without them), time sync with the host, clipboard and display resizing. On QEMU/KVM it is the ' +
    '`qemu-guest.nix` profile (what `nixos-generate-config` imports on such a guest), which puts the virtio ' +
    'drivers into the initrd: without them a VM that is later switched to virtio disks or network cards cannot ' +
    'find its root disk, and a paravirtualised NIC has no driver. This rule needs a probe of the target: it only ' +
    'speaks when the probe saw the hypervisor, and stays quiet when a module nixkit cannot read could enable it.',
  bad: {
    files: { 'configuration.nix': CONFIG('') },
    probe: vmProbe('oracle', 'sata', 'sd_mod'),
    expect: ['configuration.nix:1'],
  },
  good: {
    files: { 'configuration.nix': CONFIG('  virtualisation.virtualbox.guest.enable = true;\n') },
    probe: vmProbe('oracle', 'sata', 'sd_mod'),
  },
  checkConfiguration(ctx) {
    const r = ctx.probe;
    if (!r) return;
    const type = r.system.virtualisation.type;
    if (!VIRTUALBOX.has(type) && !QEMU.has(type)) return;
    const { config } = ctx;
    if (isImageOrContainer(config) !== false || absenceUnsure(config, ctx.sources)) return;
    if (VIRTUALBOX.has(type)) virtualBox(ctx, r);
    else qemu(ctx, r);
  },
};

function virtualBox(ctx: ConfigurationContext, r: ProbeReport): void {
  const { config } = ctx;
  const option = 'virtualisation.virtualbox.guest.enable';
  const enable = config.value(option);
  if (enable.state === 'unknown') return;
  if (enable.state === 'known' && !(enable.value.t === 'bool' && enable.value.v === false)) return;
  const fixes: RuleFix[] = [];
  let at = enable.state === 'known' ? (enable.value.src ?? enable.def.valueAt) : undefined;
  if (enable.state === 'known') {
    const edit = replaceValue(enable.def, 'true');
    if (edit) fixes.push({ title: `Set ${option} = true`, edits: [edit], preferred: true });
  } else {
    at = config.entry.at;
    const main = config.modules.find((m) => m.kind === 'file');
    const edit =
      main?.kind === 'file' ? insertIntoModule(main.file, `${option} = true;`, ctx.sources) : undefined;
    if (edit) fixes.push({ title: `Set ${option} = true`, edits: [edit], preferred: true });
  }
  if (!at) return;
  ctx.report({
    at,
    message:
      `${config.name}: the target is a VirtualBox guest (${probeName(r)}) and ${option} is ` +
      `${enable.state === 'unset' ? 'not set' : 'false'}: no guest additions, so shared folders cannot mount ` +
      'and the clock drifts from the host',
    fixes,
  });
}

function qemu(ctx: ConfigurationContext, r: ProbeReport): void {
  const { config } = ctx;
  if (config.hasExternalModule(/profiles\/qemu-guest\.nix$/)) return;
  for (const option of ['boot.initrd.availableKernelModules', 'boot.initrd.kernelModules']) {
    if (config.isOpaqueAt(option.split('.'))) return;
    for (const d of config.defs(option)) {
      if (d.conditional || d.value.t !== 'list') return;
      for (const item of d.value.items) {
        const v = ctx.force(item);
        if (v.t !== 'str') return;
        if (VIRTIO.test(v.v.replace(/-/g, '_'))) return;
      }
    }
  }
  // A virtio root disk without its driver is initrd-module-missing's error; one finding per mistake.
  if (r.disks.some((d) => d.module && VIRTIO.test(d.module))) return;
  const at = config.entry.at;
  if (!at) return;
  const main = config.modules.find((m) => m.kind === 'file');
  // The import needs `modulesPath` bound: only offered where the module's arguments name it.
  const edit =
    main?.kind === 'file' && takesModulesPath(ctx, main.file)
      ? addImport(main.file, '(modulesPath + "/profiles/qemu-guest.nix")', ctx.sources)
      : undefined;
  ctx.report({
    at,
    message:
      `${config.name}: the target is a QEMU/KVM guest (${probeName(r)}) and the configuration neither imports the ` +
      'qemu-guest.nix profile nor puts any virtio driver into the initrd: switching the VM to virtio disks or ' +
      'network cards will leave it unable to boot or unreachable',
    fixes: edit
      ? [
          {
            title: 'Import the qemu-guest.nix profile',
            edits: [edit],
          },
        ]
      : [],
  });
}

function takesModulesPath(ctx: ConfigurationContext, file: string): boolean {
  let e = ctx.sources.parsed(file)?.ast.expr;
  while (e?.kind === 'paren') e = e.expr;
  return e?.kind === 'lambda' && !!e.formals?.some((f) => f.name.name === 'modulesPath');
}
