import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../../support/paths';

/** The main bundle `npm run build` writes (what the packaged app runs). */
export const BUILT_MAIN = join(repoRoot, 'out', 'main', 'index.js');

/** Node flags that put the stand-in `electron` and the smoke driver in front of a main bundle. */
export const STAND_IN_FLAGS = [
  '--import',
  pathToFileURL(join(repoRoot, 'tests', 'desktop', 'support', 'register-electron.mjs')).href,
  '--import',
  pathToFileURL(join(repoRoot, 'tests', 'desktop', 'support', 'smoke-driver.mjs')).href,
];

/** One line of the smoke driver's report (see smoke-driver.mjs). */
export type ReportEntry = { event: string } & Record<string, unknown>;

export interface MainRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  report: ReportEntry[];
  stderr: string;
  /** The first report entry of this kind, or a failure that shows the whole report. */
  entry<T = Record<string, unknown>>(event: string): ReportEntry & T;
  has(event: string): boolean;
}

/** Builds out/ when it is missing (`npm test` and `npm run test:desktop` build it first). */
export function ensureBuilt(): void {
  if (existsSync(BUILT_MAIN) && existsSync(join(repoRoot, 'out', 'renderer', 'index.html'))) return;
  const build = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stderr}`);
}

/**
 * Runs a built main process under plain Node with the stand-in electron
 * module; `env` configures the stand-in (STAND_IN_*). Resolves when it exits.
 */
export async function runMain(mainScript: string, reportFile: string, env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<MainRun> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, SMOKE_REPORT: reportFile, TANDEM_LOG_LEVEL: 'warn' };
  // The entry point must name the resources folder itself: nothing inherited from the test config.
  delete childEnv.TANDEM_RESOURCES_DIR;
  delete childEnv.TANDEM_HOME;
  const child = spawn(process.execPath, [...STAND_IN_FLAGS, mainScript], { cwd: repoRoot, env: childEnv, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
  clearTimeout(timer);
  const report: ReportEntry[] = existsSync(reportFile)
    ? readFileSync(reportFile, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as ReportEntry)
    : [];
  const describe = () => `exit ${code ?? signal}\nreport:\n${report.map((e) => JSON.stringify(e).slice(0, 500)).join('\n')}\nstderr:\n${stderr}`;
  return {
    code,
    signal,
    report,
    stderr,
    has: (event) => report.some((e) => e.event === event),
    entry: <T>(event: string) => {
      const found = report.find((e) => e.event === event);
      if (!found) throw new Error(`the main process never reported '${event}'\n${describe()}`);
      return found as ReportEntry & T;
    },
  };
}
