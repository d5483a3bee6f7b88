// ESLint flat config: typescript-eslint's recommended rules, plus the layering docs/architecture.md describes.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { layers } from './scripts/eslint-layers.mjs';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'out/',
      '.vscode-test/',
      'test/fixtures/',
      'test/corpus/',
      'examples/',
      'docs/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
      },
    },
    plugins: { nixkit: { rules: { layers } } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
      // Imports go one way (syntax → model → … → lsp; engine uses analysis; cli and extension use both; the
      // webview uses protocol only): scripts/eslint-layers.mjs holds the table.
      'nixkit/layers': 'error',
    },
  },
  {
    // The server, the protocol, the remote engine, the CLI and the webview run outside VS Code's extension host.
    files: ['server/**/*.ts', 'protocol/**/*.ts', 'engine/**/*.ts', 'cli/**/*.ts', 'webview/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'vscode', message: 'this layer runs outside VS Code' }] },
      ],
    },
  },
  {
    // Rules work on the syntax layer's helpers, never on raw tree-sitter nodes (the grammar may change).
    files: [
      'server/rules/**/*.ts',
      'server/model/**/*.ts',
      'server/facts/**/*.ts',
      'server/rule-api/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'web-tree-sitter', message: 'use server/syntax helpers' },
            { name: 'vscode', message: 'this layer runs outside VS Code' },
          ],
        },
      ],
    },
  },
);
