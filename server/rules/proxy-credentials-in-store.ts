import type { Rule } from '../rule-api/rule';

/** The options of nixos/modules/config/networking.nix that end up in /etc/profile and systemd's environment. */
const PROXY_OPTIONS = [
  'networking.proxy.default',
  'networking.proxy.httpProxy',
  'networking.proxy.httpsProxy',
  'networking.proxy.ftpProxy',
  'networking.proxy.rsyncProxy',
  'networking.proxy.allProxy',
];

/** `scheme://user:password@host`: a password in the URL's user part (a user name alone is no secret). */
const WITH_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/@:\s]*:[^/@\s]+@/i;

export const proxyCredentialsInStore: Rule = {
  code: 'proxy-credentials-in-store',
  severity: 'information',
  title: 'A proxy password in networking.proxy ends up world-readable in the Nix store',
  explanation:
    'Everything a NixOS configuration evaluates to is written to the Nix store, which every user of the machine ' +
    '(and every machine the closure is copied to or cached on) can read. `networking.proxy.*` goes into ' +
    '`/etc/profile` and the environment of every service, so a password in the proxy URL is readable by anyone on ' +
    'the machine and stays in old generations. Keep the password out of the configuration: use a proxy that ' +
    'authenticates the machine another way (by address, or a local forwarding proxy), or put the environment with ' +
    'the credentials in a root-only file (`systemd.services.<name>.serviceConfig.EnvironmentFile`, written by ' +
    'sops-nix or agenix) for the services that need it.',
  bad: {
    files: {
      'configuration.nix': `{ ... }:
{
  networking.proxy.default = "http://deploy:s3cret@proxy.example.com:3128";
  networking.proxy.noProxy = "127.0.0.1,localhost";
  system.stateVersion = "24.11";
}
`,
    },
    expect: ['configuration.nix:3'],
  },
  good: {
    files: {
      'configuration.nix': `{ ... }:
{
  networking.proxy.default = "http://proxy.example.com:3128";
  networking.proxy.noProxy = "127.0.0.1,localhost";
  system.stateVersion = "24.11";
}
`,
    },
  },
  checkConfiguration(ctx) {
    for (const option of PROXY_OPTIONS)
      for (const def of ctx.config.defs(option)) {
        if (def.value.t !== 'str' || !WITH_PASSWORD.test(def.value.v)) continue;
        // (written in the repository either way; only a machine that leaves its switch off never copies it)
        if (ctx.config.applies(def, ctx.force) === false) continue;
        const at = def.value.src ?? def.valueAt;
        if (!at) continue;
        const shown = def.value.v.replace(/(:\/\/[^/@:\s]*:)[^/@\s]+@/, '$1…@');
        ctx.report({
          at,
          message:
            `${option} carries a password (${shown}): it is written into the Nix store, readable by every user ` +
            'of the machine; authenticate the proxy another way or keep the credentials in a root-only file',
        });
      }
  },
};
