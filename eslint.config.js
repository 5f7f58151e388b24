import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const nodeBuiltins = [
  'fs',
  'path',
  'os',
  'crypto',
  'child_process',
  'worker_threads',
  'http',
  'net',
  'url',
  'util',
  'events',
  'stream',
];
const nodePatterns = ['node:*', ...nodeBuiltins, ...nodeBuiltins.map((m) => `${m}/*`)];

/** Layering (ARCHITECTURE.md rule 11), enforced by folder. */
const restrict = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
});

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      'out',
      'dist',
      'test-results',
      'playwright-report',
      '.tmp',
      '.tmp-bench',
      'main/store/migrations',
      'server/store/migrations',
      'server/.tmp',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // No import cycles anywhere (issue 12): a cycle means two modules should be one, or a
    // third should hold what both need.
    files: ['**/*.{ts,tsx}'],
    plugins: { 'import-x': importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: restrict(
      [
        ...nodePatterns,
        'electron',
        'react',
        'react-dom',
        'better-sqlite3',
        '**/main/**',
        '**/renderer/**',
      ],
      'shared/ is pure: no Node, DOM, Electron or app-side imports',
    ),
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...restrict(
        [...nodePatterns, 'electron', 'better-sqlite3', '**/main/**'],
        'the renderer never sees Node, Electron or the store (rules 4 and 11)',
      ),
    },
  },
  {
    files: ['main/**/*.ts', 'tests/**/*.ts', 'scripts/**/*.{ts,mjs}'],
    ignores: ['main/electron/**'],
    rules: restrict(['electron'], "only main/electron/ imports 'electron' (rule 2)"),
  },
  {
    files: ['server/**/*.{ts,mjs}'],
    rules: restrict(
      ['electron', 'better-sqlite3', '**/main/**', '**/renderer/**', '**/preload/**'],
      'server/ imports only shared/ of the app (ARCHITECTURE.md: a separate workspace)',
    ),
  },
  {
    files: ['preload/**/*.ts'],
    rules: restrict(['**/main/**', 'better-sqlite3'], 'preload exposes the contract only'),
  },
);
