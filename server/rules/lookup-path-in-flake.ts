// `<nixos-wsl/modules>` among a flake machine's modules: a lookup path, which Nix refuses in a flake's pure
// evaluation. One finding per import, at the import.
import type { Rule } from '../rule-api/rule';

/** The examples' flake: one machine from configuration.nix. */
const FLAKE = `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = { self, nixpkgs, ... }: {
    nixosConfigurations.box = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./configuration.nix ];
    };
  };
}
`;

export const lookupPathInFlake: Rule = {
  code: 'lookup-path-in-flake',
  severity: 'warning',
  title: 'A flake machine imports a module by a lookup path (<…>)',
  explanation:
    'A lookup path such as `<nixpkgs/nixos/modules/profiles/minimal.nix>` or `<nixos-wsl/modules>` is found ' +
    'through `NIX_PATH` and the channels of the machine that evaluates it. A flake is evaluated in pure mode: ' +
    "`nixos-rebuild --flake`, `nixos-install --flake` and `nix build` stop with \"cannot look up '<…>' in pure " +
    'evaluation mode" unless run with `--impure`, and then the result depends on that machine\'s channels, not on ' +
    "flake.lock. Use the flake input's module instead (`inputs.nixos-wsl.nixosModules.default`), or " +
    '`modulesPath + "/profiles/minimal.nix"` for a module of nixpkgs. nixkit does not read what a lookup path ' +
    'names, so the machine is partly read.',
  bad: {
    files: {
      'flake.nix': FLAKE,
      'configuration.nix': `{ ... }:
{
  imports = [ <nixpkgs/nixos/modules/profiles/minimal.nix> ];
  boot.isContainer = true;
  system.stateVersion = "24.11";
}
`,
    },
    expect: ['configuration.nix:3'],
  },
  good: {
    files: {
      'flake.nix': FLAKE,
      'configuration.nix': `{ modulesPath, ... }:
{
  imports = [ (modulesPath + "/profiles/minimal.nix") ];
  boot.isContainer = true;
  system.stateVersion = "24.11";
}
`,
    },
  },
  checkConfiguration(ctx) {
    const { config } = ctx;
    // Only machines a flake builds: without a flake, NIX_PATH is how such a configuration is meant to be read.
    if (config.entry.kind !== 'flake' || !config.entry.file.endsWith('flake.nix')) return;
    for (const m of config.modules) {
      // (`<nixpkgs>/nixos/modules/…` is how nixkit names a file of an input's source: no lookup path)
      if (m.kind !== 'external' || !/^<[^>]+>$/.test(m.name) || !m.src) continue;
      ctx.report({
        at: m.src,
        message:
          `${m.name} is a lookup path: evaluating the flake fails with "cannot look up '${m.name}' in pure ` +
          "evaluation mode\" unless run with --impure (use the flake input's module, or modulesPath for nixpkgs')",
      });
    }
  },
};
