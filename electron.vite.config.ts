import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { rendererConfig } from './vite.config';

/**
 * electron-vite builds three bundles: main (ESM), preload (CommonJS, so the
 * window's sandbox can stay on) and the renderer (from vite.config.ts).
 */
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // Dependencies stay in node_modules (packed into app.asar), except ajv: its deep import
      // 'ajv/dist/2020' has no file extension, which Node's ESM loader (Electron's too) refuses.
      externalizeDeps: { exclude: ['ajv'] },
      rollupOptions: {
        input: { index: resolve(__dirname, 'electron/main/index.ts') },
        external: ['node-llama-cpp', 'ws', 'zod'],
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(__dirname, 'electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: rendererConfig,
});
