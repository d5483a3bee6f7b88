import { nixString } from '../rule-api/edits';
import { flakeReleaseInfo, latestShippedRelease, UNSTABLE } from '../data/releases';
import { insertIntoModule } from '../rule-api/rewrite';
import type { ConfigurationContext, Rule, RuleFix } from '../rule-api/rule';
import type { InputKind } from '../model/flake-inputs';

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
    if (mayHideStateVersion(ctx) || config.modules.some((m) => m.kind === 'missing')) return;
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

/**
 * Libraries whose NixOS modules never set system.stateVersion (they partition disks, keep secrets, persist state,
 * sign boot files, tune hardware, configure home directories): a machine that imports them still says nothing
 * about its release. nixpkgs' own modules are not among them (the installer images set it with mkDefault).
 */
const NEVER_SET_STATE_VERSION = new Set<InputKind>([
  'disko',
  'sops-nix',
  'agenix',
  'impermanence',
  'lanzaboote',
  'nixos-hardware',
  'home-manager',
  'snowfall-lib',
]);

/** Something nixkit cannot read takes part in the configuration, and it could set system.stateVersion. */
function mayHideStateVersion(ctx: ConfigurationContext): boolean {
  const { config } = ctx;
  if (!config.hasOpaqueModules) return false;
  if (config.hasSyntaxErrors) return true;
  const inputs = new Map(ctx.unit.flake?.inputs.map((i) => [i.name, i.kind]) ?? []);
  return config.modules.some((m) => {
    if (m.kind === 'unknown') return true;
    if (m.kind !== 'external' || !config.isOpaqueModule(m)) return false;
    // `disko.nixosModules.disko`: named for the input, or (module-only libraries, flake-model.ts) for its kind
    const parts = m.name.split('.');
    const first = parts[0] === 'inputs' ? parts[1] : parts[0];
    const kind = inputs.has(first) ? inputs.get(first) : (first as InputKind);
    return !kind || !NEVER_SET_STATE_VERSION.has(kind);
  });
}
