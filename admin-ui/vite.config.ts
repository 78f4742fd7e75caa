/**
 * Build of the web app. No React plugin: Vite 8's built-in Oxc transform compiles JSX with the
 * automatic runtime. `vite build --config admin-ui/vite.config.ts` writes admin-ui/dist, which the
 * express server serves (with SPA fallback).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: path.join(here, 'dist'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2500,
    rolldownOptions: {
      onwarn(warning, warn) {
        // MUI and react-admin mark modules 'use client' (for server components); irrelevant in an SPA.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  server: {
    // `vite --config admin-ui/vite.config.ts` during development: the API runs on `npm start`.
    proxy: { '/api': 'http://localhost:3000' },
  },
});
