// Machines a repository's own scripts build outside flakes: `nixos-rebuild switch -I nixos-config=hosts/web.nix`,
// `NIXOS_CONFIG=$(pwd)/machines/$machine/default.nix nixos-rebuild …`, `nix-build '<nixpkgs/nixos>' -A
// config.system.build.isoImage -I nixos-config=iso.nix`. The file the script names is the whole configuration,
// whatever it is called. Read from shell scripts, Makefiles and justfiles near the repository's top only.
import * as path from 'node:path';
import type { SourceProvider } from './sources';

/** A .nix file a script passes as `nixos-config`, and the script; no file where nixkit cannot tell which. */
export interface ScriptMachine {
  file?: string;
  script: string;
  /** What the script writes (`NIXOS_CONFIG=$(pwd)/$configuration_nix`), and its line (1-based). */
  spelled: string;
  line: number;
  /** The nixpkgs the script builds with, when it names one literally (`-I nixpkgs=https://…/nixos-20.09.tar.gz`). */
  nixpkgs?: string;
}

/** `-I nixpkgs=…`, `NIX_PATH=nixpkgs=…`: the script's own nixpkgs. */
const NIXPKGS_PIN = /(?:-I\s*|NIX_PATH=["']?)nixpkgs=["']?([^\s"';|&:)(`]+(?::\/\/[^\s"';|&)(`]+)?)/;

/**
 * `-I nixos-config=…`, `NIXOS_CONFIG=…`, `<nixpkgs/nixos>`'s `--arg configuration ./server.nix` (quoted or not),
 * up to the end of the word.
 */
const NIXOS_CONFIG =
  /(?:nixos-config=|NIXOS_CONFIG=|--arg\s+configuration\s+)["']?((?:\$\(pwd\)|`pwd`)?[^\s"';|&)(`]+)/g;
const SCRIPT_NAME = /\.(?:sh|bash|zsh|fish|mk|just)$|^(?:GNUmakefile|[Mm]akefile|[Jj]ustfile)$|^[^.]+$/;
/** Enough for a repository's scripts; a large tree's other files are not read for this. */
const MAX_SCRIPTS = 200;
const MAX_SCRIPT_BYTES = 256 * 1024;
const MAX_MATCHES = 64;

export function scriptMachines(
  top: string,
  nixFiles: readonly string[],
  sources: Pick<SourceProvider, 'list' | 'isDirectory' | 'readText'>,
  /** Look one folder down too (`scripts/`, `bin/`): only at a checkout's top. */
  subfolders = true,
): ScriptMachine[] {
  const nix = new Set(nixFiles);
  const out = new Map<string, ScriptMachine>();
  const unresolved: ScriptMachine[] = [];
  for (const script of scriptsNear(top, sources, subfolders)) {
    const text = sources.readText?.(script);
    if (
      !text ||
      text.length > MAX_SCRIPT_BYTES ||
      !/nixos-config=|NIXOS_CONFIG=|--arg\s+configuration\s/.test(text)
    )
      continue;
    const pin = NIXPKGS_PIN.exec(text)?.[1];
    const nixpkgs = pin && !pin.includes('$') ? pin : undefined;
    for (const m of text.matchAll(NIXOS_CONFIG)) {
      const at = { script, spelled: m[0], line: text.slice(0, m.index).split('\n').length, nixpkgs };
      const files = namedFiles(m[1], [path.dirname(script), top], nix);
      if (!files.length && m[1].includes('$') && !unresolved.some((u) => u.script === script))
        unresolved.push(at);
      for (const file of files) if (!out.has(file)) out.set(file, { file, ...at });
    }
  }
  return [...out.values(), ...unresolved];
}

/** The scripts at the top and one folder below it (`scripts/`, `bin/`), hidden folders left out. */
function scriptsNear(
  top: string,
  sources: Pick<SourceProvider, 'list' | 'isDirectory'>,
  subfolders: boolean,
): string[] {
  const out: string[] = [];
  const dirs = [top];
  for (const name of subfolders ? (sources.list(top) ?? []) : []) {
    const p = path.join(top, name);
    if (!name.startsWith('.') && name !== 'node_modules' && sources.isDirectory(p)) dirs.push(p);
  }
  for (const dir of dirs)
    for (const name of sources.list(dir) ?? []) {
      if (out.length >= MAX_SCRIPTS) return out;
      const p = path.join(dir, name);
      if (SCRIPT_NAME.test(name) && !name.endsWith('.nix') && !sources.isDirectory(p)) out.push(p);
    }
  return out;
}

/**
 * The repository's .nix files a `nixos-config` value names, tried from each folder in turn: a file, a folder's
 * default.nix, or with shell variables (`$machine`, `${host}`) any one folder or file name.
 */
function namedFiles(value: string, from: string[], nix: ReadonlySet<string>): string[] {
  const spelled = value.replace(/^(?:\$\(pwd\)|\$\{?PWD\}?|`pwd`)\//, './');
  if (spelled.startsWith('<') || spelled.startsWith('~')) return [];
  // Only a variable (`$configuration_nix`): any file could be meant.
  if (!/[A-Za-z0-9_-]/.test(spelled.replace(/\$\{?[A-Za-z_][A-Za-z0-9_]*\}?/g, ''))) return [];
  for (const dir of from) {
    const base = path.resolve(dir, spelled);
    if (!/\$/.test(spelled)) {
      const hit = [base, path.join(base, 'default.nix')].find((f) => nix.has(f));
      if (hit) return [hit];
      continue;
    }
    const re = new RegExp(
      '^' +
        base
          .split(/\$\{?[A-Za-z_][A-Za-z0-9_]*\}?/)
          .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('[^/]+') +
        '(?:/default\\.nix)?$',
    );
    const hits = [...nix].filter((f) => re.test(f)).slice(0, MAX_MATCHES);
    if (hits.length) return hits;
  }
  return [];
}

/** `nix-channel --add URL [name]`: the URL and the name (nix-channel's default: the URL's last part). */
const CHANNEL_ADD =
  /\bnix-channel\s+--add\s+["']?(https?:\/\/[^\s"';|&)(`]+)["']?(?:[ \t]+["']?([A-Za-z0-9_.-]+)["']?)?/g;

/**
 * The system's channel as the repository's install scripts set it (`nix-channel --add
 * https://nixos.org/channels/nixos-22.05 nixos`): the nixpkgs a standalone configuration.nix of this repository
 * is built with. Undefined when no script names one, or they name different ones.
 */
export function systemChannel(
  top: string,
  sources: Pick<SourceProvider, 'list' | 'isDirectory' | 'readText'>,
  subfolders = true,
): string | undefined {
  const found = new Set<string>();
  for (const script of scriptsNear(top, sources, subfolders)) {
    const text = sources.readText?.(script);
    if (!text || text.length > MAX_SCRIPT_BYTES || !text.includes('nix-channel')) continue;
    for (const m of text.matchAll(CHANNEL_ADD)) {
      const url = m[1].replace(/\/+$/, '');
      // nix-channel names a channel after its URL without the release (`nixos-22.05` is `nixos`)
      const name = m[2] ?? path.basename(url).replace(/-(?:\d\d\.\d\d|unstable|stable)(?:-small)?$/, '');
      // (a numbered release only: an unstable channel added years ago says nothing of what it holds today)
      if (name === 'nixos' && !url.includes('$') && /-\d\d\.\d\d(?:-small)?$/.test(url)) found.add(url);
    }
  }
  return found.size === 1 ? [...found][0] : undefined;
}
