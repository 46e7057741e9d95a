import type { AppUpdater } from 'electron-updater';
import { backupConfigFiles } from '../core/app/config-backup';
import type { Logger } from '../core/app/logger';

export interface UpdateGlue {
  /**
   * Called when Tandem quits. With a downloaded update: backs up the config
   * files, then hands over to the installer (which quits the app) and answers
   * true. Without one, or when the backup failed, answers false and installs
   * nothing.
   */
  installOnQuit(): Promise<boolean>;
}

export interface UpdateOptions {
  /** `settings.updates.feedUrl`: a generic-provider feed; null turns updates off. */
  feedUrl: string | null;
  dataDir: string;
  logger: Logger;
  /** Updates only apply to an installed app (never to `npm start`). */
  isPackaged: boolean;
  /**
   * Ends the app for good (main passes `() => app.exit(0)`): called when the
   * installer has not quit Tandem within `exitFallbackMs` (default 30 s), so a
   * failed hand-over never leaves it running windowless with its core shut down.
   */
  exit?: () => void;
  exitFallbackMs?: number;
}

/**
 * electron-updater with a generic feed from settings (off when unset). It
 * checks once at start-up and downloads in the background; the update is
 * installed only when Tandem quits, after the data dir's config files are
 * backed up (auto-install on quit is off, so nothing installs without that
 * backup). A changed feed URL applies at the next start.
 */
export async function setupUpdates(options: UpdateOptions): Promise<UpdateGlue | null> {
  const { feedUrl, dataDir, logger } = options;
  if (!feedUrl || !options.isPackaged) return null;
  // Loaded only when updates are on: electron-updater is CommonJS and reads Electron's app at import.
  const module = (await import('electron-updater')) as unknown as { autoUpdater?: AppUpdater; default?: { autoUpdater: AppUpdater } };
  const autoUpdater = module.autoUpdater ?? module.default!.autoUpdater;
  autoUpdater.setFeedURL({ provider: 'generic', url: feedUrl });
  autoUpdater.autoDownload = true;
  autoUpdater.autoInstallOnAppQuit = false;
  autoUpdater.allowDowngrade = false;
  autoUpdater.logger = {
    info: (message?: unknown) => logger.info(`updates: ${String(message)}`),
    warn: (message?: unknown) => logger.warn(`updates: ${String(message)}`),
    error: (message?: unknown) => logger.error(`updates: ${String(message)}`),
    debug: (message: string) => logger.debug(`updates: ${message}`),
  };
  let downloaded: string | null = null;
  autoUpdater.on('update-downloaded', (info) => {
    downloaded = info.version;
    logger.info(`updates: Tandem ${info.version} is downloaded and installs when Tandem quits`);
  });
  autoUpdater.on('error', (error) => logger.warn(`updates: ${error.message}`));
  autoUpdater.checkForUpdates().catch((error: unknown) => logger.warn(`updates: the check failed: ${(error as Error).message}`));

  return {
    async installOnQuit() {
      if (!downloaded) return false;
      try {
        const backup = await backupConfigFiles(dataDir);
        logger.info(`updates: config backed up to ${backup.dir} (${backup.files.join(', ') || 'nothing to back up'})`);
      } catch (error) {
        logger.error(`updates: Tandem ${downloaded} was not installed because the config files could not be backed up`, error);
        return false;
      }
      // Silent: the installer reuses the current install folder; it runs after Tandem has quit.
      try {
        autoUpdater.quitAndInstall(true, false);
      } catch (error) {
        logger.error(`updates: the installer for Tandem ${downloaded} could not start`, error);
      }
      // quitAndInstall normally quits the app; if it did not, the core is already shut down: exit anyway.
      const exit = options.exit;
      if (exit) {
        const fallback = setTimeout(() => {
          logger.warn('updates: the installer did not quit Tandem; exiting');
          exit();
        }, options.exitFallbackMs ?? 30_000);
        fallback.unref();
      }
      return true;
    },
  };
}
