// Shared by tests: the repository root, a parser, and a quick way to parse or check a snippet.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Parser } from 'web-tree-sitter';
import { SyntaxDocument } from '../server/syntax/document';
import { createParser } from '../server/syntax/parser';

/** The repository root, found from wherever the compiled test runs (out/test/...). */
export const REPO_ROOT = (() => {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'server'))) return dir;
    if (path.dirname(dir) === dir) throw new Error('repository root not found from ' + __dirname);
  }
})();

// The CLI keeps V8's code cache of its bundles in the user's cache folder (cli/code-cache.ts); tests must not
// write there, and each run of a spawned CLI should compile as a first run does. code-cache.test.ts and the
// bench set their own folder.
process.env.NIXKIT_CODE_CACHE ??= 'off';

let shared: Promise<Parser> | undefined;
export function parser(): Promise<Parser> {
  shared ??= createParser();
  return shared;
}

export async function parse(text: string): Promise<SyntaxDocument> {
  return new SyntaxDocument(await parser(), text);
}

/** The built CLI; tests that spawn it need `node scripts/build.mjs` first (the test command does that). */
export const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');

const madeDirs: string[] = [];
let cleanupRegistered = false;

/** A fresh temporary folder, removed when the test process exits (each test file runs in its own process). */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), `nixkit-${prefix}-`));
  madeDirs.push(dir);
  if (!cleanupRegistered) {
    cleanupRegistered = true;
    process.on('exit', () => {
      for (const d of madeDirs) fs.rmSync(d, { recursive: true, force: true });
    });
  }
  return dir;
}

/** A fresh temporary folder holding `files` (paths relative to it, folders made as needed). */
export function tempTree(prefix: string, files: Record<string, string>): string {
  const dir = tempDir(prefix);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}
