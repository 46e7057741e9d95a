import { resolve } from 'node:path';
import { defineConfig, type UserConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The renderer's Vite config. electron-vite (electron.vite.config.ts) uses it
 * for the window's bundle; serve mode serves the same build to a browser.
 */
export const rendererConfig: UserConfig = {
  root: resolve(__dirname, 'renderer'),
  base: './',
  plugins: [react()],
  build: {
    outDir: resolve(__dirname, 'out/renderer'),
    emptyOutDir: true,
    minify: true,
    chunkSizeWarningLimit: 2000,
    rollupOptions: { input: { index: resolve(__dirname, 'renderer/index.html') } },
  },
};

export default defineConfig(rendererConfig);
