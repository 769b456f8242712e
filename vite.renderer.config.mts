/**
 * The renderer's Vite build: the same settings serve the browser build (`npm run build:web`,
 * served by `awe serve`) and, reused by electron.vite.config.ts, the Electron renderer.
 */
import { resolve } from 'node:path';
import { defineConfig, type UserConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = resolve(import.meta.dirname, 'src/renderer');

/** Shared with electron.vite.config.ts so both renderers are built alike. */
export const rendererConfig: UserConfig = {
  root,
  // Relative asset URLs: the page is loaded from a custom protocol in Electron and from any
  // path prefix behind `awe serve`.
  base: './',
  plugins: [react()],
  // The layout worker is an ES module worker (`new Worker(url, { type: 'module' })`).
  worker: { format: 'es' },
  build: {
    outDir: resolve(import.meta.dirname, 'out/renderer'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
};

export default defineConfig(rendererConfig);
