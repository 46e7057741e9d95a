import { resolve } from 'node:path';
import { defineConfig, type UserConfig } from 'vite';
import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';

/**
 * Under the dev server only: the CSP <meta> in index.html lets Vite's inline
 * React-refresh script and its HMR WebSocket through (as electron/main/window.ts
 * does for the header). Built files keep the strict policy.
 */
function relaxCspForDevServer(): Plugin {
  return {
    name: 'tandem-relax-csp-for-dev-server',
    apply: 'serve',
    transformIndexHtml: (html) => html.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace("connect-src 'self'", "connect-src 'self' ws: wss:"),
  };
}

/**
 * The renderer's Vite config. electron-vite (electron.vite.config.ts) uses it
 * for the window's bundle; serve mode serves the same build to a browser.
 */
export const rendererConfig: UserConfig = {
  root: resolve(__dirname, 'renderer'),
  base: './',
  plugins: [react(), relaxCspForDevServer()],
  build: {
    outDir: resolve(__dirname, 'out/renderer'),
    emptyOutDir: true,
    minify: true,
    chunkSizeWarningLimit: 2000,
    rollupOptions: { input: { index: resolve(__dirname, 'renderer/index.html') } },
  },
};

export default defineConfig(rendererConfig);
