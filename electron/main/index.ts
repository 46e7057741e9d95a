import { app, BrowserWindow, shell } from 'electron';
import { join } from 'node:path';
import { createCore, type Core } from '../core/app/create-core';
import { createLogger } from '../core/app/logger';
import { registerIpcTransport } from './ipc-transport';
import { safeStorageCipher } from './safe-storage-cipher';
import { createMainWindow, hardenSession, trustedUrlCheck, type WindowTarget } from './window';

/**
 * Electron glue only: lifecycle, the window, and the IPC transport. Every
 * service comes from the core composition root and is disposed in reverse on
 * quit, SIGINT or SIGTERM.
 */
const logger = createLogger('info');
let core: Core | null = null;
let detachIpc: (() => void) | null = null;
let quitting = false;

app.enableSandbox();
if (!app.requestSingleInstanceLock()) app.quit();

const target: WindowTarget = {
  devUrl: process.env.ELECTRON_RENDERER_URL ?? null,
  rendererDir: join(__dirname, '../renderer'),
  preloadPath: join(__dirname, '../preload/index.cjs'),
};

async function start(): Promise<void> {
  hardenSession(target.devUrl);
  core = await createCore({
    dataDir: process.env.TANDEM_HOME ?? app.getPath('userData'),
    modelsDirs: process.env.TANDEM_MODELS_DIR ? process.env.TANDEM_MODELS_DIR.split(process.platform === 'win32' ? ';' : ':') : [],
    mode: 'desktop',
    version: app.getVersion(),
    logger,
    secretCipher: safeStorageCipher() ?? undefined,
    // "Open in system viewer" for a cited document; the page cannot be passed to an arbitrary viewer.
    openPath: async (path) => {
      const problem = await shell.openPath(path);
      if (problem) throw new Error(problem);
    },
  });
  detachIpc = registerIpcTransport(core.rpc, trustedUrlCheck(target));
  createMainWindow(target);
}

async function shutdown(): Promise<void> {
  if (quitting) return;
  quitting = true;
  detachIpc?.();
  await core?.dispose();
  app.exit(0);
}

app.on('second-instance', () => {
  const [window] = BrowserWindow.getAllWindows();
  if (window) {
    if (window.isMinimized()) window.restore();
    window.focus();
  }
});
app.on('activate', () => {
  if (BrowserWindow.getAllWindows().length === 0 && core) createMainWindow(target);
});
app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') void shutdown();
});
app.on('before-quit', (event) => {
  if (!quitting) {
    event.preventDefault();
    void shutdown();
  }
});
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());

app.whenReady().then(start, (error: unknown) => {
  logger.error('Tandem could not start', error);
  app.exit(1);
});
