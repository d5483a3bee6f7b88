import { checkPlatform } from '../data/systems';
import { flakeSystemOf, hostPlatformOf } from '../facts/platform';
import type { Source } from '../model/value';
import type { Rule } from '../rule-api/rule';

export const hostPlatformConflict: Rule = {
  code: 'host-platform-conflict',
  severity: 'warning',
  title: "The flake's system and the modules' nixpkgs.hostPlatform disagree",
  explanation:
    'A configuration can say its platform twice: `system = …` given to `nixosSystem` in flake.nix, and ' +
    '`nixpkgs.hostPlatform` in a module (nixos-generate-config writes it into hardware-configuration.nix). When ' +
    'both are set, `nixpkgs.hostPlatform` wins, so the system is built for a different machine than the flake ' +
    'says: an aarch64 system for an x86_64 machine does not boot, and building it on the wrong machine needs ' +
    'emulation. Make both say the platform of the machine you install, or drop `system` from the flake.',
  bad: {
    files: {
      'flake.nix': `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = { nixpkgs, ... }: {
    nixosConfigurations.box = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./configuration.nix ];
    };
  };
}
`,
      'configuration.nix': `{ lib, ... }:
{
  nixpkgs.hostPlatform = lib.mkDefault "aarch64-linux";
  system.stateVersion = "24.11";
}
`,
    },
    expect: ['flake.nix:5'],
  },
  good: {
    files: {
      'flake.nix': `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = { nixpkgs, ... }: {
    nixosConfigurations.box = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./configuration.nix ];
    };
  };
}
`,
      'configuration.nix': `{ lib, ... }:
{
  nixpkgs.hostPlatform = lib.mkDefault "x86_64-linux";
  system.stateVersion = "24.11";
}
`,
    },
  },
  checkConfiguration(ctx) {
    const flake = flakeSystemOf(ctx.config);
    const host = hostPlatformOf(ctx.config);
    if (!flake?.valueAt || !host?.valueAt || flake.value === host.value) return;
    // Invalid values are host-platform-unknown's and host-platform-corrupted's business.
    if (!checkPlatform(flake.value).ok || !checkPlatform(host.value).ok) return;
    // A fleet builder that writes one `system` for every machine while each machine's own hardware module says
    // its platform: the machine's own value is meant to win, and it does (the flake's is only a default).
    const sameAt = (a?: Source, b?: Source) =>
      !!a && !!b && a.file === b.file && a.span.start === b.span.start && a.span.end === b.span.end;
    const others = ctx.project.configurations.filter((c) => c !== ctx.config);
    const systemShared = others.some((c) => sameAt(flakeSystemOf(c)?.valueAt, flake.valueAt));
    const hostOwn = !others.some((c) => c.files.has(host.valueAt!.file));
    if (systemShared && hostOwn) return;
    ctx.report({
      at: flake.valueAt,
      message:
        `nixosConfigurations.${ctx.config.name} says system = "${flake.value}", but ${host.option} is ` +
        `"${host.value}", which wins: the system is built for ${host.value}`,
      related: [{ at: host.valueAt, message: `${host.option} = "${host.value}"` }],
      fixes: [
        {
          title: `Use "${host.value}" in the flake too`,
          edits: [{ at: flake.valueAt, newText: `"${host.value}"` }],
        },
      ],
    });
  },
};
