import { app, BrowserWindow, dialog, shell, type OpenDialogOptions } from 'electron';
import { join } from 'node:path';
import { toTandemError } from '../../shared/ipc/errors';
import { createCore, type Core } from '../core/app/create-core';
import { createLogger } from '../core/app/logger';
import { registerIpcTransport } from './ipc-transport';
import { safeStorageCipher } from './safe-storage-cipher';
import { setupUpdates, type UpdateGlue } from './updater';
import { createMainWindow, hardenSession, trustedUrlCheck, type WindowTarget } from './window';

/**
 * Electron glue only: lifecycle, the window, and the IPC transport. Every
 * service comes from the core composition root and is disposed in reverse on
 * quit, SIGINT or SIGTERM. A start-up failure is shown in an error dialog and
 * exits with status 1; a second instance only focuses the first one.
 */
const logger = createLogger('info');

app.enableSandbox();
if (app.requestSingleInstanceLock()) {
  run();
} else {
  // Another Tandem already runs (it focuses its window on 'second-instance'): start nothing here.
  app.quit();
}

/**
 * The one folder of bundled files (model catalog, prices, puzzles): what
 * electron-builder's extraResources copies beside app.asar when packaged,
 * the checkout's resources/ under `npm start` / `npm run dev`.
 */
function resourcesDir(): string {
  return app.isPackaged ? process.resourcesPath : join(app.getAppPath(), 'resources');
}

function run(): void {
  let core: Core | null = null;
  let detachIpc: (() => void) | null = null;
  let updates: UpdateGlue | null = null;
  let quitting = false;
  let dataDir = process.env.TANDEM_HOME ?? '';

  const target: WindowTarget = {
    devUrl: process.env.ELECTRON_RENDERER_URL ?? null,
    rendererDir: join(__dirname, '../renderer'),
    preloadPath: join(__dirname, '../preload/index.cjs'),
  };

  async function start(): Promise<void> {
    dataDir ||= app.getPath('userData');
    hardenSession(target.devUrl);
    core = await createCore({
      dataDir,
      modelsDirs: process.env.TANDEM_MODELS_DIR ? process.env.TANDEM_MODELS_DIR.split(process.platform === 'win32' ? ';' : ':') : [],
      mode: 'desktop',
      version: app.getVersion(),
      logger,
      resourcesDir: resourcesDir(),
      secretCipher: safeStorageCipher() ?? undefined,
      // "Open in system viewer" for a cited document; the page cannot be passed to an arbitrary viewer.
      openPath: async (path) => {
        const problem = await shell.openPath(path);
        if (problem) throw new Error(problem);
      },
      // [issue 13] An MCP server's OAuth consent page opens in the system browser (only http(s) links).
      openExternal: async (url) => {
        if (/^https?:\/\//.test(url)) await shell.openExternal(url);
      },
      // Documents → Add folder: the system folder picker, attached to the window.
      pickFolder: async () => {
        const window = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
        const options: OpenDialogOptions = { properties: ['openDirectory', 'multiSelections'] };
        const picked = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
        return picked.canceled ? null : picked.filePaths;
      },
    });
    detachIpc = registerIpcTransport(core.rpc, trustedUrlCheck(target));
    createMainWindow(target);
    updates = await setupUpdates({
      feedUrl: core.settings.get().updates.feedUrl,
      dataDir,
      logger,
      isPackaged: app.isPackaged,
      exit: () => app.exit(0),
    }).catch(
      (error: unknown) => {
        logger.warn(`updates are off for this run: ${(error as Error).message}`);
        return null;
      },
    );
  }

  /** No window, no silent exit: the person sees why, and the exit status says it failed. */
  async function failedToStart(error: unknown): Promise<void> {
    quitting = true;
    logger.error('Tandem could not start', error);
    dialog.showErrorBox(
      'Tandem could not start',
      `${toTandemError(error).message}\n\n${dataDir ? `Data folder: ${dataDir}\n` : ''}Fix the problem above (or start with another data folder via TANDEM_HOME) and open Tandem again.`,
    );
    detachIpc?.();
    await core?.dispose().catch((disposeError: unknown) => logger.error('Tandem could not shut down cleanly', disposeError));
    app.exit(1);
  }

  async function shutdown(): Promise<void> {
    if (quitting) return;
    quitting = true;
    detachIpc?.();
    await core?.dispose();
    // A downloaded update installs now, after the config files are backed up; the installer quits the app.
    if (await updates?.installOnQuit()) return;
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

  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => failedToStart(error));
}
