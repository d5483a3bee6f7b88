// The nixpkgs `lib` as a value: the prelude (nixpkgs-lib-source.ts, plain Nix) evaluated by nixkit's evaluator
// with the natives of builtins.ts (mkIf & co., nixosSystem, genAttrs, …) put in. Discovery gives this value to
// flakes for an input it recognises as nixpkgs (`nixpkgs.lib`), and to modules as their `lib` argument.
import type { Expr } from '../syntax/ast';
import { directAst } from '../syntax/direct-ast';
import { SyntaxDocument } from '../syntax/document';
import { createParserIfLoaded } from '../syntax/parser';
import { libNatives } from './builtins';
import { rootEnv, type Evaluator } from './evaluator';
import { VIRTUAL_PREFIX } from './virtual-files';
import { NIXPKGS_LIB_SOURCE } from './nixpkgs-lib-source';
import { known, type Value } from './value';

/** The prelude's file name: virtual, so nothing it defines carries a location a finding could point at. */
export const NIXPKGS_LIB_FILE = `${VIRTUAL_PREFIX}nixpkgs-lib.nix`;

let prelude: Expr | null | undefined;

/** The prelude's syntax tree, parsed once per process; undefined until the grammar is loaded. */
function preludeExpr(): Expr | undefined {
  if (prelude !== undefined) return prelude ?? undefined;
  // Nix's grammar reads it directly; tree-sitter only if that ever declined it.
  const direct = directAst(NIXPKGS_LIB_SOURCE);
  if (direct) return (prelude = direct.expr ?? null) ?? undefined;
  const parser = createParserIfLoaded();
  if (!parser) return undefined;
  const doc = new SyntaxDocument(parser, NIXPKGS_LIB_SOURCE);
  try {
    // No syntax check here (it costs as much as the parse): the differential tests run this source through Nix.
    prelude = doc.sourceFile().expr ?? null;
  } finally {
    doc.dispose();
    parser.delete();
  }
  return prelude ?? undefined;
}

/**
 * The nixpkgs `lib` for an evaluator (built once per evaluator, shared by all its uses): an attribute set
 * holding lib's functions, its sub-namespaces (`attrsets`, `lists`, `strings`, `trivial`, `fixedPoints`,
 * `modules`, `options`, `types`, `versions`) and `extend`. It may hold more names than nixkit models: a name it
 * lacks selects to unknown, never to a missing attribute. Without the grammar it holds the natives only.
 */
export function nixpkgsLib(ev: Evaluator): Value {
  return ev.lib();
}

/** Builds the value `nixpkgsLib` returns (Evaluator.lib calls this once). */
export function buildNixpkgsLib(ev: Evaluator): Value {
  const natives: Value = { t: 'attrs', attrs: libNatives(ev), dynamic: false };
  const expr = preludeExpr();
  if (!expr) return { ...natives, dynamic: true };
  const fn = ev.eval(expr, rootEnv(), NIXPKGS_LIB_FILE);
  const open: Value = { t: 'attrs', attrs: new Map(), dynamic: true };
  const args: Value = {
    t: 'attrs',
    attrs: new Map([
      ['natives', known(natives)],
      ['open', known(open)],
    ]),
    dynamic: false,
  };
  const lib = ev.apply(fn, known(args));
  return lib.t === 'attrs' ? lib : { ...natives, dynamic: true };
}
