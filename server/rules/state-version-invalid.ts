import { clip } from '../findings';
import { nixString } from '../rule-api/edits';
import { isNixosRelease } from '../data/releases';
import type { Rule } from '../rule-api/rule';

export const stateVersionInvalid: Rule = {
  code: 'state-version-invalid',
  severity: 'warning',
  title: 'system.stateVersion is not a NixOS release',
  explanation:
    '`system.stateVersion` must name a NixOS release as `"YY.MM"`, for example `"24.11"`. NixOS modules compare ' +
    'it with release numbers to decide which defaults a machine keeps; a full version string copied from ' +
    '`nixos-version` (`"25.05.20251202.cdff0c1"`) or a release that never existed (`"24.13"`) makes those ' +
    'comparisons pick defaults meant for another release, which can change how databases, home directories or ' +
    'keys are handled on the installed machine. Use the release you first install with.',
  bad: {
    files: {
      'configuration.nix': `{ ... }:
{
  system.stateVersion = "25.05.20251202.cdff0c1";
}
`,
    },
    expect: ['configuration.nix:3'],
  },
  good: {
    files: {
      'configuration.nix': `{ ... }:
{
  system.stateVersion = "25.05";
}
`,
    },
  },
  checkConfiguration(ctx) {
    for (const def of ctx.config.defs('system.stateVersion')) {
      // Under a condition nixkit cannot decide (`if _class == "nixos" then … else 6` for nix-darwin): maybe never
      // this machine's value.
      if (ctx.config.applies(def, ctx.force) !== true) continue;
      const v = def.value;
      const at = v.src ?? def.valueAt;
      if (!at) continue;
      if (v.t !== 'str') {
        if (v.t === 'int' || v.t === 'float')
          ctx.report({
            at,
            severity: 'error',
            message: 'system.stateVersion must be a string such as "24.11", not a number: evaluation fails',
          });
        continue;
      }
      if (isNixosRelease(v.v)) continue;
      const prefix = /^(\d\d\.\d\d)(?:[.\-pre]|$)/.exec(v.v.trim())?.[1];
      const release = prefix && isNixosRelease(prefix) ? prefix : undefined;
      const why = /^\d\d\.\d\d$/.test(v.v)
        ? `"${clip(v.v)}" is not a NixOS release (releases are YY.05 and YY.11)`
        : `"${clip(v.v)}" is not a release in the form "YY.MM"`;
      ctx.report({
        at,
        message: `system.stateVersion: ${why}${release ? `; the release is "${release}"` : ''}`,
        fixes: release
          ? [{ title: `Use "${release}"`, edits: [{ at, newText: nixString(release) }], preferred: true }]
          : [],
      });
    }
  },
};
