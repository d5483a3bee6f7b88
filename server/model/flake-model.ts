// A flake's outputs as Nix would compute them, as far as nixkit can: `outputs` is called with its inputs, each
// input modelled by what it is (flake-parts' mkFlake and its module evaluation, flake-utils' eachSystem,
// nix-darwin's darwinSystem and home-manager's homeManagerConfiguration as *not* NixOS, module-only flakes as
// modules nixkit knows by name), `self` being the outputs themselves. Inputs nixkit does not know stay unknown,
// and every call of a function it does not know is remembered, to say why a result could not be followed.
import * as path from 'node:path';
import { IMPORTED, type Evaluator } from './evaluator';
import { flakeInputs, InputKinds, unknownInputPhrase, type FlakeInput, type InputKind } from './flake-inputs';
import { haumeaInput } from './haumea';
import { snowfallInput } from './snowfall';
import { resolveImportPath } from './sources';
import { known, UNKNOWN, type Source, type Thunk, type Value } from './value';

/** A call of a function nixkit does not know, with the names it was reached through (`fleet.lib.mkFleet`). */
export interface OpaqueCall {
  path?: string[];
  src?: Source;
}

export interface FlakeModel {
  file: string;
  inputs: FlakeInput[];
  /** The outputs attribute set (unknown when `outputs` could not be called). */
  outputs: Value;
  /** Where `outputs` is written. */
  outputsAt?: Source;
  /** Why Nix fails to call `outputs` (`{ nixpkgs }:` without `self` or `...`), when it does. */
  outputsCallFails?: string;
  /** The failing `outputs` function returns a set written out without any output that makes machines. */
  outputsHoldNoMachines?: boolean;
  opaqueCalls: OpaqueCall[];
  /** flake-parts modules nixkit cannot read, and the unknown input each comes from (when it does). */
  opaqueFlakeModules: { at?: Source; reason: string; input?: string }[];
  /** Folders named by `templates.<name>.path`: skeletons for new flakes, never machines. */
  templateDirs: string[];
}

export const DEFAULT_SYSTEMS = ['x86_64-linux', 'aarch64-linux', 'x86_64-darwin', 'aarch64-darwin'];

const str = (v: string): Value => ({ t: 'str', v });
const attrs = (entries: [string, Thunk][], dynamic = false): Value => ({
  t: 'attrs',
  attrs: new Map(entries),
  dynamic,
});
const fn = (name: string): Thunk => known({ t: 'fn', name, args: [] });

/**
 * A thunk computed on first use; forcing it again while it computes gives unknown (a cycle). With `ready`, a use
 * before `ready()` holds gives unknown for that use only, and the value is computed at the first use after.
 */
export function lazyThunk(compute: () => Value, ready?: () => boolean): Thunk {
  let state: 'new' | 'busy' | 'done' = 'new';
  let value: Value = UNKNOWN;
  const thunk: Thunk = {};
  Object.defineProperty(thunk, 'value', {
    configurable: true,
    enumerable: true,
    get: () => {
      if (state === 'busy') return UNKNOWN;
      if (state === 'new' && ready && !ready()) return UNKNOWN;
      if (state === 'new') {
        state = 'busy';
        try {
          value = compute();
        } finally {
          state = 'done';
        }
      }
      return value;
    },
    set: (v: Value) => {
      value = v;
      state = 'done';
    },
  });
  return thunk;
}

/** Systems whose `legacyPackages` nixkit knows (for their `lib`); others are unknown. */
const PACKAGE_SYSTEMS = [...DEFAULT_SYSTEMS, 'i686-linux', 'armv7l-linux', 'armv6l-linux', 'riscv64-linux'];

/**
 * A nixpkgs package set: its `lib` is nixpkgs' lib (without `nixosSystem`, which only the flake's `lib` has);
 * packages and everything else are unknown.
 */
/** `import nixpkgs { system = …; }` (or `localSystem = { system = …; }`, `localSystem = "…"`): the system. */
function systemOf(ev: Evaluator, args: Thunk): Value | undefined {
  const a = ev.force(args);
  if (a.t !== 'attrs') return undefined;
  const system = a.attrs.get('system');
  if (system) return ev.force(system);
  const local = a.attrs.get('localSystem');
  const l = local ? ev.force(local) : undefined;
  if (l?.t === 'str') return l;
  const inner = l?.t === 'attrs' ? l.attrs.get('system') : undefined;
  return inner ? ev.force(inner) : undefined;
}

/** A package set; `system` is `pkgs.system`, the platform it was imported for, where that is known. */
function packageSet(ev: Evaluator, missingPath: string[], system?: Thunk): Value {
  const lib = ev.lazy(() => {
    const full = ev.lib();
    if (full.t !== 'attrs') return full;
    const names = new Map(full.attrs);
    names.delete('nixosSystem');
    return { ...full, attrs: names, dynamic: true };
  });
  const set: Value = {
    t: 'attrs',
    attrs: new Map([
      ['lib', lib],
      ['callPackage', known({ t: 'fn', name: CALL_PACKAGE, args: [] })],
      ...(system ? [['system', system] as [string, Thunk]] : []),
    ]),
    dynamic: true,
    missingPath,
  };
  ev.natives.set(CALL_PACKAGE, { arity: 2, call: ([fn, args], src) => callPackage(ev, set, fn, args, src) });
  return set;
}

const CALL_PACKAGE = 'nixpkgs.callPackage';

/**
 * `pkgs.callPackage ./file.nix { … }`: the function (or the file's) called with the arguments it names, from
 * the given ones first, then from the package set; a package nixkit does not know is unknown. The result may
 * hold more names than the function gives (the real one adds `override`).
 */
function callPackage(ev: Evaluator, pkgs: Value, fnThunk: Thunk, argsThunk: Thunk, src?: Source): Value {
  let f = ev.force(fnThunk);
  if (f.t === 'path') f = ev.importValue(f, src);
  const given = ev.force(argsThunk);
  if (f.t !== 'lambda' || !f.expr.formals || given.t !== 'attrs' || pkgs.t !== 'attrs')
    return { t: 'unknown', src };
  const args = new Map<string, Thunk>();
  for (const formal of f.expr.formals) {
    const name = formal.name.name;
    const t = given.attrs.get(name) ?? pkgs.attrs.get(name);
    if (t) args.set(name, t);
    else if (!formal.default) args.set(name, known({ t: 'unknown', path: ['pkgs', name] }));
  }
  for (const [name, t] of given.attrs) if (!args.has(name) && f.expr.ellipsis) args.set(name, t);
  const result = ev.apply(f, known(attrs([...args])), src);
  return result.t === 'attrs' ? { ...result, dynamic: true } : result;
}

/**
 * What Nix adds to a flake's value from its source: the revision (`rev`, or `dirtyRev` for a tree with changes),
 * dates and hash. Which of them a checkout has is not known here: each is there, its value unknown, so
 * `self.rev or (throw "dirty")` is not a failure nixkit makes up.
 */
const SOURCE_METADATA = [
  'rev',
  'shortRev',
  'dirtyRev',
  'dirtyShortRev',
  'lastModified',
  'lastModifiedDate',
  'narHash',
  'revCount',
];

function withMetadata(v: Value, name: string): Value {
  if (v.t !== 'attrs' || SOURCE_METADATA.every((k) => v.attrs.has(k))) return v;
  const own = new Map(v.attrs);
  for (const k of SOURCE_METADATA) if (!own.has(k)) own.set(k, known({ t: 'unknown', path: [name, k] }));
  return { ...v, attrs: own };
}

/** The value standing for an input of a given kind (or, unknown, for one nixkit does not know). */
function inputValue(ev: Evaluator, input: FlakeInput): Value {
  switch (input.kind) {
    case 'nixpkgs': {
      // nixpkgs' `lib` is the evaluator's model of it; packages and the rest are not known statically. A package
      // set (`import nixpkgs { … }`, `legacyPackages.<system>`) is known for its `lib` only.
      const imported = `nixpkgs.import:${input.name}`;
      ev.natives.set(imported, {
        arity: 1,
        // (the system is worked out only when asked: forcing the arguments early can loop through `self`)
        call: ([args]) =>
          packageSet(
            ev,
            [input.name, IMPORTED],
            ev.lazy(() => systemOf(ev, args) ?? UNKNOWN),
          ),
      });
      // This input's `lib.nixosSystem` says which input builds a machine: with several nixpkgs (a stable one for
      // the machines, unstable for a few packages), the machine's release is its own input's.
      const nixosSystem = `nixpkgs.nixosSystem:${input.name}`;
      ev.natives.set(nixosSystem, {
        arity: 1,
        call: ([args], src) => ({ t: 'nixosSystem', args, src, input: input.name }),
      });
      const inputLib = (): Value => {
        const lib = ev.lib();
        if (lib.t !== 'attrs') return lib;
        const own = new Map(lib.attrs);
        own.set('nixosSystem', known({ t: 'fn', name: nixosSystem, args: [] }));
        return { ...lib, attrs: own };
      };
      return {
        t: 'attrs',
        attrs: new Map([
          ['lib', ev.lazy(inputLib)],
          ['nixosModules', known({ t: 'external', name: 'nixpkgs.nixosModules' })],
          ['outPath', known({ t: 'unknown', path: [input.name, 'outPath'] })],
          [
            'legacyPackages',
            known(
              attrs(
                PACKAGE_SYSTEMS.map((system) => [
                  system,
                  known(packageSet(ev, [input.name, 'legacyPackages', system])),
                ]),
                true,
              ),
            ),
          ],
        ]),
        dynamic: true,
        imports: () => ({ t: 'fn', name: imported, args: [] }),
        sourceName: '<nixpkgs>',
      };
    }
    case 'flake-parts':
      return attrs([
        [
          'lib',
          known(
            attrs([
              ['mkFlake', fn('flake-parts.mkFlake')],
              ['evalFlakeModule', fn('flake-parts.evalFlakeModule')],
            ]),
          ),
        ],
        ['flakeModules', known({ t: 'external', name: 'flake-parts.flakeModules' })],
      ]);
    case 'flake-utils': {
      const systems = known({ t: 'list', items: DEFAULT_SYSTEMS.map((s) => known(str(s))) });
      return attrs([
        [
          'lib',
          known(
            attrs([
              ['eachDefaultSystem', fn('flake-utils.eachDefaultSystem')],
              ['eachSystem', fn('flake-utils.eachSystem')],
              ['eachDefaultSystemMap', fn('flake-utils.eachDefaultSystemMap')],
              ['eachSystemMap', fn('flake-utils.eachSystemMap')],
              ['defaultSystems', systems],
              ['system', known(attrs(DEFAULT_SYSTEMS.concat(['i686-linux']).map((s) => [s, known(str(s))])))],
            ]),
          ),
        ],
      ]);
    }
    case 'nix-darwin':
      return attrs([
        ['lib', known(attrs([['darwinSystem', fn('nix-darwin.darwinSystem')]]))],
        ['darwinModules', known({ t: 'external', name: 'nix-darwin.darwinModules' })],
      ]);
    case 'home-manager':
      return attrs([
        ['lib', known(attrs([['homeManagerConfiguration', fn('home-manager.homeManagerConfiguration')]]))],
        ['nixosModules', known({ t: 'external', name: 'home-manager.nixosModules' })],
        ['darwinModules', known({ t: 'external', name: 'home-manager.darwinModules' })],
      ]);
    case 'colmena':
      return attrs([
        ['lib', known(attrs([['makeHive', fn('colmena.makeHive')]]))],
        ['nixosModules', known({ t: 'external', name: 'colmena.nixosModules' })],
      ]);
    case 'haumea':
      return haumeaInput(ev);
    case 'snowfall-lib':
      return snowfallInput(ev);
    case 'import-tree':
      // Called directly (`inputs.import-tree ./modules`); its builder methods (`.filter`, …) stay unknown.
      return { t: 'fn', name: 'import-tree', args: [] };
    case undefined:
      // Named for nixpkgs (a local checkout, a mirror whose URL says nothing): its lib is taken for nixpkgs'.
      if (!NIXPKGS_NAME.test(input.name)) ev.unknownInputs.add(input.name);
      return { t: 'unknown', path: [input.name] };
    default:
      // Module-only flakes (disko, nixos-hardware, sops-nix, agenix, impermanence, lanzaboote, deploy-rs,
      // systems): their modules are known by name, what they set is not read.
      return { t: 'external', name: input.kind };
  }
}

/** Input names that say nixpkgs: `nixpkgs`, `nixpkgs-unstable`, `nixos`, `nixos-24.11`, `unstable`. */
const NIXPKGS_NAME = /nixpkgs|^(?:nixos|stable|unstable|master)$|^nixos[-_](?:unstable|stable|small|\d)/i;

/** The `nodes` makeHive adds beside the hive's own attributes: no node of the hive. */
export const MADE_BY_MAKE_HIVE = new WeakSet<Thunk>();

/**
 * A colmena hive's nodes as the systems colmena builds: `defaults` and the node's module, with `meta.specialArgs`
 * and `meta.nodeSpecialArgs.<node>` (and `name`) as arguments.
 */
function hiveNodeSystems(ev: Evaluator, hive: Value & { t: 'attrs' }): Value {
  const meta = hive.attrs.get('meta');
  const metaV = meta ? ev.force(meta) : undefined;
  const defaults = hive.attrs.get('defaults');
  const nodes: [string, Thunk][] = [];
  for (const [name, node] of hive.attrs) {
    if (name === 'meta' || name === 'defaults') continue;
    const specialArgs = ev.lazy(() => ({ t: 'attrs', attrs: hiveNodeArgs(ev, metaV, name), dynamic: false }));
    const modules = known({ t: 'list', items: defaults ? [defaults, node] : [node] });
    // (the platform of the package set colmena builds it with: `import nixpkgs { system = …; }`'s `system`)
    const system = ev.lazy(() => hiveNodeSystem(ev, metaV, name) ?? UNKNOWN);
    const args = known(
      attrs([
        ['modules', modules],
        ['specialArgs', specialArgs],
        ['system', system],
      ]),
    );
    nodes.push([name, known({ t: 'nixosSystem', args, src: ev.force(node).src })]);
  }
  return attrs(nodes);
}

/**
 * The arguments colmena gives a node's modules: `meta.specialArgs`, then `meta.nodeSpecialArgs.<node>` over them,
 * then `name` and `nodes` (the other nodes' configurations: unknown here).
 */
export function hiveNodeArgs(ev: Evaluator, meta: Value | undefined, name: string): Map<string, Thunk> {
  const get = (k: string) => (meta?.t === 'attrs' ? meta.attrs.get(k) : undefined);
  const args = new Map<string, Thunk>();
  for (const t of [get('specialArgs'), nodeArgs(ev, get('nodeSpecialArgs'), name)]) {
    const v = t ? ev.force(t) : undefined;
    if (v?.t === 'attrs') for (const [k, a] of v.attrs) args.set(k, a);
  }
  args.set('name', known({ t: 'str', v: name }));
  args.set('nodes', known({ t: 'unknown', path: ['nodes'] }));
  return args;
}

/**
 * The platform colmena builds a node for: the `system` of its package set, `meta.nodeNixpkgs.<node>` or else
 * `meta.nixpkgs` (`import nixpkgs { system = …; }`), when it is a string.
 */
export function hiveNodeSystem(ev: Evaluator, meta: Value | undefined, name: string): Value | undefined {
  const get = (k: string) => (meta?.t === 'attrs' ? meta.attrs.get(k) : undefined);
  const pkgs = nodeArgs(ev, get('nodeNixpkgs'), name) ?? get('nixpkgs');
  const p = pkgs ? ev.force(pkgs) : undefined;
  const sys = p?.t === 'attrs' ? p.attrs.get('system') : undefined;
  const v = sys ? ev.force(sys) : undefined;
  return v?.t === 'str' ? v : undefined;
}

/** `meta.nodeSpecialArgs.<node>`, when there is one. */
function nodeArgs(ev: Evaluator, perNode: Thunk | undefined, name: string): Thunk | undefined {
  const v = perNode ? ev.force(perNode) : undefined;
  return v?.t === 'attrs' ? v.attrs.get(name) : undefined;
}

/** The names a function's `{ a, b, ... }` pattern asks for. */
function formalNames(v: Value): string[] {
  return v.t === 'lambda' ? (v.expr.formals?.map((f) => f.name.name) ?? []) : [];
}

export function evaluateFlake(ev: Evaluator, file: string): FlakeModel {
  const model: FlakeModel = {
    file,
    inputs: [],
    outputs: UNKNOWN,
    opaqueCalls: [],
    opaqueFlakeModules: [],
    templateDirs: [],
  };
  const previous = ev.onOpaqueCall;
  ev.onOpaqueCall = (f, src) => {
    model.opaqueCalls.push({ path: f.t === 'unknown' ? f.path : undefined, src });
    previous?.(f, src);
  };
  const top = ev.force(ev.fileThunk(file));
  if (top.t !== 'attrs') return model;
  const outputsThunk = top.attrs.get('outputs');
  if (!outputsThunk) {
    // `ous = …` for `outputs = …`: Nix refuses the flake as a whole, so nothing in it is built. (A set with no
    // flake attribute at all is some other file called flake.nix, a library's `rec { … }`: not a flake.)
    if (!top.dynamic && ['inputs', 'description', 'nixConfig'].some((k) => top.attrs.has(k))) {
      model.outputsAt = top.src ?? { file, span: { start: 0, end: 0 } };
      model.outputsCallFails = "the flake has no 'outputs' attribute";
    }
    return model;
  }
  if (outputsThunk.file && outputsThunk.keySpan)
    model.outputsAt = { file: outputsThunk.file, span: outputsThunk.keySpan };
  const outputsFn = ev.force(outputsThunk);
  model.inputs = flakeInputs(ev, file, top, formalNames(outputsFn));
  const kinds = new InputKinds(model.inputs);

  let result: Value | undefined;
  let inputsValue: Value = UNKNOWN;
  // `self` is a fixed point: the outputs may use it lazily (`self.outputs.nixosModules.default` in a host's
  // modules) while they are being computed. A use before the outputs are known (nixkit's lib functions can be
  // stricter than Nix's) gives unknown there, and does not make `self` unknown for everything after.
  const selfThunk = lazyThunk(
    () => {
      if (!result) return UNKNOWN;
      if (result.t !== 'attrs') return result;
      // `self` is the outputs plus the flake's source (`self.outPath`, `"${self}"`).
      const withSource = new Map(result.attrs);
      // As Nix builds `self`: the outputs, the source (`outPath`), `inputs` and `outputs` themselves.
      withSource.set('outPath', known({ t: 'path', v: path.dirname(file) }));
      withSource.set('outputs', known(result));
      withSource.set('inputs', known(inputsValue));
      withSource.set('_type', known(str('flake')));
      return withMetadata({ ...result, attrs: withSource }, 'self');
    },
    () => result !== undefined,
  );
  const inputEntries: [string, Thunk][] = model.inputs.map((i) => [
    i.name,
    known(withMetadata(inputValue(ev, i), i.name)),
  ]);
  inputEntries.push(['self', selfThunk]);
  inputsValue = attrs(inputEntries);
  registerNatives(ev, model, kinds, inputsValue, selfThunk);

  // Nix calls `outputs` with its inputs and `self`: a pattern without `self` or `...` fails the call (`{ nixpkgs }:`).
  const formals = outputsFn.t === 'lambda' ? outputsFn.expr.formals : undefined;
  if (
    outputsFn.t === 'lambda' &&
    formals &&
    !outputsFn.expr.ellipsis &&
    !formals.some((f) => f.name.name === 'self')
  ) {
    model.outputsCallFails = "'outputs' is called with unexpected argument 'self'";
    // `outputs = { }: { nixosModules.x = …; }`: broken, but it would hold no machine had it worked.
    let body = outputsFn.expr.body;
    while (body.kind === 'paren') body = body.expr;
    model.outputsHoldNoMachines =
      body.kind === 'attrs' &&
      !body.inherits.length &&
      body.bindings.every((b) => b.path[0]?.name !== undefined && !MACHINE_OUTPUTS.includes(b.path[0].name));
  }
  if (outputsFn.t === 'lambda')
    result = ev.callLambda(outputsFn.expr, outputsFn.env, outputsFn.file, known(inputsValue));
  else result = outputsFn;
  model.outputs = result;
  // A template that is the flake's own folder (or holds it: `templates.full.path = ./.`) offers the flake itself
  // as a starting point; the flake's machines stay machines.
  const own = path.dirname(file);
  model.templateDirs = templateDirs(ev, result).filter((d) => d !== own && !own.startsWith(d + path.sep));
  return model;
}

function registerNatives(
  ev: Evaluator,
  model: FlakeModel,
  kinds: Map<string, InputKind | undefined>,
  flakeInputsValue: Value,
  selfThunk: Thunk,
): void {
  const force = (t: Thunk) => ev.force(t);
  const listOfStrings = (v: Value): string[] | undefined => {
    if (v.t !== 'list') return undefined;
    const out: string[] = [];
    for (const t of v.items) {
      const s = force(t);
      if (s.t !== 'str') return undefined;
      out.push(s.v);
    }
    return out;
  };
  const eachSystem = (systems: string[], f: Thunk, src?: Source): Value => {
    // The per-system outputs (packages, devShells, ...) are `<output>.<system>`: never machines. Their keys come
    // from one system's result; values are computed per system on demand.
    const first = ev.apply(force(f), known(str(systems[0] ?? 'x86_64-linux')), src);
    if (first.t !== 'attrs') return { ...attrs([]), src };
    const out = new Map<string, Thunk>();
    for (const key of first.attrs.keys())
      out.set(
        key,
        lazyThunk(() =>
          attrs(
            systems.map((s) => [
              s,
              lazyThunk(() => ev.selectValue(ev.apply(force(f), known(str(s)), src), key, src)),
            ]),
          ),
        ),
      );
    return { t: 'attrs', attrs: out, dynamic: first.dynamic, src };
  };
  ev.natives.set('flake-utils.eachDefaultSystem', {
    arity: 1,
    call: ([f], src) => eachSystem(DEFAULT_SYSTEMS, f, src),
  });
  ev.natives.set('flake-utils.eachSystem', {
    arity: 2,
    call: ([systems, f], src) => {
      const names = listOfStrings(force(systems));
      return names ? eachSystem(names, f, src) : { t: 'unknown', src };
    },
  });
  const eachSystemMap = (systems: string[], f: Thunk, src?: Source): Value =>
    attrs(systems.map((s) => [s, lazyThunk(() => ev.apply(force(f), known(str(s)), src))]));
  ev.natives.set('flake-utils.eachDefaultSystemMap', {
    arity: 1,
    call: ([f], src) => eachSystemMap(DEFAULT_SYSTEMS, f, src),
  });
  ev.natives.set('flake-utils.eachSystemMap', {
    arity: 2,
    call: ([systems, f], src) => {
      const names = listOfStrings(force(systems));
      return names ? eachSystemMap(names, f, src) : { t: 'unknown', src };
    },
  });
  // Not NixOS systems: kept recognisable so that they are never analysed as NixOS machines.
  ev.natives.set('nix-darwin.darwinSystem', {
    arity: 1,
    call: (_args, src) => ({ t: 'external', name: 'nix-darwin.darwinSystem', src }),
  });
  ev.natives.set('home-manager.homeManagerConfiguration', {
    arity: 1,
    call: (_args, src) => ({ t: 'external', name: 'home-manager.homeManagerConfiguration', src }),
  });
  // colmena's makeHive takes the hive's description; nixkit reads the nodes from that description. Its `nodes`
  // (`nixosConfigurations = self.colmenaHive.nodes`, as colmena's manual shows) are the nodes' systems.
  ev.natives.set('colmena.makeHive', {
    arity: 1,
    call: ([hive]) => {
      const h = force(hive);
      if (h.t !== 'attrs' || h.attrs.has('nodes')) return h;
      const nodes = ev.lazy(() => hiveNodeSystems(ev, h));
      MADE_BY_MAKE_HIVE.add(nodes);
      return { ...h, attrs: new Map([...h.attrs, ['nodes', nodes]]) };
    },
  });
  ev.natives.set('flake-parts.withSystem', {
    arity: 2,
    call: ([system, f], src) =>
      ev.apply(
        force(f),
        known(
          attrs([
            ['system', system],
            ['config', known({ t: 'unknown', path: ['config'] })],
            ['pkgs', known({ t: 'unknown', path: ['pkgs'] })],
            ["inputs'", known({ t: 'unknown', path: ["inputs'"] })],
            ["self'", known({ t: 'unknown', path: ["self'"] })],
            ['inputs', known(flakeInputsValue)],
            ['self', selfThunk],
          ]),
        ),
        src,
      ),
  });
  // vic/import-tree: a module importing every .nix file below the paths given, except those under a name that
  // starts with `_` (the "dendritic" layout: every file a flake-parts module).
  ev.natives.set('import-tree', {
    arity: 1,
    call: ([roots], src) => {
      const given = force(roots);
      const items = given.t === 'list' ? given.items.map(force) : [given];
      const files: Thunk[] = [];
      for (const item of items) {
        const dir = item.t === 'path' ? item.v : undefined;
        if (dir === undefined) return { t: 'unknown', path: ['import-tree'], src };
        if (!collectTree(ev, dir, files)) return { t: 'unknown', path: ['import-tree'], src };
      }
      return attrs([['imports', known({ t: 'list', items: files, src })]]);
    },
  });
  ev.natives.set('flake-parts.mkFlake', {
    arity: 2,
    call: ([args, module], src) =>
      mkFlake(ev, model, kinds, force(args), module, flakeInputsValue, selfThunk, src),
  });
  // `(flake-parts.lib.evalFlakeModule { inherit inputs; } module).config.flake`: mkFlake's outputs, one step away.
  ev.natives.set('flake-parts.evalFlakeModule', {
    arity: 2,
    call: ([args, module], src) => {
      const flake = lazyThunk(() =>
        mkFlake(ev, model, kinds, force(args), module, flakeInputsValue, selfThunk, src),
      );
      return attrs([['config', known(attrs([['flake', flake]]))]]);
    },
  });
}

/** The .nix files below a folder (or the file itself), in import-tree's order; false when nixkit cannot list it. */
function collectTree(ev: Evaluator, root: string, out: Thunk[], depth = 0): boolean {
  if (!ev.sources.isDirectory(root)) {
    if (!root.endsWith('.nix')) return false;
    out.push(known({ t: 'path', v: root }));
    return true;
  }
  if (depth > 32) return false; // a symlink loop
  ev.noteRead(root);
  const names = ev.sources.list(root);
  if (!names || !ev.charge(names.length)) return false;
  for (const name of [...names].sort()) {
    if (name.startsWith('_')) continue;
    const p = path.join(root, name);
    if (ev.sources.isDirectory(p)) {
      if (!collectTree(ev, p, out, depth + 1)) return false;
    } else if (name.endsWith('.nix')) out.push(known({ t: 'path', v: p }));
  }
  return true;
}

/**
 * flake-parts' module evaluation, for what makes machines: the `flake` option of every module reachable through
 * `imports` (paths, functions of `{ inputs, self, withSystem, lib, config, ... }`, sets), merged the way its
 * `lazyAttrsOf` options merge (outputs and their entries from several modules side by side). `perSystem` makes
 * per-system outputs only and is not evaluated.
 */
function mkFlake(
  ev: Evaluator,
  model: FlakeModel,
  kinds: Map<string, InputKind | undefined>,
  args: Value,
  module: Thunk,
  flakeInputsValue: Value,
  selfThunk: Thunk,
  src?: Source,
): Value {
  const argAttrs = args.t === 'attrs' ? args.attrs : new Map<string, Thunk>();
  const inputsThunk = argAttrs.get('inputs') ?? known(flakeInputsValue);
  const self = argAttrs.get('self') ?? selfThunk;
  const specialArgs = argAttrs.get('specialArgs');
  const flakeDefs: Value[] = [];
  /** The modules' other definitions (options a flake declares itself: `configurations.nixos.<name>.module`). */
  const configDefs: Value[] = [];
  let merged: Value | undefined;
  const flakeOutputs = lazyThunk(() => (merged ??= mergeFlake(ev, flakeDefs)));
  const configThunk = lazyThunk(() => {
    const own = mergeConfig(ev, configDefs);
    own.set('flake', flakeOutputs);
    own.set('systems', known({ t: 'unknown', path: ['systems'] }));
    // Options nixkit does not see declared may have defaults: a name nobody defines is unknown, not missing.
    return { t: 'attrs', attrs: own, dynamic: true };
  });
  const moduleArgs = new Map<string, Thunk>([
    ['inputs', inputsThunk],
    ['self', self],
    ['withSystem', fn('flake-parts.withSystem')],
    ['config', configThunk],
    // flake-parts passes nixpkgs' lib (its nixpkgs-lib input).
    ['lib', ev.lazy(() => ev.lib())],
  ]);
  const special = specialArgs ? ev.force(specialArgs) : undefined;
  if (special?.t === 'attrs') for (const [k, t] of special.attrs) moduleArgs.set(k, t);

  const seen = new Set<string>();
  const queue: Thunk[] = [module];
  let next = 0;
  const partitionsRead = new Set<string>();
  /**
   * Items from here on belong to partitions read only for the templates they publish: what they say of other
   * outputs, and what nixkit cannot read in them, has nothing to do with the flake's machines.
   */
  let templatesFrom = Infinity;
  const opaque = (o: (typeof model.opaqueFlakeModules)[number]) => {
    if (next < templatesFrom) model.opaqueFlakeModules.push(o);
  };
  for (;;) {
    for (; next < queue.length; next++) {
      if (next >= MAX_FLAKE_MODULE_ITEMS || ev.fuel < 0) {
        // Out of budget: what is left may define machines; say so rather than "no machine found".
        model.opaqueFlakeModules.push({
          at: src,
          reason: `nixkit stopped reading the flake-parts modules after ${next.toLocaleString('en')} of them (its limit)`,
        });
        queue.length = 0;
        break;
      }
      const v = ev.force(queue[next]);
      switch (v.t) {
        case 'path': {
          const file = resolveImportPath(v.v, ev.sources);
          if (seen.has(file)) break;
          seen.add(file);
          if (ev.sources.exists(file)) queue.push(ev.fileThunk(file));
          else opaque({ at: v.src, reason: `${v.v} does not exist` });
          break;
        }
        case 'list':
          append(queue, v.items);
          break;
        case 'mk':
          if (v.kind === 'if' && v.cond?.t === 'bool' && !v.cond.v) break;
          append(queue, v.content);
          break;
        case 'lambda': {
          const body = ev.callLambda(
            v.expr,
            v.env,
            v.file,
            known(attrs([...moduleArgs])),
            (name) => moduleArgs.get(name) ?? known({ t: 'unknown', path: [name] }),
          );
          queue.push(known(body));
          break;
        }
        case 'attrs': {
          const imports = v.attrs.get('imports');
          if (imports) queue.push(imports);
          // `_module.args.x = …`: a module argument every flake-parts module may take.
          const mod = v.attrs.get('_module');
          const modV = mod ? ev.force(mod) : undefined;
          const extra = modV?.t === 'attrs' ? modV.attrs.get('args') : undefined;
          const extraV = extra ? ev.force(extra) : undefined;
          if (extraV?.t === 'attrs')
            for (const [k, t] of extraV.attrs) if (!moduleArgs.has(k)) moduleArgs.set(k, t);
          const explicit = v.attrs.get('config');
          const holder = explicit ? ev.force(explicit) : v;
          const flake = holder.t === 'attrs' ? holder.attrs.get('flake') : undefined;
          if (next >= templatesFrom) {
            if (flake) flakeDefs.push(onlyTemplates(flakeDefinition(ev, ev.force(flake), flakeOutputs)));
            break;
          }
          if (flake) flakeDefs.push(flakeDefinition(ev, ev.force(flake), flakeOutputs));
          if (holder.t === 'attrs') configDefs.push(holder);
          break;
        }
        case 'external':
          // flake-parts' own modules and those of libraries nixkit knows add per-system outputs, not machines.
          if (!/^flake-parts\./.test(v.name))
            opaque({
              at: v.src,
              reason: `the flake-parts module \`${v.name}\` is not read by nixkit`,
            });
          break;
        default: {
          const p = v.t === 'unknown' ? (v.path ?? v.orPath) : undefined;
          const input = p ? (p[0] === 'inputs' ? p[1] : p[0]) : undefined;
          const unknownInput = input && kinds.has(input) && !kinds.get(input) ? input : undefined;
          const reason = unknownInput
            ? `the flake-parts module \`${p!.join('.')}\` comes from input \`${input}\`, ${unknownInputPhrase(unknownInput, kinds)}`
            : 'a flake-parts module nixkit cannot work out';
          opaque({ at: v.src, reason, input: unknownInput });
        }
      }
    }
    // flake-parts' partitions (`partitionedAttrs.nixosConfigurations = "nixos"; partitions.nixos.module = …;`):
    // those outputs come from the partition's own modules, read as the flake's (its extra inputs unknown).
    if (!queue.length) break; // out of budget
    const more = partitionModules(ev, configDefs, partitionsRead, MACHINE_OUTPUTS);
    if (more.length) {
      append(queue, more);
      continue;
    }
    // Then, once, the partitions that publish templates (`partitionedAttrs.templates = "dev"`): a flake in a
    // template's folder is a skeleton to copy, not a machine, wherever the template is declared.
    if (templatesFrom !== Infinity) break;
    const templates = partitionModules(ev, configDefs, partitionsRead, TEMPLATE_OUTPUTS);
    if (!templates.length) break;
    templatesFrom = queue.length;
    append(queue, templates);
  }
  merged ??= mergeFlake(ev, flakeDefs);
  return { ...merged, src };
}

/**
 * Items of flake-parts' module tree (paths, lists, functions, sets: about four per module file) read at most.
 * import-tree over a dendritic repository gives a thousand files and more; the evaluator's fuel bounds the work.
 */
const MAX_FLAKE_MODULE_ITEMS = 50_000;

/** `to.push(...from)` without spreading (a list of 100,000 modules is more than a call takes). */
function append<T>(to: T[], from: readonly T[]): void {
  for (const x of from) to.push(x);
}

/** Outputs that make machines, which a partition may hold. */
const MACHINE_OUTPUTS = ['nixosConfigurations', 'colmena', 'colmenaHive', 'nixopsConfigurations'];
/** Outputs that name template folders. */
const TEMPLATE_OUTPUTS = ['templates', 'defaultTemplate'];

/** A partition's `flake` definition reduced to the templates it publishes. */
function onlyTemplates(v: Value): Value {
  if (v.t !== 'attrs') return attrs([]);
  return attrs([...v.attrs].filter(([k]) => TEMPLATE_OUTPUTS.includes(k)));
}

/** The modules of the partitions `partitionedAttrs` sends any of `outputs` to, not read before. */
function partitionModules(ev: Evaluator, configDefs: Value[], read: Set<string>, outputs: string[]): Thunk[] {
  const config = mergeConfig(ev, configDefs);
  const partitioned = config.get('partitionedAttrs');
  const partitions = config.get('partitions');
  if (!partitioned || !partitions) return [];
  const byAttr = ev.force(partitioned);
  const all = ev.force(partitions);
  if (byAttr.t !== 'attrs' || all.t !== 'attrs') return [];
  const out: Thunk[] = [];
  for (const output of outputs) {
    const name = byAttr.attrs.get(output);
    const n = name ? ev.force(name) : undefined;
    if (n?.t !== 'str' || read.has(n.v)) continue;
    read.add(n.v);
    const partition = all.attrs.get(n.v);
    const p = partition ? ev.force(partition) : undefined;
    const m = p?.t === 'attrs' ? p.attrs.get('module') : undefined;
    if (m) out.push(m);
  }
  return out;
}

/**
 * A module's `flake` definition. `flake` is a submodule, so it may be a module function too
 * (`flake = { config, lib, ... }: { nixosConfigurations = …; }`), whose `config` is the flake's merged outputs.
 */
function flakeDefinition(ev: Evaluator, v: Value, outputs: Thunk): Value {
  if (v.t !== 'lambda') return v;
  const args = new Map<string, Thunk>([
    ['config', outputs],
    ['lib', ev.lazy(() => ev.lib())],
  ]);
  return ev.callLambda(
    v.expr,
    v.env,
    v.file,
    known(attrs([...args])),
    (name) => args.get(name) ?? known({ t: 'unknown', path: [name] }),
  );
}

/** `flake.<output>.<entry>` from several modules: outputs and their entries side by side, entries kept whole. */
/** What a flake-parts module sets that is not the flake's config (flake-parts' own option names). */
const NOT_CONFIG = new Set([
  'imports',
  'options',
  'config',
  '_module',
  '_file',
  'key',
  'flake',
  'perSystem',
  'systems',
]);

/**
 * The config the flake's modules define besides `flake`, merged by name (sets of sets merge; anything else
 * defined twice is unknown). Lazy: modules are still being read when the thunk is made.
 */
function mergeConfig(ev: Evaluator, defs: Value[]): Map<string, Thunk> {
  const byName = new Map<string, Thunk[]>();
  for (const d of defs) {
    if (d.t !== 'attrs') continue;
    for (const [k, t] of d.attrs) {
      if (NOT_CONFIG.has(k)) continue;
      const list = byName.get(k);
      if (list) list.push(t);
      else byName.set(k, [t]);
    }
  }
  const out = new Map<string, Thunk>();
  for (const [k, ts] of byName) out.set(k, mergeDefinitions(ev, ts, 0));
  return out;
}

function mergeDefinitions(ev: Evaluator, ts: Thunk[], depth: number): Thunk {
  if (ts.length === 1) return openConfig(ev, ts[0], depth);
  if (depth > 8) return known({ t: 'unknown' });
  return mergeByName(ev, ts, (list) => mergeDefinitions(ev, list, depth + 1), true);
}

/**
 * A flake-parts config value as the module system gives it: options nixkit does not see declared may add
 * attributes by default (`managed = mkOption { default = true; }` in a node's submodule), so its sets are
 * `openValues`: `node.managed or false` is unknown, not false. The thunk keeps where it was written.
 */
function openConfig(ev: Evaluator, t: Thunk, depth: number): Thunk {
  if (depth > 8) return t;
  return {
    expr: t.expr,
    env: t.env,
    file: t.file,
    keySpan: t.keySpan,
    bindingSpan: t.bindingSpan,
    bindingKeys: t.bindingKeys,
    fn: () => {
      const v = ev.force(t);
      if (v.t !== 'attrs') return v;
      const attrs = new Map<string, Thunk>();
      for (const [k, c] of v.attrs) attrs.set(k, openConfig(ev, c, depth + 1));
      return { ...v, attrs, openValues: true };
    },
  };
}

/**
 * Definitions that must all be sets, merged lazily: grouped by name, each name's definitions merged by `each`.
 * Anything but a set among them makes the whole unknown.
 */
function mergeByName(
  ev: Evaluator,
  ts: Thunk[],
  each: (definitions: Thunk[]) => Thunk,
  /** The sets are option values (see openConfig). */
  open = false,
): Thunk {
  return lazyThunk(() => {
    const entries = new Map<string, Thunk[]>();
    let dyn = false;
    // An option's definitions where one is a module function or file (`nixos.modules.shared = { lib, ... }: …`
    // in one file, a set in another: a deferredModule): one module importing them all, as the module system does.
    if (open && ts.some((t) => ['lambda', 'path'].includes(ev.force(t).t)))
      return attrs([['imports', known({ t: 'list', items: ts })]]);
    for (const t of ts) {
      const v = ev.force(t);
      if (v.t !== 'attrs') return { t: 'unknown', src: v.src };
      dyn ||= v.dynamic;
      for (const [name, e] of v.attrs) {
        const list = entries.get(name);
        if (list) list.push(e);
        else entries.set(name, [e]);
      }
    }
    const merged = new Map<string, Thunk>();
    for (const [name, list] of entries) merged.set(name, each(list));
    return { t: 'attrs', attrs: merged, dynamic: dyn, ...(open ? { openValues: true } : {}) };
  });
}

/**
 * Outputs whose entries are modules, and how deep: `nixosModules.<name>` (1), flake-parts' `modules.<class>.<name>`
 * (2, from flakeModules.modules). flake-parts declares them as deferred modules, so several definitions of one
 * name are one module that imports them all (the dendritic pattern spreads `modules.nixos.base` over files).
 */
const MODULE_OUTPUTS = new Map<string, number>([
  ['nixosModules', 1],
  ['darwinModules', 1],
  ['homeModules', 1],
  ['homeManagerModules', 1],
  ['flakeModules', 1],
  ['modules', 2],
]);

function mergeFlake(ev: Evaluator, defs: Value[]): Value {
  const out = new Map<string, Thunk[]>();
  let dynamic = false;
  for (const d of defs) {
    const sets = d.t === 'mk' && d.kind === 'merge' ? d.content.map((t) => ev.force(t)) : [d];
    for (const s of sets) {
      if (s.t !== 'attrs') {
        dynamic = true;
        continue;
      }
      dynamic ||= s.dynamic;
      for (const [k, t] of s.attrs) out.set(k, [...(out.get(k) ?? []), t]);
    }
  }
  const result = new Map<string, Thunk>();
  for (const [k, ts] of out) result.set(k, mergeOutput(ev, ts, 1, MODULE_OUTPUTS.get(k)));
  return { t: 'attrs', attrs: result, dynamic };
}

/**
 * Several definitions of one output at `depth` (1: `nixosModules`, 2: `nixosModules.<name>`, …). Sets merge by
 * name; at the depth of a module (`moduleDepth`) the definitions become one module importing them all. Other
 * outputs merge one level, the later definition of a name winning, as before.
 */
function mergeOutput(ev: Evaluator, ts: Thunk[], depth: number, moduleDepth: number | undefined): Thunk {
  if (ts.length === 1) return ts[0];
  if (moduleDepth !== undefined && depth > moduleDepth)
    return known(attrs([['imports', known({ t: 'list', items: ts })]]));
  return mergeByName(ev, ts, (list) =>
    moduleDepth === undefined ? list[list.length - 1] : mergeOutput(ev, list, depth + 1, moduleDepth),
  );
}

function templateDirs(ev: Evaluator, outputs: Value): string[] {
  if (outputs.t !== 'attrs') return [];
  const out: string[] = [];
  for (const key of ['templates', 'defaultTemplate']) {
    const t = outputs.attrs.get(key);
    const v = t ? ev.force(t) : undefined;
    if (v?.t !== 'attrs') continue;
    const one = (x: Value) => {
      if (x.t !== 'attrs') return;
      const p = x.attrs.get('path');
      const pv = p ? ev.force(p) : undefined;
      if (pv?.t === 'path') out.push(pv.v);
    };
    if (key === 'defaultTemplate') one(v);
    else for (const e of v.attrs.values()) one(ev.force(e));
  }
  return out;
}
