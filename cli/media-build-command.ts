// `nixkit media build --kind iso|kexec|netboot [--ssh-key FILE] [--flake DIR] [--dry-run]`: writes the installer's
// flake next to the user's and runs `nix build` for it, streaming the build log.
import * as path from 'node:path';
import type { InstallerKind } from '../protocol/media-boot';
import {
  InstallerBuildError,
  planInstallerBuild,
  runInstallerBuild,
  writeInstallerFlake,
} from '../engine/media/installer-flake';
import { shJoin } from '../engine/ssh/quote';
import { parseFlags } from './flags';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type CliIO } from './io';

export const MEDIA_BUILD_USAGE = `usage: nixkit media build --kind iso|kexec|netboot [--ssh-key FILE] [--flake DIR] [--out DIR]
                          [--system SYSTEM] [--dry-run]
  Builds your own NixOS installer with sshd on and your public key for root, from the same nixpkgs as your flake
  (its flake.lock): writes a small flake into DIR/.nixkit/installer and runs nix build there (needs Nix with
  network access to fetch nixpkgs, or nixpkgs already in the store).
  --kind K        iso (bootable ISO), kexec (boot the installer from a running Linux), netboot (for media netboot)
  --ssh-key FILE  the public key (default ~/.ssh/id_ed25519.pub, id_ecdsa.pub or id_rsa.pub)
  --flake DIR     your flake (default: the current folder)
  --out DIR       where the installer's flake goes (default FLAKE/.nixkit/installer)
  --dry-run       write the flake and print the nix build command without running it
  Exit status: 0 built (or planned), 1 the build failed or the input is unusable, 2 usage.`;

export async function mediaBuildCommand(args: string[], io: CliIO): Promise<number> {
  const parsed = parseFlags(
    'media build',
    MEDIA_BUILD_USAGE,
    args,
    io,
    {
      kind: { type: 'string' },
      'ssh-key': { type: 'string' },
      flake: { type: 'string' },
      out: { type: 'string' },
      system: { type: 'string' },
      'dry-run': { type: 'boolean' },
    },
    false,
  );
  if (typeof parsed === 'number') return parsed;
  const v = parsed.values;
  if (v.kind !== 'iso' && v.kind !== 'kexec' && v.kind !== 'netboot') {
    io.stderr(
      `nixkit media build: --kind is iso, kexec or netboot${v.kind === undefined ? '' : ` (got ${JSON.stringify(v.kind)})`}\n${MEDIA_BUILD_USAGE}\n`,
    );
    return EXIT_USAGE;
  }
  const kind: InstallerKind = v.kind;
  const resolve = (p: string | undefined) => (p === undefined ? undefined : path.resolve(io.cwd, p));
  let plan;
  try {
    plan = await planInstallerBuild({
      kind,
      flakeDir: resolve(v.flake) ?? io.cwd,
      sshKeyFile: resolve(v['ssh-key']),
      outDir: resolve(v.out),
      system: v.system,
    });
    writeInstallerFlake(plan);
  } catch (e) {
    if (!(e instanceof InstallerBuildError) && !(e as NodeJS.ErrnoException).code) throw e;
    io.stderr(`nixkit media build: ${(e as Error).message}\n`);
    return EXIT_FINDINGS;
  }
  io.stdout(
    [
      `wrote ${plan.files.map((f) => JSON.stringify(path.join(plan.outDir, f.name))).join(', ')}`,
      `nixpkgs: ${plan.nixpkgs.url} (${plan.nixpkgs.source === 'flake.lock' ? 'locked as in your flake.lock' : plan.nixpkgs.source === 'flake.nix' ? 'from your flake.nix, not locked' : "no nixpkgs input found in your flake: nixkit's default"})`,
      `root's authorized keys: ${plan.authorizedKeys.length}`,
      `build: (cd ${shJoin([plan.outDir])} && ${shJoin(plan.argv)})`,
      '',
    ].join('\n'),
  );
  if (v['dry-run']) return EXIT_OK;
  const result = await runInstallerBuild(plan, { onLine: (l) => io.stderr(l + '\n'), signal: io.signal });
  io.stdout(`${result.ok ? 'OK' : 'FAILED'}: ${result.summary}\n`);
  return result.ok ? EXIT_OK : EXIT_FINDINGS;
}
