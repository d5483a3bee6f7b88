// The top folder of the checkout a file is in, told from the files there (no git process): pipe-operator
// evidence is looked for below it, and a relative import that climbs above it reaches the machine's own files
// (a checkout cloned into /etc/nixos importing `../hardware-configuration.nix`), which nixkit cannot know.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Answers by folder: rules ask once per missing import of every machine, and the answer rarely changes. */
const known = new Map<string, string>();

export function repositoryTop(start: string): string {
  let top = known.get(start);
  if (top === undefined) {
    if (known.size > 10_000) known.clear();
    known.set(start, (top = findRepositoryTop(start)));
  }
  return top;
}

function findRepositoryTop(start: string): string {
  let dir = start;
  // Without the markers (an archive of .nix files only), the highest folder with a default.nix, shell.nix or
  // configuration.nix.
  let highestEntry: string | undefined;
  for (let steps = 0; steps < 64; steps++) {
    if (looksLikeRepositoryTop(dir)) return dir;
    if (
      ['default.nix', 'shell.nix', 'configuration.nix'].some((n) =>
        statOrUndefined(path.join(dir, n))?.isFile(),
      )
    )
      highestEntry = dir;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return highestEntry ?? start;
}

/** A checkout's top folder: `.git`, or (an archive without it) `.gitignore`, a README or a LICENSE. */
export function looksLikeRepositoryTop(dir: string): boolean {
  try {
    return fs
      .readdirSync(dir)
      .some((n) => n === '.git' || n === '.gitignore' || /^(readme|license|copying)/i.test(n));
  } catch {
    return false;
  }
}

export function statOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch {
    return undefined;
  }
}
