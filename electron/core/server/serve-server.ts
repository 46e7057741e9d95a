import { createServer, type IncomingMessage, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { TOKEN_QUERY_PARAM, WS_PATH, type ServerMessage } from '../../../shared/ipc/wire';
import type { Logger } from '../app/logger';
import type { RpcDispatcher } from '../rpc/rpc-dispatcher';
import type { ApiHandler } from './api/api-handler';
import { listen } from './listen';
import { serveStatic } from './static-files';
import { hostsForBinding, isAllowedHost, isAllowedOrigin, tokensEqual } from './security';

export interface ServeServerOptions {
  rpc: RpcDispatcher;
  logger: Logger;
  token: string;
  host: string;
  port: number;
  /** Folder with the built renderer (index.html); null serves no UI (API-only uses). */
  staticDir: string | null;
  /** Tandem's API (/v1/…, /mcp) on this same port (`tandem serve --api`); its requests take any method. */
  api?: ApiHandler;
  /** Heartbeat and backpressure limits (tests shorten them). */
  limits?: Partial<ConnectionLimits>;
}

/** How the socket protects the backend from a client that stops answering or stops reading. */
export interface ConnectionLimits {
  /** A ping every this often; a connection that did not answer the previous one is dropped (its streams cancelled). */
  heartbeatMs: number;
  /**
   * The high-water mark of bytes queued for one client (ws bufferedAmount). A
   * client still above it after `slowReaderGraceMs`, or above four times it
   * once it has been over the mark for a while (a quarter of the grace, at most
   * a second), has stopped reading and is dropped (its streams are cancelled):
   * it cannot make the server hold answers without bound. One large answer (an
   * export, even one over four times the mark) passes while a reading client
   * drains it.
   */
  maxBufferedBytes: number;
  slowReaderGraceMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { heartbeatMs: 30_000, maxBufferedBytes: 16 * 1024 * 1024, slowReaderGraceMs: 10_000 };

/** Close codes the server uses (RFC 6455 §7.4.1). */
export const CLOSE_POLICY = 1008;
export const CLOSE_TRY_AGAIN_LATER = 1013;

export interface ServeServer {
  url: string;
  port: number;
  close(): Promise<void>;
  /** The most bytes ever queued for one client (for tests and diagnostics). */
  readonly peakBufferedBytes: number;
}

const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/**
 * Serve mode's transport: the renderer over HTTP and the contract over a
 * WebSocket, both on loopback. The socket needs the per-launch token and, from
 * a browser, an Origin of this very server.
 */
export async function startServeServer(options: ServeServerOptions): Promise<ServeServer> {
  const { rpc, logger, token } = options;
  let hosts = new Set<string>();
  const server: Server = createServer((request, response) => {
    if (!isAllowedHost(request.headers.host, hosts)) {
      response.writeHead(421, { 'Content-Type': 'text/plain' });
      response.end('Unknown host');
      return;
    }
    if (options.api?.handles(request)) {
      void options.api.handle(request, response);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' });
      response.end();
      return;
    }
    if (!options.staticDir) {
      response.writeHead(404);
      response.end();
      return;
    }
    void serveStatic(options.staticDir, request.url ?? '/', response);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (request: IncomingMessage, socket, head) => {
    const reject = (status: number, reason: string) => {
      logger.warn(`refused a WebSocket connection: ${reason}`);
      socket.write(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    const url = new URL(request.url ?? '/', 'http://placeholder');
    if (url.pathname !== WS_PATH) return reject(404, 'Not Found');
    if (!isAllowedHost(request.headers.host, hosts)) return reject(421, 'Misdirected Request');
    if (!isAllowedOrigin(request.headers.origin, hosts)) return reject(403, 'Forbidden');
    if (!tokensEqual(token, url.searchParams.get(TOKEN_QUERY_PARAM))) return reject(401, 'Unauthorized');
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  });

  const limits = { ...DEFAULT_CONNECTION_LIMITS, ...options.limits };
  let peakBufferedBytes = 0;
  const alive = new WeakMap<WebSocket, boolean>();
  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        logger.warn('dropped a WebSocket client that stopped answering pings');
        ws.terminate(); // 'close' follows: the client is detached and its streams cancelled
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, limits.heartbeatMs);
  heartbeat.unref();

  wss.on('connection', (ws: WebSocket, request: IncomingMessage) => {
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    let overMarkSince: number | null = null;
    const client = {
      id: `ws-${randomUUID()}`,
      // The page this server served (its Origin is this server) is the window; a program without an Origin is another client.
      // Not a security boundary: any program holding the token may send this server's Origin and is then treated like the
      // page. It keeps careless programs (no Origin) from what only the user should allow; the token is the protection.
      trust: request.headers.origin !== undefined ? ('window' as const) : ('client' as const),
      send: (message: ServerMessage) => {
        if (ws.readyState !== ws.OPEN) return;
        const queued = ws.bufferedAmount;
        if (queued <= limits.maxBufferedBytes) overMarkSince = null;
        else overMarkSince ??= Date.now();
        const overFor = overMarkSince === null ? -1 : Date.now() - overMarkSince;
        // Four times the mark counts only once the client has been over it for a while: one answer larger than that,
        // just queued for a client that reads, is not a reason to drop it.
        const overLong = overFor >= Math.min(1000, limits.slowReaderGraceMs / 4);
        if (overMarkSince !== null && ((overLong && queued > 4 * limits.maxBufferedBytes) || overFor > limits.slowReaderGraceMs)) {
          // The client stopped reading: drop it rather than hold its answers in memory without bound; its streams are cancelled.
          logger.warn(`dropped a WebSocket client that stopped reading (${queued} bytes queued)`);
          ws.close(CLOSE_TRY_AGAIN_LATER, 'Too much unread data; reconnect');
          // A client that does not read will not read the close frame either.
          setTimeout(() => ws.terminate(), 1000).unref();
          detach();
          return;
        }
        ws.send(JSON.stringify(message));
        peakBufferedBytes = Math.max(peakBufferedBytes, ws.bufferedAmount);
      },
    };
    const detach = rpc.attach(client);
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        client.send({ type: 'response', id: -1, result: { ok: false, error: { code: 'BAD_MESSAGE', message: 'Binary frames are not accepted', retryable: false } } });
        return;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(data.toString());
      } catch {
        client.send({ type: 'response', id: -1, result: { ok: false, error: { code: 'BAD_MESSAGE', message: 'Messages must be JSON', retryable: false } } });
        return;
      }
      void rpc.handleMessage(parsed, client);
    });
    ws.on('close', detach);
    ws.on('error', (error) => logger.warn(`WebSocket error: ${error.message}`));
  });

  const port = await listen(server, options.port, options.host);
  hosts = hostsForBinding(options.host, port);
  const displayHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${displayHost}:${port}/?${TOKEN_QUERY_PARAM}=${token}`,
    port,
    get peakBufferedBytes() {
      return peakBufferedBytes;
    },
    close: async () => {
      clearInterval(heartbeat);
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
