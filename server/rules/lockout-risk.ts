import type { NixosConfiguration } from '../model/configuration';
import type { Definition } from '../model/modules';
import type { Thunk, Value } from '../model/value';
import type { Rule } from './rule';

/** Options that give a user a way to log in. */
const PASSWORD_OPTIONS = [
  'password',
  'hashedPassword',
  'hashedPasswordFile',
  'passwordFile',
  'initialPassword',
  'initialHashedPassword',
];
const KEY_OPTIONS = [
  ['openssh', 'authorizedKeys', 'keys'],
  ['openssh', 'authorizedKeys', 'keyFiles'],
];

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
];

type Access = 'yes' | 'no' | 'unsure';

/** Whether one option of a user certainly gives, certainly does not give, or may give a login. */
function optionAccess(defs: Definition[], option: string): Access {
  let access: Access = 'no';
  for (const d of defs) {
    if (d.conditional) return 'unsure';
    const v = d.value;
    const gives = valueGivesAccess(v, option);
    if (gives === 'unsure') return 'unsure';
    if (gives === 'yes') access = 'yes';
  }
  return access;
}

function valueGivesAccess(v: Value, option: string): Access {
  switch (v.t) {
    case 'null':
      return 'no';
    case 'str':
      // "!" and "*" (and hashes behind them) lock an account; "" logs in without a password.
      if ((option === 'hashedPassword' || option === 'initialHashedPassword') && /^[!*]/.test(v.v))
        return 'no';
      return 'yes';
    case 'path':
      return 'yes';
    case 'list':
      return v.items.length ? 'yes' : 'no';
    case 'attrs':
      return v.attrs.size ? 'unsure' : 'no';
    default:
      return 'unsure';
  }
}

function userAccess(config: NixosConfiguration, name: string): Access {
  const base = ['users', 'users', name];
  let access: Access = 'no';
  const options = [...PASSWORD_OPTIONS.map((o) => [o]), ...KEY_OPTIONS];
  for (const o of options) {
    const p = [...base, ...o];
    if (config.isOpaqueAt(p)) return 'unsure';
    const a = optionAccess(config.defs(p), o[o.length - 1]);
    if (a === 'unsure') return 'unsure';
    if (a === 'yes') access = 'yes';
  }
  // A set of keys or an unknown value where nixkit expected a list (`authorizedKeys = import ./keys.nix`).
  for (const d of config.defsUnder([...base, 'openssh'])) {
    if (!KEY_OPTIONS.some((k) => k.every((x, i) => d.path[3 + i] === x))) {
      if (d.path[4] === 'authorizedKeys' || d.path.length <= 4) return 'unsure';
    }
  }
  return access;
}

function inWheel(config: NixosConfiguration, name: string, force: (t: Thunk) => Value): Access {
  const base = ['users', 'users', name];
  const group = config.value([...base, 'group']);
  if (group.state === 'unknown') return 'unsure';
  if (group.state === 'known' && group.value.t === 'str' && group.value.v === 'wheel') return 'yes';
  if (group.state === 'known' && group.value.t !== 'str') return 'unsure';
  let wheel: Access = 'no';
  for (const d of config.defs([...base, 'extraGroups'])) {
    if (d.conditional || d.value.t !== 'list') return 'unsure';
    for (const item of d.value.items) {
      const v = force(item);
      if (v.t !== 'str') return 'unsure';
      if (v.v === 'wheel') wheel = 'yes';
    }
  }
  return wheel;
}

export const lockoutRisk: Rule = {
  code: 'lockout-risk',
  severity: 'warning',
  reportsAbsence: true,
  title: 'Nobody can log in and administer the machine after the first boot',
  explanation:
    'An installed NixOS only lets in the accounts its configuration gives a way in: root, or a user in `wheel` ' +
    '(who can become root), with a password, a password hash, a password file or an SSH key. A password works on ' +
    'the console too. When neither root nor any wheel user has one, the new machine boots to a login nobody can ' +
    'pass, and over SSH nobody gets in either: installs that do not ask for a root password (nixkit, ' +
    'nixos-anywhere, `nixos-install --no-root-passwd`) leave root locked. With `users.mutableUsers = false`, ' +
    'NixOS refuses to build such a configuration at all. Give root or a wheel user an SSH key or a hashed password ' +
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
    if (OTHER_ACCESS.some((p) => config.defsUnder(p).length > 0 || config.isOpaqueAt([...p.split('.'), '*'])))
      return;
    const users = config.children('users.users');
    if (!users.complete || config.isOpaqueAt(['users', 'users', 'root', 'x'])) return;
    const names = new Set([...users.names, 'root']);
    const withAccess: string[] = [];
    for (const name of names) {
      // A user defined by something nixkit cannot read (`users.users.bob = mkUser "bob";`).
      if (config.defs(['users', 'users', name]).some((d) => d.value.t !== 'attrs')) return;
      if (config.defsUnder(['users', 'users', name]).some((d) => d.conditional)) return;
      const access = userAccess(config, name);
      if (access === 'unsure') return;
      if (access === 'no') continue;
      if (name === 'root') return;
      const wheel = inWheel(config, name, ctx.force);
      if (wheel !== 'no') return; // in wheel, or maybe
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
    ctx.report({
      at,
      severity: immutable ? 'error' : 'warning',
      message:
        `${config.name}: neither root nor any user in wheel has a password, password hash, password file or SSH ` +
        `key${others}: nobody can administer the machine after the install` +
        (immutable ? ', and with users.mutableUsers = false NixOS refuses to build it' : ''),
    });
  },
};

function firstUsersKey(config: NixosConfiguration) {
  for (const d of config.defsUnder('users.users')) if (d.pathAt[1]) return d.pathAt[1];
  return undefined;
}
