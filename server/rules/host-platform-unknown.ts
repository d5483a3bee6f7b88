import { clip } from '../findings';
import { nixString } from '../rule-api/edits';
import { checkPlatform, looksLikeToolOutput, platformSuggestion } from '../data/systems';
import { flakeSystemOf, modulePlatforms } from '../facts/platform';
import type { Rule } from '../rule-api/rule';

export const hostPlatformUnknown: Rule = {
  code: 'host-platform-unknown',
  severity: 'error',
  title: 'The host platform is not a Linux system NixOS can be built for',
  explanation:
    'NixOS builds the whole system for the platform in `nixpkgs.hostPlatform` (or the `system` given to ' +
    '`nixosSystem`): a Linux system double such as `x86_64-linux` or `aarch64-linux`. A misspelt double ' +
    '(`x86-64-linux`, `x86_64-linxu`) makes nixpkgs fail to parse the platform, and a macOS or BSD double ' +
    '(`aarch64-darwin`) describes a machine NixOS cannot run on; either way nothing is built and the install ' +
    'stops. Values nixkit cannot read statically, such as `lib.systems.examples.*`, are left alone.',
  bad: {
    files: {
      'flake.nix': `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = { nixpkgs, ... }: {
    nixosConfigurations.box = nixpkgs.lib.nixosSystem {
      modules = [ ./configuration.nix ];
    };
  };
}
`,
      'configuration.nix': `{ lib, ... }:
{
  nixpkgs.hostPlatform = lib.mkDefault "x86-64-linux";
  system.stateVersion = "24.11";
}
`,
    },
    expect: ['configuration.nix:3'],
  },
  good: {
    files: {
      'flake.nix': `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = { nixpkgs, ... }: {
    nixosConfigurations.box = nixpkgs.lib.nixosSystem {
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
    const settings = [...modulePlatforms(ctx.config)];
    const flake = flakeSystemOf(ctx.config);
    if (flake) settings.push(flake);
    for (const s of settings) {
      if (!s.valueAt || looksLikeToolOutput(s.value)) continue; // host-platform-corrupted says it better
      const check = checkPlatform(s.value);
      if (check.ok) continue;
      // Only now, with a finding to show: the suggestion's work is bounded, but no work beats bounded work.
      const suggestion = platformSuggestion(s.value, check);
      const why =
        check.reason === 'not-linux'
          ? `"${clip(s.value)}" is not a Linux system: NixOS only runs on Linux`
          : `"${clip(s.value)}" is not a system nixpkgs knows`;
      ctx.report({
        at: s.valueAt,
        message: `${s.option}: ${why}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`,
        fixes: suggestion
          ? [
              {
                title: `Use "${suggestion}"`,
                edits: [{ at: s.valueAt, newText: nixString(suggestion) }],
                preferred: true,
              },
            ]
          : [],
      });
    }
  },
};
