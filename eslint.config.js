// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layer rule (DESIGN.md §1): imports only go down.
 * contract ← engine ← (main, server, cli); renderer → contract only; electron → contract only.
 */
const layer = (files, patterns, message) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
  },
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'release/**', 'coverage/**', 'docs/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { console: 'readonly', process: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  layer(
    ['src/contract/**'],
    ['**/engine/**', '**/main/**', '**/server/**', '**/cli/**', '**/renderer/**', 'node:*', 'electron', 'react', 'react-dom', 'better-sqlite3'],
    'src/contract imports nothing of ours and no Node, DOM or Electron APIs.',
  ),
  layer(
    ['src/engine/**'],
    ['**/main/**', '**/server/**', '**/cli/**', '**/renderer/**', 'electron', 'react', 'react-dom', '@xyflow/*', 'zustand'],
    'src/engine imports only src/contract: never Electron, React or the transports.',
  ),
  layer(
    ['src/renderer/**'],
    ['**/engine/**', '**/main/**', '**/server/**', '**/cli/**', 'node:*', 'electron', 'better-sqlite3', 'fs', 'path', 'child_process'],
    'src/renderer talks only to window.awe and imports only src/contract.',
  ),
  layer(
    ['electron/**'],
    ['**/engine/**', '**/server/**', '**/cli/**', '**/renderer/**', 'better-sqlite3'],
    'The preload imports contract types and Electron renderer-side APIs only.',
  ),
  layer(['src/server/**', 'src/cli/**'], ['**/renderer/**', '**/main/**', 'electron'], 'Headless code never imports Electron or the renderer.'),
  layer(['src/main/**'], ['**/renderer/**', '**/server/**', '**/cli/**'], 'The main process wires the engine to IPC only.'),
);
