import { spawn, type ChildProcess } from 'node:child_process';
import { delimiter } from 'node:path';

const START = '__TANDEM_PATH_START__';
const END = '__TANDEM_PATH_END__';

/**
 * The PATH stdio servers get: the user's login-shell PATH (where nvm, Homebrew
 * and uv put npx/uvx, which an app started from the dock does not see) added
 * after this process's PATH. Asked once, in the background, with a short
 * timeout; Windows keeps its own PATH.
 */
export class LoginShellPath {
  private pending: Promise<string> | null = null;
  private settled: string | null = null;

  constructor(
    private readonly options: { env?: NodeJS.ProcessEnv; platform?: NodeJS.Platform; timeoutMs?: number; enabled?: boolean } = {},
  ) {}

  /** Starts asking the shell (idempotent); `get()` waits for it, never longer than the timeout. */
  get(): Promise<string> {
    this.pending ??= this.resolve().then((path) => (this.settled = path));
    return this.pending;
  }

  /** The merged PATH once the shell has answered; null while it is still being asked (or never was). */
  ifReady(): string | null {
    return this.settled;
  }

  private async resolve(): Promise<string> {
    const env = this.options.env ?? process.env;
    const own = env.PATH ?? env.Path ?? '';
    const platform = this.options.platform ?? process.platform;
    if (this.options.enabled === false || platform === 'win32' || !env.SHELL) return own;
    const login = await readLoginShellPath(env.SHELL, this.options.timeoutMs ?? 1500, env);
    // Ours first: a terminal's PATH (an active venv, an nvm version) wins; the login shell only adds what is missing.
    return login ? mergePaths(own, login) : own;
  }
}

/** `$SHELL -ilc 'printf …'`, marker-delimited so rc-file chatter is ignored; null on any failure or timeout. */
export function readLoginShellPath(shell: string, timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  return new Promise((resolve) => {
    let stdout = '';
    let child: ChildProcess;
    try {
      // ${PATH} braced: the marker's underscores would otherwise extend the variable name.
      child = spawn(shell, ['-ilc', `printf '%s' "${START}\${PATH}${END}"`], {
        env: { ...env, TANDEM_RESOLVING_PATH: '1' },
        stdio: ['ignore', 'pipe', 'ignore'],
        // Its own group, so a timeout also ends what rc files started (nvm, sleep…).
        detached: true,
        windowsHide: true,
      });
    } catch {
      resolve(null);
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      resolve(null);
    }, timeoutMs);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < 1024 * 1024) stdout += chunk;
    });
    child.once('error', () => {
      clearTimeout(timer);
      resolve(null);
    });
    child.once('close', () => {
      clearTimeout(timer);
      const match = stdout.match(new RegExp(`${START}(.*?)${END}`, 's'));
      resolve(match?.[1]?.trim() ? match[1].trim() : null);
    });
  });
}

/** `first`'s entries, then `second`'s entries not already there. */
export function mergePaths(first: string, second: string, sep: string = delimiter): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const dir of [...first.split(sep), ...second.split(sep)]) {
    if (!dir || seen.has(dir)) continue;
    seen.add(dir);
    out.push(dir);
  }
  return out.join(sep);
}
