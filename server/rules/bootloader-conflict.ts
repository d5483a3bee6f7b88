import { absenceUnsure, enableState, OTHER_LOADERS } from '../facts/boot';
import type { Rule } from '../rule-api/rule';

const HARDWARE = `{ ... }:
{
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
  fileSystems."/boot" = { device = "/dev/disk/by-label/BOOT"; fsType = "vfat"; };
}
`;

/** A module every host imports, which enables systemd-boot by default. */
const COMMON = `{ lib, ... }:
{
  boot.loader.systemd-boot.enable = lib.mkDefault true;
  boot.loader.efi.canTouchEfiVariables = true;
}
`;

/** lanzaboote installs through `boot.loader.external` itself; it is checked as the pair it documents. */
const CHECKED = OTHER_LOADERS.filter((l) => l.name !== 'lanzaboote' && l.name !== 'an external bootloader');

export const bootloaderConflict: Rule = {
  code: 'bootloader-conflict',
  severity: 'error',
  title: 'Two bootloaders are enabled',
  explanation:
    'Each bootloader module of NixOS (GRUB, systemd-boot, extlinux, Limine, an external one) installs itself ' +
    'through `system.build.installBootLoader`, which takes one value: with two enabled, evaluation stops with ' +
    '"Only one bootloader can be enabled at a time". It happens when a shared module enables one loader (often ' +
    'with `mkDefault`) and a host enables another: systemd-boot turns GRUB off only with `mkDefault false`, so a ' +
    'plain `boot.loader.grub.enable = true` beside it enables both. Turn the unwanted one off in the host ' +
    '(`boot.loader.systemd-boot.enable = false;`, with `lib.mkForce` if a module sets it). Reported only when ' +
    'both are certainly on and no module nixkit cannot read takes part.',
  bad: {
    files: {
      'configuration.nix': `{ lib, ... }:
{
  imports = [ ./common.nix ./hardware-configuration.nix ];
  boot.loader.grub.enable = true;
  boot.loader.grub.efiSupport = true;
  boot.loader.grub.device = "nodev";
  system.stateVersion = "24.11";
}
`,
      'common.nix': COMMON,
      'hardware-configuration.nix': HARDWARE,
    },
    expect: ['configuration.nix:4'],
  },
  good: {
    files: {
      'configuration.nix': `{ lib, ... }:
{
  imports = [ ./common.nix ./hardware-configuration.nix ];
  boot.loader.systemd-boot.enable = false;
  boot.loader.grub.enable = true;
  boot.loader.grub.efiSupport = true;
  boot.loader.grub.device = "nodev";
  system.stateVersion = "24.11";
}
`,
      'common.nix': COMMON,
      'hardware-configuration.nix': HARDWARE,
    },
  },
  checkConfiguration(ctx) {
    const { config } = ctx;
    // A module nixkit cannot read may turn one of them off (with mkForce).
    if (absenceUnsure(config, ctx.sources)) return;
    const on = CHECKED.flatMap((l) => {
      const s = enableState(config, l.option);
      return s.state === 'on' && !s.def.conditional ? [{ name: l.name, def: s.def }] : [];
    });
    const grub = ctx.facts.loaders.grub;
    if (grub.state === 'on' && grub.def && !grub.byDefault && !grub.def.conditional)
      on.push({ name: 'GRUB', def: grub.def });
    if (on.length < 2) return;
    // Reported where the later choice is written: usually the host, over a shared module's default.
    const [first, second] = [...on].sort((a, b) => a.def.priority - b.def.priority || 0);
    const at = (second.def.priority === first.def.priority ? on[on.length - 1] : first).def.at;
    if (!at) return;
    const others = on.filter((l) => l.def.at !== at).map((l) => l.name);
    const self = on.find((l) => l.def.at === at)!.name;
    ctx.report({
      at,
      message:
        `${self} is enabled here, and ${others.join(' and ')} as well: NixOS allows one bootloader, so evaluation ` +
        'stops ("Only one bootloader can be enabled at a time"); turn the other one off',
    });
  },
};
