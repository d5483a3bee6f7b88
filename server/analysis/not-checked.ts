// Files that look like machines but that nixkit does not check, and why: a configuration.nix only unknown files
// import, a nix-darwin or home-manager configuration.nix or a template, and files no machine reads that mention
// building NixOS systems in a way nixkit does not follow. `nixkit check` prints them as notes; Show
// Configuration lists them (the nixkit/configurations request), so that "no machine" is not taken for "no
// problem".
import * as path from 'node:path';
import type { Project } from '../model/project';
import type { SourceProvider } from '../model/sources';
import { walkExpr, type Expr, type SourceFile } from '../syntax/ast';
import type { Span } from '../syntax/positions';

export interface NotChecked {
  file: string;
  /** 1-based, where a word in the file is the reason. */
  line?: number;
  /** Why, with other files named through the caller's `shown`. */
  why: string;
}

/**
 * Words that show a file builds NixOS systems: nixpkgs' entry points (also `import "${nixpkgs}/nixos" { … }`),
 * nilla's `systems.nixos`, nixos-generators' `nixosGenerate`. A name goes on with `-` and `'` in Nix
 * (`pkgs.nixos-icons` is a package), and `"${homeDir}/nixos"` is a folder, not nixpkgs.
 */
const BUILDS_NIXOS =
  /\bnixosSystem(?![\w'-])|nixos\/lib\/eval-config\.nix|<nixpkgs\/nixos>|"\$\{[^}"]*(?:nixpkgs|pkgs\.path|\bnixos\b)[^}"]*\}\/nixos(?:\/default\.nix)?"|\bsystems\.nixos(?![\w'-])|\bpkgs\.nixos(?![\w'-])|\bnixosGenerate(?![\w'-])/;

/** At most this many files are named for mentioning NixOS builders. */
const MAX_MENTIONS = 5;

export function notCheckedFiles(
  project: Project,
  files: string[],
  sources: Pick<SourceProvider, 'readText' | 'parsed'>,
  shown: (file: string) => string,
): NotChecked[] {
  const out: NotChecked[] = [];
  for (const c of project.unfollowedConfigurations) {
    const by = [...new Set(c.importers)].map(shown);
    out.push({
      file: c.file,
      why:
        `${by.join(', ')} ${by.length > 1 ? 'import' : 'imports'} it, so it is not a machine of its own, and no ` +
        'machine nixkit checks uses it (name it in nixkit.toml [machines] to check it)',
    });
  }
  for (const c of project.notNixos) out.push({ file: c.file, why: c.why });
  for (const m of project.unresolvedScriptMachines)
    out.push({
      file: m.script,
      line: m.line,
      why: `it builds NixOS machines with \`${m.spelled}\`, a file nixkit cannot tell from the script alone (name it in nixkit.toml [machines] to check it)`,
    });
  // Files no machine nixkit found reads: a builder there is one nixkit did not follow (a helper function, a
  // framework, a default.nix of its own).
  const read = new Set<string>();
  for (const u of project.analysisUnits) for (const f of u.files) read.add(f);
  out.push(...unfollowedSystemCalls(project, files, sources));
  for (const f of project.unbuiltMachineFiles(files, read).slice(0, MAX_MENTIONS))
    out.push({
      file: f,
      why:
        'it sets a boot loader and filesystems like a whole machine, but no machine nixkit found reads it and no ' +
        'file imports it (name it in nixkit.toml [machines] to check it)',
    });
  for (const f of [...files].sort()) {
    if (read.has(f)) continue;
    if (out.length >= MAX_MENTIONS) break;
    if (out.some((o) => o.file === f)) continue;
    const text = sources.parsed(f)?.lines.text ?? sources.readText?.(f);
    if (text === undefined || !BUILDS_NIXOS.test(text)) continue;
    const at = mentionInCode(text, sources.parsed(f)?.ast);
    if (!at) continue;
    const { index, word } = at;
    const template = [...project.templateDirs].find((d) => f.startsWith(d + path.sep));
    out.push({
      file: f,
      line: text.slice(0, index).split('\n').length,
      why: template
        ? `it lies in a template's folder (${path.basename(template)}): a skeleton to copy, not a machine`
        : `it mentions ${word}, but no machine nixkit found is built from it: nixkit does not follow how it builds NixOS machines`,
    });
  }
  return out;
}

/** Builders whose calls make a NixOS system (`nixpkgs.lib.nixosSystem { … }`, `nixosGenerate { … }`). */
const SYSTEM_BUILDERS = new Set(['nixosSystem', 'nixosGenerate']);

/** At most this many calls are named. */
const MAX_CALLS = 5;

/**
 * In files machines are read from: calls that build a NixOS system no machine nixkit found comes from (an
 * installer image under `packages`, `(nixosSystem { … }).config.system.build.isoImage`, nixos-generators'
 * `nixosGenerate`), so their modules go unchecked. Files of a unit with something not followed are left to
 * that unit's configuration-not-followed.
 */
function unfollowedSystemCalls(
  project: Project,
  files: string[],
  sources: Pick<SourceProvider, 'readText' | 'parsed'>,
): NotChecked[] {
  const machines = new Set<string>();
  /** Module files some machine nixkit found reads. */
  const machineFiles = new Set<string>();
  const unitsOf = new Map<string, AnalysisUnitLike[]>();
  for (const u of project.analysisUnits) {
    for (const c of u.configurations) for (const k of c.entry.builtAt ?? []) machines.add(k);
    for (const c of u.configurations)
      for (const m of c.modules) if (m.kind === 'file' && m.file !== c.entry.file) machineFiles.add(m.file);
    for (const f of u.files) unitsOf.set(f, [...(unitsOf.get(f) ?? []), u]);
  }
  const out: NotChecked[] = [];
  for (const f of [...files].sort()) {
    const units = unitsOf.get(f);
    if (!units || units.some((u) => u.coverage.some((c) => c.status === 'not-followed'))) continue;
    const text = sources.parsed(f)?.lines.text ?? sources.readText?.(f);
    if (text === undefined || !/\bnixosSystem\b|\bnixosGenerate\b/.test(text)) continue;
    const ast = sources.parsed(f)?.ast;
    if (!ast?.expr) continue;
    walkExpr(ast.expr, (e) => {
      if (out.length >= MAX_CALLS || e.kind !== 'apply') return;
      const word = builderName(e.fn);
      // Only a call with its `modules` written out: `mylib.nixosSystem systemArgs` may be the repository's own
      // wrapper, whose inner nixosSystem call is the one a machine comes from.
      if (
        !word ||
        !writesModules(e.arg) ||
        machines.has(`${f}:${e.span.start}`) ||
        machines.has(`${f}:${e.arg.span.start}`) ||
        // the repository's own `nixosSystem` wrapper, called with a module a machine nixkit found reads: that
        // machine's builder (the call nixkit followed is the wrapper's inner one)
        writtenModuleFiles(e.arg, f).some((m) => machineFiles.has(m)) ||
        // a builder function of the repository (`mkVm = { modules, … }: nixosSystem { modules = … ++ modules; }`):
        // what it builds is whatever its callers give it, machines nixkit found among them
        (machineFiles.size > 0 && modulesFromParameter(e.arg, lambdaParamsAround(ast.expr!, e.span.start)))
      )
        return;
      out.push({
        file: f,
        line: text.slice(0, e.span.start).split('\n').length,
        why:
          `it builds a NixOS system with \`${word}\` that is no machine nixkit found (not a ` +
          'nixosConfigurations entry or a colmena node), so the modules given to it are not checked',
      });
      return false;
    });
  }
  return out;
}

type AnalysisUnitLike = Project['analysisUnits'][number];

/** `{ system = …; modules = [ … ]; }`: arguments written as a set that names `modules`. */
function writesModules(arg: Expr): boolean {
  while (arg.kind === 'paren') arg = arg.expr;
  return arg.kind === 'attrs' && arg.bindings.some((b) => b.path[0]?.name === 'modules');
}

/** The files of the relative paths written in a call's `modules` (a folder as its default.nix). */
function writtenModuleFiles(arg: Expr, file: string): string[] {
  while (arg.kind === 'paren') arg = arg.expr;
  if (arg.kind !== 'attrs') return [];
  const out: string[] = [];
  for (const b of arg.bindings) {
    if (b.path.length !== 1 || b.path[0]?.name !== 'modules') continue;
    walkExpr(b.value, (e) => {
      if (e.kind !== 'path' || e.pathKind !== 'relative' || e.value === undefined) return;
      const p = path.resolve(path.dirname(file), e.value);
      out.push(p.endsWith('.nix') ? p : path.join(p, 'default.nix'));
    });
  }
  return out;
}

/** The names the functions around an offset bind (`x: …`, `{ a, b }: …`, `args @ { … }: …`). */
function lambdaParamsAround(root: Expr, offset: number): Set<string> {
  const names = new Set<string>();
  walkExpr(root, (e) => {
    if (e.span.start > offset || e.span.end < offset) return false;
    if (e.kind === 'lambda') {
      if (e.param) names.add(e.param.name);
      for (const f of e.formals ?? []) names.add(f.name.name);
    }
    return true;
  });
  return names;
}

/** A call's `modules` uses one of these parameters (`modules = [ base ] ++ modules;`). */
function modulesFromParameter(arg: Expr, params: Set<string>): boolean {
  while (arg.kind === 'paren') arg = arg.expr;
  if (arg.kind !== 'attrs' || !params.size) return false;
  let found = false;
  for (const b of arg.bindings) {
    if (b.path.length !== 1 || b.path[0]?.name !== 'modules') continue;
    // (the parameter that carries modules: `self` or `inputs` used for one module of its own say nothing)
    let v = b.value;
    while (v.kind === 'paren') v = v.expr;
    if (v.kind === 'var' && params.has(v.name)) found = true;
    walkExpr(b.value, (e) => {
      if (e.kind === 'var' && params.has(e.name) && /modules/i.test(e.name)) found = true;
    });
  }
  for (const i of arg.inherits)
    if (!i.from && i.names.some((n) => n.name === 'modules' && params.has('modules'))) found = true;
  return found;
}

/** `nixosSystem`, `lib.nixosSystem`, `inputs.nixos-generators.nixosGenerate`: the builder's name. */
function builderName(fn: Expr): string | undefined {
  while (fn.kind === 'paren') fn = fn.expr;
  const name =
    fn.kind === 'var'
      ? fn.name
      : fn.kind === 'select' && !fn.default
        ? fn.path[fn.path.length - 1]?.name
        : undefined;
  return name && SYSTEM_BUILDERS.has(name) ? name : undefined;
}

/**
 * The first mention in code: not in a comment, nor in an indented string (a script or file written with
 * `pkgs.writeText` that calls eval-config.nix itself builds no machine of this repository).
 */
function mentionInCode(
  text: string,
  ast: SourceFile | undefined,
): { index: number; word: string } | undefined {
  const comments: Span[] = ast?.comments.map((c) => c.span) ?? [];
  // A string's text is no code (`"(import <nixpkgs/nixos> { }).options"` for an editor); what it interpolates is,
  // and so is the string itself where it starts (`import "${nixpkgs}/nixos" { … }`), and a string that is only a
  // path (`nixpkgs + "/nixos/lib/eval-config.nix"`).
  const strings: { span: Span; holes: Span[] }[] = [];
  if (ast?.expr)
    walkExpr(ast.expr, (e) => {
      if (e.kind !== 'string') return;
      const literal = e.parts.filter((p) => typeof p === 'string').join('');
      if (!e.indented && !/\s/.test(literal)) return;
      strings.push({ span: e.span, holes: e.parts.flatMap((p) => (typeof p === 'string' ? [] : [p.span])) });
    });
  const within = (i: number, s: Span) => i >= s.start && i < s.end;
  const inText = (i: number) =>
    strings.some((s) => within(i, s.span) && i !== s.span.start && !s.holes.some((h) => within(i, h)));
  const all = new RegExp(BUILDS_NIXOS.source, 'g');
  for (const m of text.matchAll(all))
    if (!comments.some((c) => within(m.index, c)) && !inText(m.index)) return { index: m.index, word: m[0] };
  return undefined;
}

/** "hosts/box/default.nix:3 is not checked: …" */
export function notCheckedText(n: NotChecked, shown: (file: string) => string): string {
  return `${shown(n.file)}${n.line ? `:${n.line}` : ''} is not checked: ${n.why}`;
}

/** Paths as `nixkit check` shows them: relative to the working folder. */
export const relativeToCwd = (f: string): string => path.relative(process.cwd(), f) || f;
