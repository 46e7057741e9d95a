import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, tandemBin } from './paths';

/** The one line `tandem serve` prints on stdout. */
export const SERVING_LINE = /^Tandem is serving at http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]+)$/;

/** serve builds the UI on first run; doing it once up front keeps that out of every test's timing. */
export function ensureUiBuilt(): void {
  if (existsSync(join(repoRoot, 'out', 'renderer', 'index.html'))) return;
  const build = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stderr}`);
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Process groups started here (detached children) that may still hold processes: ended when the test process exits. */
const groups = new Set<TandemProcess>();
let exitHook = false;

/** A `tandem` child process (`node bin/tandem.mjs …`) with its output captured. */
export class TandemProcess {
  private out = '';
  private err = '';
  readonly exited: Promise<ExitStatus>;
  /** The child leads its own process group (spawned `detached`): kills reach everything it started. */
  readonly group: boolean;

  constructor(
    readonly child: ChildProcess,
    options: { group?: boolean } = {},
  ) {
    this.group = options.group === true && child.pid !== undefined;
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (this.out += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.err += chunk));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    if (this.group) {
      groups.add(this);
      if (!exitHook) {
        exitHook = true;
        process.once('exit', () => {
          for (const started of groups) started.killGroup();
        });
      }
    }
  }

  /** Starts `tandem` with `args` in its own process group; logs at warn unless `env` says otherwise. */
  static start(args: string[], env: NodeJS.ProcessEnv = {}): TandemProcess {
    const child = spawn(process.execPath, [tandemBin, ...args], {
      cwd: repoRoot,
      env: { ...process.env, TANDEM_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    return new TandemProcess(child, { group: true });
  }

  /**
   * Sends `signal` (default SIGKILL) to the child's whole process group (what
   * it started: electron-vite preview, a stand-in Electron, tandem serve, MCP
   * servers), or to the child alone when it has no group of its own.
   */
  killGroup(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (!this.group) {
      if (this.running) this.child.kill(signal);
      return;
    }
    try {
      process.kill(-this.child.pid!, signal);
    } catch {
      // ESRCH: every process of the group has exited.
    }
    if (signal === 'SIGKILL') groups.delete(this);
  }

  stdout(): string {
    return this.out;
  }

  stderr(): string {
    return this.err;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves once stdout matches `pattern`; fails early if the process exits. */
  async waitForStdout(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.out.match(pattern);
      if (match) return match;
      if (!this.running) throw new Error(`tandem exited before printing ${pattern}\nstdout: ${this.out}\nstderr: ${this.err}`);
      if (Date.now() > deadline) throw new Error(`tandem did not print ${pattern} in ${timeoutMs} ms\nstderr: ${this.err}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Waits for the exit; SIGKILLs and fails if it takes longer than `timeoutMs`. */
  async waitForExit(timeoutMs = 20_000): Promise<ExitStatus> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const outcome = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.killGroup('SIGKILL');
      await this.exited;
      throw new Error(`tandem did not exit within ${timeoutMs} ms\nstderr: ${this.err}`);
    }
    return outcome;
  }

  /** Sends `signal` and waits for the exit; answers the exit code (null when killed by a signal). */
  async stop(options: { signal?: NodeJS.Signals; timeoutMs?: number } = {}): Promise<number | null> {
    if (this.running) this.child.kill(options.signal ?? 'SIGTERM');
    try {
      const { code } = await this.waitForExit(options.timeoutMs ?? 20_000);
      return code;
    } finally {
      // Whatever it started and left running goes too.
      if (this.group) this.killGroup('SIGKILL');
    }
  }
}

/** A running `tandem serve`, with the address and token it printed. */
export class ServeProcess extends TandemProcess {
  /** The printed URL: http://127.0.0.1:PORT/?token=TOKEN */
  url = '';
  port = 0;
  token = '';
}

export interface StartServeOptions {
  dataDir: string;
  /** One models folder (shorthand for `modelsDirs: [dir]`). */
  modelsDir?: string;
  modelsDirs?: string[];
  env?: NodeJS.ProcessEnv;
}

/** Starts `tandem serve --port 0` and resolves once it printed where it serves. */
export async function startServe(options: StartServeOptions): Promise<ServeProcess> {
  ensureUiBuilt();
  const args = ['--data-dir', options.dataDir];
  for (const dir of [...(options.modelsDir ? [options.modelsDir] : []), ...(options.modelsDirs ?? [])]) args.push('--models-dir', dir);
  args.push('serve', '--port', '0');
  const child = spawn(process.execPath, [tandemBin, ...args], {
    cwd: repoRoot,
    env: { ...process.env, TANDEM_LOG_LEVEL: 'warn', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const serve = new ServeProcess(child, { group: true });
  try {
    const match = await serve.waitForStdout(/^.*\n/);
    const parsed = match[0].trimEnd().match(SERVING_LINE);
    if (!parsed) throw new Error(`unexpected first stdout line from tandem serve: ${JSON.stringify(match[0])}`);
    serve.url = match[0].trimEnd().slice('Tandem is serving at '.length);
    serve.port = Number(parsed[1]);
    serve.token = parsed[2] ?? '';
  } catch (error) {
    serve.killGroup('SIGKILL');
    throw error;
  }
  return serve;
}
