import { wholeSetLabel } from '../../protocol/lsp-ext';
import type { Rule } from '../rule-api/rule';

const HOSTS = `{ ... }:
{
  networking.hostName = "web";
  system.stateVersion = "24.11";
}
`;

export const configurationNotFollowed: Rule = {
  code: 'configuration-not-followed',
  severity: 'information',
  title: 'nixkit could not follow how a machine is built, so it is not checked',
  explanation:
    "nixkit finds machines the way Nix does: it evaluates the flake's `outputs` with its inputs, and reads each " +
    '`nixosConfigurations` entry built with `nixosSystem` (also through flake-parts, flake-utils, colmena, haumea, Snowfall Lib and ' +
    "your own helper functions). When machines come from a library it does not know (a company's fleet " +
    'builder, clan-core, den) or from an expression it cannot evaluate without Nix, it says so here, once, ' +
    'at that expression, with what stopped it, instead of guessing: no rule checks a machine it could not ' +
    'follow, and rules about something missing stay silent for machines it read only in part. With ' +
    '`nixkit.evaluate` (or `nixkit check --eval`) nixkit also asks Nix for the machine names and names those it ' +
    'missed.',
  bad: {
    files: {
      'flake.nix': `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  inputs.fleet.url = "github:example-corp/fleet";
  outputs = { self, nixpkgs, fleet, ... }: {
    nixosConfigurations = fleet.lib.mkFleet { hosts = [ ./hosts/web.nix ]; };
  };
}
`,
      'hosts/web.nix': HOSTS,
    },
    expect: ['flake.nix:5'],
  },
  good: {
    files: {
      'flake.nix': `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = { self, nixpkgs, ... }: {
    nixosConfigurations.web = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./hosts/web.nix ./hosts/web-hardware.nix ];
    };
  };
}
`,
      'hosts/web.nix': `{ ... }:
{
  networking.hostName = "web";
  boot.loader.systemd-boot.enable = true;
  users.users.root.openssh.authorizedKeys.keys = [ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl admin" ];
  services.openssh.enable = true;
  system.stateVersion = "24.11";
}
`,
      'hosts/web-hardware.nix': `{ ... }:
{
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
  fileSystems."/boot" = { device = "/dev/disk/by-label/BOOT"; fsType = "vfat"; };
}
`,
    },
  },
  checkProject(ctx) {
    for (const c of ctx.project.coverage) {
      if (c.status !== 'not-followed' || !c.at) continue;
      const what = wholeSetLabel(c.name) ?? `machine "${c.name}"`;
      // A set of which nixkit read some machines: what it could not follow is the rest.
      const some =
        !!wholeSetLabel(c.name) &&
        ctx.project.coverage.some((o) => o.file === c.file && o.status !== 'not-followed');
      ctx.report({
        at: c.at,
        message: some
          ? `${what} could not be followed entirely, so nixkit checks only the machines it read: ${c.reasons.join('; ')}`
          : `${what} could not be followed, so nixkit does not check it: ${c.reasons.join('; ')}`,
      });
    }
  },
};
