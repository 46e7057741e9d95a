import type { ApiSettings } from '../../../shared/ipc/routes/api';
import type { Core } from '../app/create-core';
import type { Logger } from '../app/logger';
import { createApiHandler, type ApiHandler } from './api/api-handler';
import { startApiServer } from './api/api-server';
import type { ApiCaller, ApiRequestRecord } from './api/api-gate';
import type { ApiKeyService } from './api-keys/api-key-service';
import { createMcpHttpHandler } from './mcp/mcp-http';
import { buildModelContexts } from './model-context';
import { hostsForBinding } from './security';

/** Whether the API server runs, and where (the `api.status` route). */
export interface ApiStatus {
  running: boolean;
  url: string | null;
  error: string | null;
  mcpUrl: string | null;
}

export interface ApiServiceOptions {
  keys: ApiKeyService;
  settings: () => ApiSettings;
  logger: Logger;
  /** The server started or stopped, or keys changed (broadcast `api.changed` at once). */
  onChanged: () => void;
}

/** Hosts that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare);
}

/**
 * The Host headers the API answers to (DNS-rebinding protection): loopback
 * names and the bound host; for a wildcard bind (0.0.0.0, ::) also this
 * machine's addresses and name, so remote clients get through.
 */
/** The origins a browser page on this server itself has (for the MCP endpoint's Origin check), plus the allow-listed ones. */
function originsOf(hosts: Set<string>, cors: string[]): Set<string> {
  return new Set([...[...hosts].map((host) => `http://${host}`), ...cors]);
}

interface Running {
  handler: ApiHandler;
  close(): Promise<void>;
  url: string;
  mcpUrl: string | null;
}

/**
 * Tandem's API server for other tools: the standalone server on its own port
 * (settings.api, desktop and serve mode), and the handler that `tandem serve
 * --api` mounts on the UI's port. It owns both and closes them first on
 * dispose, before the services they call.
 */
export class ApiService {
  private core: Core | null = null;
  private standalone: Running | null = null;
  private error: string | null = null;
  private readonly mounted: { handler: ApiHandler; url: string | null; mcpUrl: string | null }[] = [];
  /** Starts and stops run one after another (settings may change twice quickly). */
  private queue: Promise<unknown> = Promise.resolve();
  private applied: string | null = null;
  private disposed = false;

  constructor(private readonly options: ApiServiceOptions) {}

  /** MCP tool calls go to the request log as "MCP tools/call NAME". */
  private readonly recordMcp = (caller: ApiCaller, entry: ApiRequestRecord) => this.options.keys.record(caller, entry);

  /** The core the API serves; given once it is built (the API is part of it). */
  attach(core: Core): void {
    this.core = core;
  }

  status(): ApiStatus {
    if (this.standalone) return { running: true, url: this.standalone.url, error: null, mcpUrl: this.standalone.mcpUrl };
    const mount = this.mounted.find((m) => m.url !== null);
    if (mount) return { running: true, url: mount.url, error: this.error, mcpUrl: mount.mcpUrl };
    return { running: false, url: null, error: this.error, mcpUrl: null };
  }

  /**
   * Starts or stops the standalone server as settings.api says (a running
   * one restarts when its port, host or remote access changed; CORS origins
   * are read on every request). Never throws: a failure is in `status().error`.
   */
  apply(): Promise<ApiStatus> {
    return this.enqueue(async () => {
      const settings = this.options.settings();
      const wanted = settings.enabled ? JSON.stringify([settings.port, settings.host, settings.allowRemote]) : null;
      if (wanted === this.applied && (wanted === null || this.standalone)) return;
      await this.stopStandalone();
      this.applied = wanted;
      if (wanted !== null) await this.startStandalone(settings);
    });
  }

  /** Starts the standalone server now (settings, with `overrides`), replacing a running one. */
  start(overrides: Partial<Pick<ApiSettings, 'port' | 'host' | 'allowRemote'>> = {}): Promise<ApiStatus> {
    return this.enqueue(async () => {
      await this.stopStandalone();
      const settings = { ...this.options.settings(), ...overrides };
      this.applied = JSON.stringify([settings.port, settings.host, settings.allowRemote]);
      await this.startStandalone(settings);
    });
  }

  stop(): Promise<ApiStatus> {
    return this.enqueue(async () => {
      this.applied = null;
      await this.stopStandalone();
    });
  }

  /**
   * A handler for another server's port (`tandem serve --api` mounts it on
   * the UI's). `hosts` are the Host headers that server answers to; call
   * `listening(url)` once its address is known.
   */
  mount(hosts: () => Set<string>, corsOrigins: () => string[] = () => this.options.settings().corsOrigins): { handler: ApiHandler; listening(url: string): void } {
    const core = this.requireCore();
    const mcp = createMcpHttpHandler(core, { allowedHosts: hosts, allowedOrigins: () => originsOf(hosts(), corsOrigins()), record: this.recordMcp });
    const handler = createApiHandler({ core, gate: this.options.keys, mcp, corsOrigins, allowedHosts: hosts, modelContexts: buildModelContexts });
    const entry = { handler, url: null as string | null, mcpUrl: null as string | null };
    this.mounted.push(entry);
    return {
      handler,
      listening: (url) => {
        entry.url = url;
        entry.mcpUrl = url.replace(/\/v1$/, '/mcp');
        this.options.onChanged();
      },
    };
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.queue;
    await this.stopStandalone();
    await Promise.all(this.mounted.splice(0).map((m) => m.handler.close().catch((error: Error) => this.options.logger.warn(`API handler: ${error.message}`))));
  }

  /** Runs a start or stop after the ones before it; `api.changed` goes out when the status changed. */
  private enqueue(work: () => Promise<void>): Promise<ApiStatus> {
    const run = this.queue.then(async () => {
      if (this.disposed) return;
      const before = JSON.stringify(this.status());
      await work();
      if (JSON.stringify(this.status()) !== before) this.options.onChanged();
    });
    this.queue = run.catch(() => undefined);
    return run.then(() => this.status());
  }

  private requireCore(): Core {
    if (!this.core) throw new Error('ApiService used before the core was attached');
    return this.core;
  }

  private async startStandalone(settings: ApiSettings): Promise<void> {
    const { logger } = this.options;
    if (!isLoopbackHost(settings.host)) {
      if (!settings.allowRemote) {
        this.error = `${settings.host} is not a loopback address: turn on "Allow remote connections" to listen on it`;
        logger.warn(`API server not started: ${this.error}`);
        return;
      }
      logger.warn(`the API server listens on ${settings.host}: anyone who can reach this machine and has a key can use Tandem's models`);
    }
    let hosts = new Set<string>();
    const corsOrigins = () => this.options.settings().corsOrigins;
    let handler: ApiHandler | null = null;
    try {
      const core = this.requireCore();
      const mcp = createMcpHttpHandler(core, { allowedHosts: () => hosts, allowedOrigins: () => originsOf(hosts, corsOrigins()), record: this.recordMcp });
      handler = createApiHandler({ core, gate: this.options.keys, mcp, corsOrigins, allowedHosts: () => hosts, modelContexts: buildModelContexts });
      const server = await startApiServer({ handler, host: settings.host, port: settings.port });
      hosts = hostsForBinding(settings.host, server.port);
      // Closing the server closes the handler first (answers in progress are cancelled), then the MCP sessions.
      this.standalone = { handler, url: server.url, mcpUrl: server.url.replace(/\/v1$/, '/mcp'), close: () => server.close() };
      this.error = null;
      logger.info(`Tandem API at ${server.url}`);
    } catch (error) {
      await handler?.close().catch(() => undefined);
      const { code, message } = error as NodeJS.ErrnoException;
      this.error = code === 'EADDRINUSE' ? `Port ${settings.port} is in use: choose another port for the API server` : `The API server could not start: ${message}`;
      logger.warn(this.error);
    }
  }

  private async stopStandalone(): Promise<void> {
    const running = this.standalone;
    this.error = null;
    if (!running) return;
    this.standalone = null;
    await running.close().catch((error: Error) => this.options.logger.warn(`closing the API server: ${error.message}`));
  }
}

/** Calls `fn` at most once per `ms`: the first call at once, later ones folded into one at the end of the interval. */
export function throttled(fn: () => void, ms: number): { call(): void; cancel(): void } {
  let last = 0;
  let timer: NodeJS.Timeout | null = null;
  const fire = () => {
    timer = null;
    last = Date.now();
    fn();
  };
  return {
    call: () => {
      if (timer) return;
      const wait = last + ms - Date.now();
      if (wait <= 0) fire();
      else {
        timer = setTimeout(fire, wait);
        timer.unref?.();
      }
    },
    cancel: () => {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
