import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { repoRoot } from '../support/paths';
import { SERVING_LINE, TandemProcess } from '../support/serve-process';
import { TempDirs } from '../support/temp-dir';
import { waitUntil } from '../support/wait';
import { BUILT_MAIN, ensureBuilt, STAND_IN_FLAGS } from './support/run-main';

/**
 * `npm start` (bin/start.mjs), the README's start command: without
 * Electron's binary it says so in one line and serves Tandem to the browser;
 * with it, it runs electron-vite preview (here a stand-in Electron binary
 * that runs the built main process under Node).
 */
const temp = new TempDirs();
const launcher = join(repoRoot, 'bin', 'start.mjs');

const launched: TandemProcess[] = [];

beforeAll(() => ensureBuilt());
// The launcher and everything beneath it (electron-vite preview, the stand-in Electron, tandem serve) end with each test.
afterEach(async () => {
  for (const start of launched.splice(0)) {
    start.killGroup('SIGKILL');
    await start.exited;
  }
});
afterAll(() => temp.removeAll());

/** bin/start.mjs in its own process group, so a kill reaches what it started. */
function startLauncher(args: string[], env: NodeJS.ProcessEnv): TandemProcess {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, TANDEM_LOG_LEVEL: 'warn', ...env };
  delete childEnv.TANDEM_RESOURCES_DIR;
  const child = spawn(process.execPath, [launcher, ...args], { cwd: repoRoot, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const start = new TandemProcess(child, { group: true });
  launched.push(start);
  return start;
}

test('npm start runs this launcher (the README says `npm install && npm start`)', () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  expect(pkg.scripts.start).toBe('node bin/start.mjs');
});

test('without Electrons binary: one line saying so and how to get it, then serve mode at a printed address (and the browser opens)', async () => {
  const dir = await temp.make('tandem-start-');
  // A desktop session whose browser opener records the URL it was given.
  const opened = join(dir, 'opened.txt');
  writeFileSync(join(dir, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`);
  chmodSync(join(dir, 'xdg-open'), 0o755);
  const start = startLauncher([], {
    ELECTRON_EXEC_PATH: join(dir, 'no-electron-here', 'electron'),
    TANDEM_HOME: join(dir, 'data'),
    DISPLAY: ':0',
    PATH: `${dir}:${process.env.PATH ?? ''}`,
  });
  try {
    const [line] = await start.waitForStdout(/^Tandem is serving at .*$/m);
    const stderrLines = start.stderr().trim().split('\n');
    expect(stderrLines[0]).toMatch(/^Electron's binary is not installed .*browser.*node node_modules\/electron\/install\.js.*internet/);
    expect(start.stderr()).not.toMatch(/Electron uninstall/);
    const url = line.slice('Tandem is serving at '.length);
    expect(line).toMatch(SERVING_LINE);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    await waitUntil(() => existsSync(opened), 'the browser to be opened');
    expect(readFileSync(opened, 'utf8')).toBe(url);
  } finally {
    expect(await start.stop()).toBe(0);
  }
});

test('with Electrons binary: electron-vite preview starts the desktop app', async () => {
  const dir = await temp.make('tandem-start-electron-');
  const report = join(dir, 'report.jsonl');
  // Stands in for Electron's binary: runs the app folder electron-vite hands it under Node with the stand-in module.
  const fakeElectron = join(dir, 'electron');
  writeFileSync(fakeElectron, `#!/bin/sh\nexec '${process.execPath}' ${STAND_IN_FLAGS.map((f) => `'${f}'`).join(' ')} "$@"\n`);
  chmodSync(fakeElectron, 0o755);
  const start = startLauncher(['--skipBuild'], {
    ELECTRON_EXEC_PATH: fakeElectron,
    SMOKE_REPORT: report,
    STAND_IN_USER_DATA: join(dir, 'data'),
  });
  const { code } = await start.waitForExit(60_000);
  expect(code, start.stderr()).toBe(0);
  expect(start.stderr()).not.toMatch(/not installed/);
  const events = readFileSync(report, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string; file?: string });
  expect(events.find((e) => e.event === 'load')?.file).toBe(join(repoRoot, 'out', 'renderer', 'index.html'));
  expect(events.some((e) => e.event === 'renderer')).toBe(true);
  expect(existsSync(BUILT_MAIN)).toBe(true);
});
