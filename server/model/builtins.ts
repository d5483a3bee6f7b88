// Nix's builtins, as the evaluator's primitive functions (`{ t: 'fn', name }` values), and the natives of the
// nixpkgs lib model (`lib.*`: module-system markers nixkit reads, and structure builders that keep the
// locations of what they are given). Everything that needs the store, the network or the environment gives
// unknown. Work in proportion to a list's length is charged to the evaluator's fuel.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import type { Evaluator } from './evaluator';
import { canonPath, compareBytes, MAX_LIST, PRIORITY } from './evaluator';
import { gitAbsence } from './git-absence';
import { fromBytes, isAscii, toBytes, translateEre, type Translated } from './nix-regex';
import { known, UNKNOWN, type Source, type Thunk, type Value } from './value';

type Impl = (ev: Evaluator, a: Thunk[], s?: Source) => Value;
type Attrs = Extract<Value, { t: 'attrs' }>;

const PRIMOPS = new Map<string, { arity: number; impl: Impl }>();

function def(name: string, arity: number, impl: Impl): void {
  PRIMOPS.set(name, { arity, impl });
}

export function primopArity(name: string): number | undefined {
  return PRIMOPS.get(name)?.arity;
}

export function callPrimop(ev: Evaluator, name: string, args: Thunk[], s?: Source): Value {
  const p = PRIMOPS.get(name);
  return p ? p.impl(ev, args, s) : { t: 'unknown', src: s };
}

/** Builtins also bound without `builtins.` (as in Nix 2.8), with the builtin each name means. */
export const BUILTIN_GLOBALS = new Map(
  [
    'abort',
    'baseNameOf',
    'derivation',
    'derivationStrict',
    'dirOf',
    'fetchGit',
    'fetchMercurial',
    'fetchTarball',
    'fetchTree',
    'fromTOML',
    'import',
    'isNull',
    'map',
    'placeholder',
    'removeAttrs',
    'scopedImport',
    'throw',
    'toString',
  ].map((n) => [n, n]),
);

/** Builtins that need the store, the network or the environment: functions whose result is unknown. */
const OPAQUE: [string, number][] = [
  ['derivation', 1],
  ['derivationStrict', 1],
  ['fetchGit', 1],
  ['fetchMercurial', 1],
  ['fetchTarball', 1],
  ['fetchTree', 1],
  ['fetchurl', 1],
  ['filterSource', 2],
  ['path', 1],
  ['storePath', 1],
  ['placeholder', 1],
  ['scopedImport', 2],
  ['findFile', 2],
  ['unsafeGetAttrPos', 2],
  ['getEnv', 1],
  ['toFile', 2],
  ['hashFile', 2],
  ['toXML', 1],
  ['getContext', 1],
  ['appendContext', 2],
  ['unsafeDiscardOutputDependency', 1],
  ['getFlake', 1],
];
for (const [n, arity] of OPAQUE) def(n, arity, (_ev, _a, s) => ({ t: 'unknown', src: s }));

/** Builtin values that are not functions and not known statically. */
const OPAQUE_VALUES = ['currentSystem', 'currentTime', 'nixPath', 'storeDir', 'nixVersion', 'langVersion'];

export function makeBuiltins(ev: Evaluator): Attrs {
  const attrs = new Map<string, Thunk>();
  const set: Attrs = { t: 'attrs', attrs, dynamic: false };
  for (const name of PRIMOPS.keys())
    if (!name.startsWith('lib.')) attrs.set(name, known({ t: 'fn', name, args: [] }));
  for (const name of OPAQUE_VALUES) attrs.set(name, known({ t: 'unknown', path: ['builtins', name] }));
  attrs.set('true', known({ t: 'bool', v: true }));
  attrs.set('false', known({ t: 'bool', v: false }));
  attrs.set('null', known({ t: 'null' }));
  attrs.set('builtins', known(set));
  void ev;
  return set;
}

/**
 * The natives of the lib model (`lib.mkIf`, `lib.nixosSystem`, …) and the builtins lib re-exports under the
 * same name, as attributes of a set. Without the prelude (nixpkgs-lib.ts) this is the whole lib.
 */
export function libNatives(ev: Evaluator): Map<string, Thunk> {
  const m = new Map<string, Thunk>();
  const b = ev.builtins().attrs;
  for (const n of LIB_REEXPORTS) {
    const t = b.get(n);
    if (t) m.set(n, t);
  }
  for (const name of PRIMOPS.keys())
    if (name.startsWith('lib.')) m.set(name.slice(4), known({ t: 'fn', name, args: [] }));
  return m;
}

const LIB_REEXPORTS = [
  'attrNames',
  'attrValues',
  'listToAttrs',
  'mapAttrs',
  'map',
  'filter',
  'elem',
  'elemAt',
  'head',
  'tail',
  'length',
  'concatLists',
  'concatMap',
  'concatStringsSep',
  'genList',
  'hasAttr',
  'getAttr',
  'removeAttrs',
  'intersectAttrs',
  'catAttrs',
  'zipAttrsWith',
  'functionArgs',
  'isAttrs',
  'isList',
  'isString',
  'isInt',
  'isBool',
  'isFunction',
  'isPath',
  'isFloat',
  'typeOf',
  'any',
  'all',
  'sort',
  'partition',
  'groupBy',
  'toString',
  'stringLength',
  'substring',
  'replaceStrings',
  'match',
  'split',
  'splitVersion',
  'compareVersions',
  'seq',
  'deepSeq',
  'trace',
  'throw',
  'abort',
  'baseNameOf',
  'dirOf',
  'pathExists',
  'readFile',
  'readDir',
  'fromJSON',
  'toJSON',
  'hashString',
  'add',
  'sub',
  'mul',
  'div',
  'bitAnd',
  'bitOr',
  'bitXor',
  'lessThan',
  'ceil',
  'floor',
  'tryEval',
  'parseDrvName',
  'genericClosure',
];

// ---- helpers ---------------------------------------------------------------------------------------------

const unk = (s?: Source): Value => ({ t: 'unknown', src: s });
const bool = (v: boolean, s?: Source): Value => ({ t: 'bool', v, src: s });
const int = (v: number, s?: Source): Value => ({ t: 'int', v, src: s });
const list = (items: Thunk[], s?: Source): Value => ({ t: 'list', items, src: s });
const attrsOf = (m: Map<string, Thunk>, s?: Source, dynamic = false): Value => ({
  t: 'attrs',
  attrs: m,
  dynamic,
  src: s,
});

/** Why an argument is unusable: its failure if it surely fails, else plain unknown. */
function bad(ev: Evaluator, v: Value, s?: Source): Value {
  return ev.unknownFrom(v, s);
}

/** A plain string argument (no store context), or undefined. */
function plainStr(v: Value): string | undefined {
  return v.t === 'str' && !v.ctx ? v.v : undefined;
}

function sortedNames(a: Attrs): string[] {
  return [...a.attrs.keys()].sort(compareBytes);
}

function boolResult(ev: Evaluator, v: Value): boolean | Value {
  return v.t === 'bool' ? v.v : bad(ev, v);
}

/** Forces every element of a list; undefined if the list is too long for the fuel left. */
function forceAll(ev: Evaluator, l: Extract<Value, { t: 'list' }>): Value[] | undefined {
  if (!ev.charge(l.items.length)) return undefined;
  return l.items.map((t) => ev.force(t));
}

// ---- types -----------------------------------------------------------------------------------------------

function typeName(v: Value): string | undefined {
  switch (v.t) {
    case 'int':
      return 'int';
    case 'float':
      return 'float';
    case 'bool':
      return 'bool';
    case 'str':
      return 'string';
    case 'path':
      return 'path';
    case 'null':
      return 'null';
    case 'list':
      return 'list';
    case 'attrs':
    case 'mk':
    case 'nixosSystem':
      return 'set';
    case 'lambda':
    case 'fn':
      return 'lambda';
    default:
      return undefined;
  }
}

def('typeOf', 1, (ev, a, s) => {
  const v = ev.force(a[0]);
  const n = typeName(v);
  return n === undefined ? bad(ev, v, s) : { t: 'str', v: n, src: s };
});
/**
 * The types a module from outside the workspace (an `external`: `inputs.x.nixosModules.y`, a file of nixpkgs'
 * modules) can have: a function, a set, a path, or a string naming a file. Never a list or a number, so
 * `lib.flatten [ inputs.disko.nixosModules.disko … ]` (a common way to write `imports`) stays known.
 */
const EXTERNAL_TYPES = new Set(['lambda', 'set', 'path', 'string']);

/** Outputs of a flake that hold modules: by the flake schema each entry is a module, never a list or a number. */
const MODULE_OUTPUTS = new Set([
  'nixosModules',
  'nixosModule',
  'darwinModules',
  'homeManagerModules',
  'homeModules',
]);

/** A module nixkit does not know: an `external`, or an unknown input's `nixosModules.<name>`. */
const moduleLike = (v: Value) =>
  v.t === 'external' || (v.t === 'unknown' && !v.error && !!v.path && MODULE_OUTPUTS.has(v.path[1]));

const isType = (name: string, types: string[]) =>
  def(name, 1, (ev, a, s) => {
    const v = ev.force(a[0]);
    const n = typeName(v);
    if (n === undefined && moduleLike(v) && !types.some((t) => EXTERNAL_TYPES.has(t))) return bool(false, s);
    return n === undefined ? bad(ev, v, s) : bool(types.includes(n), s);
  });
isType('isAttrs', ['set']);
isType('isList', ['list']);
isType('isString', ['string']);
isType('isInt', ['int']);
isType('isFloat', ['float']);
isType('isBool', ['bool']);
isType('isFunction', ['lambda']);
isType('isPath', ['path']);
isType('isNull', ['null']);

// ---- control -----------------------------------------------------------------------------------------------

def('throw', 1, (ev, a, s) => {
  const m = ev.force(a[0]);
  return { t: 'unknown', error: m.t === 'str' ? m.v : 'throw', src: s };
});
// `abort` cannot be caught by tryEval: an unknown that is no failure keeps tryEval from claiming it.
def('abort', 1, (_ev, _a, s) => unk(s));
def('seq', 2, (ev, a, s) => {
  const v = ev.force(a[0]);
  if (v.t === 'unknown' && v.error) return v;
  void s;
  return ev.force(a[1]);
});
def('deepSeq', 2, (ev, a) => {
  const failure = deepForce(ev, ev.force(a[0]), 0);
  return failure ?? ev.force(a[1]);
});
/** Forces a value deeply; returns a failure found on the way, or unknown where it had to stop. */
function deepForce(ev: Evaluator, v: Value, depth: number): Value | undefined {
  if (v.t === 'unknown') return v.error ? v : undefined;
  if (depth > 200 || !ev.charge(1)) return UNKNOWN;
  const kids = v.t === 'list' ? v.items : v.t === 'attrs' ? [...v.attrs.values()] : [];
  for (const k of kids) {
    const f = deepForce(ev, ev.force(k), depth + 1);
    if (f) return f;
  }
  return undefined;
}
def('tryEval', 1, (ev, a, s) => {
  const v = ev.force(a[0]);
  if (v.t === 'unknown') {
    if (!v.error) return unk(s);
    return attrsOf(
      new Map([
        ['success', known(bool(false))],
        ['value', known(bool(false))],
      ]),
      s,
    );
  }
  return attrsOf(
    new Map([
      ['success', known(bool(true))],
      ['value', known(v)],
    ]),
    s,
  );
});
def('trace', 2, (ev, a) => ev.force(a[1]));
def('addErrorContext', 2, (ev, a) => ev.force(a[1]));
def('import', 1, (ev, a, s) => ev.importValue(ev.force(a[0]), s));

// ---- numbers -----------------------------------------------------------------------------------------------

def('add', 2, (ev, a, s) => ev.arith('+', num(ev, a[0]), num(ev, a[1]), s));
def('sub', 2, (ev, a, s) => ev.arith('-', num(ev, a[0]), num(ev, a[1]), s));
def('mul', 2, (ev, a, s) => ev.arith('*', num(ev, a[0]), num(ev, a[1]), s));
def('div', 2, (ev, a, s) => ev.arith('/', num(ev, a[0]), num(ev, a[1]), s));
/** A number argument (`add` is not `+`: strings are refused). */
function num(ev: Evaluator, t: Thunk): Value {
  const v = ev.force(t);
  return v.t === 'int' || v.t === 'float' ? v : bad(ev, v);
}
const bitOp = (name: string, f: (x: bigint, y: bigint) => bigint) =>
  def(name, 2, (ev, a, s) => {
    const x = ev.force(a[0]);
    const y = ev.force(a[1]);
    if (x.t !== 'int') return bad(ev, x, s);
    if (y.t !== 'int') return bad(ev, y, s);
    const r = Number(BigInt.asIntN(64, f(BigInt(x.v), BigInt(y.v))));
    return Number.isSafeInteger(r) ? int(r, s) : unk(s);
  });
bitOp('bitAnd', (x, y) => x & y);
bitOp('bitOr', (x, y) => x | y);
bitOp('bitXor', (x, y) => x ^ y);
const round = (name: string, f: (x: number) => number) =>
  def(name, 1, (ev, a, s) => {
    const x = ev.force(a[0]);
    if (x.t !== 'int' && x.t !== 'float') return bad(ev, x, s);
    const r = f(x.v);
    return Number.isSafeInteger(r) ? int(r, s) : unk(s);
  });
round('ceil', Math.ceil);
round('floor', Math.floor);
def('lessThan', 2, (ev, a, s) => {
  const r = ev.lessThan(ev.force(a[0]), ev.force(a[1]), 0);
  return typeof r === 'boolean' ? bool(r, s) : (r ?? unk(s));
});

// ---- attribute sets ----------------------------------------------------------------------------------------

def('attrNames', 1, (ev, a, s) => {
  const v = ev.force(a[0]);
  if (v.t !== 'attrs' || v.dynamic) return bad(ev, v, s);
  if (!ev.charge(v.attrs.size)) return unk(s);
  return list(
    sortedNames(v).map((k) => known({ t: 'str', v: k })),
    s,
  );
});
def('attrValues', 1, (ev, a, s) => {
  const v = ev.force(a[0]);
  if (v.t !== 'attrs' || v.dynamic) return bad(ev, v, s);
  if (!ev.charge(v.attrs.size)) return unk(s);
  return list(
    sortedNames(v).map((k) => v.attrs.get(k) as Thunk),
    s,
  );
});
def('hasAttr', 2, (ev, a, s) => {
  const n = plainStr(ev.force(a[0]));
  const v = ev.force(a[1]);
  if (n === undefined || v.t !== 'attrs') return bad(ev, v, s);
  if (v.attrs.has(n)) return bool(true, s);
  return v.dynamic ? unk(s) : bool(false, s);
});
def('getAttr', 2, (ev, a, s) => {
  const n = plainStr(ev.force(a[0]));
  const v = ev.force(a[1]);
  if (n === undefined || v.t !== 'attrs') return bad(ev, v, s);
  const t = v.attrs.get(n);
  return t ? ev.force(t) : unk(s);
});
def('removeAttrs', 2, (ev, a, s) => {
  const v = ev.force(a[0]);
  const names = ev.force(a[1]);
  if (v.t !== 'attrs') return bad(ev, v, s);
  if (names.t !== 'list') return bad(ev, names, s);
  const items = forceAll(ev, names);
  if (!items) return unk(s);
  const m = new Map(v.attrs);
  for (const n of items) {
    const k = plainStr(n);
    if (k === undefined) return bad(ev, n, s);
    m.delete(k);
  }
  return attrsOf(m, s, v.dynamic);
});
def('intersectAttrs', 2, (ev, a, s) => {
  const x = ev.force(a[0]);
  const y = ev.force(a[1]);
  if (x.t !== 'attrs') return bad(ev, x, s);
  if (y.t !== 'attrs') return bad(ev, y, s);
  if (x.dynamic || y.dynamic || !ev.charge(y.attrs.size)) return unk(s);
  const m = new Map<string, Thunk>();
  for (const [k, t] of y.attrs) if (x.attrs.has(k)) m.set(k, t);
  return attrsOf(m, s);
});
def('listToAttrs', 1, (ev, a, s) => {
  const l = ev.force(a[0]);
  if (l.t !== 'list') return bad(ev, l, s);
  const items = forceAll(ev, l);
  if (!items) return unk(s);
  const m = new Map<string, Thunk>();
  for (const pair of items) {
    if (pair.t !== 'attrs') return bad(ev, pair, s);
    const n = pair.attrs.get('name');
    const val = pair.attrs.get('value');
    const nv = n && ev.force(n);
    if (!nv || !val) return nv ? bad(ev, nv, s) : unk(s);
    const k = plainStr(nv);
    if (k === undefined) return bad(ev, nv, s);
    if (!m.has(k)) m.set(k, val); // the first of equal names wins
  }
  return attrsOf(m, s);
});
def('mapAttrs', 2, (ev, a, s) => {
  const v = ev.force(a[1]);
  if (v.t !== 'attrs') return bad(ev, v, s);
  if (!ev.charge(v.attrs.size)) return unk(s);
  const m = new Map<string, Thunk>();
  for (const [k, t] of v.attrs)
    m.set(
      k,
      ev.lazy(() => ev.apply(ev.apply(ev.force(a[0]), known({ t: 'str', v: k }), s), t, s)),
    );
  return attrsOf(m, s, v.dynamic);
});
def('catAttrs', 2, (ev, a, s) => {
  const n = plainStr(ev.force(a[0]));
  const l = ev.force(a[1]);
  if (n === undefined || l.t !== 'list') return bad(ev, l, s);
  const items = forceAll(ev, l);
  if (!items) return unk(s);
  const out: Thunk[] = [];
  for (const v of items) {
    if (v.t !== 'attrs') return bad(ev, v, s);
    const t = v.attrs.get(n);
    if (t) out.push(t);
    else if (v.dynamic) return unk(s);
  }
  return list(out, s);
});
def('zipAttrsWith', 2, (ev, a, s) => {
  const l = ev.force(a[1]);
  if (l.t !== 'list') return bad(ev, l, s);
  const items = forceAll(ev, l);
  if (!items) return unk(s);
  const byName = new Map<string, Thunk[]>();
  for (const v of items) {
    if (v.t !== 'attrs' || v.dynamic) return bad(ev, v, s);
    if (!ev.charge(v.attrs.size)) return unk(s);
    for (const [k, t] of v.attrs) {
      const got = byName.get(k);
      if (got) got.push(t);
      else byName.set(k, [t]);
    }
  }
  const m = new Map<string, Thunk>();
  for (const [k, ts] of byName)
    m.set(
      k,
      ev.lazy(() => ev.apply(ev.apply(ev.force(a[0]), known({ t: 'str', v: k }), s), known(list(ts)), s)),
    );
  return attrsOf(m, s);
});
def('functionArgs', 1, (ev, a, s) => {
  const f = ev.force(a[0]);
  if (f.t === 'fn') return attrsOf(new Map(), s);
  if (f.t !== 'lambda') return bad(ev, f, s);
  const m = new Map<string, Thunk>();
  for (const x of f.expr.formals ?? []) m.set(x.name.name, known(bool(!!x.default)));
  return attrsOf(m, s);
});
def('groupBy', 2, (ev, a, s) => {
  const l = ev.force(a[1]);
  if (l.t !== 'list') return bad(ev, l, s);
  if (!ev.charge(l.items.length)) return unk(s);
  const f = ev.force(a[0]);
  const groups = new Map<string, Thunk[]>();
  for (const t of l.items) {
    const k = plainStr(ev.apply(f, t, s));
    if (k === undefined) return unk(s);
    const g = groups.get(k);
    if (g) g.push(t);
    else groups.set(k, [t]);
  }
  const m = new Map<string, Thunk>();
  for (const [k, ts] of groups) m.set(k, known(list(ts)));
  return attrsOf(m, s);
});

// ---- lists -------------------------------------------------------------------------------------------------

def('length', 1, (ev, a, s) => {
  const l = ev.force(a[0]);
  return l.t === 'list' ? int(l.items.length, s) : bad(ev, l, s);
});
def('head', 1, (ev, a, s) => {
  const l = ev.force(a[0]);
  if (l.t !== 'list' || !l.items.length) return bad(ev, l, s);
  return ev.force(l.items[0]);
});
def('tail', 1, (ev, a, s) => {
  const l = ev.force(a[0]);
  if (l.t !== 'list' || !l.items.length) return bad(ev, l, s);
  if (!ev.charge(l.items.length >> 4)) return unk(s);
  return list(l.items.slice(1), s);
});
def('elemAt', 2, (ev, a, s) => {
  const l = ev.force(a[0]);
  const i = ev.force(a[1]);
  if (l.t !== 'list') return bad(ev, l, s);
  if (i.t !== 'int') return bad(ev, i, s);
  const t = l.items[i.v];
  return t ? ev.force(t) : unk(s);
});
def('map', 2, (ev, a, s) => {
  const l = ev.force(a[1]);
  if (l.t !== 'list') return bad(ev, l, s);
  if (!ev.charge(l.items.length)) return unk(s);
  const items = new Array<Thunk>(l.items.length);
  for (let i = 0; i < items.length; i++) {
    const it = l.items[i];
    items[i] = ev.lazy(() => ev.apply(ev.force(a[0]), it, s));
  }
  return list(items, s);
});
def('filter', 2, (ev, a, s) => {
  const l = ev.force(a[1]);
  if (l.t !== 'list') return bad(ev, l, s);
  if (!ev.charge(l.items.length)) return unk(s);
  const f = ev.force(a[0]);
  const out: Thunk[] = [];
  for (const t of l.items) {
    const keep = boolResult(ev, ev.apply(f, t, s));
    if (typeof keep !== 'boolean') return keep;
    if (keep) out.push(t);
  }
  return list(out, s);
});
def("foldl'", 3, (ev, a, s) => {
  const l = ev.force(a[2]);
  if (l.t !== 'list') return bad(ev, l, s);
  if (!ev.charge(l.items.length)) return unk(s);
  const f = ev.force(a[0]);
  let acc = ev.force(a[1]);
  for (const t of l.items) {
    acc = ev.apply(ev.apply(f, known(acc), s), t, s);
    if (acc.t === 'unknown' && (acc.error || ev.fuel < 0)) return acc;
  }
  return acc;
});
def('genList', 2, (ev, a, s) => {
  const n = ev.force(a[1]);
  if (n.t !== 'int' || n.v < 0) return bad(ev, n, s);
  if (n.v > MAX_LIST || !ev.charge(n.v)) return unk(s);
  const items = new Array<Thunk>(n.v);
  for (let i = 0; i < n.v; i++) {
    const idx = i;
    items[i] = ev.lazy(() => ev.apply(ev.force(a[0]), known(int(idx)), s));
  }
  return list(items, s);
});
/**
 * Lists joined. A part nixkit does not know (no failure) leaves the whole unknown, but with the items it surely
 * holds (`atLeast`): `lib.flatten [ inputs.x.nixosModules.y ./hw.nix ]` still imports ./hw.nix.
 */
function joinParts(ev: Evaluator, parts: Value[], s?: Source): Value {
  const out: Thunk[] = [];
  let partial: Value | undefined;
  for (const v of parts) {
    const items = v.t === 'list' ? v.items : v.t === 'unknown' && !v.error ? (v.atLeast ?? []) : undefined;
    if (!items) return bad(ev, v, s);
    if (v.t === 'unknown') partial ??= v;
    if (out.length + items.length > MAX_LIST || !ev.charge(items.length >> 4)) return unk(s);
    for (const t of items) out.push(t);
  }
  if (!partial) return list(out, s);
  const u = bad(ev, partial, s);
  return u.t === 'unknown' && out.length ? { ...u, atLeast: out } : u;
}
def('concatLists', 1, (ev, a, s) => {
  const l = ev.force(a[0]);
  if (l.t !== 'list') return bad(ev, l, s);
  const items = forceAll(ev, l);
  if (!items) return unk(s);
  return joinParts(ev, items, s);
});
def('concatMap', 2, (ev, a, s) => {
  const l = ev.force(a[1]);
  if (l.t !== 'list') return bad(ev, l, s);
  if (!ev.charge(l.items.length)) return unk(s);
  const f = ev.force(a[0]);
  const parts: Value[] = [];
  for (const t of l.items) {
    const v = ev.apply(f, t, s);
    if (v.t !== 'list' && !(v.t === 'unknown' && !v.error)) return bad(ev, v, s);
    parts.push(v);
  }
  return joinParts(ev, parts, s);
});
const anyAll = (name: string, wanted: boolean) =>
  def(name, 2, (ev, a, s) => {
    const l = ev.force(a[1]);
    if (l.t !== 'list') return bad(ev, l, s);
    if (!ev.charge(l.items.length)) return unk(s);
    const f = ev.force(a[0]);
    let sure = true;
    for (const t of l.items) {
      const r = boolResult(ev, ev.apply(f, t, s));
      if (r === wanted) return bool(wanted, s);
      if (typeof r !== 'boolean') {
        if (r.t === 'unknown' && r.error && sure) return r;
        sure = false;
      }
    }
    return sure ? bool(!wanted, s) : unk(s);
  });
anyAll('any', true);
anyAll('all', false);
def('elem', 2, (ev, a, s) => {
  const x = ev.force(a[0]);
  const l = ev.force(a[1]);
  if (l.t !== 'list') return bad(ev, l, s);
  if (!ev.charge(l.items.length)) return unk(s);
  let sure = true;
  for (const t of l.items) {
    const r = ev.equals(x, ev.force(t), 0);
    if (r === true) return bool(true, s);
    if (r !== false) {
      if (r && sure) return r;
      sure = false;
    }
  }
  return sure ? bool(false, s) : unk(s);
});
def('partition', 2, (ev, a, s) => {
  const l = ev.force(a[1]);
  if (l.t !== 'list') return bad(ev, l, s);
  if (!ev.charge(l.items.length)) return unk(s);
  const f = ev.force(a[0]);
  const right: Thunk[] = [];
  const wrong: Thunk[] = [];
  for (const t of l.items) {
    const r = boolResult(ev, ev.apply(f, t, s));
    if (typeof r !== 'boolean') return r;
    (r ? right : wrong).push(t);
  }
  return attrsOf(
    new Map([
      ['right', known(list(right))],
      ['wrong', known(list(wrong))],
    ]),
    s,
  );
});
def('sort', 2, (ev, a, s) => {
  const l = ev.force(a[1]);
  if (l.t !== 'list') return bad(ev, l, s);
  const n = l.items.length;
  if (!ev.charge(n * Math.ceil(Math.log2(n + 1)) + 1)) return unk(s);
  const f = ev.force(a[0]);
  let failed: Value | undefined;
  const lt = (x: Thunk, y: Thunk): boolean => {
    if (failed) return false;
    const r = ev.apply(ev.apply(f, x, s), y, s);
    if (r.t !== 'bool') failed = r;
    return r.t === 'bool' && r.v;
  };
  // Stable, as Nix's std::stable_sort.
  const sorted = l.items.slice().sort((x, y) => (lt(x, y) ? -1 : lt(y, x) ? 1 : 0));
  if (failed) return bad(ev, failed, s);
  return list(sorted, s);
});
def('genericClosure', 1, (ev, a, s) => {
  const args = ev.force(a[0]);
  if (args.t !== 'attrs') return bad(ev, args, s);
  const start = args.attrs.get('startSet');
  const op = args.attrs.get('operator');
  if (!start || !op) return unk(s);
  const startList = ev.force(start);
  if (startList.t !== 'list') return bad(ev, startList, s);
  const f = ev.force(op);
  const queue = startList.items.slice();
  const seen = new Set<string>();
  const out: Thunk[] = [];
  for (let qi = 0; qi < queue.length; qi++) {
    if (!ev.charge(1) || queue.length > MAX_LIST) return unk(s);
    const t = queue[qi];
    const e = ev.force(t);
    if (e.t !== 'attrs') return bad(ev, e, s);
    const kt = e.attrs.get('key');
    const key = kt ? keyText(ev, ev.force(kt)) : undefined;
    if (key === undefined) return unk(s);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(t);
    const next = ev.apply(f, t, s);
    if (next.t !== 'list') return bad(ev, next, s);
    for (const t of next.items) queue.push(t);
  }
  return list(out, s);
});
/** A text that is equal for equal keys (genericClosure compares keys with `==`). */
function keyText(ev: Evaluator, v: Value): string | undefined {
  switch (v.t) {
    case 'int':
    case 'float':
      return `n${v.v}`;
    case 'str':
      return v.ctx ? undefined : `s${v.v}`;
    case 'path':
      return `p${v.v}`;
    case 'bool':
      return `b${v.v}`;
    case 'null':
      return 'null';
    case 'list': {
      if (v.items.length > 64) return undefined;
      const parts: string[] = [];
      for (const t of v.items) {
        const k = keyText(ev, ev.force(t));
        if (k === undefined) return undefined;
        parts.push(JSON.stringify(k));
      }
      return `l[${parts.join(',')}]`;
    }
    default:
      return undefined;
  }
}

// ---- strings -----------------------------------------------------------------------------------------------

def('toString', 1, (ev, a, s) => {
  const v = ev.coerceToString(ev.force(a[0]), true, false, 0);
  return v.t === 'str' ? ev.str(v.v, s, v.ctx) : bad(ev, v, s);
});
def('stringLength', 1, (ev, a, s) => {
  const v = ev.coerceToString(ev.force(a[0]), false, true, 0);
  const str = plainStr(v);
  if (str === undefined) return bad(ev, v, s);
  return int(isAscii(str) ? str.length : Buffer.byteLength(str, 'utf8'), s);
});
def('substring', 3, (ev, a, s) => {
  const start = ev.force(a[0]);
  const len = ev.force(a[1]);
  const v = ev.coerceToString(ev.force(a[2]), false, true, 0);
  const str = plainStr(v);
  if (start.t !== 'int' || start.v < 0) return bad(ev, start, s);
  if (len.t !== 'int') return bad(ev, len, s);
  if (str === undefined) return bad(ev, v, s);
  const end = len.v < 0 ? Infinity : start.v + len.v;
  if (isAscii(str)) return { t: 'str', v: str.slice(start.v, end), src: s };
  const bytes = Buffer.from(str, 'utf8');
  const cut = bytes.subarray(Math.min(start.v, bytes.length), Math.min(end, bytes.length));
  const text = cut.toString('utf8');
  // A cut inside a UTF-8 sequence gives bytes nixkit cannot hold as text.
  if (Buffer.byteLength(text, 'utf8') !== cut.length) return unk(s);
  return { t: 'str', v: text, src: s };
});
def('concatStringsSep', 2, (ev, a, s) => {
  const sep = ev.force(a[0]);
  const l = ev.force(a[1]);
  if (sep.t !== 'str') return bad(ev, sep, s);
  if (l.t !== 'list') return bad(ev, l, s);
  const items = forceAll(ev, l);
  if (!items) return unk(s);
  const parts: string[] = [];
  let ctx = !!sep.ctx;
  let size = 0;
  for (const v of items) {
    const c = ev.coerceToString(v, false, true, 0);
    if (c.t !== 'str') return bad(ev, c, s);
    if (c.ctx) ctx = true;
    size += c.v.length + sep.v.length;
    if (size > 16 * 1024 * 1024) return unk(s);
    parts.push(c.v);
  }
  return ev.str(parts.join(sep.v), s, ctx);
});
def('replaceStrings', 3, (ev, a, s) => {
  const from = ev.force(a[0]);
  const to = ev.force(a[1]);
  const v = ev.force(a[2]);
  if (from.t !== 'list') return bad(ev, from, s);
  if (to.t !== 'list') return bad(ev, to, s);
  if (v.t !== 'str') return bad(ev, v, s);
  if (from.items.length !== to.items.length) return unk(s);
  const fs: string[] = [];
  for (const t of from.items) {
    const x = plainStr(ev.force(t));
    if (x === undefined) return unk(s);
    fs.push(x);
  }
  const ts: (string | undefined)[] = new Array(fs.length);
  let ctx = !!v.ctx;
  const str = v.v;
  if (!ev.charge((str.length >> 2) * Math.max(1, fs.length))) return unk(s);
  let out = '';
  for (let p = 0; p <= str.length; ) {
    let found = false;
    for (let i = 0; i < fs.length; i++) {
      if (!str.startsWith(fs[i], p)) continue;
      found = true;
      if (ts[i] === undefined) {
        const r = ev.force(to.items[i]);
        if (r.t !== 'str') return bad(ev, r, s);
        if (r.ctx) ctx = true;
        ts[i] = r.v;
      }
      out += ts[i];
      if (fs[i] === '') {
        if (p < str.length) out += str[p];
        p++;
      } else p += fs[i].length;
      break;
    }
    if (!found) {
      if (p < str.length) out += str[p];
      p++;
    }
    if (out.length > 16 * 1024 * 1024) return unk(s);
  }
  return ev.str(out, s, ctx);
});
def('baseNameOf', 1, (ev, a, s) => {
  const v = ev.coerceToString(ev.force(a[0]), false, false, 0);
  if (v.t !== 'str') return bad(ev, v, s);
  const str = v.v;
  if (!str) return { t: 'str', v: '', src: s };
  let last = str.length - 1;
  if (str[last] === '/' && last > 0) last--;
  const slash = str.lastIndexOf('/', last);
  return ev.str(str.slice(slash + 1, last + 1), s, v.ctx);
});
def('dirOf', 1, (ev, a, s) => {
  const v = ev.force(a[0]);
  if (v.t === 'path') return { t: 'path', v: path.posix.dirname(v.v), src: s };
  const c = ev.coerceToString(v, false, false, 0);
  if (c.t !== 'str') return bad(ev, c, s);
  const i = c.v.lastIndexOf('/');
  return ev.str(i < 0 ? '.' : i === 0 ? '/' : c.v.slice(0, i), s, c.ctx);
});
def('toPath', 1, (ev, a, s) => {
  const v = ev.coerceToString(ev.force(a[0]), false, false, 0);
  if (v.t !== 'str' || !v.v.startsWith('/')) return bad(ev, v, s);
  return ev.str(canonPath(v.v), s, v.ctx);
});
def('unsafeDiscardStringContext', 1, (ev, a, s) => {
  const v = ev.force(a[0]);
  return v.t === 'str' ? v : bad(ev, v, s);
});
def('hasContext', 1, (ev, a, s) => {
  const v = ev.force(a[0]);
  // A local path standing for a store path has context in Nix; other strings nixkit knows have none.
  return v.t === 'str' ? bool(!!v.ctx, s) : bad(ev, v, s);
});
def('hashString', 2, (ev, a, s) => {
  const type = plainStr(ev.force(a[0]));
  const v = ev.force(a[1]);
  const str = plainStr(v);
  if (str === undefined) return bad(ev, v, s);
  if (!type || !['md5', 'sha1', 'sha256', 'sha512'].includes(type)) return unk(s);
  return { t: 'str', v: createHash(type).update(str, 'utf8').digest('hex'), src: s };
});
/**
 * What `match` and `split` share: both arguments forced, the POSIX ERE translated (over bytes when either side is
 * not ASCII, as Nix's regex library sees it) and its cost bounded; a Value (the answer) when that already decides it.
 */
function regexArgs(
  ev: Evaluator,
  a: Thunk[],
  s: Source | undefined,
  splitting: boolean,
): { re: NonNullable<ReturnType<typeof translateEre>>; subject: string; bytes: boolean } | Value {
  const re = ev.force(a[0]);
  const v = ev.force(a[1]);
  const pattern = plainStr(re);
  const str = plainStr(v);
  if (pattern === undefined) return bad(ev, re, s);
  if (str === undefined) return bad(ev, v, s);
  const bytes = !isAscii(pattern) || !isAscii(str);
  const t = translateEre(bytes ? toBytes(pattern) : pattern);
  if (!t || !affordable(t, str.length, splitting) || !ev.charge(str.length >> 4)) return unk(s);
  return { re: t, subject: bytes ? toBytes(str) : str, bytes };
}
def('match', 2, (ev, a, s) => {
  const r = regexArgs(ev, a, s, false);
  if (!('subject' in r)) return r;
  const { re: t, subject, bytes } = r;
  const m = new RegExp(`^(?:${t.source})$`).exec(subject);
  if (!m) return { t: 'null', src: s };
  return list(groupsOf(m, t.groups, bytes), s);
});
def('split', 2, (ev, a, s) => {
  const r = regexArgs(ev, a, s, true);
  if (!('subject' in r)) return r;
  const { re: t, subject, bytes } = r;
  const text = (x: string): Thunk => known({ t: 'str', v: bytes ? fromBytes(x) : x });
  const rx = new RegExp(t.source, 'g');
  const out: Thunk[] = [];
  let prev = 0;
  for (let m = rx.exec(subject); m; m = rx.exec(subject)) {
    if (!ev.charge(1) || out.length > MAX_LIST) return unk(s);
    out.push(text(subject.slice(prev, m.index)));
    out.push(known(list(groupsOf(m, t.groups, bytes))));
    prev = m.index + m[0].length;
    if (m[0].length === 0) {
      if (rx.lastIndex >= subject.length) break;
      rx.lastIndex++;
    }
  }
  out.push(text(subject.slice(prev)));
  return list(out, s);
});
/**
 * Whether JavaScript's backtracking matcher surely ends quickly: a repeated group holding a repetition or an
 * alternative (`(a|aa)+`) can take exponential time, so only very short subjects are tried; otherwise each
 * unbounded repetition can multiply the work by the subject's length (and a search by one more).
 */
function affordable(t: Translated, length: number, search: boolean): boolean {
  if (t.risky) return length <= 16;
  const factors = t.unbounded + (search ? 1 : 0);
  return factors === 0 || Math.pow(Math.max(length, 1), factors) <= 20_000_000;
}

function groupsOf(m: RegExpExecArray, n: number, bytes: boolean): Thunk[] {
  const out: Thunk[] = [];
  for (let i = 1; i <= n; i++) {
    const g = m[i];
    out.push(known(g === undefined ? { t: 'null' } : { t: 'str', v: bytes ? fromBytes(g) : g }));
  }
  return out;
}

// ---- versions ----------------------------------------------------------------------------------------------

/** The components of a version string, as Nix's names.cc splits them. */
export function splitVersionString(v: string): string[] {
  const out: string[] = [];
  let p = 0;
  for (;;) {
    while (p < v.length && (v[p] === '.' || v[p] === '-')) p++;
    if (p >= v.length) break;
    const start = p;
    if (isDigit(v[p])) while (p < v.length && isDigit(v[p])) p++;
    else while (p < v.length && !isDigit(v[p]) && v[p] !== '.' && v[p] !== '-') p++;
    out.push(v.slice(start, p));
  }
  return out;
}
function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}
function componentLess(c1: string, c2: string): boolean {
  const n1 = /^\d+$/.test(c1) ? Number(c1) : undefined;
  const n2 = /^\d+$/.test(c2) ? Number(c2) : undefined;
  if (n1 !== undefined && n2 !== undefined) return n1 < n2;
  if (c1 === '' && n2 !== undefined) return true;
  if (c1 === 'pre' && c2 !== 'pre') return true;
  if (c2 === 'pre') return false;
  if (n2 !== undefined) return true;
  if (n1 !== undefined) return false;
  return compareBytes(c1, c2) < 0;
}
export function compareVersionStrings(a: string, b: string): number {
  const x = splitVersionString(a);
  const y = splitVersionString(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const c1 = x[i] ?? '';
    const c2 = y[i] ?? '';
    if (componentLess(c1, c2)) return -1;
    if (componentLess(c2, c1)) return 1;
  }
  return 0;
}
def('splitVersion', 1, (ev, a, s) => {
  const v = ev.force(a[0]);
  const str = plainStr(v);
  if (str === undefined) return bad(ev, v, s);
  return list(
    splitVersionString(str).map((c) => known({ t: 'str', v: c })),
    s,
  );
});
def('compareVersions', 2, (ev, a, s) => {
  const x = ev.force(a[0]);
  const y = ev.force(a[1]);
  const p = plainStr(x);
  const q = plainStr(y);
  if (p === undefined) return bad(ev, x, s);
  if (q === undefined) return bad(ev, y, s);
  return int(compareVersionStrings(p, q), s);
});
def('parseDrvName', 1, (ev, a, s) => {
  const v = ev.force(a[0]);
  const str = plainStr(v);
  if (str === undefined) return bad(ev, v, s);
  let name = str;
  let version = '';
  for (let i = 0; i < str.length; i++) {
    if (str[i] === '-' && i + 1 < str.length && !/[a-zA-Z]/.test(str[i + 1])) {
      name = str.slice(0, i);
      version = str.slice(i + 1);
      break;
    }
  }
  return attrsOf(
    new Map([
      ['name', known({ t: 'str', v: name })],
      ['version', known({ t: 'str', v: version })],
    ]),
    s,
  );
});

// ---- files -------------------------------------------------------------------------------------------------

def('pathExists', 1, (ev, a, s) => {
  const v = ev.force(a[0]);
  const file = ev.fileOf(v);
  if (file === undefined) return bad(ev, v, s);
  ev.noteRead(file);
  if (ev.sources.exists(file)) return bool(true, s);
  // Nix on this checkout answers false; where git ignores the path (`org-config`, kept only on the machines)
  // it may exist where the system is built: remembered, so that what the other branch imports is not an error.
  if (gitAbsence(file)) ev.ignoredProbes.add(file);
  return bool(false, s);
});
def('readFile', 1, (ev, a, s) => {
  const v = ev.force(a[0]);
  const file = ev.fileOf(v);
  if (file === undefined) return bad(ev, v, s);
  ev.noteRead(file);
  const text = ev.sources.readText?.(file);
  return text === undefined ? unk(s) : ev.str(text, s);
});
def('readDir', 1, (ev, a, s) => {
  const v = ev.force(a[0]);
  const dir = ev.fileOf(v);
  if (dir === undefined) return bad(ev, v, s);
  ev.noteRead(dir);
  const entries = ev.sources.readDir
    ? ev.sources.readDir(dir)
    : ev.sources
        .list(dir)
        ?.map((n): [string, string] => [
          n,
          ev.sources.isDirectory(path.join(dir, n)) ? 'directory' : 'regular',
        ]);
  if (!entries || !ev.charge(entries.length)) return unk(s);
  const m = new Map<string, Thunk>();
  for (const [n, type] of entries) m.set(n, known({ t: 'str', v: type }));
  return attrsOf(m, s);
});

// ---- data formats ------------------------------------------------------------------------------------------

def('fromJSON', 1, (ev, a, s) => {
  const v = ev.force(a[0]);
  const str = plainStr(v);
  if (str === undefined) return bad(ev, v, s);
  if (!ev.charge(str.length >> 4)) return unk(s);
  return parseJson(str) ?? unk(s);
});
def('toJSON', 1, (ev, a, s) => {
  const out: string[] = [];
  const r = toJson(ev, ev.force(a[0]), out, 0);
  if (r) return bad(ev, r, s);
  return ev.str(out.join(''), s);
});
def('fromTOML', 1, (ev, a, s) => {
  const v = ev.force(a[0]);
  const str = plainStr(v);
  if (str === undefined) return bad(ev, v, s);
  if (!ev.charge(str.length >> 4)) return unk(s);
  try {
    return fromJs(parseToml(str, { integersAsBigInt: true, maxDepth: 100 }), 0) ?? unk(s);
  } catch {
    return unk(s);
  }
});

/** A JavaScript value from smol-toml as a Nix value (bigints are integers, numbers floats). */
function fromJs(x: unknown, depth: number): Value | undefined {
  if (depth > 200) return undefined;
  if (typeof x === 'bigint') {
    const n = Number(x);
    return Number.isSafeInteger(n) ? { t: 'int', v: n } : undefined;
  }
  if (typeof x === 'number') return { t: 'float', v: x };
  if (typeof x === 'string') return { t: 'str', v: x };
  if (typeof x === 'boolean') return { t: 'bool', v: x };
  if (Array.isArray(x)) {
    const items: Thunk[] = [];
    for (const e of x) {
      const v = fromJs(e, depth + 1);
      if (!v) return undefined;
      items.push(known(v));
    }
    return { t: 'list', items };
  }
  if (x && typeof x === 'object' && !(x instanceof Date)) {
    const m = new Map<string, Thunk>();
    for (const [k, e] of Object.entries(x)) {
      const v = fromJs(e, depth + 1);
      if (!v) return undefined;
      m.set(k, known(v));
    }
    return { t: 'attrs', attrs: m, dynamic: false };
  }
  return undefined; // dates and times: Nix 2.8 refuses them
}

/** JSON with Nix's numbers: a number with a fraction or exponent is a float, else an integer. */
export function parseJson(text: string): Value | undefined {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const value = (depth: number): Value | undefined => {
    if (depth > 200) return undefined;
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const m = new Map<string, Thunk>();
      ws();
      if (text[i] === '}') {
        i++;
        return { t: 'attrs', attrs: m, dynamic: false };
      }
      for (;;) {
        ws();
        const k = value(depth + 1);
        if (k?.t !== 'str') return undefined;
        ws();
        if (text[i++] !== ':') return undefined;
        const v = value(depth + 1);
        if (!v) return undefined;
        m.set(k.v, known(v));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i++] === '}') return { t: 'attrs', attrs: m, dynamic: false };
        return undefined;
      }
    }
    if (c === '[') {
      i++;
      const items: Thunk[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return { t: 'list', items };
      }
      for (;;) {
        const v = value(depth + 1);
        if (!v) return undefined;
        items.push(known(v));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i++] === ']') return { t: 'list', items };
        return undefined;
      }
    }
    if (c === '"') {
      // eslint-disable-next-line no-control-regex
      const m = /^"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"/.exec(
        text.slice(i, i + 16_777_216),
      );
      if (!m) return undefined;
      i += m[0].length;
      return { t: 'str', v: JSON.parse(m[0]) as string };
    }
    const n = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (n) {
      i += n[0].length;
      const float = n[1] !== undefined || n[2] !== undefined;
      const v = Number(n[0]);
      if (!float && !Number.isSafeInteger(v)) return undefined;
      return { t: float ? 'float' : 'int', v };
    }
    for (const [word, v] of [
      ['true', { t: 'bool', v: true }],
      ['false', { t: 'bool', v: false }],
      ['null', { t: 'null' }],
    ] as [string, Value][]) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    return undefined;
  };
  const v = value(0);
  ws();
  return v && i === text.length ? v : undefined;
}

/** Appends a value's JSON to `out`; returns what stopped it (an unknown), or undefined when done. */
function toJson(ev: Evaluator, v: Value, out: string[], depth: number): Value | undefined {
  if (depth > 200 || !ev.charge(1)) return UNKNOWN;
  switch (v.t) {
    case 'null':
      out.push('null');
      return undefined;
    case 'bool':
      out.push(v.v ? 'true' : 'false');
      return undefined;
    case 'int':
      out.push(String(v.v));
      return undefined;
    case 'float':
      out.push(formatFloat(v.v));
      return undefined;
    case 'str':
      if (v.ctx) return UNKNOWN;
      out.push(jsonString(v.v));
      return undefined;
    case 'list':
      out.push('[');
      for (let i = 0; i < v.items.length; i++) {
        if (i) out.push(',');
        const r = toJson(ev, ev.force(v.items[i]), out, depth + 1);
        if (r) return r;
      }
      out.push(']');
      return undefined;
    case 'attrs': {
      if (v.dynamic) return UNKNOWN;
      if (v.attrs.has('__toString') || v.attrs.has('outPath')) {
        const c = ev.coerceToString(v, false, true, 0);
        if (c.t !== 'str' || c.ctx) return c.t === 'unknown' ? c : UNKNOWN;
        out.push(jsonString(c.v));
        return undefined;
      }
      out.push('{');
      let first = true;
      for (const k of sortedNames(v)) {
        if (!first) out.push(',');
        first = false;
        out.push(jsonString(k), ':');
        const r = toJson(ev, ev.force(v.attrs.get(k) as Thunk), out, depth + 1);
        if (r) return r;
      }
      out.push('}');
      return undefined;
    }
    default:
      return v.t === 'unknown' ? v : UNKNOWN; // paths are copied to the store; functions cannot be written
  }
}

function jsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

/** A float as C++'s `ostream << double` writes it (6 significant digits, `%g`), as Nix prints floats. */
export function formatFloat(x: number): string {
  if (Number.isNaN(x)) return x < 0 ? '-nan' : 'nan';
  if (!Number.isFinite(x)) return x < 0 ? '-inf' : 'inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [mant, expText] = x.toExponential(5).split('e');
  const exp = Number(expText);
  const strip = (t: string) => (t.includes('.') ? t.replace(/0+$/, '').replace(/\.$/, '') : t);
  if (exp < -4 || exp >= 6) {
    const e = Math.abs(exp);
    return `${strip(mant)}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' + e : e}`;
  }
  return strip(x.toFixed(Math.max(0, 5 - exp)));
}

// ---- the nixpkgs lib natives -------------------------------------------------------------------------------

const mk = (
  kind: 'if' | 'priority' | 'merge' | 'order',
  content: Thunk[],
  s?: Source,
  extra: { priority?: number; cond?: Value } = {},
): Value => ({ t: 'mk', kind, content, src: s, ...extra });

// `lib.hasSuffix ".nix" path`: Nix copies the path to the store first, and the store path ends with
// `-<basename>`; a suffix within that is decided without the store (hosts and modules listed from folders).
def('lib.hasSuffix', 2, (ev, a, s) => {
  const suffix = ev.force(a[0]);
  const content = ev.force(a[1]);
  if (suffix.t !== 'str' || suffix.ctx) return bad(ev, suffix, s);
  if (content.t === 'str') return bool(content.v.endsWith(suffix.v), s);
  if (content.t !== 'path') return bad(ev, content, s);
  const tail = `-${path.posix.basename(content.v)}`;
  if (suffix.v.length <= tail.length) return bool(tail.endsWith(suffix.v), s);
  // Longer than `-<basename>`: it reaches into the store hash, which only matters when the rest matches.
  return suffix.v.endsWith(tail) ? unk(s) : bool(false, s);
});
def('lib.mkIf', 2, (ev, a, s) => mk('if', [a[1]], s, { cond: ev.force(a[0]) }));
def('lib.mkDefault', 1, (_ev, a, s) => mk('priority', [a[0]], s, { priority: PRIORITY.default }));
def('lib.mkForce', 1, (_ev, a, s) => mk('priority', [a[0]], s, { priority: PRIORITY.force }));
def('lib.mkOptionDefault', 1, (_ev, a, s) => mk('priority', [a[0]], s, { priority: PRIORITY.optionDefault }));
def('lib.mkVMOverride', 1, (_ev, a, s) => mk('priority', [a[0]], s, { priority: PRIORITY.vmOverride }));
def('lib.mkImageMediaOverride', 1, (_ev, a, s) => mk('priority', [a[0]], s, { priority: 60 }));
def('lib.mkOverride', 2, (ev, a, s) => {
  const p = ev.force(a[0]);
  return mk('priority', [a[1]], s, { priority: p.t === 'int' ? p.v : undefined });
});
def('lib.mkBefore', 1, (_ev, a, s) => mk('order', [a[0]], s));
def('lib.mkAfter', 1, (_ev, a, s) => mk('order', [a[0]], s));
def('lib.mkOrder', 2, (_ev, a, s) => mk('order', [a[1]], s));
def('lib.mkMerge', 1, (ev, a, s) => {
  const l = ev.force(a[0]);
  return l.t === 'list' ? mk('merge', l.items, s) : bad(ev, l, s);
});
def('lib.nixosSystem', 1, (_ev, a, s) => ({ t: 'nixosSystem', args: a[0], src: s }));
def('lib.genAttrs', 2, (ev, a, s) => {
  const names = ev.force(a[0]);
  if (names.t !== 'list') return bad(ev, names, s);
  const items = forceAll(ev, names);
  if (!items) return unk(s);
  const m = new Map<string, Thunk>();
  for (const n of items) {
    const k = plainStr(n);
    if (k === undefined) return bad(ev, n, s);
    if (!m.has(k))
      m.set(
        k,
        ev.lazy(() => ev.apply(ev.force(a[1]), known(n), s)),
      );
  }
  return attrsOf(m, s);
});
def('lib.nameValuePair', 2, (_ev, a, s) =>
  attrsOf(
    new Map([
      ['name', a[0]],
      ['value', a[1]],
    ]),
    s,
  ),
);
def('lib.optional', 2, (ev, a, s) => {
  const c = ev.force(a[0]);
  if (c.t !== 'bool') return bad(ev, c, s);
  return list(c.v ? [a[1]] : [], s);
});
def('lib.optionals', 2, (ev, a, s) => {
  const c = ev.force(a[0]);
  if (c.t !== 'bool') return bad(ev, c, s);
  return c.v ? ev.force(a[1]) : list([], s);
});
def('lib.optionalAttrs', 2, (ev, a, s) => {
  const c = ev.force(a[0]);
  // An undecided condition in a module: the module system reads it like mkIf.
  if (c.t !== 'bool') return c.t === 'unknown' && c.error ? c : mk('if', [a[1]], s, { cond: c });
  return c.v ? ev.force(a[1]) : attrsOf(new Map(), s);
});
def('lib.optionalString', 2, (ev, a, s) => {
  const c = ev.force(a[0]);
  if (c.t !== 'bool') return bad(ev, c, s);
  return c.v ? ev.force(a[1]) : { t: 'str', v: '', src: s };
});
def('lib.recursiveUpdate', 2, (ev, a, s) => recursiveUpdate(ev, ev.force(a[0]), ev.force(a[1]), s, 0));
/** `lib.recursiveUpdate`: sets merged key by key, lazily; where either side is not a set, the right wins. */
function recursiveUpdate(ev: Evaluator, l: Value, r: Value, s: Source | undefined, depth: number): Value {
  if (l.t !== 'attrs' || r.t !== 'attrs' || depth > 100) return ev.update(l, r, s);
  if (isDerivation(ev, l) || isDerivation(ev, r)) return r;
  if (!ev.charge(1 + (r.attrs.size >> 4))) return unk(s);
  const m = new Map(l.attrs);
  for (const [k, rt] of r.attrs) {
    const lt = l.attrs.get(k);
    if (!lt) m.set(k, rt);
    else
      m.set(
        k,
        ev.lazy(() => {
          const lv = ev.force(lt);
          const rv = ev.force(rt);
          return lv.t === 'attrs' && rv.t === 'attrs' ? recursiveUpdate(ev, lv, rv, rv.src, depth + 1) : rv;
        }),
      );
  }
  return attrsOf(m, s, l.dynamic || r.dynamic);
}
function isDerivation(ev: Evaluator, v: Attrs): boolean {
  const t = v.attrs.get('type');
  if (!t) return false;
  const x = ev.force(t);
  return x.t === 'str' && x.v === 'derivation';
}
/**
 * Option-renaming modules forward definitions from one option to another, which nixkit does not follow: an
 * opaque module, so rules about something missing stay quiet. A removed option's module defines nothing.
 */
// An alias or a rename between two known option paths forwards every definition of the first to the second
// (modules.ts copies them over); anything else stays an opaque module.
for (const n of ['mkRenamedOptionModule', 'mkAliasOptionModule'])
  def(`lib.${n}`, 2, (ev, a, s) => {
    const from = stringList(ev, ev.force(a[0]));
    const to = stringList(ev, ev.force(a[1]));
    if (!from?.length || !to?.length) return { t: 'external', name: `lib.${n}`, src: s };
    return { t: 'attrs', attrs: new Map(), dynamic: false, src: s, forwards: { from, to } };
  });
for (const [n, arity] of [
  ['mkChangedOptionModule', 3],
  ['mkMergedOptionModule', 3],
  ['mkRenamedOptionModuleWith', 1],
] as [string, number][])
  def(`lib.${n}`, arity, (_ev, _a, s) => ({ t: 'external', name: `lib.${n}`, src: s }));
/** A list of known strings (an option path), or undefined. */
function stringList(ev: Evaluator, v: Value): string[] | undefined {
  if (v.t !== 'list' || v.items.length > 32) return undefined;
  const out: string[] = [];
  for (const t of v.items) {
    const x = ev.force(t);
    if (x.t !== 'str') return undefined;
    out.push(x.v);
  }
  return out;
}
def('lib.mkRemovedOptionModule', 2, (_ev, _a, s) => attrsOf(new Map(), s));
