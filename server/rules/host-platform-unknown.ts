import { clip } from '../findings';
import { nixString } from '../rule-api/edits';
import { checkPlatform, looksLikeToolOutput, platformSuggestion } from '../data/systems';
import { flakeSystemOf, modulePlatforms, resolveHostPlatform } from '../facts/platform';
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
    'stops. Values nixkit cannot read statically, such as `lib.systems.examples.*`, are left alone. A bad value ' +
    'that is never read (the `system` argument or a `mkDefault` hostPlatform while another hostPlatform ' +
    'definition wins) is information: the build does not fail on it until it is the one read.',
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
    // Once nixpkgs.hostPlatform is defined, NixOS builds from it alone: the `system` argument, nixpkgs.system
    // and a hostPlatform definition that loses by priority are never read. A typo there fails nothing (yet).
    const host = resolveHostPlatform(ctx.config, (t) => ctx.unit.evaluator.force(t));
    const unread = (s: (typeof settings)[number]) =>
      host.state !== 'unset' &&
      !(
        s.option.startsWith('nixpkgs.hostPlatform') &&
        (host.state === 'unknown' || s.def === host.setting.def)
      );
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
      const dead = unread(s);
      ctx.report({
        at: s.valueAt,
        severity: dead ? 'information' : undefined,
        message:
          `${s.option}: ${why}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}` +
          (dead
            ? `; it is not read while ${host.state === 'known' ? host.setting.option : 'nixpkgs.hostPlatform'} is set, so the build does not fail on it`
            : ''),
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
