import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { builtinModules } from 'node:module';

/** Every Node built-in, bare or `node:` (`zlib`, `fs/promises`, `node:zlib`), as one regex:
 * gitignore-style patterns would also catch relative paths such as `../domain/types`. */
const escapeRegex = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const nodeModuleRegex = `^(node:.*|(${builtinModules
  .filter((m) => !m.startsWith('_'))
  .map(escapeRegex)
  .join('|')})(/.*)?)$`;

/** Layering (ARCHITECTURE.md rule 11, README "Layers"), enforced by folder. */
const restrict = (patterns, message, { node = false } = {}) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        { group: patterns, message },
        ...(node ? [{ regex: nodeModuleRegex, message }] : []),
      ],
    },
  ],
});

const restrictGlobals = (names, message) => ({
  'no-restricted-globals': ['error', ...names.map((name) => ({ name, message }))],
});

/** Every global of Node or a browser that ES2023 itself lacks (shared/tsconfig.json's lib). */
const hostGlobals = [...new Set([...Object.keys(globals.browser), ...Object.keys(globals.node)])]
  .filter((name) => !(name in globals.es2023))
  .sort();
/** Node's own globals, which a browser lacks (process, Buffer, require, __dirname…). */
const nodeOnlyGlobals = Object.keys(globals.node).filter(
  (name) => !(name in globals.es2023) && !(name in globals.browser),
);

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
    // Node's globals everywhere but shared/ (none) and renderer/ (the browser's, below).
    ignores: ['shared/**', 'renderer/**'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
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
    languageOptions: { globals: { ...globals.es2023 } },
    rules: {
      ...restrict(
        [
          'electron',
          'react',
          'react-dom',
          'better-sqlite3',
          'drizzle-orm',
          'drizzle-orm/*',
          '**/main/**',
          '**/renderer/**',
          '**/server/**',
        ],
        'shared/ is pure: no Node, DOM, Electron, database or app-side imports',
        { node: true },
      ),
      ...restrictGlobals(
        hostGlobals,
        'shared/ runs on the desktop, in the browser and on the server: use only what ES2023 provides, or take it as a parameter',
      ),
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...restrict(
        ['electron', 'better-sqlite3', '**/main/**', '**/server/**'],
        'the renderer never sees Node, Electron or the store (rules 4 and 11)',
        { node: true },
      ),
      ...restrictGlobals(
        nodeOnlyGlobals,
        'the renderer runs in the browser: no Node globals (rule 11); ask main through the contract',
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
