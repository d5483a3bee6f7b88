import type { NixosConfiguration } from '../model/configuration';
import type { Source } from '../model/value';
import { absenceUnsure, diskoUnsure, isImageOrContainer, isSharedModule } from '../facts/boot';
import { nixString } from '../rule-api/edits';
import type { Rule, RuleFix } from '../rule-api/rule';

const HOST = `{ config, lib, pkgs, ... }:
{
  imports = [ ./hardware-configuration.nix ];
  boot.loader.systemd-boot.enable = true;
  boot.loader.efi.canTouchEfiVariables = true;
  system.stateVersion = "24.11";
}
`;

export const luksNotInInitrd: Rule = {
  code: 'luks-not-in-initrd',
  severity: 'error',
  reportsAbsence: true,
  title: 'A filesystem on /dev/mapper/NAME has no LUKS device NAME to open it',
  explanation:
    'A filesystem on `/dev/mapper/NAME` only appears once something opens the encrypted container under that ' +
    'name. For the root filesystem and anything mounted at boot, that is the initrd, which opens exactly the ' +
    'devices listed in `boot.initrd.luks.devices` (disko adds its LUKS partitions there by their `name`). When ' +
    'NAME is not among them, typically because the hardware configuration was regenerated without its LUKS ' +
    'lines or the container was opened under another name during the install, the initrd waits for a device ' +
    'that never appears and the boot ends in an emergency shell. LVM volumes (`/dev/mapper/vg-root`) are ' +
    'activated on their own and are not reported.',
  bad: {
    files: {
      'configuration.nix': HOST,
      'hardware-configuration.nix': `{ config, lib, pkgs, modulesPath, ... }:
{
  boot.initrd.availableKernelModules = [ "nvme" "xhci_pci" "usbhid" ];
  boot.initrd.luks.devices."cryptroot".device = "/dev/disk/by-uuid/9c8b7a65-4321-4fed-8cba-0987654321fe";

  fileSystems."/" = {
    device = "/dev/mapper/root";
    fsType = "ext4";
  };
  fileSystems."/boot" = {
    device = "/dev/disk/by-uuid/B1C2-D3E4";
    fsType = "vfat";
  };
}
`,
    },
    expect: ['hardware-configuration.nix:7'],
  },
  good: {
    files: {
      'configuration.nix': HOST,
      'hardware-configuration.nix': `{ config, lib, pkgs, modulesPath, ... }:
{
  boot.initrd.availableKernelModules = [ "nvme" "xhci_pci" "usbhid" ];
  boot.initrd.luks.devices."cryptroot".device = "/dev/disk/by-uuid/9c8b7a65-4321-4fed-8cba-0987654321fe";

  fileSystems."/" = {
    device = "/dev/mapper/cryptroot";
    fsType = "ext4";
  };
  fileSystems."/boot" = {
    device = "/dev/disk/by-uuid/B1C2-D3E4";
    fsType = "vfat";
  };
}
`,
    },
  },
  checkConfiguration(ctx) {
    const { config } = ctx;
    if (isSharedModule(config, ctx.project) || absenceUnsure(config, ctx.sources, { diskoModelled: true }))
      return;
    if (isImageOrContainer(config) !== false) return;
    const opened = luksNames(config);
    if (!opened) return;
    const mapped = new Set<string>();
    const candidates: { name: string; mp: string; at: Source }[] = [];
    for (const mp of config.children('fileSystems').names) {
      const dev = deviceOf(config, mp);
      if (!dev) continue;
      const name = dev.value.slice('/dev/mapper/'.length);
      mapped.add(name);
      candidates.push({ name, mp, at: dev.at });
    }
    for (const c of candidates) {
      if (opened.has(c.name) || looksLikeLvm(c.name)) continue;
      // `encrypted.enable` with `label = NAME` opens it in the initrd too.
      const enc = config.bool(['fileSystems', c.mp, 'encrypted', 'enable']);
      if (enc !== 'unset' && enc !== false) continue;
      const fixes: RuleFix[] = [];
      const only = [...opened];
      if (only.length === 1 && !mapped.has(only[0]))
        fixes.push({
          title: `Use /dev/mapper/${only[0]} (the LUKS device the initrd opens)`,
          edits: [{ at: c.at, newText: nixString(`/dev/mapper/${only[0]}`) }],
        });
      ctx.report({
        at: c.at,
        message:
          `/dev/mapper/${c.name} is never opened: boot.initrd.luks.devices has no "${c.name}"` +
          (only.length ? ` (it opens ${only.map((n) => `"${n}"`).join(', ')})` : '') +
          `, so the boot waits for the device and ends in an emergency shell`,
        fixes,
      });
    }
  },
};

function deviceOf(config: NixosConfiguration, mp: string): { value: string; at: Source } | undefined {
  const r = config.value(['fileSystems', mp, 'device']);
  if (r.state !== 'known' || r.def.conditional || r.value.t !== 'str') return undefined;
  const at = r.value.src ?? r.def.valueAt;
  if (!at || !/^\/dev\/mapper\/[^/]+$/.test(r.value.v)) return undefined;
  return { value: r.value.v, at };
}

/**
 * LVM names its volumes `VG-LV` in /dev/mapper (a dash inside a name is doubled): any name with a single dash
 * may be one (`cryptvg-root`, root in the volume group cryptvg inside a LUKS container). Only the name
 * nixos-generate-config gives a LUKS device, `luks-<uuid>`, is surely not.
 */
function looksLikeLvm(name: string): boolean {
  if (/^luks-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(name)) return false;
  return name.replace(/--/g, '').includes('-');
}

/**
 * The names the initrd opens: `boot.initrd.luks.devices`, disko LUKS contents (their `name`). Undefined when
 * nixkit cannot know them all, or when something else opens devices (a crypttab, custom initrd commands).
 */
function luksNames(config: NixosConfiguration): Set<string> | undefined {
  const luks = config.children('boot.initrd.luks.devices');
  if (!luks.complete) return undefined;
  const names = new Set(luks.names);
  if (config.defsUnder('disko.devices').length) {
    if (diskoUnsure(config)) return undefined;
    for (const d of config.defsUnder('disko.devices')) {
      if (d.path.at(-1) !== 'type' || d.value.t !== 'str' || d.value.v !== 'luks') continue;
      const name = config.string([...d.path.slice(0, -1), 'name']);
      if (typeof name !== 'object') return undefined;
      names.add(name.value);
    }
  }
  // Other ways to open LUKS: a crypttab (stage 2, or the systemd initrd's), clevis, custom initrd scripts.
  if (
    config.defsUnder('environment.etc.crypttab').length ||
    config.defsUnder(['boot', 'initrd', 'systemd', 'contents', '/etc/crypttab']).length ||
    config.defsUnder('boot.initrd.clevis').length
  )
    return undefined;
  for (const d of config.defsUnder('boot.initrd')) {
    if (d.value.t === 'unknown' || (d.value.t === 'str' && /cryptsetup|crypttab/.test(d.value.v))) {
      if (/Commands$|script/i.test(d.path.join('.'))) return undefined;
    }
  }
  return names;
}
