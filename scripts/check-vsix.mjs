// Checks a packaged extension (`node scripts/check-vsix.mjs dist/nixkit.vsix`): everything the extension and the
// CLI load at run time is inside, the docs the README links are too, nothing from development (source maps,
// sources, tests, node_modules) is, and the file stays under MAX_BYTES. Exit 0 when it is right, 1 with one line
// per problem otherwise. What is required comes from the repository (package.json's paths, the webview panels,
// the README's links), so a new panel or link is checked without editing this file.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The size limit: the .vsix is about 1.1 MB today (six minified bundles, two WASM files, the docs). */
export const MAX_BYTES = 2 * 1024 * 1024;

/** What dist/ must hold besides the webview: scripts/build.mjs's node bundles and the WASM files they load. */
const BUNDLES = ['extension', 'remote', 'server', 'cli', 'cli-check', 'cli-remote', 'cli-media'].map(
  (b) => `dist/${b}.js`,
);
const WASM = ['dist/tree-sitter.wasm', 'dist/tree-sitter-nix.wasm'];
const FORBIDDEN = [
  [/\.map$/, 'a source map'],
  [/\.ts$/, 'a TypeScript source'],
  [
    /^extension\/(out|test|node_modules|server|engine|cli|protocol|scripts|\.vscode-test)\//,
    'a development folder',
  ],
  [/\.vsix$/, 'a packaged extension inside the package'],
];

/** Names of the files in a zip archive, read from its central directory. */
export function zipEntries(buf) {
  let end = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error('not a zip file (no end of central directory)');
  const count = buf.readUInt16LE(end + 10);
  let at = buf.readUInt32LE(end + 16);
  const names = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error('corrupt zip central directory');
    const nameLen = buf.readUInt16LE(at + 28);
    const extraLen = buf.readUInt16LE(at + 30);
    const commentLen = buf.readUInt16LE(at + 32);
    names.push(buf.toString('utf8', at + 46, at + 46 + nameLen));
    at += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}

/** Relative links (not URLs, not anchors) of a markdown file, resolved against its folder. */
function markdownLinks(file, rel) {
  const links = [];
  for (const m of readFileSync(file, 'utf8').matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = m[1].split('#')[0];
    if (!target || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    links.push(posix.normalize(posix.join(posix.dirname(rel), target)));
  }
  return links;
}

/** The files the extension needs at run time, as paths inside the repository. */
export function requiredFiles(root) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const strip = (p) => p.replace(/^\.\//, '');
  const required = new Set(['package.json', ...BUNDLES, ...WASM, strip(pkg.main), strip(pkg.bin.nixkit)]);
  for (const l of pkg.contributes.languages ?? []) if (l.configuration) required.add(strip(l.configuration));
  for (const g of pkg.contributes.grammars ?? []) required.add(strip(g.path));
  // Each webview/<name>-page.ts is bundled to dist/webview/<name>-page.js, with its stylesheet beside it.
  for (const f of readdirSync(join(root, 'webview'))) {
    if (!/^[a-z-]+-page\.ts$/.test(f)) continue;
    const name = f.replace(/\.ts$/, '');
    required.add(`dist/webview/${name}.js`);
    if (existsSync(join(root, 'webview', `${name}.css`))) required.add(`dist/webview/${name}.css`);
  }
  // The README's relative links, and theirs, as far as they lead to markdown files in the repository.
  const queue = ['README.md'];
  const seen = new Set();
  while (queue.length) {
    const rel = queue.shift();
    if (seen.has(rel)) continue;
    seen.add(rel);
    for (const link of markdownLinks(join(root, rel), rel)) {
      if (link.endsWith('/')) continue;
      required.add(link);
      if (link.endsWith('.md') && existsSync(join(root, link))) queue.push(link);
    }
  }
  required.delete('README.md'); // vsce stores it as extension/readme.md, checked below
  return [...required].sort();
}

/** Problems with the package at `vsix` built from the repository at `root`; empty when it is right. */
export function checkVsix(vsix, root) {
  const problems = [];
  const buf = readFileSync(vsix);
  const entries = new Set(zipEntries(buf));
  for (const file of requiredFiles(root))
    if (!entries.has(`extension/${file}`)) problems.push(`missing: ${file}`);
  if (!entries.has('extension/readme.md')) problems.push('missing: README.md (extension/readme.md)');
  if (!entries.has('extension.vsixmanifest')) problems.push('missing: extension.vsixmanifest');
  for (const e of entries)
    for (const [pattern, what] of FORBIDDEN) if (pattern.test(e)) problems.push(`${what} is packaged: ${e}`);
  const size = statSync(vsix).size;
  if (size > MAX_BYTES)
    problems.push(`${(size / 1024).toFixed(0)} KB is over the limit of ${(MAX_BYTES / 1024).toFixed(0)} KB`);
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const vsix = process.argv[2];
  const root = process.argv[3] ?? join(dirname(fileURLToPath(import.meta.url)), '..');
  if (!vsix) {
    console.error('usage: node scripts/check-vsix.mjs FILE.vsix [REPOSITORY]');
    process.exit(2);
  }
  const problems = checkVsix(vsix, root);
  for (const p of problems) console.error(`check-vsix: ${p}`);
  if (problems.length) process.exit(1);
  const n = zipEntries(readFileSync(vsix)).length;
  console.log(
    `check-vsix: ${vsix}: ${n} files, ${(statSync(vsix).size / 1024).toFixed(0)} KB (limit ${MAX_BYTES / 1024} KB), nothing missing`,
  );
}
