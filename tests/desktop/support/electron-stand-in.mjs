// A stand-in for the `electron` module: only what Tandem's main process uses (app, BrowserWindow,
// ipcMain, safeStorage, shell, dialog, session), in plain Node. It records what the main process
// does in `standIn.events` so a driver (smoke-driver.mjs) can act as the renderer and report.
// Configured by environment variables:
//   STAND_IN_USER_DATA      what app.getPath('userData') answers
//   STAND_IN_APP_PATH       app.getAppPath() (default: as Electron, the folder with the app's package.json)
//   STAND_IN_RESOURCES_PATH process.resourcesPath; with it, app.isPackaged is true
//   STAND_IN_LOCK=lost      requestSingleInstanceLock() answers false (another instance runs)
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';

/** What the main process did: 'window', 'load', 'handle', 'error-box', 'quit', 'exit', 'headers', 'permissions'. */
export const standIn = { events: new EventEmitter(), windows: [], handlers: new Map(), session: {}, errorBoxes: [] };

const appPath = process.env.STAND_IN_APP_PATH ?? appFolder(resolve(process.argv[1]));

/** Like Electron: the folder given (`electron .`), else the nearest folder above the script with a package.json. */
function appFolder(entry) {
  if (statSync(entry).isDirectory()) return entry;
  for (let dir = dirname(entry); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${entry}`);
  }
}
if (process.env.STAND_IN_RESOURCES_PATH) process.resourcesPath = process.env.STAND_IN_RESOURCES_PATH;

class App extends EventEmitter {
  isPackaged = Boolean(process.env.STAND_IN_RESOURCES_PATH);
  #ready = false;
  #readyPromise = new Promise((resolveReady) =>
    setImmediate(() => {
      this.#ready = true;
      this.emit('ready');
      resolveReady();
    }),
  );
  enableSandbox() {
    standIn.sandbox = true;
  }
  requestSingleInstanceLock() {
    return process.env.STAND_IN_LOCK !== 'lost';
  }
  whenReady() {
    standIn.events.emit('when-ready');
    return this.#readyPromise;
  }
  isReady() {
    return this.#ready;
  }
  getAppPath() {
    return appPath;
  }
  getPath(name) {
    if (name === 'userData') return process.env.STAND_IN_USER_DATA ?? join(appPath, '.stand-in-user-data');
    throw new Error(`the stand-in knows no path ${name}`);
  }
  getVersion() {
    return JSON.parse(readFileSync(join(appPath, 'package.json'), 'utf8')).version;
  }
  getName() {
    return 'Tandem';
  }
  // Like Electron's, asynchronous: the code after app.quit() still runs, and before-quit may cancel it.
  quit() {
    standIn.events.emit('quit');
    setImmediate(() => {
      let prevented = false;
      this.emit('before-quit', { preventDefault: () => (prevented = true) });
      if (!prevented) this.exit(0);
    });
  }
  exit(code = 0) {
    standIn.events.emit('exit', code);
    process.exit(code);
  }
}
export const app = new App();

class WebContents extends EventEmitter {
  static #next = 1;
  id = WebContents.#next++;
  sent = [];
  #destroyed = false;
  setWindowOpenHandler(handler) {
    this.windowOpenHandler = handler;
  }
  isDestroyed() {
    return this.#destroyed;
  }
  send(channel, message) {
    this.sent.push({ channel, message });
    standIn.events.emit('send', channel, message);
  }
  destroy() {
    this.#destroyed = true;
    this.emit('destroyed');
  }
}

export class BrowserWindow extends EventEmitter {
  static getAllWindows() {
    return [...standIn.windows];
  }
  static getFocusedWindow() {
    return standIn.windows[0] ?? null;
  }
  constructor(options = {}) {
    super();
    this.options = options;
    this.webContents = new WebContents();
    this.visible = false;
    standIn.windows.push(this);
    standIn.events.emit('window', this);
  }
  async loadFile(path) {
    standIn.events.emit('load', this, { file: path });
    setImmediate(() => this.emit('ready-to-show'));
  }
  async loadURL(url) {
    standIn.events.emit('load', this, { url });
    setImmediate(() => this.emit('ready-to-show'));
  }
  show() {
    this.visible = true;
  }
  isMinimized() {
    return false;
  }
  restore() {}
  focus() {}
  close() {
    standIn.windows.splice(standIn.windows.indexOf(this), 1);
    this.webContents.destroy();
    this.emit('closed');
    if (standIn.windows.length === 0) app.emit('window-all-closed');
  }
}

export const ipcMain = {
  handle(channel, handler) {
    if (standIn.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    standIn.handlers.set(channel, handler);
    standIn.events.emit('handle', channel);
  },
  removeHandler(channel) {
    standIn.handlers.delete(channel);
  },
};

export const session = {
  defaultSession: {
    webRequest: {
      onHeadersReceived(listener) {
        standIn.session.onHeadersReceived = listener;
      },
    },
    setPermissionRequestHandler(handler) {
      standIn.session.permissionHandler = handler;
    },
  },
};

// Reversible, and marked, so a test can tell a sealed key from plain text; never real encryption.
export const safeStorage = {
  isEncryptionAvailable: () => true,
  getSelectedStorageBackend: () => 'gnome_libsecret',
  encryptString: (plain) => Buffer.from(`stand-in-sealed:${Buffer.from(plain, 'utf8').toString('hex')}`, 'utf8'),
  decryptString: (sealed) => Buffer.from(sealed.toString('utf8').replace(/^stand-in-sealed:/, ''), 'hex').toString('utf8'),
};

export const shell = {
  opened: [],
  async openPath(path) {
    this.opened.push(path);
    return '';
  },
  async openExternal(url) {
    this.opened.push(url);
  },
};

export const dialog = {
  /** Answers what STAND_IN_PICKED names (paths separated by the path delimiter), or a cancel. */
  async showOpenDialog(...args) {
    const options = args.at(-1);
    standIn.events.emit('open-dialog', options);
    const picked = process.env.STAND_IN_PICKED;
    return picked ? { canceled: false, filePaths: picked.split(delimiter) } : { canceled: true, filePaths: [] };
  },
  showErrorBox(title, content) {
    standIn.errorBoxes.push({ title, content });
    standIn.events.emit('error-box', { title, content });
  },
};

export default { app, BrowserWindow, ipcMain, session, safeStorage, shell, dialog };
