// ESLint flat config: typescript-eslint's recommended rules, plus the layering rules DEVELOPERS.md fixes.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // The server, the remote engine and the CLI run outside VS Code: they must never import `vscode`.
    files: ['server/**/*.ts', 'extension/engine/**/*.ts', 'webview/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'vscode', message: 'this layer runs outside VS Code' }] },
      ],
    },
  },
  {
    // Rules work on the syntax layer's helpers, never on raw tree-sitter nodes (the grammar may change).
    files: ['server/rules/**/*.ts', 'server/model/**/*.ts'],
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
