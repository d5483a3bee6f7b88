// Values of the static evaluator: what nixkit can know about a Nix expression without running Nix.
// Anything it cannot know is `unknown`, and rules never report on unknown values.
import type { Expr, LambdaExpr } from '../syntax/ast';
import type { Span } from '../syntax/positions';

/** Where a value was written: the file and the span of the expression. */
export interface Source {
  file: string;
  span: Span;
}

export type Value =
  /**
   * `ctx`: the text is a local path standing in for the store path Nix would copy it to (`"${./hosts}"`): the
   * real string is not known, but `import`, `readFile` and `pathExists` of it mean the local file.
   */
  | { t: 'str'; v: string; src?: Source; ctx?: true }
  | { t: 'path'; v: string; src?: Source }
  | { t: 'int' | 'float'; v: number; src?: Source }
  | { t: 'bool'; v: boolean; src?: Source }
  | { t: 'null'; src?: Source }
  | { t: 'list'; items: Thunk[]; src?: Source }
  | {
      t: 'attrs';
      attrs: Map<string, Thunk>;
      /** keys only known at evaluation time */ dynamic: boolean;
      /**
       * A value of options nixkit does not see declared (a flake-parts module's own `config.my.nodes.<name>`): its
       * keys are those defined, but a declaration's default may add others, so a name it lacks is unknown.
       */
      openValues?: boolean;
      src?: Source;
      /** What `import` of this set gives, for an input nixkit models (`import nixpkgs { … }`). */
      imports?: () => Value;
      /** For a dynamic set nixkit models only in part: the path an unknown name is reported under. */
      missingPath?: string[];
      /** An input whose source nixkit names but does not have: `"${nixpkgs}/nixos/modules/x.nix"` is `<nixpkgs>/…`. */
      sourceName?: string;
      /** A module that forwards one option to another (`lib.mkAliasOptionModule [ "me" ] [ "users" "users" "bob" ]`). */
      forwards?: { from: string[]; to: string[] };
    }
  | { t: 'lambda'; expr: LambdaExpr; env: Env; file: string; src?: Source }
  /** A function nixkit models (lib.mkIf, import, lib.genAttrs, nixosSystem, ...), with the arguments so far. */
  | { t: 'fn'; name: string; args: Thunk[]; src?: Source }
  /** A module-system wrapper after application: mkIf, mkDefault, mkMerge, ... */
  | {
      t: 'mk';
      kind: 'if' | 'priority' | 'merge' | 'order';
      priority?: number;
      cond?: Value;
      content: Thunk[];
      src?: Source;
    }
  /** `nixpkgs.lib.nixosSystem { ... }`: a NixOS configuration. */
  | {
      t: 'nixosSystem';
      args: Thunk;
      src?: Source;
      /** the flake input whose lib it came from */ input?: string;
      /** An input nixkit does not know whose own `lib.nixosSystem` built it (it may add modules). */
      wrappedBy?: string;
    }
  /** Something outside the workspace, known by name only: `inputs.x.nixosModules.y`, `modulesPath + "/…"`. */
  | { t: 'external'; name: string; src?: Source }
  /** Not statically known. `path` remembers the variable/selection it came from (`lib.mkDefault`). */
  | {
      t: 'unknown';
      path?: string[];
      src?: Source;
      /** Set when evaluation surely fails here (`throw`, a failed `assert`): `tryEval` can catch it. */
      error?: string;
      /**
       * Selected from a set nixkit knows completely that lacks the name (`c.system` where `c` has no `system`):
       * Nix fails when it needs the value. Only discovery reads it; everything else treats it as unknown.
       */
      missingAttr?: string;
      /**
       * A list known to hold at least these items, among others nixkit cannot know (`[ ./a.nix ] ++ x`):
       * `imports` still follows them. Everything else treats the value as unknown.
       */
      atLeast?: Thunk[];
      /**
       * `inputs.den.flakeModules.x or { }` on an input nixkit does not know: the selection it would be, unless
       * the name is missing. Only messages read it (to name the input); `path` it is not.
       */
      orPath?: string[];
    };

export interface Env {
  vars: Map<string, Thunk>;
  /** `with e;` scopes: names not bound lexically may come from them. */
  withs: Thunk[];
  parent?: Env;
}

/** A delayed expression (Nix is lazy; so is this evaluator), or an already known value. */
export interface Thunk {
  expr?: Expr;
  env?: Env;
  file?: string;
  value?: Value;
  /** A native computation (library functions build lazy results with it); run once by `force`. */
  fn?: () => Value;
  /** Set while being forced, to turn infinite recursion into `unknown`. */
  forcing?: boolean;
  /** For attribute values: where the key was written (`a.b.c` → the span of `c`) and the whole binding. */
  keySpan?: Span;
  bindingSpan?: Span;
  /** How many keys the binding has (`a.b.c = …` → 3), so a fix can write a sibling binding. */
  bindingKeys?: number;
}

export const UNKNOWN: Value = { t: 'unknown' };

export const known = (value: Value): Thunk => ({ value });

export function isUnknown(v: Value): boolean {
  return v.t === 'unknown';
}

/** The static string of a value, if it is one (strings, and paths as text). */
export function stringOf(v: Value | undefined): string | undefined {
  return v && (v.t === 'str' || v.t === 'path') ? v.v : undefined;
}

export function boolOf(v: Value | undefined): boolean | undefined {
  return v?.t === 'bool' ? v.v : undefined;
}
