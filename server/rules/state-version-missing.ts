import { nixString } from '../rule-api/edits';
import { flakeReleaseInfo, latestShippedRelease, UNSTABLE } from '../data/releases';
import { insertIntoModule } from '../rule-api/rewrite';
import type { Rule, RuleFix } from '../rule-api/rule';

export const stateVersionMissing: Rule = {
  code: 'state-version-missing',
  severity: 'warning',
  reportsAbsence: true,
  title: 'system.stateVersion is not set',
  explanation:
    '`system.stateVersion` records the NixOS release a machine was first installed with, so that later upgrades ' +
    'keep the formats of its stateful data (databases, home directories of services, SSH host keys) instead of ' +
    'silently switching to new defaults. Without it NixOS warns and assumes the current release, which is right ' +
    'on the day of the install and wrong after the next upgrade. Set it once, to the release you install, and ' +
    'never change it afterwards. nixkit stays quiet when modules it cannot read might set it.',
  bad: {
    files: {
      'configuration.nix': `{ ... }:
{
  networking.hostName = "box";
}
`,
    },
    expect: ['configuration.nix:1'],
  },
  good: {
    files: {
      'configuration.nix': `{ ... }:
{
  networking.hostName = "box";
  system.stateVersion = "24.11";
}
`,
    },
  },
  checkConfiguration(ctx) {
    const { config } = ctx;
    if (config.hasOpaqueModules || config.modules.some((m) => m.kind === 'missing')) return;
    const r = config.value('system.stateVersion');
    if (r.state !== 'unset' || config.defsUnder('system.stateVersion').length) return;
    const at = config.entry.at;
    if (!at) return;
    const fixes: RuleFix[] = [];
    const flake =
      config.entry.kind === 'flake' ? flakeReleaseInfo(config.entry.file, ctx.unit.evaluator) : undefined;
    // A release branch names it; unstable: the release shipped last (before the date flake.lock pinned it).
    const release = flake?.exact
      ? flake.release === UNSTABLE
        ? latestShippedRelease()
        : flake.release
      : flake?.atMost
        ? flake.release
        : undefined;
    const target = config.modules.find((m) => m.kind === 'file');
    if (release && target?.kind === 'file') {
      const edit = insertIntoModule(target.file, `system.stateVersion = ${nixString(release)};`, ctx.sources);
      if (edit)
        fixes.push({ title: `Set system.stateVersion = "${release}"`, edits: [edit], preferred: true });
    }
    ctx.report({
      at,
      message:
        `${config.name}: system.stateVersion is not set; NixOS assumes the current release and later upgrades ` +
        `may change how stateful data is kept` +
        (release ? ` (your nixpkgs is ${release})` : ''),
      fixes,
    });
  },
};
