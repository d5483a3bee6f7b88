import { clip } from '../findings';
import * as path from 'node:path';
import { editDistance } from '../data/systems';
import { gitAbsence, linkOutside } from '../model/git-absence';
import { repositoryTop } from '../model/repository-top';
import type { Rule, RuleFix } from '../rule-api/rule';

export const moduleNotFound: Rule = {
  code: 'module-not-found',
  severity: 'error',
  title: 'A module in imports or modules does not exist',
  explanation:
    'Every path in `imports` (and in the `modules` of `nixosSystem`) is read when the configuration is ' +
    'evaluated; a path that does not exist stops the evaluation with "No such file or directory", so nothing ' +
    'is built or installed. A folder (`./hosts/box`) means its `default.nix`. This usually comes from a renamed ' +
    'or moved file, a typo, or a file that was never created (hardware-configuration.nix is only written by ' +
    'nixos-generate-config on the target). An absolute path outside the repository ' +
    "(`/etc/nixos/hardware-configuration.nix`, read with `--impure`) is the building machine's own file: nixkit " +
    'does not report it missing and counts the configuration as partly read. A file that git ignores ' +
    '(`.gitignore`) or that lies in a git submodule not checked out is kept where the machine is built: that is ' +
    'information, not an error, as is a hardware-configuration.nix missing beside a standalone configuration.nix ' +
    '(the /etc/nixos layout: each machine has its own).',
  bad: {
    files: {
      'configuration.nix': `{ ... }:
{
  imports = [ ./hardware-configuraton.nix ];
  system.stateVersion = "24.11";
}
`,
      'hardware-configuration.nix': `{ ... }:
{
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
}
`,
    },
    expect: ['configuration.nix:3'],
  },
  good: {
    files: {
      'configuration.nix': `{ ... }:
{
  imports = [ ./hardware-configuration.nix ];
  system.stateVersion = "24.11";
}
`,
      'hardware-configuration.nix': `{ ... }:
{
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
}
`,
    },
  },
  checkConfiguration(ctx) {
    for (const m of ctx.config.modules) {
      if (m.kind !== 'missing' || !m.src) continue;
      const written = ctx.sources.parsed(m.src.file)?.lines.text.slice(m.src.span.start, m.src.span.end);
      // `/etc/nixos/hardware-configuration.nix`: the machine's own file, outside the repository. Whether the
      // machine that builds it has one, nixkit cannot know from here (the coverage says it was not read).
      if (written?.startsWith('/') && isOutside(path.dirname(ctx.config.entry.file), m.file)) continue;
      // `../hardware-configuration.nix` from a checkout cloned into /etc/nixos (the machine's configuration.nix a
      // symlink into it): above the checkout's top, the file is the machine's own, as for an absolute path.
      if (isOutside(repositoryTop(path.dirname(ctx.config.entry.file)), m.file)) continue;
      // A committed symlink to `/etc/nixos/hardware-configuration.nix`: the same, one step away.
      if (linkOutside(m.file, repositoryTop(path.dirname(ctx.config.entry.file)))) continue;
      const fromDir = path.dirname(m.src.file);
      const rel = relative(fromDir, m.file);
      // Ignored by git or in a submodule not checked out: there where the machine is built, only not here.
      const absent = gitAbsence(m.file);
      if (absent) {
        ctx.report({
          at: m.src,
          severity: 'information',
          message: `${clip(written ?? rel)} is not in this checkout: ${absent}; nixkit does not know what it holds`,
        });
        continue;
      }
      // An /etc/nixos layout kept in git without the file nixos-generate-config writes on each machine (its
      // install script runs that, or rsyncs the checkout into /etc/nixos around it): the machine has one.
      if (
        ctx.config.entry.kind === 'configuration.nix' &&
        path.basename(m.file) === 'hardware-configuration.nix' &&
        path.dirname(m.file) === path.dirname(ctx.config.entry.file)
      ) {
        ctx.report({
          at: m.src,
          severity: 'information',
          message:
            `${clip(written ?? rel)} is not in the repository: nixos-generate-config writes it on each machine, ` +
            'beside /etc/nixos/configuration.nix; nixkit does not know what it holds',
        });
        continue;
      }
      // `if pathExists ../org-config then ../org-config else ../ocb-config` with org-config ignored by git: where
      // the machine is built the first is there, and this one is not imported.
      // (any unit's evaluator: a module evaluated once is shared by the machines that import it)
      const probed = ctx.project.analysisUnits
        .flatMap((u) => [...u.evaluator.ignoredProbes])
        .find((p) => path.dirname(p) === path.dirname(m.file));
      if (probed) {
        ctx.report({
          at: m.src,
          severity: 'information',
          message:
            `${clip(written ?? rel)} does not exist here; the configuration also looks for ` +
            `${clip(relative(fromDir, probed))}, which is not in this checkout (${gitAbsence(probed) ?? 'git ignores it'}): ` +
            'where that exists, this import may not be made',
        });
        continue;
      }
      const folder = path.basename(m.file) === 'default.nix' && ctx.sources.isDirectory(path.dirname(m.file));
      const message = folder
        ? `${clip(written ?? rel)} is a folder without a default.nix (${clip(rel)} does not exist)`
        : `${clip(written ?? rel)} does not exist (${clip(m.file)})`;
      const fixes: RuleFix[] = [];
      const alt = folder ? undefined : closestFile(m.file, ctx.sources.list(path.dirname(m.file)));
      const isLiteral = written !== undefined && /^\.{1,2}\/[\w./+-]+$/.test(written);
      if (alt && isLiteral) {
        const replacement = relative(fromDir, path.join(path.dirname(m.file), alt));
        fixes.push({
          title: `Use ${replacement}`,
          edits: [{ at: m.src, newText: replacement }],
          preferred: true,
        });
      }
      ctx.report({
        at: m.src,
        message: alt ? `${message}; did you mean ${alt}?` : message,
        fixes,
        // The path is made elsewhere (a helper): where the configuration names it is the other half of the story.
        related: m.listedAt ? [{ at: m.listedAt, message: 'imported here' }] : undefined,
      });
    }
  },
};

function relative(fromDir: string, file: string): string {
  const r = path.relative(fromDir, file);
  return r.startsWith('..') ? r : `./${r}`;
}

/** A .nix file beside the missing one whose name is a small typo away. */
function closestFile(missing: string, names: string[] | undefined): string | undefined {
  if (!names) return undefined;
  const want = path.basename(missing);
  const limit = Math.min(3, Math.floor(want.length / 4));
  if (limit === 0) return undefined;
  let best: { n: string; d: number } | undefined;
  // Bounded distance (a band of 2·limit+1): a folder of 100,000 files with long names stays cheap.
  for (const n of names) {
    if (!n.endsWith('.nix') || n === want) continue;
    const d = editDistance(want, n, limit);
    if (d <= limit && (!best || d < best.d)) best = { n, d };
  }
  return best?.n;
}

function isOutside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel.startsWith('..') || path.isAbsolute(rel);
}
