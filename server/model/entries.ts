// Finds the NixOS machines a workspace defines, the way Nix would: each entry of a flake's
// `nixosConfigurations` (computed from its outputs, its inputs modelled by what they are), each node of a colmena
// hive (`hive.nix`, or a flake's `colmena`/`colmenaHive` output), a standalone configuration.nix where no flake
// defines machines, and those named in nixkit.toml. What cannot be followed is an entry too, `not-followed`,
// saying what stopped it.
import * as path from 'node:path';
import type { ConfigurationEntry } from './configuration';
import { IMPORTED, type Evaluator } from './evaluator';
import { InputKinds, unknownInputPhrase, type InputKind } from './flake-inputs';
import {
  evaluateFlake,
  hiveNodeArgs,
  hiveNodeSystem,
  MADE_BY_MAKE_HIVE,
  type FlakeModel,
  type OpaqueCall,
} from './flake-model';
import { known, type Env, type Source, type Thunk, type Value } from './value';
import { isVirtualFile } from './virtual-files';

/** How much of a machine nixkit read: all of it, part of it (modules it cannot see), or nothing. */
export type CoverageStatus = 'read' | 'partial' | 'not-followed';

export interface DiscoveredEntry {
  entry: ConfigurationEntry;
  /** The `modules` list (flake), the node's modules (colmena) or the configuration file itself. */
  roots: Thunk[];
  specialArgs?: Value;
  /** `not-followed` entries have no roots; `partial` ones lack part of their modules from the start. */
  status: CoverageStatus;
  reasons: string[];
  /**
   * A colmena node named as a nixosConfigurations entry: the same machine when it reads no module the entry does
   * not (dropped then, after both are collected), another one otherwise (`nixosConfigurations.web` to install
   * with disko, `colmena.web` to deploy).
   */
  sameNameAs?: DiscoveredEntry;
  /**
   * Another flake of this checkout builds it: an input `path:./hosts/x` whose machine this one re-exports
   * (`x = inputs.x.nixosConfigurations.x`), or `(import ./hosts/x/flake.nix).outputs …`. That flake.nix: the
   * machine is listed and checked there, once.
   */
  fromFlake?: string;
}

/** What stands for the modules NixOps or morph add to each machine of a network file. */
export const NETWORK_TOOL_MODULES = "NixOps' or morph's deployment modules";

/**
 * Attributes of a hive or network that are colmena's or NixOps' own, not machines (`require` names more network
 * files; NixOps 2 adds `nixpkgs`).
 */
export const HIVE_META = new Set(['meta', 'defaults', 'network', 'resources', 'require', 'nixpkgs']);

/** Says why something could not be followed, from the calls of unknown functions made while computing it. */
export function explainOpaque(
  calls: OpaqueCall[],
  kinds: Map<string, InputKind | undefined>,
  unreadable?: string,
): string {
  for (const c of calls) {
    const p = c.path;
    if (!p?.length) continue;
    const input = p[0] === 'inputs' && p.length > 1 ? p[1] : p[0];
    const name = p[p.length - 1];
    if (kinds.has(input)) {
      const kind = kinds.get(input);
      if (p.includes(IMPORTED))
        return kind === 'nixpkgs'
          ? `it comes from \`import ${input} { … }\`, nixpkgs' packages, which nixkit does not evaluate`
          : kind
            ? `it comes from \`import ${input}\`, the source of input \`${input}\`, which nixkit does not read`
            : `it comes from \`import ${input}\`, and input \`${input}\` is not one nixkit knows`;
      return kind
        ? `\`${p.join('.')}\` of input \`${input}\` (${kind}) is not modelled by nixkit`
        : `\`${name}\` comes from input \`${input}\`, ${unknownInputPhrase(input, kinds)}`;
    }
    if (p[0] === 'builtins') return `\`${p.join('.')}\` is not evaluated by nixkit`;
    return `\`${p.join('.')}\` is not known to nixkit`;
  }
  if (unreadable) return `${unreadable} has syntax nixkit cannot read (its syntax finding says which)`;
  return 'nixkit could not work out its value statically';
}

/** The file an unknown value was made in, when that file has syntax nixkit cannot read (relative to the flake). */
function unreadableAt(ev: Evaluator, v: Value, flakeFile: string): string | undefined {
  const file = v.t === 'unknown' && !v.error ? v.src?.file : undefined;
  if (!file || isVirtualFile(file) || !ev.sources.parsed(file)?.hasSyntaxErrors) return undefined;
  return path.relative(path.dirname(flakeFile), file);
}

/**
 * Inputs whose flake-parts modules are development tooling (formatters, git hooks, shells, task runners, build
 * helpers for per-system packages): they add per-system outputs, never machines.
 */
const TOOLING_FLAKE_MODULES =
  /(treefmt-nix|git-hooks(\.nix)?|pre-commit-hooks(\.nix)?|devshell|devenv|flake-root|mission-control|process-compose-flake|services-flake|hercules-ci-effects|nix-unit|agenix-rekey|agenix-shell|make-shell|pkgs-by-name-for-flake-parts|nix-cargo-integration|haskell-flake|rust-flake|just-flake|flake-compat|nixago|nix-github-actions|actions\.nix|nix-topology|terranix|flake-file|nix-wrapper-modules|wrapper-manager|files)([/?#]|$)/i;

/** A flake-parts module of a tooling library (TOOLING_FLAKE_MODULES): it adds checks and shells, no machine. */
function isTooling(model: FlakeModel, m: FlakeModel['opaqueFlakeModules'][number]): boolean {
  const url = m.input && model.inputs.find((i) => i.name === m.input)?.url;
  return !!url && TOOLING_FLAKE_MODULES.test(url);
}

const sourceOf = (t: Thunk | undefined, fallback?: Source): Source | undefined =>
  t?.file && t.keySpan ? { file: t.file, span: t.keySpan } : fallback;

export interface FlakeDiscovery {
  model: FlakeModel;
  entries: DiscoveredEntry[];
}

export function flakeEntries(ev: Evaluator, flakeFile: string): FlakeDiscovery {
  const model = evaluateFlake(ev, flakeFile);
  const kinds = new InputKinds(model.inputs);
  const entries: DiscoveredEntry[] = [];
  const notFollowed = (name: string, at: Source | undefined, reason: string) =>
    entries.push({
      entry: { name, file: flakeFile, kind: 'flake', at: at ?? model.outputsAt },
      roots: [],
      status: 'not-followed',
      reasons: [reason],
    });
  /** Forces a thunk and says, if its value is unknown, what made it so. */
  const forceExplained = (t: Thunk): { v: Value; why: () => string } => {
    const before = model.opaqueCalls.length;
    const v = ev.force(t);
    const calls = model.opaqueCalls.slice(before);
    return { v, why: () => explainOpaque(calls, kinds, unreadableAt(ev, v, flakeFile)) };
  };

  const outputs = model.outputs;
  if (outputs.t !== 'attrs') {
    if (model.outputsAt && !model.outputsHoldNoMachines)
      notFollowed(
        'nixosConfigurations',
        model.outputsAt,
        model.outputsCallFails
          ? `evaluating the flake fails: ${model.outputsCallFails}${model.outputsCallFails.includes('self') ? ', as Nix says (take `self`, or add `...`)' : ''}`
          : `the flake's outputs are unknown: ${explainOpaque(model.opaqueCalls, kinds)}`,
      );
    return { model, entries };
  }
  const configs =
    outputs.attrs.get('nixosConfigurations') ?? perSystemOutput(ev, outputs, 'nixosConfigurations');
  const names = new Set<string>();
  if (configs) {
    const { v: set, why } = forceExplained(configs);
    const at = sourceOf(configs, set.src);
    if (set.t !== 'attrs') notFollowed('nixosConfigurations', at, why());
    else {
      for (const [name, thunk] of set.attrs) {
        names.add(name);
        entries.push(flakeEntry(ev, flakeFile, name, thunk, at, forceExplained, kinds));
      }
      if (set.dynamic)
        notFollowed(
          'nixosConfigurations',
          at,
          'some of its names are computed in a way nixkit cannot follow',
        );
      // A flake-parts module of a library nixkit does not know (clan-core's `clan.machines.*`) may add machines
      // of its own beside those written out; tooling modules (formatters, git hooks, shells) add none.
      const adders = model.opaqueFlakeModules.filter((m) => m.input && !isTooling(model, m));
      if (adders.length) {
        const reasons = [...new Set(adders.map((m) => m.reason))];
        notFollowed(
          'nixosConfigurations',
          adders[0].at,
          `${reasons.join('; ')}; ${reasons.length === 1 ? 'it' : 'any of them'} may add machines nixkit does not see`,
        );
      }
    }
  } else if (outputs.dynamic && !model.opaqueFlakeModules.length) {
    // `bp // { overlays… }` where `bp` comes from a library nixkit does not know: the outputs have names it
    // cannot see, nixosConfigurations perhaps among them.
    notFollowed(
      'nixosConfigurations',
      model.outputsAt,
      `the flake's outputs are partly unknown (${explainOpaque(model.opaqueCalls, kinds)}); they may hold machines nixkit does not see`,
    );
  } else if (model.opaqueFlakeModules.some((m) => !isTooling(model, m))) {
    // Every module it cannot read is named: the one that makes the machines is often not the first.
    const opaque = model.opaqueFlakeModules.filter((m) => !isTooling(model, m));
    const reasons = [...new Set(opaque.map((m) => m.reason))];
    notFollowed(
      'nixosConfigurations',
      opaque[0].at,
      `${reasons.join('; ')}; ${reasons.length === 1 ? 'it' : 'any of them'} may define machines nixkit does not see`,
    );
  }
  // colmena: `colmena = { meta = …; defaults = …; <node> = …; }`, or `colmenaHive = colmena.lib.makeHive …`.
  const hives = ['colmenaHive', 'colmena'].flatMap((key) => {
    // colmena asks Nix for `.#colmenaHive`, an installable: found under `legacyPackages.<system>.` too.
    const hive =
      outputs.attrs.get(key) ?? (key === 'colmenaHive' ? perSystemOutput(ev, outputs, key) : undefined);
    return hive ? [{ key, hive, ...forceExplained(hive) }] : [];
  });
  for (const { key, hive, v, why } of hives) {
    if (v.t !== 'attrs') {
      // Its nodes are machines nixkit cannot list: say so rather than "no machine found" (unless the other
      // output, usually the same hive, could be read).
      if (hives.some((h) => h.v.t === 'attrs')) continue;
      // `colmena` and `colmenaHive = makeHive self.colmena` are one hive: said once.
      if (key === 'colmenaHive' && hives.some((h) => h.key === 'colmena')) continue;
      entries.push({
        entry: { name: key, file: flakeFile, kind: 'colmena', at: sourceOf(hive, v.src) ?? model.outputsAt },
        roots: [],
        status: 'not-followed',
        reasons: [v.t === 'unknown' ? why() : "nixkit could not work out the hive's value statically"],
      });
      continue;
    }
    for (const e of hiveEntries(ev, v, flakeFile)) {
      // The same machine as its nixosConfigurations entry, unless nixkit could not follow that one (an entry
      // that is no nixosSystem): the hive's node is what gets deployed, and is checked; the entry keeps its note.
      const same = entries.find((x) => x.entry.name === e.entry.name);
      if (same && !(same.status === 'not-followed' && e.status !== 'not-followed')) {
        if (same.status === 'not-followed' || e.status === 'not-followed' || same.entry.kind === 'colmena')
          continue;
        e.sameNameAs = same;
      }
      names.add(e.entry.name);
      entries.push(e);
    }
  }
  // NixOps 2: `nixopsConfigurations.<name> = { nixpkgs; network; <machine> = { … }; }`, each a network.
  const nixops = outputs.attrs.get('nixopsConfigurations');
  const nixopsV = nixops ? ev.force(nixops) : undefined;
  if (nixops && nixopsV?.t !== 'attrs')
    notFollowed(
      'nixopsConfigurations',
      sourceOf(nixops, nixopsV?.src),
      "nixkit could not work out the networks' value",
    );
  else if (nixopsV?.t === 'attrs')
    for (const network of nixopsV.attrs.values()) {
      const v = ev.force(network);
      for (const e of hiveEntries(ev, v, flakeFile, true, 'nixopsConfigurations')) {
        if (names.has(e.entry.name)) continue;
        names.add(e.entry.name);
        entries.push(e);
      }
    }
  return { model, entries };
}

/**
 * `packages.<system>.nixosConfigurations` (a flake that builds everything under flake-utils'
 * `eachDefaultSystem`), `legacyPackages.<system>.colmenaHive`: `nixos-rebuild --flake .#desk` and colmena find
 * them there too, as Nix looks an installable up under `packages.<system>.` and `legacyPackages.<system>.` as
 * well. The machines of x86_64-linux (or of the first system that has them) are read; the other systems' are the
 * same machines built for another platform.
 */
function perSystemOutput(ev: Evaluator, outputs: Value & { t: 'attrs' }, name: string): Thunk | undefined {
  for (const key of ['packages', 'legacyPackages']) {
    const t = outputs.attrs.get(key);
    const bySystem = t && ev.force(t);
    if (bySystem?.t !== 'attrs') continue;
    const systems = [...bySystem.attrs.keys()].sort((a, b) =>
      a === 'x86_64-linux' ? -1 : b === 'x86_64-linux' ? 1 : 0,
    );
    for (const system of systems) {
      const set = ev.force(bySystem.attrs.get(system)!);
      const found = set.t === 'attrs' ? set.attrs.get(name) : undefined;
      if (found) return found;
    }
  }
  return undefined;
}

function flakeEntry(
  ev: Evaluator,
  flakeFile: string,
  name: string,
  thunk: Thunk,
  setAt: Source | undefined,
  forceExplained: (t: Thunk) => { v: Value; why: () => string },
  kinds: InputKinds,
): DiscoveredEntry {
  const { v, why } = forceExplained(thunk);
  const at = sourceOf(thunk, v.src ?? setAt);
  const entry: ConfigurationEntry = { name, file: flakeFile, kind: 'flake', at };
  // `inputs.x.nixosConfigurations.y` for an input `path:./hosts/x`: that flake's own machine
  const p = v.t === 'unknown' && !v.error ? v.path : undefined;
  const input = p && (p[0] === 'inputs' ? p[1] : p[0]);
  const local = input ? kinds.local.get(input) : undefined;
  if (local && p![p!.indexOf(input!) + 1] === 'nixosConfigurations') {
    const dir = local.replace(/^(?:path|git\+file):/, '').replace(/[?#].*$/, '');
    return {
      entry,
      roots: [],
      status: 'not-followed',
      reasons: [`it is a machine of input \`${input}\`, ${unknownInputPhrase(input!, kinds)}`],
      fromFlake: path.join(path.resolve(path.dirname(flakeFile), dir), 'flake.nix'),
    };
  }
  if (v.t === 'nixosSystem' && v.input) entry.nixpkgsInput = v.input;
  if (v.t !== 'nixosSystem') {
    const reason =
      v.t === 'external' && v.name === 'nix-darwin.darwinSystem'
        ? "it is built with nix-darwin's darwinSystem: a macOS system, not NixOS"
        : v.t === 'external' && v.name === 'home-manager.homeManagerConfiguration'
          ? "it is built with home-manager's homeManagerConfiguration, not as a NixOS system"
          : v.t === 'unknown'
            ? why()
            : 'it is not a NixOS system built with nixosSystem';
    return { entry, roots: [], status: 'not-followed', reasons: [reason] };
  }
  return nixosSystemEntry(ev, entry, v);
}

/**
 * `nixosSystem { pkgs = import nixpkgs { system = "aarch64-linux"; }; … }` without `system`: the package set's
 * platform is the machine's (a string nixkit can read, else nothing is claimed).
 */
function pkgsSystem(ev: Evaluator, pkgs: Thunk | undefined): Value | undefined {
  const p = pkgs ? ev.force(pkgs) : undefined;
  const sys = p?.t === 'attrs' ? p.attrs.get('system') : undefined;
  const v = sys ? ev.force(sys) : undefined;
  return v?.t === 'str' ? v : undefined;
}

/** A machine from the arguments of `nixosSystem` (or eval-config.nix): its modules, platform and specialArgs. */
function nixosSystemEntry(
  ev: Evaluator,
  entry: ConfigurationEntry,
  v: Value & { t: 'nixosSystem' },
): DiscoveredEntry {
  const args = ev.force(v.args);
  if (args.t !== 'attrs')
    return {
      entry,
      roots: [known({ t: 'unknown' })],
      status: 'partial',
      reasons: ['the arguments of nixosSystem are not known'],
    };
  const get = (k: string) => args.attrs.get(k);
  const modules = get('modules');
  const system = get('system');
  const specialArgs = get('specialArgs');
  entry.system = system ? ev.force(system) : pkgsSystem(ev, get('pkgs'));
  entry.builtAt = systemCallKeys(v);
  // eval-config.nix evaluates `extraModules` together with `modules` (nixosSystem passes both on).
  const roots = [modules, get('extraModules')].filter((t): t is Thunk => t !== undefined);
  if (v.wrappedBy) {
    // What the wrapper adds is a module nixkit cannot see: rules about something missing stay quiet.
    entry.wrappedBy = v.wrappedBy;
    // (said by externalModuleReason)
    roots.push(known({ t: 'external', name: `${v.wrappedBy}.lib.nixosSystem` }));
  }
  return {
    entry,
    roots,
    specialArgs: specialArgs ? ev.force(specialArgs) : undefined,
    status: 'read',
    reasons: [],
  };
}

/**
 * A file outside flakes whose value is a NixOS system built with eval-config.nix (`import
 * "${pkgs}/nixos/lib/eval-config.nix" { modules = [ ./configuration.nix ]; }`, a "pivot" that pins nixpkgs), or a
 * set of them: each is a machine, named after its attribute, else the file. Nothing when it is neither.
 */
export function systemFileEntries(ev: Evaluator, file: string): DiscoveredEntry[] {
  const v = ev.force(ev.fileThunk(file));
  const base =
    path.basename(file) === 'default.nix' ? path.basename(path.dirname(file)) : path.basename(file);
  const entry = (name: string, at: Source | undefined): ConfigurationEntry => ({
    name,
    file,
    kind: 'configuration.nix',
    at: at ?? { file, span: { start: 0, end: 0 } },
  });
  if (v.t === 'nixosSystem') return [nixosSystemEntry(ev, entry(base.replace(/\.nix$/, ''), v.src), v)];
  if (v.t !== 'attrs') return [];
  const out: DiscoveredEntry[] = [];
  for (const [name, t] of v.attrs) {
    const item = ev.force(t);
    if (item.t === 'nixosSystem') out.push(nixosSystemEntry(ev, entry(name, sourceOf(t, item.src)), item));
  }
  return out;
}

/**
 * The nodes of a colmena hive (or a NixOps or morph network, the same shape): every attribute but `meta`,
 * `defaults`, `network` and NixOps' `resources`, each a NixOS machine built
 * from `defaults` and its own module, with `meta.specialArgs` and `meta.nodeSpecialArgs.<node>` as arguments.
 */
export function hiveEntries(
  ev: Evaluator,
  hive: Value,
  file: string,
  network = false,
  /** What the whole set is called where nixkit cannot list it (protocol's wholeSetLabel). */
  wholeName = network ? 'network' : 'colmena',
): DiscoveredEntry[] {
  // A hive whose nodes nixkit cannot list says so rather than "no machine found".
  const notFollowed = (reason: string): DiscoveredEntry => ({
    entry: { name: wholeName, file, kind: 'colmena', at: hive.src },
    roots: [],
    status: 'not-followed',
    reasons: [reason],
  });
  if (hive.t !== 'attrs')
    return [
      notFollowed(`nixkit could not work out the ${network ? "network's" : "hive's"} value statically`),
    ];
  const meta = hive.attrs.get('meta');
  const metaV = meta ? ev.force(meta) : undefined;
  const defaults = hive.attrs.get('defaults');
  const out: DiscoveredEntry[] = [];
  for (const [name, node] of hive.attrs) {
    if (HIVE_META.has(name) || MADE_BY_MAKE_HIVE.has(node)) continue;
    const args = hiveNodeArgs(ev, metaV, name);
    // NixOps and morph add modules of their own for the deployment target (disks, users, networking of a cloud
    // VM): rules about something missing must stay quiet, and the coverage says why.
    const tool: Thunk[] = network
      ? [known({ t: 'external', name: NETWORK_TOOL_MODULES, src: sourceOf(node) })]
      : [];
    // colmena builds each node with `meta.nodeNixpkgs.<node>`, else `meta.nixpkgs`: its `system` is the node's.
    const system = network ? undefined : hiveNodeSystem(ev, metaV, name);
    out.push({
      // (`inherit web;`: the inherit has no key of its own; the node's value says where it is written)
      entry: { name, file, kind: 'colmena', at: sourceOf(node, ev.force(node).src), system },
      roots: [...tool, ...(defaults ? [defaults, node] : [node])],
      specialArgs: { t: 'attrs', attrs: args, dynamic: false },
      status: 'read',
      reasons: [],
    });
  }
  if (hive.dynamic) out.push(notFollowed('some of its nodes are computed in a way nixkit cannot follow'));
  return out;
}

export function configurationNixEntry(
  file: string,
  name: string,
  kind: ConfigurationEntry['kind'] = 'configuration.nix',
  system?: Value,
): DiscoveredEntry {
  return {
    entry: { name, file, kind, at: { file, span: { start: 0, end: 0 } }, system },
    roots: [known({ t: 'path', v: file })],
    status: 'read',
    reasons: [],
  };
}

/**
 * Where a machine's system is built, as `file:offset` keys: the call, and the arguments' own expression (a
 * wrapper such as `makeOverridable nixosSystem` calls nixosSystem from inside nixpkgs' lib with the user's
 * arguments, which come through variables: followed to where they are written).
 */
function systemCallKeys(v: Value & { t: 'nixosSystem' }): string[] {
  const keys: string[] = [];
  if (v.src) keys.push(`${v.src.file}:${v.src.span.start}`);
  let t: Thunk | undefined = v.args;
  for (let steps = 0; t?.expr?.kind === 'var' && steps < 8; steps++) {
    const name: string = t.expr.name;
    let env: Env | undefined = t.env;
    while (env && !env.vars.has(name)) env = env.parent;
    t = env?.vars.get(name);
  }
  if (t?.expr && t.file) keys.push(`${t.file}:${t.expr.span.start}`);
  return keys;
}
