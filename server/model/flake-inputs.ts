// What each input of a flake is, known by where it comes from (its URL in flake.nix, or flake.lock), never by
// the name the flake gives it: `inputs.pkgs.url = "github:NixOS/nixpkgs"` is nixpkgs, an input called
// `nixpkgs` that points at a company's fork of something else is not.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Evaluator } from './evaluator';
import type { Value } from './value';

/** The libraries nixkit models; anything else is an input it does not know. */
export type InputKind =
  | 'nixpkgs'
  | 'flake-parts'
  | 'flake-utils'
  | 'nix-darwin'
  | 'home-manager'
  | 'disko'
  | 'nixos-hardware'
  | 'sops-nix'
  | 'agenix'
  | 'impermanence'
  | 'lanzaboote'
  | 'colmena'
  | 'deploy-rs'
  | 'systems'
  | 'import-tree'
  | 'haumea'
  | 'snowfall-lib';

export interface FlakeInput {
  name: string;
  /** The URL as written (or rebuilt from `type`/`owner`/`repo`), or the lock's original reference. */
  url?: string;
  /** `inputs.x.follows = "y"`: the input is y's. */
  follows?: string;
  kind?: InputKind;
}

/**
 * owner/repo (lower case) → kind. Forks under other owners are not these libraries, except nixpkgs (below).
 */
const BY_REPO: Record<string, InputKind> = {
  'nixos/nixpkgs': 'nixpkgs',
  'hercules-ci/flake-parts': 'flake-parts',
  'numtide/flake-utils': 'flake-utils',
  'lnl7/nix-darwin': 'nix-darwin',
  'nix-darwin/nix-darwin': 'nix-darwin',
  'nix-community/home-manager': 'home-manager',
  'rycee/home-manager': 'home-manager',
  'nix-community/disko': 'disko',
  'nixos/nixos-hardware': 'nixos-hardware',
  'mic92/sops-nix': 'sops-nix',
  'ryantm/agenix': 'agenix',
  'yaxitech/ragenix': 'agenix',
  'nix-community/impermanence': 'impermanence',
  'nix-community/lanzaboote': 'lanzaboote',
  'zhaofengli/colmena': 'colmena',
  'serokell/deploy-rs': 'deploy-rs',
  'nix-systems/default': 'systems',
  'nix-systems/default-linux': 'systems',
  'nix-systems/x86_64-linux': 'systems',
  'vic/import-tree': 'import-tree',
  'denful/import-tree': 'import-tree',
  'nix-community/haumea': 'haumea',
  'snowfallorg/lib': 'snowfall-lib',
};

/** Names in Nix's global flake registry (`flake:nixpkgs`, or an input used without being declared). */
const REGISTRY: Record<string, InputKind> = {
  nixpkgs: 'nixpkgs',
  'flake-parts': 'flake-parts',
  'flake-utils': 'flake-utils',
  'home-manager': 'home-manager',
  'nix-darwin': 'nix-darwin',
  'nixos-hardware': 'nixos-hardware',
  'sops-nix': 'sops-nix',
  systems: 'systems',
};

/** The kind of library a flake reference points at, or undefined when nixkit does not know it. */
export function kindOfUrl(url: string): InputKind | undefined {
  const u = url.trim();
  if (isNixpkgsCopy(u)) return 'nixpkgs';
  // github:owner/repo[/ref], gitlab:…, sourcehut: not modelled beyond GitHub's well-known homes.
  let m = /^github:([^/?#]+)\/([^/?#]+)/i.exec(u);
  if (m) return BY_REPO[`${m[1]}/${m[2]}`.toLowerCase()];
  m = /^(?:git\+)?https?:\/\/github\.com\/([^/?#]+)\/([^/?#.]+)/i.exec(u);
  if (m) return BY_REPO[`${m[1]}/${m[2]}`.toLowerCase()];
  // FlakeHub: `https://flakehub.com/f/hercules-ci/flake-parts/*`, `…/f/NixOS/nixpkgs/0.2411.*`.
  m = /^https?:\/\/(?:api\.)?flakehub\.com\/f\/([^/?#]+)\/([^/?#]+)/i.exec(u);
  if (m) return BY_REPO[`${m[1]}/${m[2]}`.toLowerCase()];
  m = /^(?:git\+)?https?:\/\/(?:[\w.-]+\.)?(?:nixos\.org|channels\.nixos\.org)\//i.exec(u);
  if (m) return 'nixpkgs';
  // Indirect references through the registry: `flake:nixpkgs`, `nixpkgs`, `nixpkgs/nixos-24.11`.
  m = /^(?:flake:)?([\w-]+)(?:\/[^:]*)?$/.exec(u);
  if (m) return REGISTRY[m[1]];
  return undefined;
}

/**
 * A repository or folder named `nixpkgs` somewhere else than NixOS/nixpkgs: a fork (`github:me/nixpkgs/fix`,
 * `gitlab:me/nixpkgs`, a company mirror) or a local checkout (`git+file:///home/me/nixpkgs`,
 * `path:/src/nixpkgs`). Nobody names anything else so, and these carry nixpkgs' `lib` and NixOS modules; without
 * them nixkit could follow none of the flake's machines.
 */
function isNixpkgsCopy(u: string): boolean {
  const m =
    /^(?:github|gitlab|sourcehut):[^/?#]+\/([^/?#]+)/i.exec(u) ??
    /^(?:git\+(?:https?|ssh|file)|https?|path|ssh):[^?#]*\/([^/?#]+?)(?:\.git)?\/?(?:[?#].*)?$/i.exec(u);
  return !!m && m[1].toLowerCase() === 'nixpkgs';
}

interface LockNode {
  inputs?: Record<string, string | string[]>;
  original?: Record<string, unknown>;
  locked?: Record<string, unknown>;
}

function refOf(o: Record<string, unknown> | undefined): string | undefined {
  if (!o) return undefined;
  const s = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
  const type = s('type');
  if (type === 'github' && s('owner') && s('repo')) return `github:${s('owner')}/${s('repo')}`;
  if (type === 'indirect' && s('id')) return `flake:${s('id')}`;
  if ((type === 'git' || type === 'tarball' || type === 'file') && s('url')) return s('url');
  if (type === 'path' && s('path')) return `path:${s('path')}`;
  return undefined;
}

/** The root inputs as flake.lock records them (their original reference), by input name. */
export function lockedInputs(flakeFile: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let lock: { nodes?: Record<string, LockNode>; root?: string };
  try {
    const text = fs.readFileSync(path.join(path.dirname(flakeFile), 'flake.lock'), 'utf8');
    if (text.length > 4_000_000) return out;
    lock = JSON.parse(text) as typeof lock;
  } catch {
    return out;
  }
  const nodes = lock.nodes ?? {};
  const root = nodes[typeof lock.root === 'string' ? lock.root : 'root'];
  const follow = (ref: string | string[], depth = 0): LockNode | undefined => {
    if (typeof ref === 'string') return nodes[ref];
    // ["a", "b"]: input b of root input a.
    let node: LockNode | undefined = root;
    for (const step of ref) {
      const next: string | string[] | undefined = node?.inputs?.[step];
      if (next === undefined || depth > 16) return undefined;
      node = typeof next === 'string' ? nodes[next] : follow(next, depth + 1);
    }
    return node;
  };
  for (const [name, ref] of Object.entries(root?.inputs ?? {})) {
    const node = follow(ref);
    // The original reference (`flake:disko`, `github:NixOS/nixpkgs/nixos-24.11`), then where it was locked.
    const refs = [refOf(node?.original), refOf(node?.locked)].filter((r): r is string => !!r);
    if (refs.length) out.set(name, refs);
  }
  return out;
}

function stringAt(ev: Evaluator, v: Value, key: string): string | undefined {
  if (v.t !== 'attrs') return undefined;
  const t = v.attrs.get(key);
  const x = t ? ev.force(t) : undefined;
  return x?.t === 'str' ? x.v : undefined;
}

/**
 * Every input of a flake: those its `inputs` declares, then those only its lock or its `outputs` arguments name
 * (an undeclared input is looked up in the flake registry by that name, as Nix does).
 */
export function flakeInputs(ev: Evaluator, flakeFile: string, top: Value, argNames: string[]): FlakeInput[] {
  const declared = new Map<string, FlakeInput>();
  const inputsThunk = top.t === 'attrs' ? top.attrs.get('inputs') : undefined;
  const inputs = inputsThunk ? ev.force(inputsThunk) : undefined;
  if (inputs?.t === 'attrs') {
    for (const [name, t] of inputs.attrs) {
      const v = ev.force(t);
      let url = v.t === 'str' ? v.v : stringAt(ev, v, 'url');
      if (!url && v.t === 'attrs') {
        const type = stringAt(ev, v, 'type');
        const owner = stringAt(ev, v, 'owner');
        const repo = stringAt(ev, v, 'repo');
        if (type && owner && repo) url = `${type}:${owner}/${repo}`;
      }
      declared.set(name, { name, url, follows: stringAt(ev, v, 'follows') });
    }
  }
  const locked = lockedInputs(flakeFile);
  for (const [name, refs] of locked) {
    const d = declared.get(name);
    if (!d) declared.set(name, { name, url: refs[0] });
    else if (!d.url && !d.follows) d.url = refs[0];
  }
  for (const name of argNames)
    if (name !== 'self' && !declared.has(name)) declared.set(name, { name, url: `flake:${name}` });
  for (const d of declared.values()) {
    // What flake.nix says first; an indirect or unknown reference is what the lock resolved it to.
    for (const ref of [d.url, ...(locked.get(d.name) ?? [])]) {
      d.kind = ref ? kindOfUrl(ref) : undefined;
      if (d.kind) break;
    }
  }
  // `follows` takes the kind of the input it follows (one level of "a/b" paths is enough in practice).
  for (let round = 0; round < 4; round++)
    for (const d of declared.values()) {
      if (d.kind || !d.follows) continue;
      const target = declared.get(d.follows.split('/')[0]);
      if (target?.kind && !d.follows.includes('/')) d.kind = target.kind;
    }
  return [...declared.values()];
}

/** Each input's kind by name (undefined: an input nixkit does not know), with what is needed to describe it. */
export class InputKinds extends Map<string, InputKind | undefined> {
  /** Inputs that are flakes in the same checkout (`path:../template`), by name: their reference. */
  readonly local = new Map<string, string>();

  constructor(inputs: readonly FlakeInput[] = []) {
    super(inputs.map((i) => [i.name, i.kind]));
    for (const i of inputs)
      if (!i.kind && i.url && /^(?:path|git\+file):(?!\/)/.test(i.url)) this.local.set(i.name, i.url);
  }
}

/** "which nixkit does not know", or, for a flake in the same checkout, that nixkit does not follow it there. */
export function unknownInputPhrase(input: string, kinds: Map<string, InputKind | undefined>): string {
  const local = kinds instanceof InputKinds ? kinds.local.get(input) : undefined;
  return local
    ? `a flake in this repository (\`${local}\`) that nixkit does not follow as an input`
    : 'which nixkit does not know';
}
