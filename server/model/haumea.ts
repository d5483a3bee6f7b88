// nix-community/haumea, modelled by what it is: `haumea.lib.load { src; loader; inputs; transformer; }` maps a
// folder of Nix files into an attribute set, `foo/bar.nix` becoming `foo.bar`. Repositories load their hosts
// (each file a `nixosSystem`), profiles and modules with it; without it their machines could not be followed.
//
// Followed as haumea's src/load.nix does it: every folder is an attribute set (empty ones too), a regular file
// whose name ends in `.nix` is named without its extension (up to the last dot), one or two leading `_` are
// dropped from the name and make the entry private (not in the result), anything else (other files, symlinks)
// is skipped. Two entries with one name make haumea throw: that folder is unknown here. Loaders: `path` (the
// file's path), `verbatim` (`import`), `default` (`import`, then called with the inputs its function names), a
// function `inputs: path: …` of the repository's own; `scoped`, `callPackage` and matcher lists are unknown,
// as are `self`, `super` and `root` (haumea's views of the tree itself). Transformers: none, or `liftDefault`.
import * as path from 'node:path';
import type { Evaluator } from './evaluator';
import { known, type Source, type Thunk, type Value } from './value';

const LOAD = 'haumea.load';
const LOADER = (name: string) => `haumea.loaders.${name}`;
const LIFT_DEFAULT = 'haumea.transformers.liftDefault';
const LOADERS = ['default', 'path', 'verbatim', 'scoped', 'callPackage'];

const named = (name: string): Thunk => known({ t: 'fn', name, args: [] });
const attrsOf = (entries: [string, Thunk][], src?: Source): Value => ({
  t: 'attrs',
  attrs: new Map(entries),
  dynamic: false,
  src,
});

/** The value of a haumea input (`inputs.haumea`): its `lib`, with the functions nixkit follows. */
export function haumeaInput(ev: Evaluator): Value {
  registerNatives(ev);
  const unknownPart = (name: string): Thunk => known({ t: 'unknown', path: ['haumea', 'lib', name] });
  return attrsOf([
    [
      'lib',
      known(
        attrsOf([
          ['load', named(LOAD)],
          ['loaders', known(attrsOf(LOADERS.map((l) => [l, named(LOADER(l))])))],
          [
            'transformers',
            known(
              attrsOf([
                ['liftDefault', named(LIFT_DEFAULT)],
                ['hoistAttrs', unknownPart('transformers.hoistAttrs')],
                ['hoistLists', unknownPart('transformers.hoistLists')],
                ['prependUnderscore', unknownPart('transformers.prependUnderscore')],
              ]),
            ),
          ],
          ['matchers', unknownPart('matchers')],
          ['loadEvalTests', unknownPart('loadEvalTests')],
        ]),
      ),
    ],
  ]);
}

function registerNatives(ev: Evaluator): void {
  if (ev.natives.has(LOAD)) return;
  ev.natives.set(LOAD, { arity: 1, call: ([args], src) => load(ev, args, src) });
  // Called directly (`loaders.path {} ./x.nix`), as a loader would be.
  for (const l of LOADERS)
    ev.natives.set(LOADER(l), {
      arity: 2,
      call: ([inputs, file], src) => loadFile(ev, { t: 'fn', name: LOADER(l), args: [] }, inputs, file, src),
    });
  ev.natives.set(LIFT_DEFAULT, { arity: 2, call: ([, mod], src) => liftDefault(ev, ev.force(mod), src) });
}

function load(ev: Evaluator, argsThunk: Thunk, src?: Source): Value {
  const unknown: Value = { t: 'unknown', path: ['haumea', 'lib', 'load'], src };
  const args = ev.force(argsThunk);
  if (args.t !== 'attrs') return unknown;
  const get = (k: string) => {
    const t = args.attrs.get(k);
    return t ? ev.force(t) : undefined;
  };
  const srcValue = get('src');
  const dir = srcValue && ev.fileOf(srcValue);
  if (!dir) return unknown;
  const loader: Value = get('loader') ?? { t: 'fn', name: LOADER('default'), args: [] };
  // a list of matchers (files other than .nix, each with its loader)
  if (loader.t !== 'fn' && loader.t !== 'lambda') return { ...unknown, path: ['haumea', 'lib', 'matchers'] };
  const transformers = transformerList(ev, get('transformer'));
  if (!transformers) return { ...unknown, path: ['haumea', 'lib', 'transformers'] };
  const given = args.attrs.get('inputs');
  // What a loader receives: the inputs and haumea's own views of the tree, which nixkit does not build.
  const view = (name: string): Thunk => known({ t: 'unknown', path: ['haumea', name], src });
  const base: Value = { t: 'attrs', attrs: new Map(), dynamic: false };
  const inputs = ev.lazy(() => {
    const i = given ? ev.force(given) : base;
    const views = attrsOf([
      ['self', view('self')],
      ['super', view('super')],
      ['root', view('root')],
    ]);
    return i.t === 'attrs' ? ev.update(i, views, src) : i;
  });
  const folder = (d: string, depth: number): Value => {
    ev.noteRead(d);
    const entries = ev.sources.readDir?.(d);
    if (!entries || depth > 64 || !ev.charge(entries.length)) return { ...unknown };
    const out: [string, Thunk][] = [];
    const names = new Set<string>();
    for (const [entry, type] of entries) {
      const stripped = entry.replace(/^__?/, '');
      if (stripped === '') continue;
      const isDir = type === 'directory';
      const isNix = type === 'regular' && stripped.endsWith('.nix') && stripped.length > 4;
      if (!isDir && !isNix) continue;
      const name = isDir ? stripped : fileName(stripped);
      // haumea throws on two entries with one name (`foo.nix` beside `foo/`, `_foo.nix` beside `foo.nix`)
      if (names.has(name)) return { ...unknown };
      names.add(name);
      if (entry.startsWith('_')) continue;
      const full = path.join(d, entry);
      out.push([
        name,
        ev.lazy(() =>
          isDir ? folder(full, depth + 1) : loadFile(ev, loader, inputs, known({ t: 'path', v: full }), src),
        ),
      ]);
    }
    const set = attrsOf(out, src);
    return transformers.reduce((v, t) => t(v), set);
  };
  return folder(dir, 0);
}

/** haumea's name for a file: up to its last dot (not a leading one). */
function fileName(stripped: string): string {
  const dot = stripped.lastIndexOf('.');
  return dot > 0 && !stripped.endsWith('.') ? stripped.slice(0, dot) : stripped;
}

/** The transformers given, each made a function of a folder's set; undefined for one nixkit does not follow. */
function transformerList(ev: Evaluator, t: Value | undefined): ((v: Value) => Value)[] | undefined {
  if (t === undefined) return [];
  const items = t.t === 'list' ? t.items.map((i) => ev.force(i)) : [t];
  const out: ((v: Value) => Value)[] = [];
  for (const item of items) {
    if (item.t === 'list') {
      const inner = transformerList(ev, item);
      if (!inner) return undefined;
      out.push(...inner);
    } else if (item.t === 'fn' && item.name === LIFT_DEFAULT && item.args.length === 0)
      out.push((v) => liftDefault(ev, v, v.src));
    else return undefined;
  }
  return out;
}

/** `liftDefault`: a folder's `default` merged into the folder itself (a name in both makes haumea throw). */
function liftDefault(ev: Evaluator, mod: Value, src?: Source): Value {
  if (mod.t !== 'attrs') return { t: 'unknown', src };
  const d = mod.attrs.get('default');
  if (!d) return mod;
  const inner = ev.force(d);
  if (inner.t !== 'attrs' || inner.dynamic || mod.dynamic) return { t: 'unknown', src };
  const merged = new Map(mod.attrs);
  merged.delete('default');
  for (const [k, v] of inner.attrs) {
    if (merged.has(k)) return { t: 'unknown', src };
    merged.set(k, v);
  }
  return { t: 'attrs', attrs: merged, dynamic: false, src: mod.src };
}

/** What a loader makes of one file. */
function loadFile(ev: Evaluator, loader: Value, inputs: Thunk, file: Thunk, src?: Source): Value {
  if (loader.t === 'lambda') return ev.apply(ev.apply(loader, inputs, src), file, src);
  if (loader.t !== 'fn' || loader.args.length) return { t: 'unknown', src };
  switch (loader.name) {
    case LOADER('path'):
      return ev.force(file);
    case LOADER('verbatim'):
      return ev.importValue(ev.force(file), src);
    case LOADER('default'): {
      // `import`, then, for a function, a call with what its formals name (haumea ignores their defaults).
      const f = ev.importValue(ev.force(file), src);
      if (f.t !== 'lambda') return f.t === 'fn' ? { t: 'unknown', src } : f;
      const wanted = f.expr.formals;
      const arg: Value = wanted
        ? attrsOf(
            wanted.map((x): [string, Thunk] => [
              x.name.name,
              ev.lazy(() => ev.selectValue(ev.force(inputs), x.name.name, src)),
            ]),
          )
        : { t: 'attrs', attrs: new Map(), dynamic: false };
      return ev.apply(f, known(arg), src);
    }
    default:
      return { t: 'unknown', path: ['haumea', 'lib', 'loaders', loader.name.split('.').pop()!], src };
  }
}
