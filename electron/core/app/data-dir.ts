import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Where Tandem keeps its data when nobody said otherwise: the per-user app
 * data folder that Electron's `app.getPath('userData')` also uses.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.TANDEM_HOME) return resolve(env.TANDEM_HOME);
  const home = homedir();
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Tandem');
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Tandem');
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'Tandem');
}

/** The layout inside the data dir (documented in the README). */
export function dataLayout(dataDir: string) {
  return {
    root: dataDir,
    settings: join(dataDir, 'settings.json'),
    chats: join(dataDir, 'chats'),
    models: join(dataDir, 'models'),
    logs: join(dataDir, 'logs'),
  };
}
export type DataLayout = ReturnType<typeof dataLayout>;
