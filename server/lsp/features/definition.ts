// Go to definition on a path literal (`./hardware-configuration.nix` in `imports`, `./hosts/demo` in a
// flake's `modules`, any `./x.nix`, `./. + "/x.nix"`): opens the file, `./dir` meaning `./dir/default.nix`.
import * as path from 'node:path';
import type { DefinitionParams, Location } from 'vscode-languageserver/node';
import { childExprs, type Expr, type PathExpr } from '../../syntax/ast';
import type { Span } from '../../syntax/positions';
import type { ServerState } from '../server';
import type { Feature } from './';
import { fileOfUri, uriOfFile } from './util';

const within = (s: Span, offset: number) => offset >= s.start && offset <= s.end;

/** The static path text of a literal, or of `./dir + "/file.nix"`. */
function pathText(e: Expr): { value: string; pathKind: PathExpr['pathKind'] } | undefined {
  if (e.kind === 'path' && e.value !== undefined) return { value: e.value, pathKind: e.pathKind };
  if (e.kind === 'binary' && e.op === '+' && e.right.kind === 'string' && e.right.value !== undefined) {
    const left = pathText(e.left);
    return left && { value: left.value + e.right.value, pathKind: left.pathKind };
  }
  return undefined;
}

/** The innermost path expression at `offset`. */
function pathAt(
  e: Expr,
  offset: number,
): { span: Span; value: string; pathKind: PathExpr['pathKind'] } | undefined {
  if (!within(e.span, offset)) return undefined;
  for (const c of childExprs(e)) {
    const inner = pathAt(c, offset);
    if (inner) {
      // `./. + "/x.nix"`: the sum names the file, not its left operand alone.
      const whole = pathText(e);
      return whole && e.kind === 'binary' ? { span: e.span, ...whole } : inner;
    }
  }
  const p = pathText(e);
  return p && { span: e.span, ...p };
}

/** Where a path literal in `file` points, as an existing file. */
export function resolvePathLiteral(
  state: ServerState,
  file: string,
  value: string,
  pathKind: PathExpr['pathKind'],
): string | undefined {
  let target: string;
  if (pathKind === 'relative') target = path.resolve(path.dirname(file), value);
  else if (pathKind === 'absolute') target = path.normalize(value);
  else return undefined;
  if (state.sources.isDirectory(target)) target = path.join(target, 'default.nix');
  return state.sources.exists(target) && !state.sources.isDirectory(target) ? target : undefined;
}

/** Locations, not LocationLinks: every client understands them. */
export function definition(state: ServerState, params: DefinitionParams): Location[] | null {
  const file = fileOfUri(state, params.textDocument.uri);
  const parsed = state.sources.parsed(file);
  if (!parsed?.ast.expr) return null;
  const offset = parsed.lines.offsetAt(params.position);
  const hit = pathAt(parsed.ast.expr, offset);
  if (!hit) return null;
  const target = resolvePathLiteral(state, file, hit.value, hit.pathKind);
  if (!target) return null;
  const origin = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  return [{ uri: uriOfFile(state, target), range: origin }];
}

export const definitionFeature: Feature = {
  capabilities: { definitionProvider: true },
  register(connection, state) {
    connection.onDefinition((params) => {
      const s = state();
      return s ? definition(s, params) : null;
    });
  },
};
