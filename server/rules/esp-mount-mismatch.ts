import type { NixosConfiguration } from '../model/configuration';
import { samePlace } from '../model/filesystems';
import type { Definition } from '../model/modules';
import type { Thunk, Value } from '../model/value';
import { attrName, insertSibling, nixString, replaceValue } from '../rule-api/edits';
import type { Rule, RuleFix } from '../rule-api/rule';

export const espMountMismatch: Rule = {
  code: 'esp-mount-mismatch',
  severity: 'error',
  title: 'The EFI System Partition is not mounted where the bootloader installs to',
  explanation:
    'systemd-boot and GRUB with efiSupport write the bootloader and its entries to `boot.loader.efi.efiSysMountPoint`, ' +
    '`/boot` unless set otherwise. When the EFI System Partition (the vfat filesystem) is mounted elsewhere, for ' +
    'example at `/boot/efi` as many other distributions do, the install writes the loader onto the root ' +
    'filesystem instead: bootctl refuses, or the firmware finds no entry for the new generation and the machine ' +
    'does not boot into it. Either mount the ESP at `/boot` or tell the bootloader where it is.',
  bad: {
    files: {
      'configuration.nix': `{ ... }:
{
  boot.loader.systemd-boot.enable = true;
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
  fileSystems."/boot/efi" = { device = "/dev/disk/by-label/ESP"; fsType = "vfat"; };
}
`,
    },
    expect: ['configuration.nix:5'],
  },
  good: {
    files: {
      'configuration.nix': `{ ... }:
{
  boot.loader.systemd-boot.enable = true;
  boot.loader.efi.efiSysMountPoint = "/boot/efi";
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
  fileSystems."/boot/efi" = { device = "/dev/disk/by-label/ESP"; fsType = "vfat"; };
}
`,
    },
  },
  checkConfiguration(ctx) {
    const { config } = ctx;
    const loader = ctx.facts.efiLoader;
    if (!loader) return;
    const mp = config.string('boot.loader.efi.efiSysMountPoint');
    if (mp === undefined) return; // set, but not statically known
    const espMount = mp === 'unset' ? '/boot' : mp.value;
    const fss = ctx.facts.mountedFileSystems;
    if (fss.some((f) => f.fsType.unknown && !f.conditional)) return; // an unknown filesystem could be the ESP
    const vfat = fss.filter((f) => f.fsType.value === 'vfat' && !f.conditional);
    if (!vfat.length || vfat.some((f) => samePlace(f.mountPoint, espMount))) return;
    // GRUB's mirrored boots each install to their own ESP (`efiSysMountPoint`, else the mirror's `path`).
    const mirrors = loader.name === 'GRUB' ? mirroredEspPaths(config, ctx.force) : [];
    if (mirrors === undefined || vfat.some((f) => mirrors.some((m) => samePlace(m, f.mountPoint)))) return;
    // The ESP is the vfat filesystem in /boot-ish places; with several, the one under /boot.
    const esp = vfat.find((f) => /^\/boot|^\/efi/.test(f.mountPoint)) ?? vfat[0];
    if (!esp.at) return;
    const fixes: RuleFix[] = [];
    const setPoint =
      mp !== 'unset'
        ? replaceValue(mp.def, nixString(esp.mountPoint))
        : insertSibling(
            loader.def,
            ['boot', 'loader', 'efi', 'efiSysMountPoint'],
            nixString(esp.mountPoint),
            ctx.sources,
          );
    if (setPoint)
      fixes.push({
        title: `Set boot.loader.efi.efiSysMountPoint = "${esp.mountPoint}"`,
        edits: [setPoint],
        preferred: true,
      });
    const mountKey =
      esp.origin === 'fileSystems'
        ? mountPointKey(config.defsUnder(['fileSystems', esp.mountPoint]))
        : undefined;
    const taken = fss.some((f) => samePlace(f.mountPoint, espMount));
    if (mountKey && !taken)
      fixes.push({
        title: `Mount the ESP at ${espMount}`,
        edits: [{ at: mountKey, newText: attrName(espMount) }],
      });
    if (esp.origin === 'disko' && esp.at && !taken)
      fixes.push({
        title: `Mount the ESP at ${espMount}`,
        edits: [{ at: esp.at, newText: nixString(espMount) }],
      });
    ctx.report({
      at: esp.at,
      message:
        `the EFI System Partition is mounted at ${esp.mountPoint}, but ${loader.name} installs to ${espMount} ` +
        `(boot.loader.efi.efiSysMountPoint${mp === 'unset' ? ', by default' : ''}): the machine would not boot the new system`,
      fixes,
      related: [{ at: loader.def.at ?? esp.at, message: `${loader.name} is enabled here` }],
    });
  },
};

/**
 * Where `boot.loader.grub.mirroredBoots` installs GRUB for EFI: [] when it is not set, undefined when nixkit cannot
 * read every mirror.
 */
function mirroredEspPaths(config: NixosConfiguration, force: (t: Thunk) => Value): string[] | undefined {
  const option = ['boot', 'loader', 'grub', 'mirroredBoots'];
  if (config.isUncertainUnder(option)) return undefined;
  const paths: string[] = [];
  for (const d of config.defsUnder(option)) {
    if (d.path.length !== option.length || d.value.t !== 'list') return undefined;
    for (const item of d.value.items) {
      const mirror = force(item);
      if (mirror.t !== 'attrs' || mirror.dynamic) return undefined;
      const where = mirror.attrs.get('efiSysMountPoint') ?? mirror.attrs.get('path');
      const v = where && force(where);
      // `efiSysMountPoint = null` means the mirror's `path`.
      const p = v?.t === 'null' ? mirror.attrs.get('path') && force(mirror.attrs.get('path')!) : v;
      if (p?.t !== 'str' && p?.t !== 'path') return undefined;
      paths.push(p.v);
    }
  }
  return paths;
}

/** The source of the mount point key in `fileSystems."/boot/efi"…` (index 1 of the option path). */
function mountPointKey(defs: readonly Definition[]) {
  for (const d of defs) if (d.pathAt[1]) return d.pathAt[1];
  return undefined;
}
