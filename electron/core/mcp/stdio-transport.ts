import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** A line longer than this without a newline is not a protocol message; the connection is dropped. */
const MAX_LINE_BYTES = 128 * 1024 * 1024;
const KILL_GRACE_MS = 2000;
const STDIN_GRACE_MS = 200;

export interface StdioTransportOptions {
  /** Absolute path (from preflight). */
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  /** Each stderr line, as it comes. */
  onStderrLine?: (line: string) => void;
  /** A stdout line that is not JSON-RPC (servers that print to stdout by mistake). */
  onGarbage?: (line: string) => void;
}

/**
 * MCP over a child's stdin/stdout, in its own process group so that
 * `close()` ends the whole tree (npx → node → …): stdin closed, SIGTERM, then
 * SIGKILL after 2 s. Unlike the SDK's transport it reports the exit code and treats a
 * non-JSON stdout line as noise rather than a fatal error.
 */
export class StdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private child: ChildProcess | null = null;
  private closed = false;
  private exitPromise: Promise<void> | null = null;
  /** How the process ended, once it has. */
  exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;

  constructor(private readonly options: StdioTransportOptions) {}

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  start(): Promise<void> {
    if (this.child) throw new Error('StdioTransport already started');
    const windows = process.platform === 'win32';
    const child = spawn(this.options.command, this.options.args, {
      env: this.options.env,
      cwd: this.options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: !windows,
      windowsHide: true,
      // .cmd/.bat shims (npx.cmd) only run through the shell on Windows.
      shell: windows && /\.(cmd|bat)$/i.test(this.options.command),
    });
    this.child = child;
    this.exitPromise = new Promise((resolve) => child.once('exit', () => resolve()));
    return new Promise((resolve, reject) => {
      child.once('error', (error) => {
        reject(error);
        this.onerror?.(error);
        this.finish();
      });
      child.once('spawn', () => resolve());
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        // Let stdout drain (a last answer written just before exiting), but not wait for grandchildren holding the pipe.
        const timer = setTimeout(() => this.finish(), 100);
        child.stdout?.once('close', () => {
          clearTimeout(timer);
          this.finish();
        });
        // Whatever the server left running in its group goes with it.
        signalGroup(child, 'SIGTERM');
      });
      child.stdin?.on('error', (error) => this.onerror?.(error));
      child.stdout?.on('error', (error) => this.onerror?.(error));
      this.readLines(child.stdout!, (line) => this.handleLine(line));
      this.readLines(child.stderr!, (line) => this.options.onStderrLine?.(line));
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const stdin = this.child?.stdin;
      if (!stdin || this.closed || !stdin.writable) return reject(new Error('Not connected'));
      if (stdin.write(`${JSON.stringify(message)}\n`)) resolve();
      else stdin.once('drain', () => resolve());
    });
  }

  /** Ends the process tree: stdin closed, SIGTERM to the group after 0.2 s, SIGKILL after 2 s more. */
  async close(): Promise<void> {
    const child = this.child;
    if (!child) return;
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.stdin?.end();
      } catch {
        // already gone
      }
      // The spec's order: stdin closed first (most servers exit on EOF, after reading what was sent last, like a cancellation).
      await Promise.race([this.exitPromise, new Promise((r) => setTimeout(r, STDIN_GRACE_MS))]);
      if (child.exitCode === null && child.signalCode === null) signalGroup(child, 'SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const killed = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          signalGroup(child, 'SIGKILL');
          resolve();
        }, KILL_GRACE_MS);
      });
      await Promise.race([this.exitPromise, killed]);
      clearTimeout(timer);
    }
    // Members of the group that ignored SIGTERM.
    if (groupAlive(child)) {
      await new Promise((r) => setTimeout(r, 200));
      if (groupAlive(child)) signalGroup(child, 'SIGKILL');
    }
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.();
  }

  private handleLine(line: string): void {
    if (!line.trim()) return;
    let message: JSONRPCMessage;
    try {
      message = JSONRPCMessageSchema.parse(JSON.parse(line));
    } catch {
      this.options.onGarbage?.(line);
      return;
    }
    this.onmessage?.(message);
  }

  private readLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
    let chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      let start = 0;
      for (let index = chunk.indexOf(10); index !== -1; index = chunk.indexOf(10, start)) {
        chunks.push(chunk.subarray(start, index));
        const line = Buffer.concat(chunks).toString('utf8').replace(/\r$/, '');
        chunks = [];
        size = 0;
        start = index + 1;
        onLine(line);
      }
      if (start < chunk.length) {
        chunks.push(chunk.subarray(start));
        size += chunk.length - start;
        if (size > MAX_LINE_BYTES) {
          chunks = [];
          size = 0;
          this.onerror?.(new Error(`The server wrote more than ${MAX_LINE_BYTES} bytes without a newline`));
          void this.close();
        }
      }
    });
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  if (process.platform === 'win32') {
    if (signal === 'SIGKILL' || child.exitCode === null) {
      spawnSync('taskkill', ['/pid', String(child.pid), '/T', '/F'], { windowsHide: true, stdio: 'ignore' });
    }
    return;
  }
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

function groupAlive(child: ChildProcess): boolean {
  if (child.pid === undefined || process.platform === 'win32') return false;
  try {
    process.kill(-child.pid, 0);
    return true;
  } catch {
    return false;
  }
}
