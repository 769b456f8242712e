// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layer rule (DESIGN.md §1): imports only go down.
 * contract ← shared (pure code both sides compute: no Node, no DOM) ← engine ← host (handlers shared by main and server) ← (main, server, cli);
 * renderer → shared, contract; electron → contract only.
 */
const layer = (files, patterns, message) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
  },
});

/**
 * Layers above the engine: their own rule, and the engine only through its entries (tests may reach testkits):
 * src/engine/index.ts, or light.ts (reading runs only) and queue/ (its index: BullMQ), which load less.
 */
const above = (files, patterns, message) => {
  const group = { group: patterns, message };
  const viaIndex = {
    regex: '(^|/)engine/(?!(index|light|queue)$).+',
    message: 'Import the engine through src/engine/index.ts (or its light.ts and queue/ entries) only.',
  };
  return [
    { files, rules: { 'no-restricted-imports': ['error', { patterns: [group, viaIndex] }] } },
    { files: files.flatMap((f) => [f.replace('**', '**/*.test.ts'), f.replace('**', '**/*.testkit.ts')]), rules: { 'no-restricted-imports': ['error', { patterns: [group] }] } },
  ];
};

const ENGINE_NEVER = ['**/main/**', '**/server/**', '**/cli/**', '**/host/**', '**/renderer/**', 'electron', 'react', 'react-dom', '@xyflow/*', 'zustand'];

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
    ['**/shared/**', '**/engine/**', '**/main/**', '**/server/**', '**/cli/**', '**/renderer/**', 'node:*', 'electron', 'react', 'react-dom', 'better-sqlite3'],
    'src/contract imports nothing of ours and no Node, DOM or Electron APIs.',
  ),
  layer(
    ['src/shared/**'],
    ['**/engine', '**/engine/**', '**/host/**', '**/main/**', '**/server/**', '**/cli/**', '**/renderer/**', 'node:*', 'fs', 'path', 'crypto', 'child_process', 'electron', 'react', 'react-dom', 'better-sqlite3', '@xyflow/*', 'zustand'],
    'src/shared is pure: it imports only src/contract and zod (no Node, DOM, engine or renderer).',
  ),
  {
    files: ['src/shared/**'],
    ignores: ['src/shared/**/*.test.ts'],
    rules: {
      'no-restricted-globals': ['error', ...['window', 'document', 'navigator', 'localStorage', 'Buffer', 'process', 'require', '__dirname'].map((name) => ({ name, message: 'src/shared runs in the engine and the renderer alike: no Node or DOM globals.' }))],
    },
  },
  layer(
    ['src/engine/**'],
    ENGINE_NEVER,
    'src/engine imports only src/contract: never Electron, React or the transports.',
  ),
  // Inside the engine, folders import downwards: the document knows nothing of running it.
  layer(
    ['src/engine/workflow/**'],
    [...ENGINE_NEVER, '**/execution/**', '**/runs/**', '**/store/**', '../engine', '../index'],
    'src/engine/workflow (the document) imports no execution/, runs/ or store/.',
  ),
  {
    files: ['src/engine/execution/kinds/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: [...ENGINE_NEVER, '**/runs/**', '**/store/**', '../../engine', '../../index'], message: 'src/engine/execution/kinds imports no runs/ or store/.' },
            { regex: '^\\.\\./(?!\\.\\./)', message: 'src/engine/execution/kinds (how each kind runs) gets what it needs from the node runner: it imports nothing else of execution/.' },
          ],
        },
      ],
    },
  },
  layer(['src/engine/store/**'], [...ENGINE_NEVER, '**/execution/**', '../engine', '../index'], 'src/engine/store imports no execution/.'),
  layer(
    ['src/renderer/**'],
    ['**/engine/**', '**/main/**', '**/server/**', '**/cli/**', 'node:*', 'electron', 'better-sqlite3', 'fs', 'path', 'child_process'],
    'src/renderer talks only to window.awe and imports only src/contract and src/shared.',
  ),
  layer(
    ['electron/**'],
    ['**/engine/**', '**/server/**', '**/cli/**', '**/renderer/**', 'better-sqlite3'],
    'The preload imports contract types and Electron renderer-side APIs only.',
  ),
  ...above(['src/server/**', 'src/cli/**'], ['**/renderer/**', '**/main/**', 'electron'], 'Headless code never imports Electron or the renderer.'),
  ...above(['src/host/**'], ['**/renderer/**', '**/main/**', '**/server/**', '**/cli/**', 'electron'], 'src/host (shared by main and server) imports only the engine and the contract.'),
  ...above(['src/main/**'], ['**/renderer/**', '**/server/**', '**/cli/**'], 'The main process wires the engine to IPC only.'),
);
