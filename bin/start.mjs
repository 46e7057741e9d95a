#!/usr/bin/env node
// `npm start`: the desktop app when Electron's binary is installed (electron-vite preview); otherwise
// Tandem in the browser (serve mode), after one line that says why and how to get the desktop app.
// Arguments after `npm start --` go to electron-vite preview, or to `tandem serve` (e.g. --port 8123).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);

/**
 * Electron's executable, or null when it is not installed. Found the way electron-vite finds it
 * (ELECTRON_EXEC_PATH, else node_modules/electron/path.txt + dist/); never through require('electron'),
 * which tries to download the binary.
 */
function electronBinary() {
  if (process.env.ELECTRON_EXEC_PATH) return existsSync(process.env.ELECTRON_EXEC_PATH) ? process.env.ELECTRON_EXEC_PATH : null;
  const moduleDir = join(root, 'node_modules', 'electron');
  const pathFile = join(moduleDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(moduleDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

/** Runs a child with our stdio (or stdout piped to `onLine`), forwards Ctrl-C and SIGTERM, and exits with its status. */
function run(command, commandArgs, onLine) {
  const child = spawn(command, commandArgs, { cwd: root, stdio: ['inherit', onLine ? 'pipe' : 'inherit', 'inherit'] });
  if (onLine) {
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      buffered += chunk.toString('utf8');
      let end;
      while ((end = buffered.indexOf('\n')) >= 0) {
        onLine(buffered.slice(0, end));
        buffered = buffered.slice(end + 1);
      }
    });
  }
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

/** Opens the URL in the default browser when there is a desktop session to show it in. */
function openBrowser(url) {
  if (process.env.TANDEM_NO_BROWSER) return;
  let command;
  let commandArgs = [url];
  if (process.platform === 'darwin') command = 'open';
  else if (process.platform === 'win32') [command, commandArgs] = ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]];
  else if (process.env.DISPLAY || process.env.WAYLAND_DISPLAY) command = 'xdg-open';
  else return;
  const opener = spawn(command, commandArgs, { stdio: 'ignore', detached: true, windowsVerbatimArguments: process.platform === 'win32' });
  opener.on('error', () => process.stderr.write(`Open ${url} in your browser.\n`));
  opener.unref();
}

if (electronBinary()) {
  run(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'preview', ...args]);
} else {
  process.stderr.write(
    "Electron's binary is not installed (npm install could not download it), so Tandem opens in your browser instead; for the desktop app run `node node_modules/electron/install.js` (or `npm rebuild electron`) on a machine with internet access.\n",
  );
  let opened = false;
  run(process.execPath, [join(root, 'bin', 'tandem.mjs'), 'serve', ...args], (line) => {
    const match = /^Tandem is serving at (\S+)/.exec(line);
    if (match && !opened) {
      opened = true;
      openBrowser(match[1]);
    }
  });
}
