// Repositories in the shapes NixOS configurations are really kept in (written for nixkit, not copied): flake-parts
// with imported parts, hosts from folders, own builders, joined outputs, nix-darwin and home-manager beside NixOS,
// templates, colmena, deploy-rs, builders nixkit cannot know, the /etc/nixos layout, nixkit.toml machines. Each
// says which machines nixkit must find (name, platform, how much it read) and the exact findings.

export interface Shape {
  name: string;
  files: Record<string, string>;
  machines: {
    name: string;
    status: 'read' | 'partial' | 'not-followed';
    platform?: string;
    /** What the coverage must say stopped or limited nixkit. */
    reason?: RegExp;
  }[];
  /** Every finding, as `code path:line` (1-based), sorted. */
  findings: string[];
}

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl admin';

/** A complete NixOS host: nothing for any rule to report. */
export function host(name: string, extra = ''): string {
  return `{ config, lib, pkgs, ... }:
{
  boot.loader.systemd-boot.enable = true;
  boot.loader.efi.canTouchEfiVariables = true;
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
  fileSystems."/boot" = { device = "/dev/disk/by-label/BOOT"; fsType = "vfat"; options = [ "fmask=0077" "dmask=0077" ]; };
  networking.hostName = "${name}";
  users.users.admin = {
    isNormalUser = true;
    extraGroups = [ "wheel" ];
    openssh.authorizedKeys.keys = [ "${KEY}" ];
  };
  services.openssh.enable = true;
  system.stateVersion = "24.11";${extra}
}
`;
}

/** A host that gets its disks, boot loader and users from somewhere nixkit cannot see (a fleet's base module). */
const BARE = (name: string) => `{ ... }:
{
  networking.hostName = "${name}";
}
`;

const NIXPKGS = 'inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";';

/** A flake of its own in hosts/alpha that builds the machine alpha (for roots that re-export it). */
const ALPHA_SUBFLAKE: Record<string, string> = {
  'hosts/alpha/flake.nix': `{
  ${NIXPKGS}
  outputs = { self, nixpkgs }: {
    nixosConfigurations.alpha = nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./configuration.nix ]; };
  };
}
`,
  'hosts/alpha/configuration.nix': host('alpha'),
};

const DARWIN_HOST = `{ pkgs, ... }:
{
  homebrew.enable = true;
  homebrew.casks = [ "firefox" ];
  services.nix-daemon.enable = true;
  nixpkgs.hostPlatform = "aarch64-darwin";
  system.stateVersion = 5;
}
`;

const HOME = `{ pkgs, ... }:
{
  home.username = "alice";
  home.homeDirectory = "/home/alice";
  programs.git.enable = true;
  home.stateVersion = "24.11";
}
`;

const X86 = 'x86_64-linux';

export const SHAPES: Shape[] = [
  {
    name: 'plain flake',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { self, nixpkgs }: {
    nixosConfigurations.box = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./configuration.nix ];
    };
  };
}
`,
      'configuration.nix': host('box'),
    },
    machines: [{ name: 'box', status: 'read', platform: X86 }],
    findings: [],
  },
  {
    name: 'flake-parts with imported parts, withSystem, an input named by its URL only',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.fp.url = "github:hercules-ci/flake-parts";
  outputs = inputs@{ fp, ... }: fp.lib.mkFlake { inherit inputs; } {
    systems = [ "x86_64-linux" "aarch64-linux" ];
    imports = [ ./hosts ./parts/pi.nix ];
    perSystem = { pkgs, ... }: { packages.default = pkgs.hello; };
  };
}
`,
      'hosts/default.nix': `{ inputs, withSystem, ... }:
{
  flake.nixosConfigurations.web = withSystem "x86_64-linux" ({ system, ... }:
    inputs.nixpkgs.lib.nixosSystem {
      inherit system;
      specialArgs = { inherit inputs; };
      modules = [ ./web.nix ];
    });
}
`,
      'hosts/web.nix': host('web'),
      'parts/pi.nix': `{ inputs, self, lib, config, ... }:
{
  flake.nixosConfigurations.pi = inputs.nixpkgs.lib.nixosSystem {
    system = "aarch64-linux";
    modules = [ ../hosts/pi.nix ];
  };
}
`,
      'hosts/pi.nix': host('pi'),
    },
    machines: [
      { name: 'pi', status: 'read', platform: 'aarch64-linux' },
      { name: 'web', status: 'read', platform: X86 },
    ],
    findings: [],
  },
  {
    name: 'hosts from a folder: readDir, filter, genAttrs',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { self, nixpkgs, ... }:
    let
      entries = builtins.readDir ./hosts;
      names = builtins.filter (n: entries.\${n} == "directory") (builtins.attrNames entries);
    in {
      nixosConfigurations = nixpkgs.lib.genAttrs names (name: nixpkgs.lib.nixosSystem {
        system = "x86_64-linux";
        modules = [ ./hosts/\${name} ./modules/common.nix ];
      });
    };
}
`,
      'hosts/alpha/default.nix': host('alpha'),
      'hosts/beta/default.nix': host('beta'),
      'hosts/README.nix': '{ }\n',
      'modules/common.nix': '{ ... }: { time.timeZone = "UTC"; }\n',
    },
    machines: [
      { name: 'alpha', status: 'read', platform: X86 },
      { name: 'beta', status: 'read', platform: X86 },
    ],
    findings: [],
  },
  {
    name: 'hosts from a list: listToAttrs, map, nameValuePair, path + string',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { self, nixpkgs, ... }:
    let
      hosts = [ "one" "two" ];
      mk = name: nixpkgs.lib.nameValuePair name (nixpkgs.lib.nixosSystem {
        system = "x86_64-linux";
        modules = [ (./machines + "/\${name}.nix") ];
      });
    in {
      nixosConfigurations = builtins.listToAttrs (map mk hosts);
    };
}
`,
      'machines/one.nix': host('one'),
      'machines/two.nix': host('two'),
    },
    machines: [
      { name: 'one', status: 'read', platform: X86 },
      { name: 'two', status: 'read', platform: X86 },
    ],
    findings: [],
  },
  {
    name: 'own mkHost in lib/ with specialArgs, inherit (nixpkgs) lib',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = inputs@{ self, nixpkgs, ... }:
    let
      inherit (nixpkgs) lib;
      myLib = import ./lib { inherit inputs lib; };
    in {
      nixosConfigurations = {
        laptop = myLib.mkHost { name = "laptop"; };
        server = myLib.mkHost { name = "server"; system = "aarch64-linux"; };
      };
    };
}
`,
      'lib/default.nix': `{ inputs, lib }:
{
  mkHost = { name, system ? "x86_64-linux", extraModules ? [ ] }:
    lib.nixosSystem {
      inherit system;
      specialArgs = { inherit inputs; hostName = name; };
      modules = [ ../hosts/\${name}/configuration.nix ] ++ extraModules;
    };
}
`,
      'hosts/laptop/configuration.nix': host('laptop'),
      'hosts/server/configuration.nix': host('server'),
    },
    machines: [
      { name: 'laptop', status: 'read', platform: X86 },
      { name: 'server', status: 'read', platform: 'aarch64-linux' },
    ],
    findings: [],
  },
  {
    name: 'joined outputs: nixosConfigurations // flake-utils.lib.eachDefaultSystem',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.flake-utils.url = "github:numtide/flake-utils";
  outputs = { self, nixpkgs, flake-utils }:
    {
      nixosConfigurations.nas = nixpkgs.lib.nixosSystem {
        system = "x86_64-linux";
        modules = [ ./nas.nix ];
      };
    }
    // flake-utils.lib.eachDefaultSystem (system:
      let pkgs = nixpkgs.legacyPackages.\${system}; in {
        devShells.default = pkgs.mkShell { packages = [ pkgs.nixpkgs-fmt ]; };
      });
}
`,
      'nas.nix': host('nas'),
    },
    machines: [{ name: 'nas', status: 'read', platform: X86 }],
    findings: [],
  },
  {
    name: 'joined outputs: recursiveUpdate of two output sets',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { self, nixpkgs }:
    nixpkgs.lib.recursiveUpdate
      { nixosConfigurations.a = nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./a.nix ]; }; }
      { nixosConfigurations.b = nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./b.nix ]; }; };
}
`,
      'a.nix': host('a'),
      'b.nix': host('b'),
    },
    machines: [
      { name: 'a', status: 'read', platform: X86 },
      { name: 'b', status: 'read', platform: X86 },
    ],
    findings: [],
  },
  {
    name: "joined outputs: foldl' over a list of output sets",
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.utils.url = "github:numtide/flake-utils";
  outputs = { self, nixpkgs, utils }:
    builtins.foldl' nixpkgs.lib.recursiveUpdate { } [
      { nixosConfigurations.gw = nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./gw.nix ]; }; }
      { nixosConfigurations.db = nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./db.nix ]; }; }
      (utils.lib.eachDefaultSystem (system: { formatter = nixpkgs.legacyPackages.\${system}.alejandra; }))
    ];
}
`,
      'gw.nix': host('gw'),
      'db.nix': host('db'),
    },
    machines: [
      { name: 'db', status: 'read', platform: X86 },
      { name: 'gw', status: 'read', platform: X86 },
    ],
    findings: [],
  },
  {
    name: 'nix-darwin beside NixOS: the darwin host is not a NixOS machine',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.darwin.url = "github:LnL7/nix-darwin";
  outputs = { self, nixpkgs, darwin }: {
    darwinConfigurations.mac = darwin.lib.darwinSystem {
      system = "aarch64-darwin";
      modules = [ ./hosts/mac/configuration.nix ];
    };
    nixosConfigurations.tower = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./hosts/tower/configuration.nix ];
    };
  };
}
`,
      'hosts/mac/configuration.nix': DARWIN_HOST,
      'hosts/tower/configuration.nix': host('tower'),
    },
    machines: [{ name: 'tower', status: 'read', platform: X86 }],
    findings: [],
  },
  {
    name: 'home-manager: its NixOS module, home-manager.users, homeConfigurations',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.hm.url = "github:nix-community/home-manager/release-24.11";
  inputs.hm.inputs.nixpkgs.follows = "nixpkgs";
  outputs = { self, nixpkgs, hm }: {
    nixosConfigurations.desk = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [
        ./desk.nix
        hm.nixosModules.home-manager
        { home-manager.users.alice = import ./home.nix; home-manager.useGlobalPkgs = true; }
      ];
    };
    homeConfigurations."alice@work" = hm.lib.homeManagerConfiguration {
      pkgs = nixpkgs.legacyPackages.x86_64-linux;
      modules = [ ./home.nix ];
    };
  };
}
`,
      'desk.nix': host('desk'),
      'home.nix': HOME,
    },
    machines: [{ name: 'desk', status: 'read', platform: X86 }],
    findings: [],
  },
  {
    name: 'templates: a skeleton flake with @HOSTNAME@ is not a machine',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { self, nixpkgs }: {
    templates.default = { path = ./templates/host; description = "a new host"; };
    nixosConfigurations.real = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./real.nix ];
    };
  };
}
`,
      'real.nix': host('real'),
      'templates/host/flake.nix': `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  outputs = { self, nixpkgs }: {
    nixosConfigurations."@HOSTNAME@" = nixpkgs.lib.nixosSystem {
      system = "@SYSTEM@";
      modules = [ ./configuration.nix ];
    };
  };
}
`,
      'templates/host/configuration.nix': `{ ... }:
{
  networking.hostName = "@HOSTNAME@";
}
`,
    },
    machines: [{ name: 'real', status: 'read', platform: X86 }],
    findings: [],
  },
  {
    name: 'colmena hive.nix without a flake: each node is a machine, deployment.* is colmena’s',
    files: {
      'hive.nix': `{
  meta = {
    nixpkgs = import <nixpkgs> { system = "x86_64-linux"; };
    specialArgs = { site = "fra1"; };
  };
  defaults = { pkgs, ... }: {
    time.timeZone = "UTC";
  };
  web = { name, nodes, site, ... }: {
    deployment.targetHost = "web.\${site}.example.org";
    deployment.tags = [ "web" ];
    imports = [ ./hosts/web/configuration.nix ];
  };
  db = { name, ... }: {
    deployment.targetHost = "db.example.org";
    imports = [ ./hosts/db/configuration.nix ];
  };
}
`,
      'hosts/web/configuration.nix': host('web'),
      'hosts/db/configuration.nix': host('db'),
    },
    machines: [
      { name: 'db', status: 'read' },
      { name: 'web', status: 'read' },
    ],
    findings: [],
  },
  {
    name: 'colmena in a flake: colmenaHive = makeHive self.colmena',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.colmena.url = "github:zhaofengli/colmena";
  outputs = { self, nixpkgs, colmena }: {
    colmena = {
      meta.nixpkgs = import nixpkgs { system = "x86_64-linux"; };
      edge = { ... }: { deployment.targetHost = "edge.example.org"; imports = [ ./edge.nix ]; };
    };
    colmenaHive = colmena.lib.makeHive self.colmena;
  };
}
`,
      'edge.nix': host('edge'),
    },
    machines: [{ name: 'edge', status: 'read', platform: X86 }],
    findings: [],
  },
  {
    name: 'colmenaHive published under legacyPackages.<system> (colmena asks Nix for .#colmenaHive)',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.colmena.url = "github:zhaofengli/colmena";
  outputs = { self, nixpkgs, colmena }: {
    legacyPackages.x86_64-linux.colmenaHive = colmena.lib.makeHive {
      meta.nixpkgs = import nixpkgs { system = "x86_64-linux"; };
      gateway = { deployment.targetHost = "10.0.0.1"; imports = [ ./gateway.nix ]; };
      media = { deployment.targetHost = "10.0.0.2"; imports = [ ./media.nix ]; };
    };
  };
}
`,
      'gateway.nix': host('gateway'),
      'media.nix': host('media'),
    },
    machines: [
      { name: 'gateway', status: 'read', platform: X86 },
      { name: 'media', status: 'read', platform: X86 },
    ],
    findings: [],
  },
  {
    name: 'haumea: one file per host loaded with the default loader (`inputs = args`), outputs merged from them',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.haumea = { url = "github:nix-community/haumea/v0.2.2"; inputs.nixpkgs.follows = "nixpkgs"; };
  outputs = inputs: import ./outputs inputs;
}
`,
      'outputs/default.nix': `{ self, nixpkgs, haumea, ... }@inputs:
let
  inherit (nixpkgs) lib;
  args = { inherit inputs lib; system = "x86_64-linux"; };
  data = haumea.lib.load { src = ./src; inputs = args; };
in
{
  nixosConfigurations = lib.attrsets.mergeAttrsList (map (it: it.nixosConfigurations or { }) (builtins.attrValues data));
}
`,
      // the file's function is called with what it names, from `inputs`
      'outputs/src/idols-ai.nix': `{ inputs, lib, system, ... }:
{
  nixosConfigurations.ai = inputs.nixpkgs.lib.nixosSystem { inherit system; modules = [ ../../hosts/ai.nix ]; };
}
`,
      'outputs/src/idols-ruby.nix': `{ inputs, system, ... }:
{
  nixosConfigurations.ruby = inputs.nixpkgs.lib.nixosSystem { inherit system; modules = [ ../../hosts/ruby.nix ]; };
}
`,
      // private to haumea (a leading underscore): never loaded as a host file
      'outputs/src/_template.nix': `{ inputs, ... }:
{
  nixosConfigurations.template = inputs.nixpkgs.lib.nixosSystem { modules = [ ../../hosts/template.nix ]; };
}
`,
      'hosts/ai.nix': host('ai'),
      'hosts/ruby.nix': host('ruby'),
      'hosts/template.nix': BARE('template'),
    },
    machines: [
      { name: 'ai', status: 'read', platform: X86 },
      { name: 'ruby', status: 'read', platform: X86 },
    ],
    findings: [],
  },
  {
    name: 'haumea: profiles loaded as paths (loaders.path), suites of them, a folder lifted with liftDefault',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.haumea.url = "github:nix-community/haumea";
  outputs = { self, nixpkgs, haumea, ... }:
    let
      profiles = haumea.lib.load { src = ./profiles; loader = haumea.lib.loaders.path; };
      roles = haumea.lib.load {
        src = ./roles;
        loader = haumea.lib.loaders.verbatim;
        transformer = haumea.lib.transformers.liftDefault;
      };
      suites = import ./suites.nix { inherit profiles; };
    in {
      nixosConfigurations.builder = nixpkgs.lib.nixosSystem {
        system = "aarch64-linux";
        modules = suites.core ++ [ roles.server ./hosts/builder.nix ];
      };
    };
}
`,
      'suites.nix': `{ profiles }: {
  core = [ profiles.core.ssh profiles.core.nix-config profiles.networking.resolved ];
}
`,
      'profiles/core/ssh.nix': `{ ... }: { services.openssh.enable = true; }\n`,
      'profiles/core/nix-config.nix': `{ ... }: { nix.settings.experimental-features = [ "nix-command" "flakes" ]; }\n`,
      'profiles/networking/resolved.nix': `{ ... }: { services.resolved.enable = true; }\n`,
      // lifted: roles.server is the `server` of roles/default.nix
      'roles/default.nix': `{ server = { ... }: { networking.firewall.enable = true; }; }\n`,
      'hosts/builder.nix': host('builder'),
    },
    machines: [{ name: 'builder', status: 'read', platform: 'aarch64-linux' }],
    findings: [],
  },
  {
    name: 'haumea with a transformer nixkit does not follow: said so, nothing made up',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.haumea.url = "github:nix-community/haumea";
  outputs = { self, nixpkgs, haumea, ... }: {
    nixosConfigurations = haumea.lib.load {
      src = ./hosts;
      inputs = { inherit nixpkgs; };
      transformer = haumea.lib.transformers.hoistAttrs "_" "";
    };
  };
}
`,
      'hosts/web.nix': `{ nixpkgs }: nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ../web.nix ]; }\n`,
      'web.nix': host('web'),
    },
    machines: [{ name: 'nixosConfigurations', status: 'not-followed', reason: /haumea\.lib\.transformers/ }],
    findings: ['configuration-not-followed flake.nix:5'],
  },
  {
    name: 'a builder from a flake in the same checkout (path:../template): not followed, and said to be local',
    files: {
      'template/flake.nix': `{
  ${NIXPKGS}
  outputs = { self, nixpkgs }: {
    lib.makePi = name: nixpkgs.lib.nixosSystem { system = "aarch64-linux"; modules = [ { networking.hostName = name; } ]; };
  };
}
`,
      'rpi-a/flake.nix': `{
  inputs.template.url = "path:../template";
  outputs = { self, template }: {
    nixosConfigurations.rpi-a = template.lib.makePi "rpi-a";
  };
}
`,
    },
    machines: [
      {
        name: 'rpi-a',
        status: 'not-followed',
        reason: /`makePi` comes from input `template`, a flake in this repository \(`path:\.\.\/template`\)/,
      },
    ],
    findings: ['configuration-not-followed rpi-a/flake.nix:4'],
  },
  {
    name: "modules picked with `with` from an unknown input's nixosModules: the coverage names the input",
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.shared.url = "github:example-org/nix-infra";
  outputs = { self, nixpkgs, shared }: {
    nixosConfigurations.sigmund = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./sigmund.nix ({ ... }: { imports = with shared.nixosModules; [ gnome grub ]; }) ];
    };
  };
}
`,
      'sigmund.nix': host('sigmund'),
    },
    machines: [
      {
        name: 'sigmund',
        status: 'partial',
        platform: X86,
        reason:
          /the module `shared\.nixosModules\.gnome` comes from input `shared`, which nixkit does not know/,
      },
    ],
    findings: [],
  },
  {
    name: 'hostPlatform set only inside an mkIf of the repository, agreeing with the system the machine is built for',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { nixpkgs, ... }: {
    nixosConfigurations.odin = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./odin.nix ./optimization.nix ];
    };
  };
}
`,
      'optimization.nix': `{ lib, config, ... }:
{
  options.features.optimization.enable = lib.mkEnableOption "optimizations";
  config = lib.mkIf config.features.optimization.enable {
    nixpkgs.hostPlatform.system = "x86_64-linux";
  };
}
`,
      'odin.nix': host('odin', '\n  features.optimization.enable = builtins.pathExists ./fast;'),
    },
    machines: [{ name: 'odin', status: 'read', platform: X86 }],
    findings: [],
  },
  {
    name: "a fleet whose machines each take much evaluation: each gets the bound, the first do not use up the others'",
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { nixpkgs, ... }:
    let
      mk = name: nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ (./hosts + "/\${name}.nix") ]; };
    in { nixosConfigurations = nixpkgs.lib.genAttrs [ "a" "b" "c" "d" ] mk; };
}
`,
      ...Object.fromEntries(
        ['a', 'b', 'c', 'd'].map((h) => [
          `hosts/${h}.nix`,
          // an inventory computed at length before the module's value is known (about 200,000 steps)
          host(h).replace(
            '{ config, lib, pkgs, ... }:\n{',
            "{ config, lib, pkgs, ... }:\nbuiltins.seq (builtins.foldl' (x: y: x + y) 0 (builtins.genList (i: i) 20000)) {",
          ),
        ]),
      ),
    },
    machines: ['a', 'b', 'c', 'd'].map((name) => ({ name, status: 'read' as const, platform: X86 })),
    findings: [],
  },
  {
    name: 'a flake without `outputs` (a typo): Nix refuses it, and its modules are not made machines by their names',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  ous = { nixpkgs, ... }: {
    nixosConfigurations.ifrit = nixpkgs.lib.nixosSystem { modules = [ ./system/configuration.nix ]; };
  };
}
`,
      'system/configuration.nix': BARE('ifrit'),
      // a library file that happens to be called flake.nix: no flake attribute at all, so no flake
      'lib/flake.nix': 'rec {\n  importLock = f: builtins.fromJSON (builtins.readFile f);\n}\n',
    },
    machines: [
      { name: 'nixosConfigurations', status: 'not-followed', reason: /the flake has no 'outputs' attribute/ },
    ],
    findings: ['configuration-not-followed flake.nix:1'],
  },
  {
    name: 'deploy-rs nodes point at nixosConfigurations: no new machines',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.deploy-rs.url = "github:serokell/deploy-rs";
  outputs = { self, nixpkgs, deploy-rs }: {
    nixosConfigurations.api = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./api.nix ];
    };
    deploy.nodes.api = {
      hostname = "api.example.org";
      profiles.system = {
        user = "root";
        path = deploy-rs.lib.x86_64-linux.activate.nixos self.nixosConfigurations.api;
      };
    };
    checks = builtins.mapAttrs (system: deployLib: deployLib.deployChecks self.deploy) deploy-rs.lib;
  };
}
`,
      'api.nix': host('api'),
    },
    machines: [{ name: 'api', status: 'read', platform: X86 }],
    findings: [],
  },
  {
    name: 'hosts from files anywhere below a folder: listFilesRecursive, removeSuffix, mergeAttrsList',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { self, nixpkgs, ... }:
    let
      lib = nixpkgs.lib;
      files = builtins.filter (f: lib.hasSuffix "default.nix" f || lib.hasSuffix "gw.nix" f || lib.hasSuffix "web.nix" f) (lib.filesystem.listFilesRecursive ./hosts);
      mk = f: {
        \${lib.removeSuffix ".nix" (baseNameOf f)} = lib.nixosSystem { system = "x86_64-linux"; modules = [ f ]; };
      };
    in {
      nixosConfigurations = lib.attrsets.mergeAttrsList (map mk files);
    };
}
`,
      'hosts/web.nix': host('web'),
      'hosts/edge/gw.nix': host('gw'),
      'hosts/edge/notes.txt': 'not a host\n',
    },
    machines: [
      { name: 'gw', status: 'read', platform: X86 },
      { name: 'web', status: 'read', platform: X86 },
    ],
    findings: [],
  },
  {
    name: 'haumea outputs whose files are plain modules: as in Nix, no machine, and no host file invented',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.haumea.url = "github:nix-community/haumea";
  outputs = { self, nixpkgs, haumea, ... }@inputs:
    let
      data = haumea.lib.load { src = ./outputs/src; inputs = { inherit (nixpkgs) lib; }; };
    in {
      nixosConfigurations = nixpkgs.lib.attrsets.mergeAttrsList
        (map (it: it.nixosConfigurations or { }) (builtins.attrValues data));
    };
}
`,
      'outputs/src/idols-ai.nix': BARE('ai'),
      'outputs/src/configuration.nix': BARE('x'),
    },
    // each file is loaded and called (with none of the inputs: it names none); none has nixosConfigurations
    machines: [],
    findings: [],
  },
  {
    name: "a builder from an overlay on nixpkgs' packages (pkgs.builders.mkNixos): not followed, and says why",
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = inputs @ { self, nixpkgs, ... }:
    let
      pkgs = import nixpkgs { system = "x86_64-linux"; overlays = import ./lib/overlays.nix; };
    in {
      nixosConfigurations = pkgs.builders.mkNixos { };
    };
}
`,
      'lib/overlays.nix': '[ (final: prev: { builders.mkNixos = args: { }; }) ]\n',
      'system/configuration.nix': BARE('tower'),
    },
    machines: [
      {
        name: 'nixosConfigurations',
        status: 'not-followed',
        reason: /`import nixpkgs \{ … \}`, nixpkgs' packages, which nixkit does not evaluate/,
      },
    ],
    findings: ['configuration-not-followed flake.nix:7'],
  },
  {
    name: 'dendritic: flake-parts modules from import-tree (files under _ skipped), hosts from config.flake.nixosModules',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.flake-parts.url = "github:hercules-ci/flake-parts";
  inputs.import-tree.url = "github:vic/import-tree";
  outputs = inputs: inputs.flake-parts.lib.mkFlake { inherit inputs; } (inputs.import-tree ./modules);
}
`,
      'modules/systems.nix': '{ systems = [ "x86_64-linux" ]; }\n',
      'modules/hosts/web.nix': `{ inputs, config, ... }:
{
  flake.nixosConfigurations.web = inputs.nixpkgs.lib.nixosSystem {
    system = "x86_64-linux";
    modules = [ config.flake.nixosModules.web ];
  };
}
`,
      'modules/nixos/web.nix': `{ ... }:
{
  flake.nixosModules.web = ${host('web').replace(/\n/g, '\n  ')};
}
`,
      'modules/_drafts/old.nix': `{ inputs, ... }:
{
  flake.nixosConfigurations.draft = inputs.nixpkgs.lib.nixosSystem { modules = [ ./nothing.nix ]; };
}
`,
    },
    machines: [{ name: 'web', status: 'read', platform: X86 }],
    findings: [],
  },
  {
    name: 'dendritic at scale: 1,000 feature modules from import-tree, hosts from a configurations option',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.flake-parts.url = "github:hercules-ci/flake-parts";
  inputs.import-tree.url = "github:vic/import-tree";
  outputs = inputs: inputs.flake-parts.lib.mkFlake { inherit inputs; } {
    imports = [ (inputs.import-tree ./modules) ];
  };
}
`,
      'modules/configurations.nix': `{ lib, config, inputs, ... }:
{
  options.configurations.nixos = lib.mkOption {
    type = lib.types.lazyAttrsOf (lib.types.submodule {
      options.module = lib.mkOption { type = lib.types.deferredModule; };
    });
  };
  config.flake.nixosConfigurations = lib.flip lib.mapAttrs config.configurations.nixos (
    name: { module }: inputs.nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ module ]; }
  );
}
`,
      'modules/hosts/box.nix': `{
  configurations.nixos.box.module = ${host('box').replace(/\n/g, '\n  ')};
}
`,
      ...Object.fromEntries(
        Array.from({ length: 1000 }, (_, i) => [
          `modules/features/f${i}.nix`,
          `{ config, ... }:\n{\n  flake.nixosModules.feature${i} = { pkgs, ... }: { environment.systemPackages = [ pkgs.hello ]; };\n}\n`,
        ]),
      ),
    },
    machines: [{ name: 'box', status: 'read', platform: X86 }],
    findings: [],
  },
  {
    name: 'flake-parts modules beyond what nixkit reads (120,000 generated): not followed, and says so',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.flake-parts.url = "github:hercules-ci/flake-parts";
  outputs = inputs: inputs.flake-parts.lib.mkFlake { inherit inputs; } {
    imports = builtins.genList (i: { imports = [ ]; }) 60000 ++ [ ./hosts.nix ];
  };
}
`,
      'hosts.nix': `{ inputs, ... }:
{
  flake.nixosConfigurations.box = inputs.nixpkgs.lib.nixosSystem { modules = [ ./box.nix ]; };
}
`,
      'box.nix': host('box'),
    },
    machines: [
      {
        name: 'nixosConfigurations',
        status: 'not-followed',
        reason: /nixkit stopped reading the flake-parts modules after 50,000 of them \(its limit\)/,
      },
    ],
    findings: ['configuration-not-followed flake.nix:4'],
  },
  {
    name: "a second flake that re-exports the first's outputs (another lock): each machine listed once",
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { self, nixpkgs, ... }: {
    nixosConfigurations.box = nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./box.nix ]; };
  };
}
`,
      'box.nix': host('box'),
      'nolock/flake.nix': `{
  inputs.nixpkgs.url = "nixpkgs";
  outputs = args: (import ../flake.nix).outputs args;
}
`,
    },
    machines: [{ name: 'box', status: 'read', platform: X86 }],
    findings: [],
  },
  {
    name: "imports through lib.flatten with an unknown input's module; outputs behind a deepSeq of self.rev (evidence)",
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.topology.url = "github:example/topology";
  outputs = { self, nixpkgs, ... }@inputs:
    let
      evidence = { rev = self.rev or (throw "dirty tree"); nixpkgs = nixpkgs.rev or (throw "no rev"); };
    in {
      nixosConfigurations = builtins.deepSeq evidence {
        box = nixpkgs.lib.nixosSystem { specialArgs = { inherit inputs; }; modules = [ ./box.nix ]; };
      };
    };
}
`,
      'box.nix': `{ inputs, lib, ... }:
{
  imports = lib.flatten [ inputs.topology.nixosModules.default [ ./hardware-configuration.nix ] ];
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
}
`,
      'hardware-configuration.nix': `{ lib, ... }:
{
  nixpkgs.hostPlatform = lib.mkDefault "aarch64-linux";
  fileSystems."/boot" = { device = "/dev/sda1"; fsType = "vfat"; };
}
`,
    },
    machines: [{ name: 'box', status: 'partial', platform: 'aarch64-linux', reason: /input `topology`/ }],
    findings: ['unstable-device-path hardware-configuration.nix:4'],
  },
  {
    name: 'a module whose config is `if options ? sops then … else { }`: both branches read, each conditional',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { self, nixpkgs, ... }: {
    nixosConfigurations.pi = nixpkgs.lib.nixosSystem { system = "aarch64-linux"; modules = [ ./pi.nix ./sec.nix ]; };
    nixosConfigurations.vm = nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./vm.nix ./sec.nix ./opaque.nix ]; };
  };
}
`,
      'pi.nix': `{ ... }:
{
  boot.loader.systemd-boot.enable = true;
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
  users.users.root.openssh.authorizedKeys.keys = [ "${KEY}" ];
  system.stateVersion = "24.11";
}
`,
      'vm.nix': host('vm'),
      'sec.nix': `{ options, ... }:
{
  config = if options ? sops then { sops.age.keyFile = "/var/lib/sops/key"; } else { };
}
`,
      'opaque.nix': `{ options, ... }:
{
  config = builtins.getAttr (if options ? sops then "a" else "b") { a = { }; b = { }; };
}
`,
    },
    machines: [
      { name: 'pi', status: 'read', platform: 'aarch64-linux' },
      { name: 'vm', status: 'partial', reason: /a module nixkit cannot work out \(opaque\.nix:3\)/ },
    ],
    findings: ['esp-missing pi.nix:3'],
  },
  {
    name: 'lib.extend with an own `my` lib; hosts from mapModules, which drops `null`s with `v != null`',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = inputs @ { self, nixpkgs, ... }:
    let
      system = "x86_64-linux";
      lib = nixpkgs.lib.extend (final: prev: { my = import ./lib { lib = final; inherit inputs; }; });
    in {
      nixosConfigurations = lib.my.mapHosts ./hosts { inherit system; };
    };
}
`,
      'lib/default.nix': `{ lib, inputs }:
let
  inherit (lib) filterAttrs mapAttrs' nameValuePair removeSuffix hasSuffix;
  mapModules = dir: fn:
    filterAttrs (n: v: v != null) (mapAttrs' (n: v:
      let path = "\${toString dir}/\${n}"; in
      if v == "directory" then nameValuePair n (fn path)
      else if v == "regular" && hasSuffix ".nix" n then nameValuePair (removeSuffix ".nix" n) (fn path)
      else nameValuePair "" null) (builtins.readDir dir));
  mkHost = path: attrs @ { system, ... }: lib.nixosSystem {
    inherit system;
    specialArgs = { inherit lib inputs; };
    modules = [ (import path) ];
  };
in {
  inherit mapModules mkHost;
  mapHosts = dir: attrs: mapModules dir (p: mkHost p attrs);
}
`,
      'hosts/alpha/default.nix': host('alpha'),
      'hosts/beta.nix': host('beta'),
      'hosts/README.md': 'hosts\n',
    },
    machines: [
      { name: 'alpha', status: 'read', platform: X86 },
      { name: 'beta', status: 'read', platform: X86 },
    ],
    findings: [],
  },
  {
    name: "an alias module whose target is the configuration's own option: partly read, and says what made the module",
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { self, nixpkgs, ... }: {
    nixosConfigurations.box = nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./box.nix ./users.nix ]; };
  };
}
`,
      'box.nix': host('box'),
      'users.nix': `{ lib, config, ... }:
{
  imports = [ (lib.mkAliasOptionModule [ "me" ] [ "users" "users" config.owner ]) ];
  options.owner = lib.mkOption { type = lib.types.str; default = "admin"; };
}
`,
    },
    machines: [
      {
        name: 'box',
        status: 'partial',
        platform: X86,
        reason: /a module that `lib\.mkAliasOptionModule` makes from values nixkit does not know/,
      },
    ],
    findings: [],
  },
  {
    name: 'flake-parts nodes filtered by an option with a default nixkit cannot see (`n.managed or false`): not followed, never "no machine"',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.flake-parts.url = "github:hercules-ci/flake-parts";
  outputs = inputs: inputs.flake-parts.lib.mkFlake { inherit inputs; } { imports = [ ./nodes.nix ./machines.nix ]; };
}
`,
      'nodes.nix': `{ lib, ... }:
{
  options.my.nodes = lib.mkOption {
    type = lib.types.attrsOf (lib.types.submodule {
      options.managed = lib.mkOption { type = lib.types.bool; default = true; };
      options.roles = lib.mkOption { type = lib.types.listOf lib.types.deferredModule; };
    });
  };
  config.my.nodes = { alpha.roles = [ ./alpha.nix ]; beta.roles = [ ./alpha.nix ]; };
}
`,
      'machines.nix': `{ lib, config, inputs, ... }:
let mk = name: n: inputs.nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = n.roles; };
in { flake.nixosConfigurations = lib.mapAttrs mk (lib.filterAttrs (_: n: n.managed or false) config.my.nodes); }
`,
      'alpha.nix': host('alpha'),
    },
    machines: [{ name: 'nixosConfigurations', status: 'not-followed' }],
    findings: ['configuration-not-followed machines.nix:3'],
  },
  {
    name: 'a lookup path among the modules: in a flake a warning (pure evaluation refuses it), partly read',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { self, nixpkgs, ... }: {
    nixosConfigurations.wsl = nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./wsl/configuration.nix ]; };
  };
}
`,
      'wsl/configuration.nix': `{ ... }:
{
  imports = [ <nixos-wsl/modules> ];
  wsl.enable = true;
  system.stateVersion = "24.11";
}
`,
    },
    machines: [
      { name: 'wsl', status: 'partial', platform: X86, reason: /channel or NIX_PATH entry `nixos-wsl`/ },
    ],
    findings: ['lookup-path-in-flake wsl/configuration.nix:3'],
  },
  {
    name: 'a lookup path among the modules of an /etc/nixos configuration.nix: NIX_PATH is how it is read; partly read',
    files: {
      'nixos/configuration.nix': `{ ... }:
{
  imports = [ <nixos-wsl/modules> ];
  wsl.enable = true;
  system.stateVersion = "24.11";
}
`,
    },
    machines: [
      {
        name: 'nixos',
        status: 'partial',
        reason: /`<nixos-wsl\/modules>` comes from the channel or NIX_PATH entry `nixos-wsl`/,
      },
    ],
    findings: [],
  },
  {
    name: 'a module whose config is `{ … } // (if options ? sops then { … } else { })`: read, its definitions kept (conditionally)',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { self, nixpkgs, ... }: {
    nixosConfigurations.guest = nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./guest.nix ]; };
  };
}
`,
      'guest.nix': `{ options, lib, ... }:
{
  config = {
    boot.loader.grub.device = "/dev/sda";
    fileSystems."/" = { device = "/dev/sda1"; fsType = "ext4"; };
    users.users.root.openssh.authorizedKeys.keys = [ "${KEY}" ];
    system.stateVersion = "24.11";
  } // (if builtins.hasAttr "sops" options then { sops.defaultSopsFile = ./secrets.yaml; } else { });
}
`,
    },
    machines: [{ name: 'guest', status: 'read', platform: X86 }],
    findings: [],
  },
  {
    name: 'version-dependent branches inside an mkIf and under an option (`if lib.versionAtLeast lib.version …`): both read',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { self, nixpkgs, ... }: {
    nixosConfigurations.dns = nixpkgs.lib.nixosSystem {
      system = "aarch64-linux";
      modules = [ ./dns.nix ./resolver.nix ];
    };
  };
}
`,
      'dns.nix': `{ ... }:
{
  boot.loader.systemd-boot.enable = true;
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
  users.users.root.openssh.authorizedKeys.keys = [ "${KEY}" ];
  my.dns.enable = true;
  system.stateVersion = "24.11";
}
`,
      'resolver.nix': `{ config, lib, ... }:
{
  options.my.dns.enable = lib.mkEnableOption "dns";
  config = lib.mkMerge [
    (lib.mkIf config.my.dns.enable (if lib.versionAtLeast lib.version "25.05"
      then { services.dnscrypt-proxy.enable = true; }
      else { services.dnscrypt-proxy2.enable = true; }))
    { networking.nameservers = if lib.versionAtLeast lib.version "25.05" then [ "::1" ] else [ "127.0.0.1" ]; }
  ];
}
`,
    },
    machines: [{ name: 'dns', status: 'read', platform: 'aarch64-linux' }],
    findings: ['esp-missing dns.nix:3'],
  },
  {
    name: "a flake's own deferredModule option spread over files (a function in one, a set in another); a platform from `pkgs`",
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.flake-parts.url = "github:hercules-ci/flake-parts";
  inputs.import-tree.url = "github:vic/import-tree";
  outputs = inputs: inputs.flake-parts.lib.mkFlake { inherit inputs; } (inputs.import-tree ./modules);
}
`,
      'modules/groups.nix': `{ lib, ... }:
{
  options.nixos.modules.shared = lib.mkOption { type = lib.types.deferredModule; default = { }; };
  config.systems = [ "aarch64-linux" ];
}
`,
      'modules/opts.nix': `{ ... }:
{
  nixos.modules.shared = { lib, ... }: { options.username = lib.mkOption { type = lib.types.str; default = "me"; }; };
}
`,
      'modules/base.nix': `{ ... }:
{
  nixos.modules.shared = ${host('pi').replace(/\n/g, '\n  ').replace('/dev/disk/by-label/nixos', '/dev/mmcblk0p2')};
}
`,
      'modules/host.nix': `{ inputs, config, ... }:
{
  flake.nixosConfigurations.pi = inputs.nixpkgs.lib.nixosSystem {
    pkgs = import inputs.nixpkgs { system = "aarch64-linux"; };
    modules = [ config.nixos.modules.shared ];
  };
}
`,
    },
    machines: [{ name: 'pi', status: 'read', platform: 'aarch64-linux' }],
    findings: ['unstable-device-path modules/base.nix:7'],
  },
  {
    name: "lookup paths answered by the repository's own __findFile (`let __findFile = prelude.__findFile; in <modules/x.nix>`)",
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { self, nixpkgs, ... }:
    let prelude.__findFile = nixPath: name: ./. + "/\${name}";
    in {
      nixosConfigurations.box = nixpkgs.lib.nixosSystem {
        system = "x86_64-linux";
        specialArgs = { inherit prelude; };
        modules = [ ./nodes/box.nix ];
      };
    };
}
`,
      'nodes/box.nix': `{ prelude, ... }: let __findFile = prelude.__findFile; in
{
  imports = [ <modules/core.nix> ];
  networking.hostName = "box";
}
`,
      'modules/core.nix': host('box').replace('/dev/disk/by-label/nixos', '/dev/sda2'),
    },
    machines: [{ name: 'box', status: 'read', platform: X86 }],
    findings: ['unstable-device-path modules/core.nix:5'],
  },
  {
    name: 'flake-parts with only tooling modules (treefmt-nix, git-hooks) and a nix-darwin machine: no NixOS machine, nothing not followed',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.flake-parts.url = "github:hercules-ci/flake-parts";
  inputs.darwin.url = "github:nix-darwin/nix-darwin";
  inputs.treefmt-nix.url = "github:numtide/treefmt-nix";
  inputs.git-hooks.url = "github:cachix/git-hooks.nix";
  outputs = inputs: inputs.flake-parts.lib.mkFlake { inherit inputs; } {
    systems = [ "aarch64-darwin" ];
    imports = [ inputs.treefmt-nix.flakeModule inputs.git-hooks.flakeModule ];
    flake.darwinConfigurations.mac = inputs.darwin.lib.darwinSystem { modules = [ ./darwin.nix ]; };
  };
}
`,
      'darwin.nix': DARWIN_HOST,
    },
    machines: [],
    findings: [],
  },
  {
    name: 'flake-parts: `flake` written as a module function of { config, lib }, hosts from readDir',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.flake-parts.url = "github:hercules-ci/flake-parts";
  outputs = inputs: inputs.flake-parts.lib.mkFlake { inherit inputs; } {
    systems = [ "x86_64-linux" ];
    imports = [ ./flake/hosts.nix ];
  };
}
`,
      'flake/hosts.nix': `{ inputs, ... }:
{
  flake = { config, lib, ... }:
    let
      hosts = builtins.attrNames (lib.filterAttrs (_: t: t == "directory") (builtins.readDir ../hosts));
      mkHost = name: inputs.nixpkgs.lib.nixosSystem {
        system = "x86_64-linux";
        modules = [ ../hosts/\${name} ];
      };
    in {
      nixosConfigurations = lib.genAttrs hosts mkHost;
      hostNames = builtins.attrNames config.nixosConfigurations;
    };
}
`,
      'hosts/ward/default.nix': host('ward'),
      'hosts/nom/default.nix': host('nom'),
    },
    machines: [
      { name: 'nom', status: 'read', platform: X86 },
      { name: 'ward', status: 'read', platform: X86 },
    ],
    findings: [],
  },
  {
    name: 'hosts/default.nix lists its own folder, removing itself by baseNameOf __curPos.file',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = inputs: { nixosConfigurations = import ./hosts inputs; };
}
`,
      'hosts/default.nix': `{ self, nixpkgs, ... }:
let
  inherit (nixpkgs) lib;
in
lib.pipe ./. [
  builtins.readDir
  (lib.flip removeAttrs [ (baseNameOf __curPos.file) ])
  builtins.attrNames
  (lib.flip lib.genAttrs (host: lib.nixosSystem { system = "x86_64-linux"; modules = [ ./\${host} ]; }))
]
`,
      'hosts/mars/default.nix': host('mars'),
      'hosts/luna/default.nix': host('luna'),
    },
    machines: [
      { name: 'luna', status: 'read', platform: X86 },
      { name: 'mars', status: 'read', platform: X86 },
    ],
    findings: [],
  },
  {
    name: 'colmena hive.nix whose nodes come from another project: not followed, said, nothing invented',
    files: {
      'hive.nix': `let
  project = import ./project.nix;
in
{
  meta.nixpkgs = import <nixpkgs> { system = "x86_64-linux"; };
  gate = { ... }: { imports = [ ./hosts/gate/configuration.nix ]; };
} // builtins.mapAttrs (name: value: { imports = value.modules; }) project.systems
`,
      'project.nix': '(import <project-lib>).load ./.\n',
      'hosts/gate/configuration.nix': host('gate'),
    },
    // What the right side of `//` holds may replace any node, `gate` included: the whole hive is unknown.
    machines: [{ name: 'colmena', status: 'not-followed', reason: /could not work out the hive's value/ }],
    findings: ['configuration-not-followed hive.nix:4'],
  },
  {
    name: 'configuration.nix files below a colmena hive nixkit cannot follow are not machines of their own',
    files: {
      'hive.nix': `let
  lib = (import <project-lib>).lib;
  hosts = lib.discover ./hosts;
in
{
  meta.nixpkgs = import <nixpkgs> { system = "x86_64-linux"; };
} // builtins.mapAttrs (name: dir: { imports = [ (dir + "/configuration.nix") ]; }) hosts
`,
      'hosts/web/configuration.nix': host('web'),
      // a host the hive leaves out, which cannot build alone (it needs the hive's arguments)
      'hosts/old/configuration.nix': `{ targetConfig, ... }:
{
  boot.loader.grub.enable = true;
}
`,
    },
    machines: [{ name: 'colmena', status: 'not-followed', reason: /could not work out the hive's value/ }],
    findings: ['configuration-not-followed hive.nix:5'],
  },
  {
    name: 'colmena hive.nix with a node named by something nixkit cannot know: the others read, the rest said',
    files: {
      'hive.nix': `{
  meta.nixpkgs = import <nixpkgs> { system = "x86_64-linux"; };
  gate = { ... }: { imports = [ ./hosts/gate/configuration.nix ]; };
  \${builtins.getEnv "EXTRA_NODE"} = { ... }: { imports = [ ./hosts/gate/configuration.nix ]; };
}
`,
      'hosts/gate/configuration.nix': host('gate'),
    },
    machines: [
      { name: 'colmena', status: 'not-followed', reason: /nodes are computed in a way nixkit cannot follow/ },
      { name: 'gate', status: 'read' },
    ],
    findings: ['configuration-not-followed hive.nix:1'],
  },
  {
    name: "a flake host importing the machine's own /etc/nixos/hardware-configuration.nix (--impure): partly read, nothing reported missing",
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { nixpkgs, ... }: {
    nixosConfigurations.desk = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./desk.nix ];
    };
  };
}
`,
      'desk.nix': `{ ... }:
{
  imports = [ /etc/nixos-nixkit-test-absent/hardware-configuration.nix ];
  boot.loader.systemd-boot.enable = true;
  users.users.root.openssh.authorizedKeys.keys = [ "${KEY}" ];
  system.stateVersion = "24.11";
}
`,
    },
    machines: [
      {
        name: 'desk',
        status: 'partial',
        platform: X86,
        reason: /outside the repository, is not on this machine/,
      },
    ],
    findings: [],
  },
  {
    name: 'flake-parts through evalFlakeModule: (evalFlakeModule { inherit inputs; } module).config.flake',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.flake-parts.url = "github:hercules-ci/flake-parts";
  outputs = { flake-parts, ... }@inputs:
    (flake-parts.lib.evalFlakeModule { inherit inputs; } ({ inputs, ... }: {
      systems = [ "x86_64-linux" ];
      imports = [ ./configurations.nix ];
    })).config.flake;
}
`,
      'configurations.nix': `{ inputs, ... }:
{
  flake.nixosConfigurations.amy = inputs.nixpkgs.lib.nixosSystem {
    system = "x86_64-linux";
    modules = [ ./hosts/amy.nix ];
  };
}
`,
      'hosts/amy.nix': host('amy'),
    },
    machines: [{ name: 'amy', status: 'read', platform: X86 }],
    findings: [],
  },
  {
    name: 'a fleet builder nixkit cannot know: one information finding, nothing invented',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.fleet.url = "github:example-corp/fleet";
  outputs = { self, nixpkgs, fleet }: {
    nixosConfigurations = fleet.lib.mkFleet {
      inherit nixpkgs;
      hosts = ./hosts;
    };
  };
}
`,
      'hosts/a/configuration.nix': BARE('a'),
      'hosts/b/configuration.nix': BARE('b'),
    },
    machines: [{ name: 'nixosConfigurations', status: 'not-followed' }],
    findings: ['configuration-not-followed flake.nix:5'],
  },
  {
    name: "Snowfall Lib with a bare host: partly read, and quiet about what snowfall's own modules may add",
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.snowfall-lib.url = "github:snowfallorg/lib";
  outputs = inputs: inputs.snowfall-lib.mkFlake {
    inherit inputs;
    src = ./.;
  };
}
`,
      'systems/x86_64-linux/box/default.nix': BARE('box'),
      'modules/nixos/base/default.nix': '{ lib, ... }: { services.openssh.enable = lib.mkDefault true; }\n',
    },
    machines: [{ name: 'box', status: 'partial', platform: X86, reason: /Snowfall Lib adds modules/ }],
    findings: [],
  },
  {
    name: 'clan-like flake-parts module from an unknown input: machines nixkit does not see are said',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.flake-parts.url = "github:hercules-ci/flake-parts";
  inputs.clan-core.url = "git+https://git.clan.lol/clan/clan-core";
  outputs = inputs@{ flake-parts, ... }: flake-parts.lib.mkFlake { inherit inputs; } {
    systems = [ "x86_64-linux" ];
    imports = [ inputs.clan-core.flakeModules.default ];
    clan.meta.name = "home";
    clan.machines.jon = { imports = [ ./machines/jon/configuration.nix ]; };
  };
}
`,
      'machines/jon/configuration.nix': BARE('jon'),
    },
    machines: [{ name: 'nixosConfigurations', status: 'not-followed' }],
    findings: ['configuration-not-followed flake.nix:7'],
  },
  {
    name: 'one entry from an unknown builder beside ones nixkit reads',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.fleet.url = "github:example-corp/fleet";
  outputs = { self, nixpkgs, fleet }: {
    nixosConfigurations.ok = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./ok.nix ];
    };
    nixosConfigurations.edge = fleet.lib.mkEdgeHost { name = "edge"; };
  };
}
`,
      'ok.nix': host('ok'),
    },
    machines: [
      { name: 'edge', status: 'not-followed' },
      { name: 'ok', status: 'read', platform: X86 },
    ],
    findings: ['configuration-not-followed flake.nix:9'],
  },
  {
    name: 'a host that takes its base from an unknown input is partly read: nothing reported missing',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.fleet.url = "github:example-corp/fleet";
  outputs = { self, nixpkgs, fleet }: {
    nixosConfigurations.thin = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ fleet.nixosModules.base ./hosts/thin/configuration.nix ];
    };
  };
}
`,
      'hosts/thin/configuration.nix': BARE('thin'),
    },
    machines: [{ name: 'thin', status: 'partial', platform: X86 }],
    findings: [],
  },
  {
    name: 'the /etc/nixos layout without a flake',
    files: {
      'nixos/configuration.nix': `{ config, pkgs, ... }:
{
  imports = [ ./hardware-configuration.nix ];
  boot.loader.systemd-boot.enable = true;
  networking.hostName = "old";
  users.users.root.openssh.authorizedKeys.keys = [ "${KEY}" ];
  services.openssh.enable = true;
  system.stateVersion = "23.11";
}
`,
      'nixos/hardware-configuration.nix': `{ lib, modulesPath, ... }:
{
  imports = [ (modulesPath + "/installer/scan/not-detected.nix") ];
  fileSystems."/" = { device = "/dev/disk/by-uuid/0f3c9a4e-5b1d-4c8e-9f2a-7d6e5c4b3a21"; fsType = "ext4"; };
  fileSystems."/boot" = { device = "/dev/disk/by-uuid/4A1B-2C3D"; fsType = "vfat"; options = [ "fmask=0077" "dmask=0077" ]; };
  nixpkgs.hostPlatform = lib.mkDefault "x86_64-linux";
}
`,
    },
    machines: [{ name: 'nixos', status: 'read', platform: X86 }],
    findings: [],
  },
  {
    name: 'a cloud host whose disks and boot loader come from a nixpkgs module named by "${modulesPath}/…"',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { nixpkgs, ... }: {
    nixosConfigurations.droplet = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./droplet.nix ];
    };
  };
}
`,
      'droplet.nix': `{ lib, modulesPath, ... }:
{
  imports = [ "\${modulesPath}/virtualisation/digital-ocean-config.nix" ];
  networking.useDHCP = lib.mkForce false;
  users.users.root.openssh.authorizedKeys.keys = [ "${KEY}" ];
  system.stateVersion = "24.11";
}
`,
    },
    machines: [{ name: 'droplet', status: 'read', platform: X86 }],
    findings: [],
  },
  {
    name: 'nixkit.toml names a machine no flake defines',
    files: {
      'nixkit.toml': `[machines]
kiosk = { file = "machines/kiosk.nix", system = "x86_64-linux" }
`,
      'machines/kiosk.nix': host('kiosk'),
      'machines/common.nix': '{ ... }: { time.timeZone = "UTC"; }\n',
    },
    machines: [{ name: 'kiosk', status: 'read', platform: X86 }],
    findings: [],
  },
  {
    name: 'no flake, and the only configuration.nix is imported by another file: no machine invented',
    files: {
      'machines/a.nix': `{ ... }: { imports = [ ../shared/configuration.nix ]; networking.hostName = "a"; }\n`,
      'shared/configuration.nix': BARE('shared'),
    },
    machines: [],
    findings: [],
  },
  {
    name: 'a shared module called configuration.nix in a flake is not a machine',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { self, nixpkgs }: {
    nixosConfigurations.only = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./hosts/only.nix ];
    };
  };
}
`,
      'hosts/only.nix': host('only'),
      'modules/configuration.nix': BARE('not-a-host'),
      'darwin/configuration.nix': DARWIN_HOST,
    },
    machines: [{ name: 'only', status: 'read', platform: X86 }],
    findings: [],
  },
  {
    name: 'a package flake with flake-utils defines no machine and says nothing',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.flake-utils.url = "github:numtide/flake-utils";
  outputs = { self, nixpkgs, flake-utils }:
    flake-utils.lib.eachDefaultSystem (system: {
      packages.default = nixpkgs.legacyPackages.\${system}.hello;
    });
}
`,
    },
    machines: [],
    findings: [],
  },
  {
    name: 'disko from an input renamed, its layout read for the root filesystem',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.dsk.url = "github:nix-community/disko";
  outputs = inputs@{ self, nixpkgs, dsk }: {
    nixosConfigurations.vm = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      specialArgs = { inherit inputs; };
      modules = [ dsk.nixosModules.disko ./disk.nix ./vm.nix ];
    };
  };
}
`,
      'disk.nix': `{
  disko.devices.disk.main = {
    device = "/dev/disk/by-id/nvme-Samsung_SSD_980_1TB_S64ANS0T123456";
    type = "disk";
    content = {
      type = "gpt";
      partitions.ESP = {
        size = "512M";
        type = "EF00";
        content = { type = "filesystem"; format = "vfat"; mountpoint = "/boot"; mountOptions = [ "umask=0077" ]; };
      };
      partitions.root = {
        size = "100%";
        content = { type = "filesystem"; format = "ext4"; mountpoint = "/"; };
      };
    };
  };
}
`,
      'vm.nix': `{ ... }:
{
  boot.loader.systemd-boot.enable = true;
  networking.hostName = "vm";
  users.users.root.openssh.authorizedKeys.keys = [ "${KEY}" ];
  services.openssh.enable = true;
  system.stateVersion = "24.11";
}
`,
    },
    machines: [{ name: 'vm', status: 'read', platform: X86 }],
    findings: [],
  },
  {
    name: 'nixpkgs under another name, follows, and a URL only in flake.lock',
    files: {
      'flake.nix': `{
  inputs.pkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  inputs.unstable.follows = "pkgs";
  inputs.base = { };
  outputs = { self, pkgs, unstable, base }: {
    nixosConfigurations.s1 = unstable.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./s1.nix ];
    };
    nixosConfigurations.s2 = base.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./s2.nix ];
    };
  };
}
`,
      'flake.lock': JSON.stringify({
        nodes: {
          root: { inputs: { pkgs: 'pkgs', unstable: ['pkgs'], base: 'base' } },
          pkgs: { original: { type: 'github', owner: 'NixOS', repo: 'nixpkgs', ref: 'nixos-24.11' } },
          base: { original: { type: 'github', owner: 'NixOS', repo: 'nixpkgs', ref: 'nixos-unstable' } },
        },
        root: 'root',
        version: 7,
      }),
      's1.nix': host('s1'),
      's2.nix': host('s2'),
    },
    machines: [
      { name: 's1', status: 'read', platform: X86 },
      { name: 's2', status: 'read', platform: X86 },
    ],
    findings: [],
  },
  {
    name: 'combination: flake-parts, nix-darwin, home-manager, deploy-rs and a fleet module',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.flake-parts.url = "github:hercules-ci/flake-parts";
  inputs.nix-darwin.url = "github:nix-darwin/nix-darwin";
  inputs.home-manager.url = "github:nix-community/home-manager";
  inputs.deploy-rs.url = "github:serokell/deploy-rs";
  inputs.fleet.url = "github:example-corp/fleet";
  outputs = inputs@{ self, flake-parts, ... }: flake-parts.lib.mkFlake { inherit inputs; } {
    systems = [ "x86_64-linux" "aarch64-darwin" ];
    imports = [ ./parts/nixos.nix ./parts/darwin.nix ./parts/deploy.nix ];
  };
}
`,
      'parts/nixos.nix': `{ inputs, self, ... }:
let
  mk = name: modules: inputs.nixpkgs.lib.nixosSystem {
    system = "x86_64-linux";
    specialArgs = { inherit inputs; };
    modules = [ ../hosts/\${name}.nix inputs.home-manager.nixosModules.home-manager ] ++ modules;
  };
in
{
  flake.nixosConfigurations = {
    studio = mk "studio" [ ];
    cache = mk "cache" [ inputs.fleet.nixosModules.cache ];
  };
}
`,
      'parts/darwin.nix': `{ inputs, ... }:
{
  flake.darwinConfigurations.air = inputs.nix-darwin.lib.darwinSystem {
    modules = [ ../hosts/air.nix ];
  };
}
`,
      'parts/deploy.nix': `{ inputs, self, ... }:
{
  flake.deploy.nodes.cache.profiles.system.path =
    inputs.deploy-rs.lib.x86_64-linux.activate.nixos self.nixosConfigurations.cache;
}
`,
      'hosts/studio.nix': host('studio', '\n  home-manager.users.bob = { home.stateVersion = "24.11"; };'),
      'hosts/cache.nix': BARE('cache'),
      'hosts/air.nix': DARWIN_HOST,
    },
    machines: [
      { name: 'cache', status: 'partial', platform: X86 },
      { name: 'studio', status: 'read', platform: X86 },
    ],
    findings: [],
  },
  {
    name: 'a real finding is still reported on a fully read machine',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { self, nixpkgs }: {
    nixosConfigurations.nofs = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./nofs.nix ];
    };
  };
}
`,
      'nofs.nix': `{ ... }:
{
  boot.loader.systemd-boot.enable = true;
  networking.hostName = "nofs";
  users.users.root.openssh.authorizedKeys.keys = [ "${KEY}" ];
  services.openssh.enable = true;
  system.stateVersion = "24.11";
}
`,
    },
    machines: [{ name: 'nofs', status: 'read', platform: X86 }],
    findings: ['root-filesystem-missing flake.nix:4'],
  },
  {
    name: "hosts from a folder with lib: filterAttrs, mapAttrs', nameValuePair",
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { self, nixpkgs, ... }:
    let
      lib = nixpkgs.lib;
      dirs = lib.filterAttrs (_: type: type == "directory") (builtins.readDir ./hosts);
    in {
      nixosConfigurations = lib.mapAttrs' (name: _: lib.nameValuePair "host-\${name}" (lib.nixosSystem {
        system = "x86_64-linux";
        modules = [ ./hosts/\${name}/configuration.nix ];
      })) dirs;
    };
}
`,
      'hosts/red/configuration.nix': host('red'),
      'hosts/blue/configuration.nix': host('blue'),
      'hosts/notes.nix': '{ }\n',
    },
    machines: [
      { name: 'host-blue', status: 'read', platform: X86 },
      { name: 'host-red', status: 'read', platform: X86 },
    ],
    findings: [],
  },
  {
    name: 'lib.extend with its own functions, and lib joined with home-manager.lib',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.home-manager.url = "github:nix-community/home-manager";
  outputs = inputs@{ self, nixpkgs, home-manager, ... }:
    let
      lib = (nixpkgs.lib // home-manager.lib).extend (final: prev: {
        my = import ./lib { lib = final; inherit inputs; };
      });
    in {
      nixosConfigurations = lib.genAttrs [ "north" "south" ] (name: lib.my.mkSystem name);
    };
}
`,
      'lib/default.nix': `{ lib, inputs }:
{
  mkSystem = name: lib.nixosSystem {
    system = "x86_64-linux";
    specialArgs = { inherit inputs lib; };
    modules = [ (../hosts + "/\${name}.nix") ];
  };
}
`,
      'hosts/north.nix': host('north'),
      'hosts/south.nix': host('south'),
    },
    machines: [
      { name: 'north', status: 'read', platform: X86 },
      { name: 'south', status: 'read', platform: X86 },
    ],
    findings: [],
  },
  {
    name: 'hosts from a folder mapped with mapAttrs over readDir',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { self, nixpkgs, ... }: {
    nixosConfigurations = builtins.mapAttrs (name: _: nixpkgs.lib.nixosSystem {
      system = "aarch64-linux";
      modules = [ ./machines/\${name} ];
    }) (nixpkgs.lib.filterAttrs (n: t: t == "directory") (builtins.readDir ./machines));
  };
}
`,
      'machines/pi4/default.nix': host('pi4'),
      'machines/pi5/default.nix': host('pi5'),
    },
    machines: [
      { name: 'pi4', status: 'read', platform: 'aarch64-linux' },
      { name: 'pi5', status: 'read', platform: 'aarch64-linux' },
    ],
    findings: [],
  },
  {
    name: 'modules from self.outputs.nixosModules, a key read with readFile (data, not Nix)',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { self, nixpkgs, ... }@inputs:
    let inherit (self) outputs; in {
      nixosModules = import ./modules;
      nixosConfigurations.hub = nixpkgs.lib.nixosSystem {
        system = "x86_64-linux";
        specialArgs = { inherit inputs outputs; };
        modules = [ ./hub.nix ];
      };
    };
}
`,
      'modules/default.nix': '{ motd = ./motd.nix; }\n',
      'modules/motd.nix': '{ ... }: { users.motd = "hello"; }\n',
      'hub.nix': `{ outputs, lib, ... }:
{
  imports = [ ./base.nix ] ++ builtins.attrValues outputs.nixosModules;
  users.users.admin.openssh.authorizedKeys.keys = [ (builtins.readFile ./admin.pub) ];
}
`,
      'base.nix': host('hub'),
      'admin.pub':
        'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl admin=laptop\n',
    },
    machines: [{ name: 'hub', status: 'read', platform: X86 }],
    findings: [],
  },
  {
    name: 'flake-parts: hosts discovered in a part that takes _module.args from another module',
    files: {
      'flake.nix': `{
  inputs.nixpkgs.url = "nixpkgs/nixos-24.11";
  inputs.flake-parts.url = "github:hercules-ci/flake-parts";
  outputs = inputs: inputs.flake-parts.lib.mkFlake { inherit inputs; } {
    systems = [ "x86_64-linux" ];
    imports = [ ./modules/hosts ];
    _module.args.paths = rec { root = ./.; hosts = root + "/modules/hosts"; };
  };
}
`,
      'modules/hosts/default.nix': `{ inputs, lib, paths, ... }:
let
  names = builtins.filter (h: builtins.pathExists (paths.hosts + "/\${h}/configuration.nix"))
    (builtins.attrNames (builtins.readDir paths.hosts));
in
{
  flake = lib.foldl' lib.recursiveUpdate { } (map (h: {
    nixosConfigurations.\${h} = inputs.nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ (paths.hosts + "/\${h}/configuration.nix") ];
    };
  }) names);
}
`,
      'modules/hosts/ash/configuration.nix': host('ash'),
      'modules/hosts/elm/configuration.nix': host('elm'),
    },
    machines: [
      { name: 'ash', status: 'read', platform: X86 },
      { name: 'elm', status: 'read', platform: X86 },
    ],
    findings: [],
  },
  {
    name: 'own helpers: outputs merged with foldl recursiveUpdate, per-system outputs by foldAttrs, hosts built with self.outputs, imports partly unknown',
    files: {
      'flake.nix': `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = { self, nixpkgs, ... }@inputs:
    let helpers = import ./lib inputs;
    in helpers.mergeAll ([
      { nixosModules.default = import ./modules/common.nix; }
      (helpers.eachSystem [ "x86_64-linux" "aarch64-linux" ] (system: {
        formatter = nixpkgs.legacyPackages.\${system}.nixfmt-rfc-style;
      }))
    ] ++ map helpers.mkHost (builtins.attrNames (builtins.readDir ./hosts)));
}
`,
      'lib/default.nix': `{ self, nixpkgs, ... }:
let lib = nixpkgs.lib; in
rec {
  mergeAll = builtins.foldl' lib.recursiveUpdate { };
  eachSystem = systems: f:
    lib.foldAttrs lib.mergeAttrs { } (map (s: lib.mapAttrs (_: v: { \${s} = v; }) (f s)) systems);
  mkHost = name:
    let inherit (self.outputs.nixosConfigurations.\${name}) pkgs; in
    {
      nixosConfigurations.\${name} = lib.nixosSystem {
        specialArgs = { flake = self; };
        modules = [ self.outputs.nixosModules.default ../hosts/\${name} ];
      };
      apps.\${pkgs.stdenv.hostPlatform.system}."deploy-\${name}" = {
        type = "app";
        program = "\${pkgs.hello}/bin/hello";
      };
    };
}
`,
      'modules/common.nix': '{ ... }: { time.timeZone = "UTC"; }\n',
      'hosts/elm/default.nix': '{ ... }: { imports = [ ./base.nix ./hardware.nix ]; }\n',
      'hosts/elm/base.nix': host('elm'),
      'hosts/elm/hardware.nix': '{ ... }: { nixpkgs.hostPlatform = "x86_64-linux"; }\n',
      'hosts/oak/default.nix': `{ modulesPath, ... }:
let oci = import "\${modulesPath}/virtualisation/oci-common.nix" { };
in
{
  imports = [ ./base.nix ./hardware.nix ] ++ oci.imports;
}
`,
      'hosts/oak/base.nix': host('oak'),
      'hosts/oak/hardware.nix': '{ ... }: { nixpkgs.hostPlatform = "aarch64-linux"; }\n',
    },
    machines: [
      { name: 'elm', status: 'read', platform: X86 },
      {
        name: 'oak',
        status: 'partial',
        platform: 'aarch64-linux',
        reason: /cannot work out \(hosts\/oak\/default\.nix:5\)/,
      },
    ],
    findings: [],
  },
  {
    name: 'a builder given a package set: its own lib through pkgs.lib.callPackageWith and pkgs.callPackage, modules as "${self}/…" strings and a folder walk',
    files: {
      'flake.nix': `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = { self, nixpkgs, ... }@inputs:
    let
      rootPath = self;
      forEachSystem = nixpkgs.lib.genAttrs [ "x86_64-linux" "aarch64-linux" ];
      pkgsFor = forEachSystem (system: import nixpkgs { inherit system; });
      customLibFor = forEachSystem (system: import "\${rootPath}/lib" { pkgs = pkgsFor.\${system}; });
      helpers = nixpkgs.legacyPackages.x86_64-linux.callPackage ./lib/helpers.nix { base = ./nixos/base.nix; };
      mkHost = name: system: nixpkgs.lib.nixosSystem {
        inherit system;
        modules = helpers.withBase ([
          "\${rootPath}/hosts/\${name}/configuration.nix"
          { nixpkgs.pkgs = pkgsFor.\${system}; }
        ] ++ customLibFor.\${system}.listNixFiles "\${rootPath}/nixos/programs");
      };
    in {
      nixosConfigurations = {
        argon = mkHost "argon" "aarch64-linux";
        neon = mkHost "neon" "x86_64-linux";
      };
      formatter = forEachSystem (system: nixpkgs.legacyPackages.\${system}.lib.id null);
    };
}
`,
      'lib/default.nix': `{ pkgs }:
let
  callPackage = pkgs.lib.callPackageWith { inherit pkgs; inherit (pkgs) lib; };
  files = callPackage ./files.nix { };
in
{
  inherit (files) listNixFiles;
}
`,
      'lib/helpers.nix': `{ lib, stdenv, base }:
{
  withBase = modules: [ base ] ++ modules;
}
`,
      'lib/files.nix': `{ lib }:
{
  listNixFiles = path: builtins.filter (lib.hasSuffix ".nix") (lib.filesystem.listFilesRecursive path);
}
`,
      'nixos/base.nix': '{ ... }: { time.timeZone = "UTC"; }\n',
      'nixos/programs/git.nix': '{ ... }: { programs.git.enable = true; }\n',
      'hosts/argon/configuration.nix': host('argon'),
      'hosts/neon/configuration.nix': host('neon'),
    },
    machines: [
      { name: 'argon', status: 'read', platform: 'aarch64-linux' },
      { name: 'neon', status: 'read', platform: X86 },
    ],
    findings: [],
  },
  {
    name: 'imports written as lib.flatten over paths, an input module and a mapped list of shared modules',
    files: {
      'flake.nix': `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  inputs.hardware.url = "github:NixOS/nixos-hardware";
  outputs = { self, nixpkgs, ... }@inputs:
    let
      inherit (nixpkgs) lib;
      configLib = { relativeToRoot = lib.path.append ./.; };
    in {
      nixosConfigurations.guppy = lib.nixosSystem {
        specialArgs = { inherit inputs configLib; };
        modules = [ ./hosts/guppy ];
      };
    };
}
`,
      'hosts/guppy/default.nix': `{ inputs, lib, configLib, ... }:
{
  imports = lib.flatten [
    ./hardware.nix
    inputs.hardware.nixosModules.common-pc-ssd
    (map configLib.relativeToRoot [ "common/base.nix" "common/time.nix" ])
  ];
}
`,
      'hosts/guppy/hardware.nix': '{ ... }: { nixpkgs.hostPlatform = "aarch64-linux"; }\n',
      'common/base.nix': host('guppy'),
      'common/time.nix': '{ ... }: { time.timeZone = "UTC"; }\n',
    },
    machines: [{ name: 'guppy', status: 'read', platform: 'aarch64-linux' }],
    findings: [],
  },
  {
    name: 'dendritic with flake.modules.nixos: one module spread over files, hosts taking them with `with`',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.flake-parts.url = "github:hercules-ci/flake-parts";
  inputs.import-tree.url = "github:vic/import-tree";
  outputs = inputs: inputs.flake-parts.lib.mkFlake { inherit inputs; } {
    systems = [ "x86_64-linux" ];
    imports = [ inputs.flake-parts.flakeModules.modules (inputs.import-tree ./modules) ];
  };
}
`,
      'modules/hosts/oak.nix': `{ inputs, config, ... }:
{
  flake.nixosConfigurations.oak = inputs.nixpkgs.lib.nixosSystem {
    modules = with config.flake.modules.nixos; [ base oak ];
  };
}
`,
      'modules/base/boot.nix': `{ ... }:
{
  flake.modules.nixos.base = { ... }: {
    boot.loader.systemd-boot.enable = true;
    boot.loader.efi.canTouchEfiVariables = true;
    fileSystems."/boot" = { device = "/dev/disk/by-label/BOOT"; fsType = "vfat"; options = [ "umask=0077" ]; };
  };
}
`,
      'modules/base/users.nix': `{ ... }:
{
  flake.modules.nixos.base = {
    users.users.admin = {
      isNormalUser = true;
      extraGroups = [ "wheel" ];
      openssh.authorizedKeys.keys = [ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl admin" ];
    };
    services.openssh.enable = true;
    system.stateVersion = "24.11";
  };
}
`,
      'modules/hosts/oak-hardware.nix': `{ ... }:
{
  flake.modules.nixos.oak = {
    networking.hostName = "oak";
    nixpkgs.hostPlatform = "x86_64-linux";
    fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
  };
}
`,
    },
    machines: [{ name: 'oak', status: 'read', platform: X86 }],
    findings: [],
  },
  {
    name: 'nixpkgs\' own modules named through the input\'s source ("${nixpkgs}/nixos/modules/…")',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.hardware.url = "github:NixOS/nixos-hardware";
  outputs = { self, nixpkgs, ... }@inputs: {
    nixosConfigurations.box = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      specialArgs = { inherit inputs; };
      modules = [
        "\${nixpkgs}/nixos/modules/profiles/qemu-guest.nix"
        (nixpkgs + "/nixos/modules/profiles/headless.nix")
        ./configuration.nix
      ];
    };
  };
}
`,
      'configuration.nix': `{ inputs, ... }:
{
  imports = [
    "\${inputs.nixpkgs}/nixos/modules/installer/scan/not-detected.nix"
    "\${inputs.hardware}/common/pc/ssd"
    ./host.nix
  ];
}
`,
      'host.nix': host('box'),
    },
    machines: [{ name: 'box', status: 'read', platform: X86 }],
    findings: [],
  },
  {
    name: 'flake-parts: hosts from an option the flake declares itself (configurations.nixos.<name>.module), set in other files',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.flake-parts.url = "github:hercules-ci/flake-parts";
  outputs = inputs: inputs.flake-parts.lib.mkFlake { inherit inputs; } {
    systems = [ "x86_64-linux" ];
    imports = [ ./modules/configurations.nix ./modules/hosts/box.nix ./modules/hosts/web.nix ];
  };
}
`,
      'modules/configurations.nix': `{ inputs, lib, config, ... }:
{
  options.configurations.nixos = lib.mkOption {
    type = lib.types.lazyAttrsOf (lib.types.submodule {
      options.module = lib.mkOption { type = lib.types.deferredModule; };
    });
    default = { };
  };
  config.flake.nixosConfigurations = lib.mapAttrs
    (name: c: inputs.nixpkgs.lib.nixosSystem { modules = [ c.module ]; })
    config.configurations.nixos;
}
`,
      'modules/hosts/box.nix': `{ ... }:
{
  configurations.nixos.box.module = ${host('box').replace(/\n/g, '\n  ')};
}
`,
      'modules/hosts/web.nix': `{ ... }:
{
  configurations.nixos.web.module = { ... }: {
    imports = [ ./web-host.nix ];
    users.users.admin.hashedPassword = "hunter2";
  };
}
`,
      'modules/hosts/web-host.nix': host('web'),
    },
    machines: [
      { name: 'box', status: 'read' },
      { name: 'web', status: 'read' },
    ],
    findings: ['password-hash-invalid modules/hosts/web.nix:5'],
  },
  {
    name: 'flake-parts modules found with lib.fileset (toList of fileFilter over the repository)',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.flake-parts.url = "github:hercules-ci/flake-parts";
  outputs = inputs:
    let
      inherit (inputs.nixpkgs) lib;
      isModule = file: file.hasExt "nix" && file.name != "flake.nix" && !lib.hasPrefix "_" file.name;
    in
    inputs.flake-parts.lib.mkFlake { inherit inputs; } {
      imports = lib.fileset.toList (lib.fileset.fileFilter isModule ./.);
    };
}
`,
      'parts/systems.nix': '{ systems = [ "x86_64-linux" ]; }\n',
      'parts/hosts.nix': `{ inputs, ... }:
{
  flake.nixosConfigurations.ash = inputs.nixpkgs.lib.nixosSystem {
    system = "x86_64-linux";
    modules = [ ../machines/_ash.nix ];
  };
}
`,
      'machines/_ash.nix': host('ash'),
    },
    machines: [{ name: 'ash', status: 'read', platform: X86 }],
    findings: [],
  },
  {
    name: 'a NixOps/morph network file (any name) whose nodes import the hosts’ configuration.nix',
    files: {
      'deploy/network.nix': `{
  network.description = "my servers";
  defaults = { ... }: { services.openssh.enable = true; };
  web = { ... }: { imports = [ ../hosts/web/configuration.nix ]; deployment.targetHost = "10.0.0.1"; };
  db = { imports = [ ../hosts/db/configuration.nix ]; };
  resources.sshKeyPairs.ssh-key = { };
}
`,
      'hosts/web/configuration.nix': host('web', '\n  nixpkgs.hostPlatform = "x86_64-linux";'),
      'hosts/db/configuration.nix': host('db', '\n  nixpkgs.hostPlatform = "aarch64-linux";'),
    },
    machines: [
      { name: 'db', status: 'partial', platform: 'aarch64-linux', reason: /NixOps or morph adds modules/ },
      { name: 'web', status: 'partial', platform: X86, reason: /NixOps or morph adds modules/ },
    ],
    findings: [],
  },
  {
    name: "machines built with nixpkgs' eval-config.nix imported directly (through the input's source)",
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { self, nixpkgs, ... }: {
    nixosConfigurations.box = import "\${nixpkgs}/nixos/lib/eval-config.nix" {
      system = "x86_64-linux";
      modules = [ ./box.nix ];
    };
    nixosConfigurations.web = import (nixpkgs + "/nixos/lib/eval-config.nix") {
      system = "aarch64-linux";
      modules = [ ./web.nix ];
    };
  };
}
`,
      'box.nix': host('box'),
      'web.nix': host('web'),
    },
    machines: [
      { name: 'box', status: 'read', platform: X86 },
      { name: 'web', status: 'read', platform: 'aarch64-linux' },
    ],
    findings: [],
  },
  {
    name: 'the shared module comes in through extraModules (nixosSystem and eval-config.nix), not modules',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { self, nixpkgs, ... }: {
    nixosModules.default = ./common.nix;
    nixosConfigurations.box = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      extraModules = [ self.nixosModules.default ];
      modules = [ ./box.nix ];
    };
    nixosConfigurations.web = import "\${nixpkgs}/nixos/lib/eval-config.nix" {
      system = "x86_64-linux";
      extraModules = [ ./common.nix ];
      modules = [ ./web.nix ];
    };
  };
}
`,
      'common.nix': host('common').replace('networking.hostName = "common";', ''),
      'box.nix': `{ ... }: { networking.hostName = "box"; }\n`,
      'web.nix': `{ ... }: { networking.hostName = "web"; }\n`,
    },
    machines: [
      { name: 'box', status: 'read', platform: X86 },
      { name: 'web', status: 'read', platform: X86 },
    ],
    findings: [],
  },
  {
    name: 'machines built from a patched nixpkgs (applyPatches): its eval-config.nix read, its own flake said to be unknown',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { self, nixpkgs }:
    let
      patched = nixpkgs.legacyPackages.x86_64-linux.applyPatches {
        name = "nixpkgs-patched";
        src = nixpkgs;
        patches = [ ./fix.patch ];
      };
      nixosSystem = import "\${patched}/nixos/lib/eval-config.nix";
      patchedFlake = (import "\${patched}/flake.nix").outputs { self = patchedFlake; };
    in {
      nixosConfigurations.box = nixosSystem { system = "x86_64-linux"; modules = [ ./box.nix ]; };
      nixosConfigurations.web = patchedFlake.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./box.nix ]; };
    };
}
`,
      'box.nix': host('box'),
    },
    machines: [
      { name: 'box', status: 'read', platform: X86 },
      { name: 'web', status: 'not-followed', reason: /could not work out its value/ },
    ],
    findings: ['configuration-not-followed flake.nix:14'],
  },
  {
    name: 'an option alias (lib.mkAliasOptionModule) carries the user definitions the rules read',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { self, nixpkgs, ... }: {
    nixosConfigurations.box = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./system.nix ./me.nix ];
    };
  };
}
`,
      'system.nix': `{ ... }:
{
  boot.loader.systemd-boot.enable = true;
  boot.loader.efi.canTouchEfiVariables = true;
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
  fileSystems."/boot" = { device = "/dev/disk/by-label/BOOT"; fsType = "vfat"; options = [ "umask=0077" ]; };
  services.openssh.enable = true;
  system.stateVersion = "24.11";
}
`,
      'me.nix': `{ lib, ... }:
{
  imports = [ (lib.mkAliasOptionModule [ "me" ] [ "users" "users" "alice" ]) ];
  me = {
    isNormalUser = true;
    extraGroups = [ "wheel" ];
    hashedPassword = "correct horse battery staple";
  };
}
`,
    },
    machines: [{ name: 'box', status: 'read', platform: X86 }],
    findings: ['password-hash-invalid me.nix:7'],
  },
  {
    name: 'a flake that offers itself as a template (templates.full.path = ./.), hosts built with makeOverridable nixosSystem',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { self, nixpkgs, ... }:
    let nixosSystem = nixpkgs.lib.makeOverridable nixpkgs.lib.nixosSystem;
    in {
      nixosConfigurations.box = nixosSystem { system = "x86_64-linux"; modules = [ ./box.nix ]; };
      templates.full = { path = ./.; description = "this very flake"; };
      templates.default = self.templates.full;
    };
}
`,
      'box.nix': host('box'),
    },
    machines: [{ name: 'box', status: 'read', platform: X86 }],
    findings: [],
  },
  {
    name: 'a morph network wrapped in __trace, its hosts imported from their folders',
    files: {
      'deploy/morph.nix': `with builtins;
__trace "morph eval" (let hosts = ../hosts; in {
  network = { description = "home"; };
  web = import (hosts + "/web");
})
`,
      'hosts/web/default.nix': host('web', '\n  nixpkgs.hostPlatform = "x86_64-linux";'),
    },
    machines: [{ name: 'web', status: 'partial', platform: X86, reason: /NixOps or morph adds modules/ }],
    findings: [],
  },
  {
    name: 'NixOps networks without `network` (nodes that set deployment.*, or `resources` beside node functions), `require`; none in NixOps’ own evaluator',
    files: {
      'deploy/nixops.nix': `{
  require = [ ./resources.nix ];
  web = { ... }: {
    deployment.targetHost = "10.0.0.1";
    imports = [ ../hosts/web/configuration.nix ];
  };
}
`,
      'deploy/resources.nix': `{ resources.sshKeyPairs.deploy = { }; }
`,
      'deploy/physical.nix': `{ web = { deployment.targetEnv = "virtualbox"; }; }
`,
      'deploy/droplets.nix': `let
  agent = import ./agent.nix;
in
{
  resources.sshKeyPairs.ssh-key = { };
  node0 = { config, pkgs, nodes, ... }: agent { inherit config pkgs nodes; };
}
`,
      'deploy/agent.nix': `{ config, pkgs, nodes, ... }: { imports = [ ../hosts/node0/configuration.nix ]; }
`,
      'hosts/node0/configuration.nix': host('node0', '\n  nixpkgs.hostPlatform = "x86_64-linux";'),
      'hosts/web/configuration.nix': host('web', '\n  nixpkgs.hostPlatform = "x86_64-linux";'),
      'tool/eval-machine-info.nix': `{ networkExprs, args ? { } }:
rec {
  networks = map (e: call (import e)) networkExprs;
  call = x: if builtins.isFunction x then x args else x;
  network = builtins.zipAttrsWith (n: vs: vs) networks;
  nodes = builtins.mapAttrs (n: v: v) network;
}
`,
    },
    machines: [
      { name: 'node0', status: 'partial', platform: X86, reason: /NixOps or morph adds modules/ },
      { name: 'web', status: 'partial', platform: X86, reason: /NixOps or morph adds modules/ },
    ],
    findings: [],
  },
  {
    name: 'configuration.nix files that are no NixOS machine: nix-darwin’s, home-manager’s, a template’s, a git-crypt encrypted one',
    files: {
      'hosts/box/configuration.nix': host('box', '\n  nixpkgs.hostPlatform = "x86_64-linux";'),
      'hosts/mac/configuration.nix': `{ pkgs, ... }:
{
  imports = [ <home-manager/nix-darwin> ];
  environment.darwinConfig = "$HOME/nix/hosts/mac/configuration.nix";
  services.nix-daemon.enable = true;
}
`,
      'hosts/mini/configuration.nix': `{ ... }:
{
  homebrew = { enable = true; casks = [ "firefox" ]; };
  system.stateVersion = 5;
}
`,
      'hosts/vault/configuration.nix': '\u0000GITCRYPT\u0000\u00c3\u0012\u0081private',
      'home/alice/configuration.nix': `{ lib, ... }:
{
  home.username = "alice";
  home.homeDirectory = lib.mkDefault "/home/alice";
  programs.home-manager.enable = true;
  home.stateVersion = "24.11";
}
`,
      'templates/configuration.nix': `# copy to /etc/nixos and add your host
{ ... }:
{
  imports = [ ./hardware-configuration.nix ];
}
`,
    },
    machines: [{ name: 'box', status: 'read', platform: X86 }],
    findings: ['file-encrypted hosts/vault/configuration.nix:1'],
  },
  {
    name: 'host files imported through a computed path (`./. + "/hosts/${hostName}/configuration.nix"`) are the root machine’s modules',
    files: {
      'nixos/configuration.nix': `{ ... }:
{
  imports = [ ./auto-host.nix ./common.nix ];
}
`,
      'nixos/auto-host.nix': `{ lib, ... }:
let
  hostName = lib.fileContents /etc/hostname;
in
{
  networking.hostName = hostName;
  imports = [ (./. + "/hosts/\${hostName}/configuration.nix") ];
}
`,
      'nixos/common.nix': host('common', '\n  nixpkgs.hostPlatform = "x86_64-linux";'),
      'nixos/hosts/alpha/configuration.nix': `{ ... }: { services.openssh.enable = true; }
`,
      'nixos/hosts/beta/configuration.nix': `{ ... }: { services.nginx.enable = true; }
`,
    },
    machines: [
      { name: 'nixos', status: 'partial', platform: X86, reason: /a module nixkit cannot work out/ },
    ],
    findings: [],
  },
  {
    name: 'a "pivot" file that builds the machine with eval-config.nix from a pinned nixpkgs (npins), and a set of such systems',
    files: {
      'nixos/pivot.nix': `# builds with the nixpkgs from npins instead of the channel
let
  sources = import ./npins;
  pkgs = sources.nixos;
in
import "\${pkgs}/nixos/lib/eval-config.nix" {
  system = null;
  modules = [ ./configuration.nix ];
}
`,
      'nixos/npins/default.nix': `let
  data = builtins.fromJSON (builtins.readFile ./sources.json);
in
builtins.mapAttrs (name: pin: { outPath = builtins.fetchTarball pin.url; }) data.pins
`,
      'nixos/npins/sources.json':
        '{ "pins": { "nixos": { "type": "Channel", "name": "nixos-24.11", "url": "https://example.invalid/nixexprs.tar.xz" } }, "version": 3 }\n',
      'nixos/configuration.nix': host('pivot', '\n  nixpkgs.hostPlatform = "x86_64-linux";'),
      'fleet/systems.nix': `{
  edge = import <nixpkgs/nixos/lib/eval-config.nix> { system = "aarch64-linux"; modules = [ ./edge.nix ]; };
}
`,
      'fleet/edge.nix': host('edge'),
    },
    machines: [
      { name: 'edge', status: 'read', platform: 'aarch64-linux' },
      { name: 'pivot', status: 'read', platform: X86 },
    ],
    findings: [],
  },
  {
    name: 'a configuration.nix whose value is an `if` nixkit cannot decide is partly read, not read',
    files: {
      'etc-nixos/configuration.nix': `# serves nixos-rebuild and nix-build alike
args@{ ... }:
if args ? specialArgs then
  { imports = [ ./hosts/alpha.nix ]; }
else
  { }
`,
      'etc-nixos/hosts/alpha.nix': `{ ... }: {
  fileSystems."/".device = "/dev/sda1";
  boot.cleanTmpDir = true;
}
`,
    },
    machines: [
      {
        name: 'etc-nixos',
        status: 'partial',
        reason: /a module nixkit cannot work out \(configuration\.nix:3\)/,
      },
    ],
    findings: [],
  },
  {
    name: 'a flake that computes more than nixkit follows: its machine partly read, and why said once',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { self, nixpkgs, ... }:
    let
      # an inventory computed at length (here: a sum over 400,000 numbers)
      weight = builtins.foldl' (a: b: a + b) 0 (builtins.genList (i: i) 400000);
    in {
      nixosConfigurations.box = nixpkgs.lib.nixosSystem {
        system = "x86_64-linux";
        modules = builtins.seq weight [ ./box.nix ];
      };
    };
}
`,
      'box.nix': host('box'),
    },
    machines: [
      {
        name: 'box',
        status: 'partial',
        platform: X86,
        reason: /nixkit stopped evaluating: it follows at most 250,000 steps/,
      },
    ],
    findings: [],
  },
  {
    name: 'a release.nix that builds each host’s configuration.nix with eval-config.nix: each is a machine, partly read (the call may add modules)',
    files: {
      'systems/release.nix': `{ nixpkgs ? <nixpkgs>, system ? builtins.currentSystem }:
let
  eval = conf: import (nixpkgs + "/nixos/lib/eval-config.nix") { inherit system; modules = [ conf ]; };
in
{
  alpha = (eval ./alpha/configuration.nix).config.system.build.toplevel;
  beta = (eval ./beta/configuration.nix).config.system.build.toplevel;
}
`,
      'systems/alpha/configuration.nix': host('alpha', '\n  nixpkgs.hostPlatform = "x86_64-linux";'),
      'systems/beta/configuration.nix': host('beta', '\n  nixpkgs.hostPlatform = "x86_64-linux";'),
    },
    machines: [
      {
        name: 'alpha',
        status: 'partial',
        platform: X86,
        reason: /^\.\.\/release\.nix builds it with eval-config\.nix/,
      },
      {
        name: 'beta',
        status: 'partial',
        platform: X86,
        reason: /^\.\.\/release\.nix builds it with eval-config\.nix/,
      },
    ],
    findings: [],
  },
  {
    name: 'a per-machine link git ignores (`./host` → `hosts/<name>`): the host files are its targets, not machines',
    files: {
      'dotfiles/.gitignore': 'host\n',
      'dotfiles/configuration.nix': `{ ... }:
{
  imports = [ ./modules ./host/configuration.nix ./host/hardware-configuration.nix ];
  system.stateVersion = "24.11";
}
`,
      'dotfiles/modules/default.nix': `{ lib, ... }:
{
  options.own.gui = lib.mkEnableOption "a desktop";
}
`,
      'dotfiles/hosts/desk/configuration.nix': `{ ... }:
{
  own.gui = true;
  networking.hostName = "desk";
}
`,
      'dotfiles/hosts/desk/hardware-configuration.nix': `{ ... }:
{
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
}
`,
    },
    machines: [
      { name: 'dotfiles', status: 'partial', reason: /host\/configuration\.nix is not in this checkout/ },
    ],
    findings: [
      'module-not-found dotfiles/configuration.nix:3',
      'module-not-found dotfiles/configuration.nix:3',
    ],
  },
  {
    name: 'a flake-parts module written with the pipe operators (turned on in nixConfig): read as Nix 2.24 reads it',
    files: {
      'flake.nix': `{
  nixConfig.extra-experimental-features = [ "pipe-operators" ];
  ${NIXPKGS}
  inputs.flake-parts.url = "github:hercules-ci/flake-parts";
  outputs = inputs: inputs.flake-parts.lib.mkFlake { inherit inputs; } {
    systems = [ "x86_64-linux" ];
    imports = [ ./parts/host.nix ./parts/base.nix ];
  };
}
`,
      // the root filesystem and the ESP come through `|>`, the bootloader through `<|`
      'parts/base.nix': `{ lib, ... }:
{
  flake.modules.nixos.base = { ... }: {
    fileSystems = [ "/" "/boot" ] |> map (m: { name = m; value = if m == "/" then { device = "/dev/disk/by-label/root"; fsType = "ext4"; } else { device = "/dev/disk/by-label/BOOT"; fsType = "vfat"; }; }) |> lib.listToAttrs;
    boot.loader = lib.mkMerge <| [ { systemd-boot.enable = true; } ];
  };
}
`,
      'parts/host.nix': `{ inputs, config, ... }:
{
  flake.nixosConfigurations.box = inputs.nixpkgs.lib.nixosSystem {
    system = "x86_64-linux";
    modules = [ config.flake.modules.nixos.base ./box.nix ];
  };
}
`,
      'parts/box.nix': host('box').replace(
        / {2}boot\.loader\.systemd-boot\.enable = true;\n| {2}fileSystems\."\/(boot)?".*\n/g,
        '',
      ),
    },
    machines: [{ name: 'box', status: 'read', platform: X86 }],
    findings: [],
  },
  {
    name: 'without the pipe operators turned on, the same module is a syntax error (Nix 2.8-2.23 and default Nix refuse it)',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { nixpkgs, ... }: {
    nixosConfigurations.box = nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./box.nix ./fs.nix ]; };
  };
}
`,
      'fs.nix': `{ lib, ... }: { fileSystems = [ "/" ] |> map (m: { name = m; value = { device = "/dev/vda1"; fsType = "ext4"; }; }) |> lib.listToAttrs; }\n`,
      'box.nix': host('box'),
    },
    machines: [{ name: 'box', status: 'partial', platform: X86, reason: /syntax errors/ }],
    findings: ['syntax-error fs.nix:1'],
  },
  {
    name: 'a krops deployment: the configuration.nix its sources ship as nixos-config is a machine',
    files: {
      'chespin/configuration.nix': host('chespin', '\n  nixpkgs.hostPlatform = "x86_64-linux";'),
      'chespin/krops/sources.nix': `{ krops }:
krops.lib.evalSource [{
  nixos-config.file = builtins.toFile "nixos-config" ''
    { imports = [ ./configuration.nix ]; }
  '';
  "configuration.nix".file = toString ../configuration.nix;
  nixpkgs.file = { path = toString <nixpkgs>; useChecksum = true; };
}]
`,
      'chespin/krops/krops-configuration.nix': `# builds the krops configuration locally
{
  imports = [
    ../configuration.nix
    <nix-bitcoin/modules/deployment/krops.nix>
  ];
}
`,
    },
    machines: [{ name: 'chespin', status: 'read', platform: X86 }],
    findings: [],
  },
  {
    name: 'morph networks built by a helper (`import ../lib/make-grid.nix { nodes = …; }`, `{ network = …; } // nodes`)',
    files: {
      'grids/production.nix': `let
  common = { ... }: { services.openssh.enable = true; };
in
import ../lib/make-grid.nix {
  name = "production";
  nodes = {
    storage1 = { ... }: { imports = [ common ../hosts/storage1 ]; };
    storage2 = { ... }: { imports = [ common ../hosts/storage2 ]; };
  };
}
`,
      'grids/staging.nix': `import ../lib/make-grid.nix { name = "staging"; nodes.stage = import ../hosts/stage; }
`,
      'lib/make-grid.nix': `{ name, nodes }:
let
  pkgs = import <nixpkgs> { };
in
{
  network = {
    inherit pkgs;
    description = "\${name} grid";
  };
} // nodes
`,
      'hosts/storage1/default.nix': host('storage1', '\n  nixpkgs.hostPlatform = "x86_64-linux";'),
      'hosts/storage2/default.nix': host('storage2', '\n  nixpkgs.hostPlatform = "aarch64-linux";'),
      'hosts/stage/default.nix': host('stage', '\n  nixpkgs.hostPlatform = "x86_64-linux";'),
    },
    machines: [
      { name: 'stage', status: 'partial', platform: X86, reason: /NixOps or morph adds modules/ },
      { name: 'storage1', status: 'partial', platform: X86, reason: /NixOps or morph adds modules/ },
      {
        name: 'storage2',
        status: 'partial',
        platform: 'aarch64-linux',
        reason: /NixOps or morph adds modules/,
      },
    ],
    findings: [],
  },
  {
    name: 'a module file in the source of an input nixkit does not know ("${self.inputs.x}/module.nix"): named in the reason',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.mailer.url = "github:someone/mailer";
  outputs = { self, nixpkgs, ... }: {
    nixosConfigurations.box = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      specialArgs = { inherit self; };
      modules = [ ./box.nix ./mail.nix ];
    };
  };
}
`,
      'box.nix': host('box'),
      'mail.nix': `{ self, ... }:
{
  imports = [ "\${self.inputs.mailer}/nixos-module.nix" ];
}
`,
    },
    machines: [
      {
        name: 'box',
        status: 'partial',
        platform: X86,
        reason:
          /the module `mailer\/nixos-module\.nix` comes from input `mailer`, which nixkit does not know/,
      },
    ],
    findings: [],
  },
  {
    name: "a fork of nixpkgs under the user's own name (github:me/nixpkgs/branch): nixpkgs, its machines read",
    files: {
      'flake.nix': `{
  inputs.nixpkgs.url = "github:someone/nixpkgs/nixos-24.11-patched";
  outputs = { self, nixpkgs, ... }: {
    nixosConfigurations.box = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./box.nix ];
    };
  };
}
`,
      'box.nix': host('box'),
    },
    machines: [{ name: 'box', status: 'read', platform: X86 }],
    findings: [],
  },
  {
    name: 'a colmena output built from a local nixpkgs checkout (git+file:…/nixpkgs): its nodes read',
    files: {
      'flake.nix': `{
  inputs.nixpkgs.url = "git+file:///home/me/src/nixpkgs";
  outputs = { self, nixpkgs, ... }: {
    colmena =
      let pkgs = import nixpkgs { system = "x86_64-linux"; };
      in { meta.nixpkgs = pkgs; }
        // pkgs.lib.mapAttrs' (n: m: { name = n; value = m; }) { gate = ./machines/gate; };
  };
}
`,
      'machines/gate/default.nix': host('gate', '\n  nixpkgs.hostPlatform = "x86_64-linux";'),
    },
    machines: [{ name: 'gate', status: 'read', platform: X86 }],
    findings: [],
  },
  {
    name: 'a colmena output built from an input nixkit does not know: the hive is said to be not followed, and why',
    files: {
      'flake.nix': `{
  inputs.pkgs.url = "git+https://git.example.com/infra/packages";
  outputs = { self, pkgs, ... }: {
    colmena =
      let p = import pkgs { system = "x86_64-linux"; };
      in { meta.nixpkgs = p; } // p.lib.mapAttrs (n: m: m) { gate = ./machines/gate; };
  };
}
`,
      'machines/gate/default.nix': host('gate'),
    },
    machines: [
      {
        name: 'colmena',
        status: 'not-followed',
        reason: /it comes from `import pkgs`, and input `pkgs` is not one nixkit knows/,
      },
    ],
    findings: ['configuration-not-followed flake.nix:4'],
  },
  {
    name: 'machines under packages.<system>.nixosConfigurations (everything inside eachDefaultSystem): found, as Nix finds them',
    files: {
      'flake.nix': `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  inputs.flake-utils.url = "github:numtide/flake-utils";
  outputs = { nixpkgs, flake-utils, ... }:
    flake-utils.lib.eachDefaultSystem (system: {
      packages.nixosConfigurations.desk = nixpkgs.lib.nixosSystem {
        inherit system;
        modules = [ ./desk.nix ];
      };
    });
}
`,
      'desk.nix': host('desk'),
    },
    machines: [{ name: 'desk', status: 'read', platform: X86 }],
    findings: [],
  },
  {
    name: "a sub-flake that builds the top flake's machines from the same file: each machine listed once",
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { nixpkgs, ... }: { nixosConfigurations = import ./hosts/machines.nix { inherit nixpkgs; }; };
}
`,
      'sub/flake.nix': `{
  ${NIXPKGS}
  outputs = { nixpkgs, ... }: { nixosConfigurations = import ../hosts/machines.nix { inherit nixpkgs; }; };
}
`,
      'hosts/machines.nix': `{ nixpkgs }:
{
  alpha = nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./alpha.nix ]; };
}
`,
      'hosts/alpha.nix': host('alpha'),
    },
    machines: [{ name: 'alpha', status: 'read', platform: X86 }],
    findings: [],
  },
  {
    name: "flake-parts with clan-core's module beside written-out machines: those read, the rest said to be unknown",
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.flake-parts.url = "github:hercules-ci/flake-parts";
  inputs.clan-core.url = "git+https://git.clan.lol/clan/clan-core";
  inputs.treefmt-nix.url = "github:numtide/treefmt-nix";
  outputs = inputs@{ flake-parts, ... }:
    flake-parts.lib.mkFlake { inherit inputs; } {
      systems = [ "x86_64-linux" ];
      imports = [
        inputs.treefmt-nix.flakeModule
        inputs.clan-core.flakeModules.default
        ./alpha.nix
      ];
      clan.machines.beta = { imports = [ ./beta.nix ]; };
    };
}
`,
      'alpha.nix': `{ inputs, ... }:
{
  flake.nixosConfigurations.alpha = inputs.nixpkgs.lib.nixosSystem {
    system = "x86_64-linux";
    modules = [ ./alpha-host.nix ];
  };
}
`,
      'alpha-host.nix': host('alpha'),
      'beta.nix': host('beta'),
    },
    machines: [
      { name: 'alpha', status: 'read', platform: X86 },
      {
        name: 'nixosConfigurations',
        status: 'not-followed',
        reason:
          /the flake-parts module `clan-core\.flakeModules\.default` comes from input `clan-core`, which nixkit does not know; it may add machines nixkit does not see/,
      },
    ],
    findings: ['configuration-not-followed flake.nix:11'],
  },
  {
    name: "outputs merged over a library nixkit does not know (bp // { … }): said to be partly unknown, not 'no machine'",
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.blueprint.url = "github:numtide/blueprint";
  outputs = inputs:
    let bp = inputs.blueprint { inherit inputs; };
    in bp // { overlays.default = final: prev: { }; };
}
`,
      'hosts/desk/configuration.nix': host('desk'),
    },
    machines: [
      {
        name: 'nixosConfigurations',
        status: 'not-followed',
        reason:
          /the flake's outputs are partly unknown \(`blueprint` comes from input `blueprint`, which nixkit does not know\)/,
      },
    ],
    findings: ['configuration-not-followed flake.nix:4'],
  },
  {
    name: 'hosts named by lib.replaceString over readDir (concatMapAttrs): found; a name nixkit cannot compute is said',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { nixpkgs, ... }:
    let lib = nixpkgs.lib; in {
      nixosConfigurations = lib.concatMapAttrs (file: _: {
        \${lib.replaceString ".nix" "" file} = lib.nixosSystem {
          system = "x86_64-linux";
          modules = [ ./hosts/\${file} ];
        };
      }) (builtins.readDir ./hosts);
      other = lib.concatMapAttrs (file: _: { \${builtins.unknownFunction file} = 1; }) (builtins.readDir ./hosts);
    };
}
`,
      'hosts/desk.nix': host('desk'),
    },
    machines: [{ name: 'desk', status: 'read', platform: X86 }],
    findings: [],
  },
  {
    name: 'hosts named by a function nixkit cannot evaluate inside concatMapAttrs: said, not dropped',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { nixpkgs, ... }:
    let lib = nixpkgs.lib; in {
      nixosConfigurations = lib.concatMapAttrs (file: _: {
        \${builtins.unknownFunction file} = lib.nixosSystem { modules = [ ./hosts/\${file} ]; };
      }) (builtins.readDir ./hosts);
    };
}
`,
      'hosts/desk.nix': host('desk'),
    },
    machines: [
      {
        name: 'nixosConfigurations',
        status: 'not-followed',
        reason: /some of its names are computed in a way nixkit cannot follow/,
      },
    ],
    findings: ['configuration-not-followed flake.nix:5'],
  },
  {
    name: 'a NixOps 2 flake (nixopsConfigurations.default): each machine of the network',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.nixops.url = "github:NixOS/nixops";
  outputs = { nixpkgs, nixops, ... }: {
    nixopsConfigurations.default = {
      inherit nixpkgs;
      network.description = "bot";
      network.storage.legacy = { };
      bot = { ... }: { imports = [ ./bot.nix ]; deployment.targetHost = "bot.example.org"; };
    };
  };
}
`,
      'bot.nix': host('bot', '\n  nixpkgs.hostPlatform = "aarch64-linux";'),
    },
    machines: [
      { name: 'bot', status: 'partial', platform: 'aarch64-linux', reason: /NixOps or morph adds modules/ },
    ],
    findings: [],
  },
  {
    name: 'a flake with only a dev shell beside /etc/nixos-style hosts and a NixOps network: those are the machines',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { nixpkgs, ... }: {
    devShells.x86_64-linux.default = nixpkgs.legacyPackages.x86_64-linux.mkShell { };
  };
}
`,
      'desk/configuration.nix': host('desk', '\n  nixpkgs.hostPlatform = "x86_64-linux";'),
      'web/nixops.nix': `{
  network.description = "web";
  web = { ... }: { imports = [ ./host.nix ]; deployment.targetHost = "web.example.org"; };
}
`,
      'web/host.nix': host('web', '\n  nixpkgs.hostPlatform = "x86_64-linux";'),
    },
    machines: [
      { name: 'desk', status: 'read', platform: X86 },
      { name: 'web', status: 'partial', platform: X86, reason: /NixOps or morph adds modules/ },
    ],
    findings: [],
  },
  {
    name: 'a flake with machines beside a NixOps network and a colmena hive.nix in sub-folders: those are machines too',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { nixpkgs, ... }: {
    nixosConfigurations.laptop = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./laptop.nix ];
    };
  };
}
`,
      'laptop.nix': host('laptop'),
      'pi/nixops.nix': `{
  network.description = "pi";
  pi = { deployment.targetHost = "10.0.0.2"; nixpkgs.system = "aarch64-linux"; imports = [ ./host.nix ]; };
}
`,
      'pi/host.nix': host('pi'),
      'srv/hive.nix': `{
  meta.nixpkgs = import <nixpkgs> { system = "x86_64-linux"; };
  web = { ... }: { imports = [ ./web.nix ]; deployment.targetHost = "web.example.org"; };
}
`,
      'srv/web.nix': host('web', '\n  nixpkgs.hostPlatform = "x86_64-linux";'),
    },
    machines: [
      { name: 'laptop', status: 'read', platform: X86 },
      { name: 'pi', status: 'partial', platform: 'aarch64-linux', reason: /NixOps or morph adds modules/ },
      { name: 'web', status: 'read', platform: X86 },
    ],
    findings: [],
  },
  {
    name: "a board input's own lib.nixosSystem (it adds modules) over a fleet's mkDefault platform: no platform claimed, no conflict",
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.rpi.url = "github:example/nixos-raspberrypi";
  outputs = { nixpkgs, rpi, ... }: {
    nixosConfigurations.pi = rpi.lib.nixosSystem {
      system = "aarch64-linux";
      modules = [ ./pi.nix ];
    };
    nixosConfigurations.pi2 = rpi.lib.nixosSystem { modules = [ ./pi.nix ]; };
    nixosConfigurations.box = nixpkgs.lib.nixosSystem { modules = [ ./box.nix ]; };
  };
}
`,
      'fleet.nix': `{ lib, ... }:
{
  nixpkgs.hostPlatform = lib.mkDefault "x86_64-linux";
}
`,
      'pi.nix': host('pi', '\n  imports = [ ./fleet.nix ];'),
      'box.nix': host('box', '\n  imports = [ ./fleet.nix ];'),
    },
    machines: [
      { name: 'box', status: 'read', platform: X86 },
      { name: 'pi', status: 'partial', reason: /built with `rpi\.lib\.nixosSystem`, not nixpkgs' own/ },
      { name: 'pi2', status: 'partial', reason: /built with `rpi\.lib\.nixosSystem`, not nixpkgs' own/ },
    ],
    findings: [],
  },
  {
    name: "nixpkgs.hostPlatform.system set plainly by a board module beats a fleet's mkDefault string",
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { nixpkgs, ... }: {
    nixosConfigurations.pi = nixpkgs.lib.nixosSystem {
      system = "aarch64-linux";
      modules = [ ./pi.nix ./board.nix ];
    };
  };
}
`,
      'fleet.nix': `{ lib, ... }:
{
  nixpkgs.hostPlatform = lib.mkDefault "x86_64-linux";
}
`,
      'board.nix': `{ ... }:
{
  nixpkgs = { hostPlatform.system = "aarch64-linux"; };
}
`,
      'pi.nix': host('pi', '\n  imports = [ ./fleet.nix ];'),
    },
    machines: [{ name: 'pi', status: 'read', platform: 'aarch64-linux' }],
    findings: [],
  },
  {
    name: 'machines a script builds with -I nixos-config= or NIXOS_CONFIG= (any file name; a variable folder), with the nixpkgs it pins',
    files: {
      mkiso: `#!/bin/sh
nix-build '<nixpkgs/nixos>' -A config.system.build.isoImage -I nixos-config=iso.nix \\
  -I nixpkgs=https://github.com/NixOS/nixpkgs/archive/nixos-20.09.tar.gz
`,
      '.gitignore': 'result\n',
      'scripts/vm.sh': `#!/bin/sh
nix-build '<nixpkgs/nixos>' --arg configuration ./vm.nix -A vm
`,
      'scripts/vm.nix': host('vm', '\n  nixpkgs.hostPlatform = "x86_64-linux";'),
      'scripts/switch.sh': `#!/bin/sh
host=\${1:-desk}
sudo NIXOS_CONFIG="$(pwd)/machines/$host/default.nix" nixos-rebuild switch
sudo NIXOS_CONFIG=$(pwd)/$computed nixos-rebuild switch
`,
      'iso.nix': `{ modulesPath, ... }:
{
  imports = [ "\${modulesPath}/installer/cd-dvd/installation-cd-minimal.nix" ./common.nix ];
  nixpkgs.hostPlatform = "x86_64-linux";
  sound.enable = true; # still an option in 20.09, which the script pins
}
`,
      'common.nix': `{ ... }:
{
  time.timeZone = "Europe/London";
}
`,
      'machines/desk/default.nix': host(
        'desk',
        '\n  imports = [ ../../common.nix ];\n  nixpkgs.hostPlatform = "x86_64-linux";',
      ),
      'machines/nas/default.nix': host(
        'nas',
        '\n  imports = [ ../../common.nix ];\n  nixpkgs.hostPlatform = "x86_64-linux";',
      ),
    },
    machines: [
      { name: 'desk', status: 'read', platform: X86 },
      { name: 'iso', status: 'read', platform: X86 },
      { name: 'nas', status: 'read', platform: X86 },
      { name: 'vm', status: 'read', platform: X86 },
    ],
    findings: [],
  },
  {
    name: "inside a flake's folder only declared networks count: an std hive.nix, a module with deployment options, ESPHome's network set are none",
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { nixpkgs, ... }: {
    nixosConfigurations.box = nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./box.nix ]; };
  };
}
`,
      'box.nix': host('box'),
      'hive.nix': `{
  outputs = { std, hive, ... }@inputs: hive.growOn { inherit inputs; cellsFrom = ./cells; } { };
  inputs = { };
}
`,
      'hosts/quake/default.nix': `{ config, lib, ... }:
{
  my = { deployment.targetHost = "quake.example.org"; network.firewall.enable = true; };
}
`,
      'esphome/common.nix': `{
  esphome = { name = "sensor"; };
  network = { enable_ipv6 = true; };
  wifi = { ssid = "x"; };
}
`,
    },
    machines: [{ name: 'box', status: 'read', platform: X86 }],
    findings: [],
  },
  {
    name: 'a NixOps network split into logical and physical files is one machine per node; a network file with no node is no machine',
    files: {
      'trivial/logical.nix': `{
  network.description = "web";
  web = { ... }: { imports = [ ./web.nix ]; };
}
`,
      'trivial/physical.nix': `{
  web = { deployment.targetEnv = "virtualbox"; deployment.virtualbox.memorySize = 1024; system.activationScripts.media = "mkdir -p /media"; };
}
`,
      'trivial/web.nix': host('web', '\n  nixpkgs.hostPlatform = "x86_64-linux";'),
      'mesos/misc.nix': `{
  network.enableRollback = true;
  defaults = { deployment.targetEnv = "virtualbox"; };
}
`,
    },
    machines: [{ name: 'web', status: 'partial', platform: X86, reason: /NixOps or morph adds modules/ }],
    findings: [],
  },
  {
    name: 'a colmena node named as a nixosConfigurations entry: one machine when it reads the same modules, two when not; platforms from meta.nixpkgs / meta.nodeNixpkgs',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { self, nixpkgs, ... }: {
    nixosConfigurations.web = nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./install.nix ]; };
    nixosConfigurations.db = nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./db.nix ]; };
    colmena = {
      meta.nixpkgs = import nixpkgs { system = "x86_64-linux"; };
      meta.nodeNixpkgs.pi = import nixpkgs { localSystem.system = "aarch64-linux"; };
      web = { imports = [ ./web.nix ]; deployment.targetHost = "web.example.org"; };
      db = { imports = [ ./db.nix ]; deployment.targetHost = "db.example.org"; };
      pi = { imports = [ ./pi.nix ]; deployment.targetHost = "pi.example.org"; };
    };
  };
}
`,
      'install.nix': host('web'),
      'web.nix': host('web', '\n  hardware.opengl.enable = true;'),
      'db.nix': host('db'),
      'pi.nix': host('pi'),
    },
    machines: [
      { name: 'db', status: 'read', platform: X86 },
      { name: 'pi', status: 'read', platform: 'aarch64-linux' },
      { name: 'web', status: 'read', platform: X86 },
      { name: 'web', status: 'read', platform: X86 },
    ],
    findings: ['removed-option web.nix:15'],
  },
  {
    name: "nixosConfigurations = self.colmenaHive.nodes, as colmena's manual shows: each node once, with its platform",
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.colmena.url = "github:zhaofengli/colmena";
  outputs = { self, nixpkgs, colmena, ... }: {
    colmenaHive = colmena.lib.makeHive self.colmena;
    nixosConfigurations = self.colmenaHive.nodes;
    colmena = {
      meta.nixpkgs = import nixpkgs { system = "x86_64-linux"; };
      meta.nodeNixpkgs.pi = import nixpkgs { system = "aarch64-linux"; };
      meta.specialArgs.site = "home";
      defaults = { site, ... }: { time.timeZone = if site == "home" then "Europe/Berlin" else "UTC"; };
      web = { imports = [ ./web.nix ]; deployment.targetHost = "web.example.org"; };
      pi = { imports = [ ./pi.nix ]; deployment.targetHost = "pi.example.org"; };
    };
  };
}
`,
      'web.nix': host('web'),
      'pi.nix': host('pi'),
    },
    machines: [
      { name: 'pi', status: 'read', platform: 'aarch64-linux' },
      { name: 'web', status: 'read', platform: X86 },
    ],
    findings: [],
  },
  {
    name: "flake-parts partitions: partitionedAttrs sends nixosConfigurations to a partition's own module",
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.flake-parts.url = "github:hercules-ci/flake-parts";
  outputs = inputs@{ flake-parts, ... }:
    flake-parts.lib.mkFlake { inherit inputs; } {
      imports = [ inputs.flake-parts.flakeModules.partitions ];
      systems = [ "x86_64-linux" ];
      partitions.machines = {
        extraInputsFlake = ./machines;
        module = ./machines/flake-module.nix;
      };
      partitionedAttrs.nixosConfigurations = "machines";
    };
}
`,
      'machines/flake.nix': `{
  inputs.impermanence.url = "github:nix-community/impermanence";
  outputs = { ... }: { };
}
`,
      'machines/flake-module.nix': `{ inputs, ... }:
{
  flake.nixosConfigurations.box = inputs.nixpkgs.lib.nixosSystem {
    system = "x86_64-linux";
    modules = [ ./box.nix ];
  };
}
`,
      'machines/box.nix': host('box'),
    },
    machines: [{ name: 'box', status: 'read', platform: X86 }],
    findings: [],
  },
  {
    name: 'a colmena hive.nix pinning nixpkgs 23.05 by tarball URL: options removed later are fine there',
    files: {
      'hive.nix': `{
  meta.nixpkgs = import (builtins.fetchTarball "https://github.com/NixOS/nixpkgs/archive/nixos-23.05.tar.gz") { system = "x86_64-linux"; };
  box = { ... }: {
    imports = [ ./box.nix ];
    deployment.targetHost = "box";
    sound.enable = true;
    hardware.opengl.driSupport = true;
  };
}
`,
      'box.nix': host('box', '\n  nixpkgs.hostPlatform = "x86_64-linux";').replace('"24.11"', '"23.05"'),
    },
    machines: [{ name: 'box', status: 'read', platform: X86 }],
    findings: [],
  },
  {
    name: 'a nixosConfigurations entry that is no nixosSystem beside the colmena node of that name: the node is checked',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.colmena.url = "github:zhaofengli/colmena";
  outputs = { self, nixpkgs, colmena }: {
    colmena = {
      meta.nixpkgs = import nixpkgs { system = "aarch64-linux"; };
      pi = { imports = [ ./pi.nix ]; deployment.targetHost = "10.0.0.2"; };
    };
    nixosConfigurations.pi = { system = "aarch64-linux"; modules = [ ./pi.nix ]; };
  };
}
`,
      'pi.nix': host('pi', '\n  nixpkgs.hostPlatform = "aarch64-linux";'),
    },
    machines: [
      { name: 'pi', status: 'not-followed', reason: /it is not a NixOS system built with nixosSystem/ },
      { name: 'pi', status: 'read', platform: 'aarch64-linux' },
    ],
    findings: ['configuration-not-followed flake.nix:9'],
  },
  {
    name: 'an SD-card image wrapper around configuration.nix (-I nixos-config=./sd-image.nix): the wrapper is the machine',
    files: {
      'sd-image.nix': `# nix-build '<nixpkgs/nixos>' -A config.system.build.sdImage -I nixos-config=./sd-image.nix
{ ... }: {
  imports = [
    <nixpkgs/nixos/modules/installer/sd-card/sd-image-aarch64.nix>
    ./configuration.nix
  ];
  sdImage.compressImage = false;
}
`,
      'configuration.nix': host('pi', '\n  nixpkgs.hostPlatform = "aarch64-linux";'),
    },
    machines: [{ name: 'sd-image', status: 'read', platform: 'aarch64-linux' }],
    findings: [],
  },
  {
    name: "a script that builds each host's configuration.nix with <nixpkgs/nixos>: each is a machine",
    files: {
      'default.nix': `let
  builder = configuration: (import <nixpkgs/nixos> { inherit configuration; }).system;
in
map builder [ ./nuc/configuration.nix ./xps/configuration.nix ]
`,
      'nuc/configuration.nix': host('nuc', '\n  nixpkgs.hostPlatform = "x86_64-linux";'),
      'xps/configuration.nix': host('xps', '\n  nixpkgs.hostPlatform = "x86_64-linux";'),
    },
    machines: [
      { name: 'nuc', status: 'read', platform: X86 },
      { name: 'xps', status: 'read', platform: X86 },
    ],
    findings: [],
  },
  {
    name: 'a group of modules without `system` mapped through nixosSystem like the hosts: said to fail, not checked',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { self, nixpkgs, ... }:
    let
      raw = {
        shared = { modules = [ ./shared.nix ]; };
        box = { system = "x86_64-linux"; modules = [ ./shared.nix ./box.nix ]; };
      };
    in {
      nixosConfigurations = builtins.mapAttrs (name: c:
        nixpkgs.lib.nixosSystem { inherit (c) system; modules = c.modules; }) raw;
    };
}
`,
      'shared.nix': '{ ... }: { time.timeZone = "UTC"; }\n',
      'box.nix': host('box'),
    },
    machines: [
      { name: 'box', status: 'read', platform: X86 },
      { name: 'shared', status: 'not-followed', reason: /evaluating it fails: attribute 'system' missing/ },
    ],
    findings: ['configuration-not-followed flake.nix:11'],
  },
  {
    name: "a bootstrap flake builds each host folder from an optional init.nix only: its machine lacks / even though the root flake imports the folder's hardware-configuration.nix",
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { nixpkgs, ... }: {
    nixosConfigurations.beta = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./hosts/beta ./hosts/beta/hardware-configuration.nix ];
    };
  };
}
`,
      'hosts/beta/default.nix': host('beta').replace(/ {2}fileSystems."\/" = .*\n/, ''),
      'hosts/beta/hardware-configuration.nix':
        '{ ... }: { fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; }; }\n',
      'hosts/flake.nix': `{
  ${NIXPKGS}
  outputs = { nixpkgs, ... }: let
    lib = nixpkgs.lib;
    names = builtins.attrNames (lib.filterAttrs (_: t: t == "directory") (builtins.readDir ./.));
  in {
    nixosConfigurations = lib.genAttrs names (name: lib.nixosSystem {
      system = "x86_64-linux";
      modules = lib.flatten [
        { system.stateVersion = "24.11"; boot.loader.grub.device = "nodev"; }
        (lib.optional (builtins.pathExists ./\${name}/init.nix) ./\${name}/init.nix)
      ];
    });
  };
}
`,
    },
    machines: [
      { name: 'beta', status: 'read', platform: X86 },
      { name: 'beta', status: 'read', platform: X86 },
    ],
    findings: ['lockout-risk hosts/flake.nix:7', 'root-filesystem-missing hosts/flake.nix:7'],
  },
  {
    name: 'flake-parts partitions: the templates output lives in a `dev` partition that publishes every folder under templates/; a template flake there is no machine',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.flake-parts.url = "github:hercules-ci/flake-parts";
  outputs = inputs@{ flake-parts, nixpkgs, ... }:
    flake-parts.lib.mkFlake { inherit inputs; } {
      systems = [ "x86_64-linux" ];
      imports = [ inputs.flake-parts.flakeModules.partitions ];
      partitions.dev.module = ./dev;
      partitions.dev.extraInputsFlake = ./dev;
      partitionedAttrs = nixpkgs.lib.genAttrs [ "checks" "devShells" "templates" ] (_: "dev");
      flake.nixosConfigurations.box = nixpkgs.lib.nixosSystem {
        system = "x86_64-linux";
        modules = [ ./hosts/box.nix ];
      };
    };
}
`,
      'dev/flake.nix': `{
  inputs.git-hooks.url = "github:cachix/git-hooks.nix";
  outputs = _: { };
}
`,
      'dev/default.nix': `{ lib, inputs, ... }: {
  imports = [ inputs.git-hooks.flakeModule ];
  flake.templates = lib.mapAttrs (name: _: { path = ../templates + "/\${name}"; description = name; })
    (lib.filterAttrs (_: t: t == "directory") (builtins.readDir ../templates));
}
`,
      'hosts/box.nix': host('box'),
      'templates/container/flake.nix': `{
  ${NIXPKGS}
  outputs = { self, nixpkgs }: {
    nixosConfigurations.container = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ { boot.isContainer = true; } ];
    };
  };
}
`,
    },
    machines: [{ name: 'box', status: 'read', platform: X86 }],
    findings: [],
  },
  {
    name: 'Snowfall Lib mkFlake: each systems/<platform>/<host> folder a machine with every modules/nixos module; iso and darwin targets are none',
    files: {
      'flake.nix': `{
  inputs = {
    ${NIXPKGS.replace('inputs.', '')}
    snowfall-lib = { url = "github:snowfallorg/lib"; inputs.nixpkgs.follows = "nixpkgs"; };
    home-manager.url = "github:nix-community/home-manager/release-24.11";
  };
  outputs = inputs:
    inputs.snowfall-lib.mkFlake {
      inherit inputs;
      src = ./.;
      snowfall.namespace = "acme";
      systems.modules.nixos = [ ./shared.nix ];
    };
}
`,
      'shared.nix': '{ ... }: { time.timeZone = "UTC"; }\n',
      'systems/x86_64-linux/alpha/default.nix': host('alpha', '\n  acme.base.enable = true;'),
      'systems/aarch64-linux/pi/default.nix': `{ host, ... }:
{
  networking.hostName = host;
  boot.loader.efi.efiSysMountPoint = "/boot/efi";
  boot.loader.systemd-boot.enable = true;
  fileSystems."/boot" = { device = "/dev/disk/by-label/BOOT"; fsType = "vfat"; };
}
`,
      'systems/x86_64-iso/installer/default.nix': '{ ... }: { }\n',
      'systems/aarch64-darwin/mac/default.nix': DARWIN_HOST,
      'modules/nixos/base/default.nix': `{ config, lib, namespace, ... }:
let cfg = config.\${namespace}.base; in
{
  options.\${namespace}.base.enable = lib.mkEnableOption "base";
  config = lib.mkIf cfg.enable { sound.enable = true; };
}
`,
      'modules/nixos/services/web/default.nix': `{ config, lib, namespace, ... }:
with lib; with lib.\${namespace};
{
  options.\${namespace}.services.web.enable = mkBoolOpt false "web";
  config = mkIf config.\${namespace}.services.web.enable { services.nginx.enable = true; };
}
`,
    },
    machines: [
      { name: 'alpha', status: 'partial', platform: X86, reason: /Snowfall Lib adds modules of its own/ },
      {
        name: 'pi',
        status: 'partial',
        platform: 'aarch64-linux',
        reason: /Snowfall Lib adds modules of its own/,
      },
    ],
    findings: [
      'esp-mount-mismatch systems/aarch64-linux/pi/default.nix:6',
      'removed-option modules/nixos/base/default.nix:5',
    ],
  },
  {
    name: "Snowfall Lib through mkLib, with a host override and its own root: the override's modules are the machine's; a name under two targets is the later one's",
    files: {
      'flake.nix': `{
  inputs = {
    ${NIXPKGS.replace('inputs.', '')}
    snowfall-lib = { url = "github:snowfallorg/lib"; inputs.nixpkgs.follows = "nixpkgs"; };
  };
  outputs = inputs:
    let
      lib = inputs.snowfall-lib.mkLib {
        inherit inputs;
        src = ./.;
        snowfall = { namespace = "acme"; root = ./nix; };
      };
    in
    lib.mkFlake {
      channels-config.allowUnfree = true;
      systems.hosts.web.modules = [ ./nix/hardware/web.nix ];
    };
}
`,
      'nix/systems/x86_64-linux/web/default.nix': host('web').replace(/ {2}fileSystems."\/" = .*\n/, ''),
      'nix/hardware/web.nix':
        '{ ... }: { fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; }; }\n',
      'systems/x86_64-linux/stale/default.nix': BARE('stale'),
      // one name under two targets: the later target (readDir's order) wins, here an ISO image
      'nix/systems/aarch64-linux/dup/default.nix': BARE('dup'),
      'nix/systems/x86_64-iso/dup/default.nix': '{ ... }: { }\n',
    },
    machines: [{ name: 'web', status: 'partial', platform: X86 }],
    findings: [],
  },
  {
    name: 'krops sources pin nixpkgs by branch: each machine is judged against the release its source puts on the target',
    files: {
      'old/deploy.nix': `let
  krops = builtins.fetchGit { url = "https://cgit.krebsco.de/krops/"; };
  lib = import "\${krops}/lib";
  pkgs = import "\${krops}/pkgs" { };
  source = lib.evalSource [{
    nixpkgs.git = { ref = "nixos-20.09"; url = "https://github.com/NixOS/nixpkgs"; };
    nixos-config.file = toString ./configuration.nix;
  }];
in
pkgs.krops.writeDeploy "deploy-old" { inherit source; target = "root@old"; }
`,
      'old/configuration.nix': host(
        'old',
        '\n  sound.enable = true;\n  nixpkgs.hostPlatform = "x86_64-linux";',
      ),
      'new/deploy.nix': `let
  krops = builtins.fetchGit { url = "https://cgit.krebsco.de/krops/"; };
  lib = import "\${krops}/lib";
  pkgs = import "\${krops}/pkgs" { };
in
pkgs.krops.writeDeploy "deploy-new" {
  source = lib.evalSource [{
    nixpkgs.git.url = "https://github.com/NixOS/nixpkgs";
    nixpkgs.git.ref = "nixos-24.11";
    nixos-config.file = toString ./configuration.nix;
  }];
  target = "root@new";
}
`,
      'new/configuration.nix': host(
        'new',
        '\n  sound.enable = true;\n  nixpkgs.hostPlatform = "x86_64-linux";',
      ),
    },
    machines: [
      { name: 'new', status: 'read', platform: X86 },
      { name: 'old', status: 'read', platform: X86 },
    ],
    findings: ['removed-option new/configuration.nix:15'],
  },
  {
    name: 'a hosting service booting /sbin/init: boot.loader.initScript is its boot loader',
    files: {
      'vps/configuration.nix': `{ ... }:
{
  boot.loader.grub.enable = false;
  boot.loader.initScript.enable = true;
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
  users.users.root.openssh.authorizedKeys.keys = [ "${KEY}" ];
  nixpkgs.hostPlatform = "x86_64-linux";
  system.stateVersion = "24.11";
}
`,
    },
    machines: [{ name: 'vps', status: 'read', platform: X86 }],
    findings: [],
  },
  {
    name: "flake-parts modules and NixOS modules taken with a fallback (`x or { }`): a known library's is that module, an unknown input is named",
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.flake-parts.url = "github:hercules-ci/flake-parts";
  inputs.sops-nix.url = "github:Mic92/sops-nix";
  inputs.den.url = "github:denful/den";
  outputs = inputs: inputs.flake-parts.lib.mkFlake { inherit inputs; } {
    systems = [ "x86_64-linux" ];
    imports = [ (inputs.den.flakeModules.dendritic or { }) ];
    flake.nixosConfigurations.box = inputs.nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./box.nix (inputs.sops-nix.nixosModules.sops or { }) ];
    };
  };
}
`,
      'box.nix': host('box'),
    },
    machines: [
      { name: 'box', status: 'read', platform: X86 },
      {
        name: 'nixosConfigurations',
        status: 'not-followed',
        reason: /the flake-parts module `den\.flakeModules\.dendritic` comes from input `den`/,
      },
    ],
    findings: ['configuration-not-followed flake.nix:8'],
  },
  {
    name: 'a helper file the flake imports for `system` and `modules` has a syntax error: the machine is partly read, and says why',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { nixpkgs, ... }: let
    base = import ./base.nix { };
  in {
    nixosConfigurations.arm = nixpkgs.lib.nixosSystem {
      inherit (base) system;
      modules = base.modules ++ [ ./host.nix ];
    };
  };
}
`,
      'base.nix': '{ ... }: {\n  system = "aarch64-linux";\n  modules = [ ];\n};\n',
      'host.nix': '{ ... }: { networking.hostName = "arm"; }\n',
    },
    machines: [
      {
        name: 'arm',
        status: 'partial',
        platform: 'aarch64-linux',
        reason: /base\.nix, which flake\.nix reads to build its machines, has syntax errors/,
      },
    ],
    findings: ['syntax-error base.nix:4'],
  },
  {
    name: "a builder that adds attributes of its own to the system (foldl' recursiveUpdate, //): still that machine",
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { self, nixpkgs, ... }: let
    lib = nixpkgs.lib;
    mkHost = name: let
      configuration = lib.nixosSystem {
        system = "x86_64-linux";
        modules = [ (./hosts + "/\${name}.nix") ];
      };
    in builtins.foldl' lib.recursiveUpdate { } [ configuration { tag = name; } ];
  in {
    nixosConfigurations.one = mkHost "one";
    nixosConfigurations.two = (lib.nixosSystem { system = "x86_64-linux"; modules = [ ./hosts/two.nix ]; }) // { deploy = "two.lan"; };
  };
}
`,
      'hosts/one.nix': host('one'),
      'hosts/two.nix': host('two', '\n  sound.enable = true;'),
    },
    machines: [
      { name: 'one', status: 'read', platform: X86 },
      { name: 'two', status: 'read', platform: X86 },
    ],
    findings: ['removed-option hosts/two.nix:15'],
  },
  {
    name: 'a module-only sub-flake whose `outputs = { }:` Nix cannot call: no machine said to be missing',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { self, nixpkgs }: {
    nixosConfigurations.box = nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./box.nix ]; };
  };
}
`,
      'box.nix': host('box'),
      'metrics/flake.nix': `{
  outputs = { }: {
    nixosModules.metrics = { services.prometheus.enable = true; };
  };
}
`,
    },
    machines: [{ name: 'box', status: 'read', platform: X86 }],
    findings: [],
  },
  {
    name: 'a root flake re-exporting the machine of a `path:` sub-flake: one machine, checked in its own flake',
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  inputs.alpha.url = "path:./hosts/alpha";
  outputs = inputs: {
    nixosConfigurations.alpha = inputs.alpha.nixosConfigurations.alpha;
  };
}
`,
      ...ALPHA_SUBFLAKE,
    },
    machines: [{ name: 'alpha', status: 'read', platform: X86 }],
    findings: [],
  },
  {
    name: "a root flake importing a sub-flake's outputs and picking its machine: one machine",
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { self, nixpkgs }: let
    alpha = (import ./hosts/alpha/flake.nix).outputs { self = alpha; inherit nixpkgs; };
  in {
    nixosConfigurations.alpha = alpha.nixosConfigurations.alpha;
  };
}
`,
      ...ALPHA_SUBFLAKE,
    },
    machines: [{ name: 'alpha', status: 'read', platform: X86 }],
    findings: [],
  },
  {
    name: "a root flake building its machine with a builder another flake.nix exports: the root's machine",
    files: {
      'flake.nix': `{
  ${NIXPKGS}
  outputs = { self, nixpkgs }: let
    lib = (import ./lib/flake.nix).outputs { self = lib; inherit nixpkgs; };
  in {
    nixosConfigurations.beta = lib.lib.mkHost "beta";
  };
}
`,
      'lib/flake.nix': `{
  ${NIXPKGS}
  outputs = { self, nixpkgs }: {
    lib.mkHost = name: nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ (../hosts + "/\${name}.nix") ]; };
  };
}
`,
      'hosts/beta.nix': host('beta'),
    },
    machines: [{ name: 'beta', status: 'read', platform: X86 }],
    findings: [],
  },
];
