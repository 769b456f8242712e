/**
 * electron-vite build of the desktop app: main (ESM, dependencies left in node_modules,
 * better-sqlite3's native module never bundled, with the engine's worker threads), the sandboxed preload (one CJS file
 * with the API table bundled in, since a sandboxed preload can only require 'electron'),
 * and the renderer with the same settings as the browser build.
 */
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { rendererConfig } from './vite.renderer.config.mts';

const root = import.meta.dirname;

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      externalizeDeps: { include: ['better-sqlite3'] },
      rolldownOptions: {
        // The engine's worker threads sit beside index.js, where src/engine/worker-thread.ts looks
        // for them: validation and run-bundle import then leave the main process's loop free.
        input: {
          index: resolve(root, 'src/main/index.ts'),
          'validate.worker': resolve(root, 'src/engine/workflow/validate.worker.ts'),
          'bundle-import.worker': resolve(root, 'src/engine/runs/bundle-import.worker.ts'),
        },
        external: ['better-sqlite3', 'electron'],
        // Shared chunks beside the entries too: a worker is looked up next to its caller's module.
        output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      // Sandboxed preloads cannot require node_modules: bundle zod and the contract in.
      externalizeDeps: false,
      isolatedEntries: true,
      rolldownOptions: {
        input: { index: resolve(root, 'electron/preload.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    ...rendererConfig,
    build: {
      ...rendererConfig.build,
      outDir: resolve(root, 'out/renderer'),
      rolldownOptions: { input: { index: resolve(root, 'src/renderer/index.html') } },
    },
  },
});
