// Who can log in (a password, a hash, a password file, a key; a user in wheel) is a configuration fact
// (facts/configuration-facts.ts), shared with Show Configuration.
import type { NixosConfiguration } from '../model/configuration';
import type { Rule } from '../rule-api/rule';

/**
 * Other ways in, or ways nixkit cannot follow: if any of these is defined, the rule stays quiet (directory
 * logins, automatic logins, keys from elsewhere, containers, WSL, an explicit opt-out).
 */
const OTHER_ACCESS = [
  'users.allowNoPasswordLogin',
  'users.extraUsers',
  'users.groups.wheel.members',
  'users.ldap',
  'services.sssd',
  'services.kanidm',
  'security.ipa',
  'security.googleOsLogin',
  'security.pam.services',
  'services.getty.autologinUser',
  'services.displayManager.autoLogin',
  'services.xserver.displayManager.autoLogin',
  'services.openssh.authorizedKeysFiles',
  'services.openssh.authorizedKeysCommand',
  'services.openssh.extraConfig',
  'services.openssh.settings.TrustedUserCAKeys',
  'services.openssh.settings.AuthorizedKeysFile',
  'boot.isContainer',
  'wsl',
  'virtualisation.vmVariant',
  // modules of image variants (`nixos-rebuild build-image`): a cloud image's agent takes keys from its metadata
  'image.modules',
];

/**
 * PAM services of screen lockers: they unlock a session someone already logged in to, and add no way in
 * (`security.pam.services.swaylock = { };` is what their NixOS setup asks for).
 */
const SCREEN_LOCKERS = new Set([
  'swaylock',
  'hyprlock',
  'i3lock',
  'i3lock-color',
  'gtklock',
  'waylock',
  'physlock',
  'xlock',
  'xscreensaver',
  'kscreenlocker',
  'betterlockscreen',
  'slock',
  'vlock',
]);

/** Definitions that may give a way in under an OTHER_ACCESS option. */
function accessDefinitions(config: NixosConfiguration, option: string) {
  const defs = config.defsUnder(option);
  if (option !== 'security.pam.services') return defs;
  return defs.filter((d) => !(d.path.length > 3 && SCREEN_LOCKERS.has(d.path[3])));
}

export const lockoutRisk: Rule = {
  code: 'lockout-risk',
  severity: 'information',
  reportsAbsence: true,
  title: 'Nobody can log in and administer the machine after the first boot',
  explanation:
    'An installed NixOS only lets in the accounts its configuration gives a way in: root, or a user in `wheel` ' +
    '(who can become root), with a password, a password hash, a password file or an SSH key. A password works on ' +
    'the console too. When neither root nor any wheel user has one, the new machine boots to a login nobody can ' +
    'pass, and over SSH nobody gets in either: installs that do not ask for a root password (nixkit, ' +
    'nixos-anywhere, `nixos-install --no-root-passwd`) leave root locked. With mutable users (the default) a ' +
    "password given to `nixos-install` or set later with `passwd` stays, which is NixOS' documented way: then this " +
    "is information in the editor, and a warning in nixkit's install, which sets no password. With " +
    '`users.mutableUsers = false`, NixOS refuses to build such a configuration at all (an error). Give root or a ' +
    'wheel user an SSH key or a hashed password ' +
    '(`hashedPasswordFile` from sops-nix or agenix counts). nixkit stays quiet whenever users come from somewhere ' +
    'it cannot read.',
  bad: {
    files: {
      'flake.nix': `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = { nixpkgs, ... }: {
    nixosConfigurations.server = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./configuration.nix ];
    };
  };
}
`,
      'configuration.nix': `{ ... }:
{
  services.openssh.enable = true;
  users.users.alice = {
    isNormalUser = true;
    extraGroups = [ "wheel" ];
  };
  system.stateVersion = "24.11";
}
`,
    },
    expect: ['flake.nix:4'],
  },
  good: {
    files: {
      'flake.nix': `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = { nixpkgs, ... }: {
    nixosConfigurations.server = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./configuration.nix ];
    };
  };
}
`,
      'configuration.nix': `{ ... }:
{
  services.openssh.enable = true;
  users.users.alice = {
    isNormalUser = true;
    extraGroups = [ "wheel" ];
    openssh.authorizedKeys.keys = [ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJqIDjZXtgGz20XLopUuM6INIZ5LWP9USC/dYFiqrNey alice@laptop" ];
  };
  system.stateVersion = "24.11";
}
`,
    },
  },
  checkConfiguration(ctx) {
    const { config } = ctx;
    if (config.hasOpaqueModules) return;
    if (
      OTHER_ACCESS.some(
        (p) => accessDefinitions(config, p).length > 0 || config.isOpaqueAt([...p.split('.'), '*']),
      )
    )
      return;
    const users = config.children('users.users');
    if (!users.complete || config.isOpaqueAt(['users', 'users', 'root', 'x'])) return;
    const names = new Set([...users.names, 'root']);
    const withAccess: string[] = [];
    for (const name of names) {
      // A user defined by something nixkit cannot read (`users.users.bob = mkUser "bob";`).
      if (config.defs(['users', 'users', name]).some((d) => d.value.t !== 'attrs')) return;
      if (config.defsUnder(['users', 'users', name]).some((d) => d.conditional)) return;
      const user = ctx.facts.users.find((u) => u.name === name);
      if (!user || user.access === 'unsure') return;
      if (user.access === 'no') continue;
      if (name === 'root') return;
      if (user.wheel !== 'no') return; // in wheel, or maybe
      withAccess.push(name);
    }
    const mutable = config.bool('users.mutableUsers');
    if (mutable === undefined) return;
    const immutable = mutable === false;
    const at = config.entry.kind === 'flake' ? config.entry.at : (firstUsersKey(config) ?? config.entry.at);
    if (!at) return;
    const others = withAccess.length
      ? ` (${withAccess.join(', ')} can log in but ${withAccess.length > 1 ? 'are' : 'is'} not in wheel)`
      : '';
    const lacking =
      `${config.name}: neither root nor any user in wheel has a password, password hash, password file or SSH ` +
      `key${others}`;
    // With mutable users, a root password given to nixos-install (it asks for one) or set later with `passwd`
    // stays: that is NixOS' documented way, so only an install that sets none locks everyone out. The install
    // wizard, which sets none, shows this as a warning (engine/install/steps/preflight.ts).
    ctx.report({
      at,
      severity: immutable ? 'error' : 'information',
      message: immutable
        ? `${lacking}: nobody can administer the machine after the install, and with users.mutableUsers = false ` +
          'NixOS refuses to build it'
        : `${lacking} in the configuration: after an install that sets no root password (nixkit, nixos-anywhere, ` +
          '`nixos-install --no-root-passwd`) nobody can administer the machine; a password set with nixos-install ' +
          'or passwd lasts while users.mutableUsers is true',
    });
  },
};

function firstUsersKey(config: NixosConfiguration) {
  for (const d of config.defsUnder('users.users')) if (d.pathAt[1]) return d.pathAt[1];
  return undefined;
}
