import { BrowserWindow, session, shell } from 'electron';
import { join } from 'node:path';
import { contentSecurityPolicy } from '../core/server/static-files';

export interface WindowTarget {
  /** The dev server URL under `npm run dev`, else null (the built file is loaded). */
  devUrl: string | null;
  rendererDir: string;
  preloadPath: string;
}

/** Whether a URL is our own renderer (dev server origin or the built file). */
export function trustedUrlCheck(target: WindowTarget): (url: string) => boolean {
  const devOrigin = target.devUrl ? new URL(target.devUrl).origin : null;
  const fileRoot = `file://${target.rendererDir.replace(/\\/g, '/')}`;
  return (url) => {
    try {
      const parsed = new URL(url);
      if (devOrigin && parsed.origin === devOrigin) return true;
      return parsed.protocol === 'file:' && decodeURI(url).startsWith(fileRoot.startsWith('file:///') ? fileRoot : fileRoot.replace('file://', 'file:///'));
    } catch {
      return false;
    }
  };
}

/** Hardening that applies to the whole session: CSP on every response, no permissions. */
export function hardenSession(devUrl: string | null): void {
  const csp = devUrl
    ? // Vite's dev server needs inline scripts for React refresh and a WebSocket for HMR.
      contentSecurityPolicy()
        .replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
        .replace("connect-src 'self'", `connect-src 'self' ws://${new URL(devUrl).host}`)
    : contentSecurityPolicy();
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
}

export function createMainWindow(target: WindowTarget): BrowserWindow {
  const window = new BrowserWindow({
    width: 1200,
    height: 800,
    minWidth: 720,
    minHeight: 480,
    title: 'Tandem',
    show: false,
    backgroundColor: '#111318',
    webPreferences: {
      preload: target.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: true,
      // Middle-click cannot open links in new windows (Electronegativity AUXCLICK_JS_CHECK).
      disableBlinkFeatures: 'Auxclick',
    },
  });
  const isTrusted = trustedUrlCheck(target);
  window.webContents.on('will-navigate', (event, url) => {
    if (!isTrusted(url)) {
      event.preventDefault();
      openExternal(url);
    }
  });
  window.webContents.setWindowOpenHandler(({ url }) => {
    openExternal(url);
    return { action: 'deny' };
  });
  window.webContents.on('will-attach-webview', (event) => event.preventDefault());
  window.once('ready-to-show', () => window.show());
  if (target.devUrl) void window.loadURL(target.devUrl);
  else void window.loadFile(join(target.rendererDir, 'index.html'));
  return window;
}

/** Only web links leave the app, and they go to the system browser. */
function openExternal(url: string): void {
  try {
    const { protocol } = new URL(url);
    if (protocol === 'https:' || protocol === 'http:' || protocol === 'mailto:') void shell.openExternal(url);
  } catch {
    // not a URL: ignore
  }
}
