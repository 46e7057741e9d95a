import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

export interface NodeChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines of stdout and stderr together. */
  tail: string[];
}

export interface NodeChildOptions {
  env: Record<string, string>;
  /** Each output line (stdout and stderr), ANSI escapes removed. */
  onLine?: (line: string) => void;
  signal?: AbortSignal;
  timeoutMs?: number;
  tailLines?: number;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]|\u001b\][^\u0007]*\u0007/g;

/**
 * Runs an ESM script in a child Node process (the Electron binary runs as
 * Node with ELECTRON_RUN_AS_NODE). On POSIX the child leads its own process
 * group, so cancelling kills the compilers it started too. The script is a
 * temp file, not `-e`: node-llama-cpp forks test processes with the parent's
 * execArgv, which would run an `-e` script again.
 */
export async function runNodeChild(script: string, options: NodeChildOptions): Promise<NodeChildResult> {
  const dir = await mkdtemp(join(tmpdir(), 'tandem-child-'));
  const file = join(dir, 'script.mjs');
  await writeFile(file, script);
  try {
    return await runFile(file, options);
  } finally {
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

function runFile(file: string, options: NodeChildOptions): Promise<NodeChildResult> {
  return new Promise((resolve, reject) => {
    const env = {
      ...process.env,
      ...options.env,
      ELECTRON_RUN_AS_NODE: '1',
      // the node (and npm) that runs Tandem first, so the build's `npm run` finds a matching one
      PATH: [dirname(process.execPath), process.env.PATH ?? ''].join(delimiter),
      FORCE_COLOR: '0',
      NO_COLOR: '1',
    };
    const child = spawn(process.execPath, [file], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    const tail: string[] = [];
    const max = options.tailLines ?? 200;
    const onText = (() => {
      const pending = { out: '', err: '' };
      return (which: 'out' | 'err', chunk: Buffer | null) => {
        const text = pending[which] + (chunk ? chunk.toString('utf8') : '\n');
        const parts = text.split(/\r?\n|\r/);
        pending[which] = chunk ? parts.pop()! : '';
        for (const raw of parts) {
          const line = raw.replace(ANSI, '').trimEnd();
          if (!line.trim()) continue;
          tail.push(line);
          if (tail.length > max) tail.shift();
          options.onLine?.(line);
        }
      };
    })();
    child.stdout.on('data', (chunk: Buffer) => onText('out', chunk));
    child.stderr.on('data', (chunk: Buffer) => onText('err', chunk));
    const kill = () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        if (process.platform === 'win32') spawn('taskkill', ['/pid', String(child.pid), '/T', '/F'], { windowsHide: true });
        else process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const onAbort = () => kill();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) kill();
    const timer = options.timeoutMs ? setTimeout(kill, options.timeoutMs) : undefined;
    child.on('error', (error) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      reject(error);
    });
    child.on('close', (code, signal) => {
      onText('out', null);
      onText('err', null);
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ code, signal, tail });
    });
  });
}
