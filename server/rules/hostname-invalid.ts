import { compareReleases, nixpkgsRelease } from '../data/releases';
import { clip } from '../findings';
import { insertSibling, nixString } from '../rule-api/edits';
import type { Rule, RuleFix } from '../rule-api/rule';

/** The first release whose networking.hostName type checks the name (nixpkgs PR #76542). */
const CHECKED_SINCE = '20.09';

/** What NixOS's networking.hostName accepts: one label, letters, digits, `-` and `_`, or "" (ask DHCP). */
const VALID = /^$|^[A-Za-z0-9]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?$/;

export const hostnameInvalid: Rule = {
  code: 'hostname-invalid',
  severity: 'error',
  title: 'networking.hostName is not a valid host name',
  explanation:
    '`networking.hostName` is a single DNS label: letters, digits and hyphens (NixOS also accepts underscores), ' +
    'starting and ending with a letter or digit, at most 63 characters. NixOS rejects anything else when it ' +
    'evaluates the configuration, so the install stops. A dot is the most common mistake: the domain part goes ' +
    'into `networking.domain`, and `networking.fqdn` is then derived from both. An empty string is valid and means ' +
    'the name comes from DHCP. NixOS checks this since 20.09: a configuration pinned to an older release is not ' +
    'reported, and where nixkit cannot tell the release is at least 20.09 the finding is a warning.',
  bad: {
    files: {
      'configuration.nix': `{ ... }:
{
  networking.hostName = "box.example.com";
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
  networking.hostName = "box";
  networking.domain = "example.com";
  system.stateVersion = "24.11";
}
`,
    },
  },
  checkConfiguration(ctx) {
    // NixOS checks the name since 20.09 (before, `types.str` took anything): an older release builds it.
    const known = nixpkgsRelease(ctx.config, ctx.unit.evaluator);
    if (known?.exact && compareReleases(known.release, CHECKED_SINCE) < 0) return;
    const sure =
      !!known &&
      compareReleases(known.release, CHECKED_SINCE) >= 0 &&
      !(known.releaseItself === 'unsure' && compareReleases(known.release, CHECKED_SINCE) === 0);
    for (const def of ctx.config.defs('networking.hostName')) {
      if (def.value.t !== 'str' || ctx.config.applies(def, ctx.force) !== true) continue;
      const name = def.value.v;
      const at = def.value.src ?? def.valueAt;
      if (!at || VALID.test(name)) continue;
      const fixes: RuleFix[] = [];
      let why: string;
      const [label, ...rest] = name.split('.');
      if (rest.length && VALID.test(label) && label !== '' && rest.every((l) => VALID.test(l) && l !== '')) {
        why = 'contains dots: a host name is one label; put the domain in networking.domain';
        const domain = ctx.config.value('networking.domain');
        const edits = [{ at, newText: nixString(label) }];
        const add =
          domain.state === 'unset'
            ? insertSibling(def, ['networking', 'domain'], nixString(rest.join('.')), ctx.sources)
            : undefined;
        if (add) edits.push(add);
        if (domain.state === 'unset' ? add : true)
          fixes.push({
            title:
              domain.state === 'unset'
                ? `Use hostName "${label}" and domain "${rest.join('.')}"`
                : `Use hostName "${label}"`,
            edits,
            preferred: true,
          });
      } else if (name.length > 63) why = 'is longer than 63 characters';
      else if (/^[-_]|[-_]$/.test(name)) why = 'must start and end with a letter or a digit';
      else why = 'may only contain letters, digits, "-" and "_"';
      if (!fixes.length) {
        const clean = name
          .replace(/[^A-Za-z0-9_-]+/g, '-')
          .replace(/^[-_]+|[-_]+$/g, '')
          .slice(0, 63)
          .replace(/[-_]+$/, '');
        if (clean && VALID.test(clean) && clean !== name)
          fixes.push({ title: `Use "${clean}"`, edits: [{ at, newText: nixString(clean) }] });
      }
      ctx.report({
        at,
        message:
          `networking.hostName "${clip(name)}" ${why}` +
          (sure
            ? ''
            : ` (NixOS ${CHECKED_SINCE} and later reject it; nixkit cannot rule out an older release here)`),
        fixes,
        severity: sure ? 'error' : 'warning',
      });
    }
  },
};
