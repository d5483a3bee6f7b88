import * as path from 'node:path';
import { gitAbsence } from '../model/git-absence';
import { addImport } from '../rule-api/rewrite';
import type { Rule, RuleFix } from '../rule-api/rule';

export const hardwareConfigNotImported: Rule = {
  code: 'hardware-config-not-imported',
  severity: 'warning',
  title: 'A hardware-configuration.nix that no configuration imports',
  explanation:
    "nixos-generate-config writes the machine's filesystems, swap, kernel modules for its disks and its platform " +
    'into hardware-configuration.nix, and configuration.nix imports it. When no configuration reaches that file ' +
    '(a flake whose `modules` forgot it, an import dropped while moving files around), the system is built ' +
    'without a root filesystem or the drivers to find it: evaluation fails, or the machine does not boot. Import ' +
    'it from the configuration of the machine it was generated on. nixkit stays quiet when a configuration has ' +
    'modules it cannot read, which might import it, for a file in a folder no machine reads (a copy left behind), ' +
    'and for one whose import is commented out beside another (an alternative switched off).',
  bad: {
    files: {
      'flake.nix': `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = { nixpkgs, ... }: {
    nixosConfigurations.box = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./hosts/box/configuration.nix ];
    };
  };
}
`,
      'hosts/box/configuration.nix': `{ ... }:
{
  networking.hostName = "box";
  system.stateVersion = "24.11";
}
`,
      'hosts/box/hardware-configuration.nix': `{ lib, ... }:
{
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
  nixpkgs.hostPlatform = lib.mkDefault "x86_64-linux";
}
`,
    },
    expect: ['hosts/box/hardware-configuration.nix:1'],
  },
  good: {
    files: {
      'flake.nix': `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = { nixpkgs, ... }: {
    nixosConfigurations.box = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./hosts/box/configuration.nix ];
    };
  };
}
`,
      'hosts/box/configuration.nix': `{ ... }:
{
  imports = [ ./hardware-configuration.nix ];
  networking.hostName = "box";
  system.stateVersion = "24.11";
}
`,
      'hosts/box/hardware-configuration.nix': `{ lib, ... }:
{
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
  nixpkgs.hostPlatform = lib.mkDefault "x86_64-linux";
}
`,
    },
  },
  checkProject(ctx) {
    const hw = ctx.files.filter((f) => path.basename(f) === 'hardware-configuration.nix');
    if (!hw.length) return;
    const units = ctx.project.analysisUnits;
    const configs = ctx.project.configurations;
    if (!configs.length) return;
    // A flake whose configurations nixkit could not enumerate, or a configuration with modules nixkit cannot
    // read: either might import the file.
    if (units.some((u) => u.kind === 'flake' && !u.configurations.length)) return;
    if (configs.some((c) => c.hasOpaqueModules || c.modules.some((m) => m.kind === 'unknown'))) return;
    // Machines share most of their files (150 hosts over the same 1,800 modules): each file is looked at once.
    const reached = new Set<string>();
    // Folders whose modules some machine reads: a hardware-configuration.nix elsewhere belongs to no machine
    // nixkit knows (a leftover copy beside a stub), and which build it would be missing from is not known.
    const machineDirs = new Set<string>();
    for (const c of configs)
      for (const f of c.files) {
        if (reached.has(f)) continue;
        reached.add(f);
        if (path.basename(f) !== 'flake.nix') machineDirs.add(path.dirname(f));
      }
    for (const u of units) for (const f of u.files) reached.add(f);
    // Hosts nixkit does not check (a configuration.nix only unknown files import, nix-darwin's, one behind a
    // per-machine link): their hardware-configuration.nix is theirs, imported or not.
    const unchecked = new Set(
      [...ctx.project.notNixos, ...ctx.project.unfollowedConfigurations].map((c) => path.dirname(c.file)),
    );
    // An import through a folder git ignores (`./host/hardware-configuration.nix`, `host` a link to
    // `hosts/<name>`) may reach any hardware-configuration.nix below the link's folder.
    const links = configs
      .flatMap((c) => c.modules)
      .filter(
        (m) => m.kind === 'missing' && !ctx.sources.isDirectory(path.dirname(m.file)) && gitAbsence(m.file),
      )
      .map((m) => path.dirname(path.dirname((m as { file: string }).file)));
    // `# ./computers/vm/hardware-configuration.nix` beside the import in use: an alternative switched off on purpose.
    let commented: string | undefined;
    const commentedOut = (file: string) => {
      commented ??= [...reached]
        .flatMap((f) => {
          const parsed = ctx.sources.parsed(f);
          return parsed
            ? parsed.ast.comments.map((c) => parsed.lines.text.slice(c.span.start, c.span.end))
            : [];
        })
        .join('\n');
      return commented.includes(`${path.basename(path.dirname(file))}/hardware-configuration.nix`);
    };
    for (const file of hw) {
      if (reached.has(file) || unchecked.has(path.dirname(file)) || commentedOut(file)) continue;
      if (!machineDirs.has(path.dirname(file))) continue;
      if (links.some((dir) => file.startsWith(dir + path.sep))) continue;
      const fixes: RuleFix[] = [];
      const dir = path.dirname(file);
      const sibling = ['configuration.nix', 'default.nix']
        .map((n) => path.join(dir, n))
        .find((f) => configs.some((c) => c.files.has(f)));
      if (sibling) {
        const edit = addImport(sibling, './hardware-configuration.nix', ctx.sources);
        if (edit)
          fixes.push({
            title: `Import it from ${path.basename(sibling)}`,
            edits: [edit],
            preferred: true,
          });
      }
      ctx.report({
        at: { file, span: { start: 0, end: 0 } },
        message:
          `no configuration imports this hardware-configuration.nix` +
          (sibling ? ` (${path.basename(sibling)} beside it does not)` : '') +
          `: its filesystems, boot modules and platform are left out of the build`,
        fixes,
      });
    }
  },
};
