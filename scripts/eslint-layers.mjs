// The ESLint rule `nixkit/layers`: an import between the repository's folders must go the way docs/architecture.md
// says. Each folder lists the folders it may import from (its own always); tests and scripts may import anything.
// Relative imports are resolved against the importing file, so `../../engine/x` from server/rules is caught however
// it is spelt. Packages are not this rule's business (`vscode` is fenced off by no-restricted-imports).
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

const SERVER_BELOW_LSP = [
  'server/syntax',
  'server/findings.ts',
  'server/model',
  'server/data',
  'server/facts',
  'server/rule-api',
  'server/rules',
  'server/analysis',
];

/** Folder (or file) → what it may import. The first matching entry, longest first, applies. */
export const LAYERS = {
  protocol: ['protocol'],
  'server/syntax': ['server/syntax'],
  'server/findings.ts': ['protocol', 'server/syntax'],
  'server/model': ['server/syntax', 'server/model'],
  'server/data': ['server/syntax', 'server/model', 'server/data'],
  'server/facts': ['protocol', 'server/syntax', 'server/model', 'server/data', 'server/facts'],
  'server/rule-api': [
    'protocol',
    'server/syntax',
    'server/findings.ts',
    'server/model',
    'server/facts',
    'server/data',
  ],
  'server/rules': ['protocol', ...SERVER_BELOW_LSP.slice(0, 7)],
  'server/analysis': ['protocol', ...SERVER_BELOW_LSP],
  'server/lsp': ['protocol', ...SERVER_BELOW_LSP, 'server/lsp'],
  engine: ['protocol', ...SERVER_BELOW_LSP, 'engine'],
  cli: ['protocol', ...SERVER_BELOW_LSP, 'server/lsp', 'engine', 'cli'],
  extension: ['protocol', ...SERVER_BELOW_LSP, 'engine', 'extension'],
  webview: ['protocol', 'webview'],
};

const within = (file, folder) => file === folder || file.startsWith(folder + '/');

function layerOf(file) {
  const keys = Object.keys(LAYERS).sort((a, b) => b.length - a.length);
  return keys.find((k) => within(file, k));
}

/** @type {import('eslint').Rule.RuleModule} */
export const layers = {
  meta: {
    type: 'problem',
    docs: { description: 'imports between folders go one way (docs/architecture.md)' },
    schema: [],
    messages: { wrongWay: '{{from}} may not import {{to}}: imports go one way (docs/architecture.md)' },
  },
  create(context) {
    const file = path.relative(ROOT, context.filename).split(path.sep).join('/');
    const from = layerOf(file);
    if (!from || file.startsWith('..')) return {};
    const check = (node, spec) => {
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = path
        .relative(ROOT, path.resolve(path.dirname(context.filename), spec))
        .split(path.sep)
        .join('/');
      const to = layerOf(target) ?? layerOf(target + '.ts');
      if (!to || to === from) return;
      const allowed = LAYERS[from];
      if (!allowed.some((a) => within(target, a) || within(target + '.ts', a)))
        context.report({ node, messageId: 'wrongWay', data: { from, to: target } });
    };
    return {
      ImportDeclaration: (n) => check(n.source, n.source.value),
      ExportNamedDeclaration: (n) => n.source && check(n.source, n.source.value),
      ExportAllDeclaration: (n) => check(n.source, n.source.value),
      ImportExpression: (n) => n.source.type === 'Literal' && check(n.source, n.source.value),
      CallExpression: (n) => {
        if (
          n.callee.type === 'Identifier' &&
          n.callee.name === 'require' &&
          n.arguments[0]?.type === 'Literal'
        )
          check(n.arguments[0], n.arguments[0].value);
      },
    };
  },
};
