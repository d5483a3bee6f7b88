// Loads web-tree-sitter and the Nix grammar (WASM) once per process. Everything else in the server reaches
// tree-sitter only through this folder, so a grammar change stays here.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Language, Parser } from 'web-tree-sitter';

let loading: Promise<Language> | undefined;
let loaded: Language | undefined;

/** A parser made synchronously, once the grammar is loaded (the evaluator's lib prelude parses with it). */
export function createParserIfLoaded(): Parser | undefined {
  if (!loaded) return undefined;
  const parser = new Parser();
  parser.setLanguage(loaded);
  return parser;
}

/**
 * Finds a WASM asset. The bundles in dist/ have both files beside them; the compiled tests in out/ find them
 * in the package tree. NIXKIT_ASSETS overrides both (for unusual layouts).
 */
export function locateAsset(name: string): string {
  const candidates: string[] = [];
  if (process.env.NIXKIT_ASSETS) candidates.push(path.join(process.env.NIXKIT_ASSETS, name));
  candidates.push(path.join(__dirname, name));
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    candidates.push(path.join(dir, 'server/syntax/grammar', name));
    candidates.push(path.join(dir, 'node_modules/web-tree-sitter', name));
    if (path.dirname(dir) === dir) break;
  }
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found)
    throw new Error(`nixkit: cannot find ${name} (looked in ${candidates.slice(0, 3).join(', ')} ...)`);
  return found;
}

/** Initialises the runtime and loads the grammar; later calls share the first load. */
export function loadNixLanguage(): Promise<Language> {
  loading ??= (async () => {
    await Parser.init({ locateFile: (file: string) => locateAsset(file) });
    loaded = await Language.load(fs.readFileSync(locateAsset('tree-sitter-nix.wasm')));
    return loaded;
  })();
  return loading;
}

export async function createParser(): Promise<Parser> {
  const language = await loadNixLanguage();
  const parser = new Parser();
  parser.setLanguage(language);
  return parser;
}
